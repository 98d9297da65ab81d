"""Delivers the outbox within Telegram's limits, chats in turn, never losing a call.

- Pacing: message calls (send*, edit*, copy*, forward*) leave at most
  ``messages_per_second`` in all and one per ``per_chat_interval`` per chat; other calls
  (answering a button, setting the menu) are not paced. A send that leaves a little
  late does not lower the rate: the schedule keeps up to one interval of lateness.
- Order and fairness (bot/edge/backlog.py): each chat (lane) has one call in flight at a
  time, its head. Chats of the same priority are served in turn, one call each per
  round, so a chat with a backlog never holds back a newcomer for more than a round;
  interactive calls go before bulk ones.
- Cost: pending calls are kept in memory, loaded by id as they are written (a pick
  does not look at the rest of the backlog); a payload is read when its call is sent.
- Failures: 429 makes that chat wait ``retry_after``;
  network errors and 5xx retry with exponential backoff for as long as it takes; a
  call Telegram refuses for good (400, 403) is marked failed with the reason.
- Sent is final: a call Telegram accepted is never sent again by this process. If
  marking it sent fails (disk full), the sender keeps its id, sends nothing more until
  the mark succeeds, and stops the bot (``DatabaseFault``) when the database cannot
  be written. Only a crash or such a stop between Telegram's answer and that commit
  can send a call twice.
- Several processes on one database: each knows every pending call, but sends one only
  after leasing it (``outbox.claim_call``), which it may only while no other process
  has a live lease on a call of that chat; else the chat waits here until that lease
  ends (by then the other has usually sent it, and the call is simply done). Leases are
  renewed every few seconds and handed back at a clean stop; a killed process's calls
  are taken when its leases end, and one it had sent but not marked goes twice.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
import warnings
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from telegram import Bot, InputFile
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.warnings import PTBUserWarning

from bot.calls import KEEP
from bot.clock import Clock
from bot.config import SenderConfig
from bot.edge.backlog import Backlog, Queued
from storage import leases, outbox
from storage.db import Database
from storage.faults import DatabaseFault, fault_of
from storage.outbox import PendingCall, PendingRow
from storage.timefmt import from_db, to_db

log = logging.getLogger(__name__)

# We call Bot API methods by their own names with stored parameters on purpose.
warnings.filterwarnings("ignore", message=r"Please use 'Bot\.", category=PTBUserWarning)

_FILE_MARK = "$file"
_EDITS = frozenset({"editMessageText"})  # the edits a topic may be sent anew as
_EDIT_ONLY = frozenset({"message_id", "inline_message_id"})
# A topic's previous message losing its buttons when the topic moves to a new message
# (only one message of a request carries live buttons in a chat): aimed like an edit,
# and nothing at all when the chat has no such message, or it is the one in ``KEEP``.
_STRIPS = frozenset({"editMessageReplyMarkup"})
_LOAD_BATCH = 2000  # outbox rows read per look for new calls
# A safety net, when idle: read everything pending again (rows this process did not
# write and missed, e.g. ids used again after the newest rows were purged).
_RELOAD_EVERY = 60.0
_IDLE_WAIT = 5.0  # seconds between looks for new calls when nobody says there are any
_MARK_PATIENCE = 7.0  # seconds of an unwritable database before the bot stops


class Sender:
    def __init__(
        self,
        db: Database,
        bot: Bot,
        clock: Clock,
        config: SenderConfig,
        *,
        me: str = "sender",
        lease: timedelta = timedelta(seconds=60),
    ) -> None:
        self._db = db
        self._me = me  # this process, as it leases outbox rows
        self._lease = lease
        self._renewed_at = 0.0
        self._bot = bot
        self._clock = clock
        self._config = config
        self._wake = asyncio.Event()
        self._backlog = Backlog()
        self._flying: dict[int, asyncio.Task[None]] = {}
        self._interval = 1 / config.messages_per_second
        self.processes = 1  # sending for this bot, this one included (leases.share)
        self._per_chat = config.per_chat_interval.total_seconds()
        self._next_slot = 0.0
        self._last_id = 0
        self._new_calls = True
        self._reloaded_at: float | None = None
        self._unmarked: dict[int, tuple[int | None, datetime]] = {}
        self._fault: DatabaseFault | None = None
        self.sent = 0
        self.picks = 0  # calls launched, and the time spent finding them (benchmarks)
        self.pick_seconds = 0.0
        self.reload_seconds = 0.0  # of which reading everything pending (start, safety net)

    def wake(self) -> None:
        """New calls are in the outbox."""
        self._new_calls = True
        self._wake.set()

    @property
    def renewed(self) -> bool:
        """Its leases renewed at least once (and its share of the budget known)."""
        return self._renewed_at > 0

    @property
    def pace(self) -> float:
        """Messages a second this process sends at now: its share of the bot's."""
        return 1 / self._interval

    @property
    def backlog(self) -> int:
        """Pending calls this sender knows of (in flight included)."""
        return len(self._backlog)

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            self._wake.clear()
            if self._fault is not None:
                raise self._fault
            if self._unmarked:
                await self._mark_owed(loop)
                continue
            await self._renew(loop)
            started = time.perf_counter()
            if await self._load(loop):
                self.reload_seconds += time.perf_counter() - started
            self._launch(loop)
            self.pick_seconds += time.perf_counter() - started
            await self._sleep_until_something_changes(loop)

    async def drain(self) -> None:
        """Wait for the calls in flight to finish (for shutdown)."""
        if self._flying:
            await asyncio.gather(*list(self._flying.values()), return_exceptions=True)
        for call_id, (message_id, at) in list(self._unmarked.items()):
            try:
                await outbox.mark_sent(self._db, call_id, message_id, at)
            except Exception:  # stopping anyway; the log already says why
                return
            del self._unmarked[call_id]

    async def release(self) -> None:
        """Hand this process's calls not yet settled to the others (a clean stop)."""
        await outbox.release(self._db, self._me)

    async def _renew(self, loop: asyncio.AbstractEventLoop) -> None:
        """Keep the leases of calls in flight or postponed, a third of a lease apart."""
        if loop.time() - self._renewed_at < self._lease.total_seconds() / 3:
            return
        try:
            await outbox.renew(self._db, self._me, self._clock.now(), self._lease)
            # Telegram's budget is the bot's, not the process's: with n processes each
            # sends at 1/n of it (a killed one counts until its lease ends: slower, safe).
            self.processes = await leases.share(self._db, self._me, self._clock.now(), self._lease)
        except Exception as error:
            raise (fault_of(error) or error) from None
        self._interval = self.processes / self._config.messages_per_second
        self._renewed_at = loop.time()

    # --- finding the next calls ----------------------------------------------------

    async def _load(self, loop: asyncio.AbstractEventLoop) -> bool:
        """Read calls written since the last look (all pending ones now and then: True)."""
        now = loop.time()
        rows: list[PendingRow] = []
        reloaded = False
        try:
            if self._reloaded_at is None or (
                not self._backlog and now - self._reloaded_at >= _RELOAD_EVERY
            ):
                rows, self._last_id = await outbox.all_pending(self._db)
                self._reloaded_at = now
                self._backlog.prune(now)
                reloaded = True
                self._new_calls = True  # rows written meanwhile: look after the top too
            if self._new_calls:
                self._new_calls = False  # before reading: a wake meanwhile counts
                before = self._last_id
                found, self._last_id = await outbox.pending_after(self._db, before, _LOAD_BATCH)
                rows.extend(found)
                if self._last_id != before:  # more may wait beyond this batch
                    self._new_calls = True
        except Exception as error:
            raise (fault_of(error) or error) from None
        clock_now = to_db(self._clock.now()) if rows else ""
        for row in rows:
            if row.id not in self._backlog and row.id not in self._unmarked:
                self._backlog.add(self._queued(row, clock_now, now), now)
        return reloaded

    def _queued(self, row: PendingRow, clock_now: str, now: float) -> Queued:
        due = 0.0
        if row.not_before > clock_now:  # postponed (same sortable format as to_db)
            due = now + (from_db(row.not_before) - self._clock.now()).total_seconds()
        return Queued(row.id, row.lane, row.method, row.priority, row.attempts, due)

    def _launch(self, loop: asyncio.AbstractEventLoop) -> None:
        while len(self._flying) < self._config.concurrency:
            now = loop.time()
            call = self._backlog.take(now, slot_free=now >= self._next_slot)
            if call is None:
                return
            free_at = 0.0
            if call.paced:
                # Keep the schedule, not the moment: up to one interval of lateness is
                # made up, so the rate stays the configured one without bursts.
                start = max(self._next_slot, now - self._interval)
                self._next_slot = start + self._interval
                free_at = now + self._per_chat
            self._flying[call.id] = asyncio.create_task(self._deliver(call, free_at))
            self.picks += 1

    async def _sleep_until_something_changes(self, loop: asyncio.AbstractEventLoop) -> None:
        """Sleep until woken, a chat's interval or a postponed call ends, or a slot opens."""
        now = loop.time()
        waits = [_IDLE_WAIT]
        if len(self._flying) < self._config.concurrency:  # else a call coming back wakes us
            at = self._backlog.next_timer()
            if at is not None:
                waits.append(at - now)
            if self._backlog.waiting_for_slot():
                waits.append(self._next_slot - now)
        timeout = min(waits)
        if timeout <= 0:
            await asyncio.sleep(0)  # something is ready already: let the calls in flight run
            return
        woken = await self._woken_within(timeout)
        if not woken and timeout >= _IDLE_WAIT:
            self._new_calls = True  # a safety net: calls written by another process

    async def _woken_within(self, seconds: float) -> bool:
        try:
            async with asyncio.timeout(seconds):
                await self._wake.wait()
        except TimeoutError:
            return False
        return True

    # --- sending one call --------------------------------------------------------------

    async def _deliver(self, queued: Queued, free_at: float) -> None:
        done = False
        try:
            now = self._clock.now()
            call = await outbox.claim_call(self._db, queued.id, self._me, now, self._lease)
            if isinstance(call, outbox.Held):  # another process serves this chat now
                queued.due = asyncio.get_running_loop().time() + _until(call.until, now)
                free_at = 0.0
            else:
                done = call is None or await self._attempt(queued, call)
        except Exception as error:  # never let one call kill the sender; it stays pending
            fault = fault_of(error)
            if fault is not None:
                self._stop(fault)
            else:
                log.exception("outbox call %s: unexpected error", queued.id)
                await self._postpone(queued, self._backoff(queued), "unexpected error")
        finally:
            del self._flying[queued.id]
            loop = asyncio.get_running_loop()
            self._backlog.finished(queued, loop.time(), done=done, free_at=free_at)
            self._wake.set()

    async def _attempt(self, queued: Queued, call: PendingCall) -> bool:
        """Make the call once; True if it is settled (sent or refused for good)."""
        aimed = await self._aimed(call)
        if aimed is None:  # a strip with nothing to strip
            await self._record_sent(call, None)
            return True
        call = aimed
        try:
            result = await self._bot.do_api_request(
                call.method, api_kwargs=_materialise(call.params)
            )
        except RetryAfter as flood:
            wait = _seconds(flood.retry_after)
            log.warning("429 on %s to %s: waiting %.1fs", call.method, call.lane, wait)
            # Only this chat waits: under a global flood every chat gets its own 429 and
            # waits too, while one chat's flood must not hold back everyone else's answers.
            until = self._clock.now() + timedelta(seconds=wait)
            await self._postpone(queued, until, f"429 retry after {wait:g}s")
            return False
        except BadRequest as refused:
            if "message is not modified" in refused.message.lower():  # PTB capitalises it
                await self._record_sent(call, None)
                return True
            if _is_topic_edit(call):  # gone or too old: the chat gets it as a new message
                await outbox.forget_message(self._db, call.lane, call.params["message_id"])
                return await self._attempt(queued, _as_new_message(call))
            if call.method in _STRIPS and call.topic is not None:  # gone: no buttons left
                await self._record_sent(call, None)
                return True
            await self._give_up(call, refused)
        except Forbidden as refused:
            await self._give_up(call, refused)
        except NetworkError as trouble:  # includes timeouts and 5xx
            log.warning("outbox call %s: %s; will retry", call.id, trouble)
            await self._postpone(queued, self._backoff(queued), str(trouble))
            return False
        except TelegramError as refused:
            await self._give_up(call, refused)
        else:
            message_id = result.get("message_id") if isinstance(result, dict) else None
            if call.method in _STRIPS:  # a message that lost its buttons is no topic's now
                message_id = None
            await self._record_sent(call, message_id)
        return True

    async def _aimed(self, call: PendingCall) -> PendingCall | None:
        """An edit of a request's topic (its case card) made to the last message sent
        with it, or sent as a new message when the chat has none; a strip of its buttons
        made to that message, or to none (None)."""
        if call.method in _STRIPS and call.topic is not None:
            return await self._strip(call)
        if not _is_topic_edit(call) or "message_id" in call.params or call.request_id is None:
            return call
        assert call.topic is not None  # noqa: S101 - _is_topic_edit checked it
        found = await outbox.topic_message(self._db, call.lane, call.request_id, call.topic)
        if found is None:
            return _as_new_message(call)
        return replace(call, params={**call.params, "message_id": found})

    async def _strip(self, call: PendingCall) -> PendingCall | None:
        params = {k: v for k, v in call.params.items() if k != KEEP}
        if "message_id" in params or call.request_id is None or call.topic is None:
            return replace(call, params=params)
        found = await outbox.topic_message(self._db, call.lane, call.request_id, call.topic)
        if found is None or found == call.params.get(KEEP):
            return None
        return replace(call, params={**params, "message_id": found})

    async def _record_sent(self, call: PendingCall, message_id: int | None) -> None:
        """Mark it sent; if that fails, remember it so that it is never sent again."""
        self.sent += 1
        now = self._clock.now()
        try:
            await outbox.mark_sent(self._db, call.id, message_id, now)
        except Exception as error:
            log.error(
                "outbox call %s was delivered but cannot be marked sent (%s): "
                "it will not be sent again; sending waits until the mark is written",
                call.id,
                error,
            )
            self._unmarked[call.id] = (message_id, now)

    async def _postpone(self, queued: Queued, until: datetime, error: str) -> None:
        loop = asyncio.get_running_loop()
        queued.due = loop.time() + max(0.0, (until - self._clock.now()).total_seconds())
        queued.attempts += 1
        try:
            await outbox.postpone(self._db, queued.id, until, error)
        except Exception as trouble:  # it stays pending in the table; only the time is lost
            fault = fault_of(trouble)
            if fault is not None:
                self._stop(fault)
            else:
                log.warning("outbox call %s: cannot store its retry time (%s)", queued.id, trouble)

    async def _mark_owed(self, loop: asyncio.AbstractEventLoop) -> None:
        """Write the marks of delivered calls, retrying; stop if the database stays unwritable."""
        failing_since = loop.time()
        delay = 0.25
        while self._unmarked:
            try:
                for call_id, (message_id, at) in list(self._unmarked.items()):
                    await outbox.mark_sent(self._db, call_id, message_id, at)
                    del self._unmarked[call_id]
            except Exception as error:
                fault = fault_of(error)
                if fault is not None and loop.time() - failing_since >= _MARK_PATIENCE:
                    raise fault from None
                log.warning("still cannot mark %d sent call(s): %s", len(self._unmarked), error)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 30.0)
        log.info("the delivered calls are marked sent; sending again")

    def _stop(self, fault: DatabaseFault) -> None:
        if self._fault is None:
            self._fault = fault
        self._wake.set()

    async def _give_up(self, call: PendingCall, error: TelegramError) -> None:
        """Refused for good: marked failed, and whatever the call owes on failure (telling
        the person whose words did not arrive) queued in the same transaction."""
        log.error("outbox call %s (%s to %s) refused: %s", call.id, call.method, call.lane, error)
        reason = f"{type(error).__name__}: {error.message}"
        if await outbox.give_up(self._db, call.id, reason, self._clock.now()):
            self.wake()

    def _backoff(self, queued: Queued) -> datetime:
        base = min(2.0**queued.attempts, self._config.max_backoff.total_seconds())
        jitter = random.uniform(0, base / 4)  # noqa: S311 - spreading retries, not a secret
        return self._clock.now() + timedelta(seconds=base + jitter)


def _is_topic_edit(call: PendingCall) -> bool:
    return call.topic is not None and call.method in _EDITS


def _as_new_message(call: PendingCall) -> PendingCall:
    """The edit as a message of its own: same chat, text and buttons."""
    params = {k: v for k, v in call.params.items() if k not in _EDIT_ONLY}
    return replace(call, method="sendMessage", params=params, topic=call.topic)


def _until(stored: str, now: datetime) -> float:
    """Seconds from ``now`` to a stored time (at least a little: no busy loop)."""
    return max(0.5, (from_db(stored) - now).total_seconds())


def _seconds(value: int | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def _materialise(params: dict[str, Any]) -> dict[str, Any]:
    """Turn ``{"$file": path, "filename": name}`` values into uploads; the rest is JSON."""
    out: dict[str, Any] = {}
    for key, value in params.items():
        if isinstance(value, dict) and _FILE_MARK in value:
            path = Path(value[_FILE_MARK])
            out[key] = InputFile(path.read_bytes(), filename=value.get("filename", path.name))
        else:
            out[key] = value
    return out
