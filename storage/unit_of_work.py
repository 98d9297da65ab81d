"""The unit of work: one transaction, the repositories over it, and the calls it owes.

Every writer goes through here: the dispatcher (one unit per inbox row), every sweep,
the CLI and the tests. ``unit_of_work`` begins the transaction; the use cases
(``bot.services``) read and write through the repositories; the calls the handlers
render are queued with ``send``; at the end of the block the calls are written to the
outbox, the inbox row being handled is marked done, and all of it commits together, or,
if the block raises, none of it does. ``reading`` is the same shape over a read
connection (no writer lock; it refuses writes), for long work and reports.

The repositories are created on first use, so a unit pays only for what it touches.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import datetime
from functools import cached_property

from bot.calls import Call, Priority
from storage import inbox, outbox
from storage.accounts import Accounts
from storage.announce import Notices
from storage.cadre_views import Absences, Cases, Directory, Filings
from storage.codes import CardStore, Codes
from storage.confidential import Complaints
from storage.conversations import Conversations
from storage.db import Database, Tx
from storage.deadlines import DeadlineRequests, Deadlines
from storage.follow_ups import FollowUps
from storage.inbox import Inbox
from storage.joins import Joins
from storage.leavers import Reroutes
from storage.outbox import Outbox
from storage.people import People
from storage.pickers import HouseholdPicks
from storage.roster_uploads import Uploads
from storage.rota import Rotas
from storage.rounds import Rounds
from storage.schedule import Schedules
from storage.stats import Stats
from storage.stays import Stays
from storage.supervision import Supervision
from storage.villager_views import VillagerViews


class UnitOfWork:
    """One transaction's repositories and the calls it owes (satisfies
    ``bot.services.work.Work``)."""

    def __init__(self, tx: Tx, now: datetime, inbox_id: int | None = None) -> None:
        self.tx = tx
        self.now = now
        self.inbox_id = inbox_id  # the inbox row being handled; None for a sweep
        self.calls: list[Call] = []
        self.queued = 0  # calls written to the outbox at commit (a dedup key may skip one)
        self.failure: str | None = None  # set by ``fail``: the handled row is marked failed

    def fail(self, error: str) -> None:
        """The inbox row being handled failed: at commit it is marked failed with ``error``
        (not done), beside the calls queued (the apology to the person)."""
        self.failure = error

    def send(self, *calls: Call) -> None:
        self.calls.extend(calls)

    # --- repositories ------------------------------------------------------------------

    @cached_property
    def requests(self) -> DeadlineRequests:
        return DeadlineRequests(self.tx)

    @cached_property
    def stays(self) -> Stays:
        return Stays(self.tx)

    @cached_property
    def deadlines(self) -> Deadlines:
        return Deadlines(self.tx)

    @cached_property
    def reroutes(self) -> Reroutes:
        return Reroutes(self.tx)

    @cached_property
    def people(self) -> People:
        return People(self.tx)

    @cached_property
    def directory(self) -> Directory:
        return Directory(self.tx)

    @cached_property
    def conversations(self) -> Conversations:
        return Conversations(self.tx)

    @cached_property
    def cases(self) -> Cases:
        return Cases(self.tx)

    @cached_property
    def absences(self) -> Absences:
        return Absences(self.tx)

    @cached_property
    def filings(self) -> Filings:
        return Filings(self.tx)

    @cached_property
    def schedule(self) -> Schedules:
        return Schedules(self.tx)

    @cached_property
    def accounts(self) -> Accounts:
        return Accounts(self.tx)

    @cached_property
    def cards(self) -> CardStore:
        return CardStore(self.tx, self.now)

    @cached_property
    def codes(self) -> Codes:
        return Codes(self.tx)

    @cached_property
    def inbox(self) -> Inbox:
        return Inbox(self.tx)

    @cached_property
    def outbox(self) -> Outbox:
        return Outbox(self.tx)

    @cached_property
    def follow_ups(self) -> FollowUps:
        return FollowUps(self.tx)

    @cached_property
    def stats(self) -> Stats:
        return Stats(self.tx)

    @cached_property
    def joins(self) -> Joins:
        return Joins(self.tx)

    @cached_property
    def complaints(self) -> Complaints:
        return Complaints(self.tx)

    @cached_property
    def villager_views(self) -> VillagerViews:
        return VillagerViews(self.tx)

    @cached_property
    def picks(self) -> HouseholdPicks:
        return HouseholdPicks(self.tx)

    @cached_property
    def supervision(self) -> Supervision:
        return Supervision(self.tx)

    @cached_property
    def rota(self) -> Rotas:
        return Rotas(self.tx)

    @cached_property
    def rounds(self) -> Rounds:
        return Rounds(self.tx)

    @cached_property
    def notices(self) -> Notices:
        return Notices(self.tx)

    @cached_property
    def uploads(self) -> Uploads:
        return Uploads(self.tx)


@asynccontextmanager
async def unit_of_work(
    db: Database, now: datetime, *, handling: int | None = None, priority: Priority | None = None
) -> AsyncIterator[UnitOfWork]:
    """Begin a write transaction; at the end of the block queue the calls it owes (all at
    ``priority`` if given: sweeps send BULK), mark inbox row ``handling`` done (or failed,
    see ``UnitOfWork.fail``), commit."""
    async with db.transaction() as tx:
        work = UnitOfWork(tx, now, handling)
        yield work
        calls = work.calls
        if priority is not None:
            calls = [replace(call, priority=priority) for call in calls]
        work.queued = await outbox.enqueue(tx, calls, now, handling)
        if handling is not None and work.failure is not None:
            await inbox.mark_failed(tx, handling, work.failure, now)
        elif handling is not None:
            await inbox.mark_done(tx, handling, now)


@asynccontextmanager
async def reading(db: Database, now: datetime) -> AsyncIterator[UnitOfWork]:
    """The repositories over a read connection: a snapshot, no writer lock, no writes."""
    async with db.read() as tx:
        yield UnitOfWork(tx, now)
