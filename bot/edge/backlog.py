"""The sender's backlog: each chat's pending calls in memory, chats served in turn.

Why in memory: picking the next call by querying the outbox ranks and sorts every
pending row each time, so the sender slows down exactly when it has most to send. Here
a pick costs the same at 600 or 50,000 pending: the sender loads new rows by id (only
rows it has not seen) and this class hands out lanes from rings.

Order, as a person sees it:
- each chat (lane) has at most one call in flight, its head: its oldest interactive
  call, else its oldest bulk call; a head that is not yet due holds its lane;
- lanes wait in rings, one per (priority, paced): a lane joins the back of its ring when
  its head becomes ready, and after each call it goes to the back again. So a chat with
  a backlog gets one call per round, and a newcomer is served within one round;
- interactive rings before bulk ones; unpaced calls (answering a button) do not wait
  for the global message slot.

Times here are the event loop's (``loop.time()``); the sender converts.
"""

from __future__ import annotations

import heapq
from collections import deque
from dataclasses import dataclass, field

from bot.calls import Priority

_PACED_PREFIXES = ("send", "edit", "copy", "forward")


def is_paced(method: str) -> bool:
    """Calls Telegram counts against its flood limits (send*, edit*, copy*, forward*)."""
    return method.startswith(_PACED_PREFIXES) and method != "sendChatAction"


@dataclass
class Queued:
    """A pending call without its payload (read when it is sent)."""

    id: int
    lane: int
    method: str
    priority: Priority
    attempts: int
    due: float = 0.0  # loop time before which it must not go (a postponed call)

    @property
    def paced(self) -> bool:
        return is_paced(self.method)


@dataclass
class _Lane:
    calls: tuple[deque[Queued], deque[Queued]] = field(default_factory=lambda: (deque(), deque()))
    flying: Queued | None = None
    free_at: float = 0.0  # per-chat interval: no paced call before this
    ticket: int = 0  # bumps on every change; ring and timer entries with an old one are stale

    def head(self) -> Queued | None:
        interactive, bulk = self.calls
        return interactive[0] if interactive else (bulk[0] if bulk else None)


_Entry = tuple[int, int]  # (lane, ticket)
_RING_ORDER = (
    (Priority.INTERACTIVE, False),
    (Priority.INTERACTIVE, True),
    (Priority.BULK, False),
    (Priority.BULK, True),
)


class Backlog:
    def __init__(self) -> None:
        self._lanes: dict[int, _Lane] = {}
        self._ids: set[int] = set()
        self._rings: dict[tuple[Priority, bool], deque[_Entry]] = {k: deque() for k in _RING_ORDER}
        self._timers: list[tuple[float, int, int]] = []  # (at, lane, ticket), a heap

    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, call_id: int) -> bool:
        return call_id in self._ids

    def add(self, call: Queued, now: float) -> None:
        """A pending call read from the outbox (ignored if already known)."""
        if call.id in self._ids:
            return
        self._ids.add(call.id)
        lane = self._lanes.get(call.lane)
        if lane is None:
            lane = self._lanes[call.lane] = _Lane()
        before = lane.head()
        queue = lane.calls[call.priority]
        if queue and queue[-1].id > call.id:  # only after a full reload: keep id order
            ordered = sorted([*queue, call], key=lambda c: c.id)
            queue.clear()
            queue.extend(ordered)
        else:
            queue.append(call)
        if lane.flying is None and lane.head() is not before:
            self._schedule(call.lane, lane, now)

    def take(self, now: float, slot_free: bool) -> Queued | None:
        """The next call to send, its lane then in flight; None if nothing may go now."""
        self._release_timers(now)
        for key in _RING_ORDER:
            if key[1] and not slot_free:
                continue
            lane_id = self._front(key)
            if lane_id is None:
                continue
            self._rings[key].popleft()
            lane = self._lanes[lane_id]
            call = lane.head()
            if call is None:  # pragma: no cover - a lane in a ring always has a head
                continue
            lane.flying = call
            lane.ticket += 1
            return call
        return None

    def waiting_for_slot(self) -> bool:
        """Whether a paced call is ready and only the global slot holds it back."""
        return any(self._front(key) is not None for key in _RING_ORDER if key[1])

    def next_timer(self) -> float | None:
        """When the earliest waiting lane becomes ready (loop time), if any."""
        while self._timers:
            at, lane_id, ticket = self._timers[0]
            lane = self._lanes.get(lane_id)
            if lane is not None and lane.ticket == ticket:
                return at
            heapq.heappop(self._timers)
        return None

    def finished(self, call: Queued, now: float, *, done: bool, free_at: float = 0.0) -> None:
        """The call in flight came back: ``done`` (sent or failed) or still pending
        (postponed to ``call.due``); its chat takes no paced call before ``free_at``."""
        lane = self._lanes[call.lane]
        lane.flying = None
        lane.free_at = max(lane.free_at, free_at)
        if done:
            queue = lane.calls[call.priority]
            if queue and queue[0].id == call.id:
                queue.popleft()
            else:  # a lower id found by a full reload went in front of it meanwhile
                queue.remove(call)
            self._ids.discard(call.id)
        self._schedule(call.lane, lane, now)

    def _schedule(self, lane_id: int, lane: _Lane, now: float) -> None:
        lane.ticket += 1
        head = lane.head()
        if head is None:
            if lane.free_at <= now:
                del self._lanes[lane_id]
            return  # else remembered for its interval, then forgotten by prune()
        at = max(head.due, lane.free_at if head.paced else 0.0)
        if at <= now:
            self._rings[(head.priority, head.paced)].append((lane_id, lane.ticket))
        else:
            heapq.heappush(self._timers, (at, lane_id, lane.ticket))

    def prune(self, now: float) -> None:
        """Forget idle chats whose interval has ended (memory only; call now and then)."""
        idle = [
            lane_id
            for lane_id, lane in self._lanes.items()
            if lane.flying is None and lane.head() is None and lane.free_at <= now
        ]
        for lane_id in idle:
            del self._lanes[lane_id]

    def _release_timers(self, now: float) -> None:
        while self._timers and self._timers[0][0] <= now:
            _, lane_id, ticket = heapq.heappop(self._timers)
            lane = self._lanes.get(lane_id)
            if lane is not None and lane.ticket == ticket and lane.flying is None:
                self._schedule(lane_id, lane, now)

    def _front(self, key: tuple[Priority, bool]) -> int | None:
        """The first lane in a ring whose entry is still valid (stale ones are dropped)."""
        ring = self._rings[key]
        while ring:
            lane_id, ticket = ring[0]
            lane = self._lanes.get(lane_id)
            if lane is not None and lane.ticket == ticket and lane.flying is None:
                return lane_id
            ring.popleft()
        return None
