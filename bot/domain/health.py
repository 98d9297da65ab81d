"""Is the bot healthy? Judged from the database alone (``lianxin status``, ``GET /healthz``).

One word for a monitoring script: ``ok``, or ``attention`` with the reasons. Failed
*deliveries* are shown but do not make the verdict: a villager who blocked the bot is
undeliverable for good, and that is no fault of the server.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

# A backlog (an update not handled, a due message not sent, no sweep) older than this
# needs someone to look. The bot handles an update in well under a second and sweeps
# every minute: ten minutes is no passing burst.
LIMIT = timedelta(minutes=10)


class Verdict(StrEnum):
    OK = "ok"
    ATTENTION = "attention"


class Reason(StrEnum):
    """Why the verdict is ``attention`` (catalogue keys ``health.reason.<value>``)."""

    SCHEMA_BEHIND = "schema_behind"  # the database needs `lianxin db upgrade`
    FAILED_UPDATES = "failed_updates"  # `lianxin inbox failed` lists them
    UPDATES_WAITING = "updates_waiting"  # an update waits longer than the limit
    OUTBOX_BEHIND = "outbox_behind"  # a due message waits longer than the limit
    SWEEPS_STOPPED = "sweeps_stopped"  # no sweep ran within the limit: is the bot running?
    DISPATCHER_STOPPED = "dispatcher_stopped"  # /healthz only: the bot handles nothing
    DATABASE_DOWN = "database_down"  # /healthz only: the database does not answer


@dataclass(frozen=True)
class Figures:
    """What the database says (``storage.health.figures``)."""

    schema: int
    latest_schema: int  # the migrations this program has
    last_update: datetime | None  # the last update ingested (received)
    inbox_waiting: int
    inbox_failed: int
    oldest_waiting: datetime | None  # received_at of the oldest update not handled yet
    outbox_queued: int  # pending calls, due or later (retry, quiet hours)
    outbox_due: int  # of them, due now
    oldest_due: datetime | None  # the earliest due time of a due call
    oldest_queued: datetime | None  # created_at of the oldest pending call
    outbox_failed_day: int  # calls made in the last 24 h that failed (undeliverable)
    last_sweep: datetime | None  # recorded by a running bot; None: never (or an old bot)


@dataclass(frozen=True)
class Health:
    figures: Figures
    now: datetime
    verdict: Verdict
    reasons: tuple[Reason, ...]

    @property
    def healthy(self) -> bool:
        return self.verdict is Verdict.OK


def judge(
    figures: Figures, now: datetime, limit: timedelta = LIMIT, dispatcher_runs: bool = True
) -> Health:
    """The verdict on ``figures`` at ``now``: what waits longer than ``limit`` needs a look."""

    def late(since: datetime | None) -> bool:
        return since is not None and now - since > limit

    checks = {
        Reason.SCHEMA_BEHIND: figures.schema < figures.latest_schema,
        Reason.FAILED_UPDATES: figures.inbox_failed > 0,
        Reason.UPDATES_WAITING: late(figures.oldest_waiting),
        Reason.OUTBOX_BEHIND: late(figures.oldest_due),
        Reason.SWEEPS_STOPPED: late(figures.last_sweep),
        Reason.DISPATCHER_STOPPED: not dispatcher_runs,
    }
    reasons = tuple(reason for reason, bad in checks.items() if bad)
    return Health(figures, now, Verdict.ATTENTION if reasons else Verdict.OK, reasons)


def public(health: Health) -> dict[str, object]:
    """What ``GET /healthz`` shows anyone: counts and ages, never a name, id or text."""
    f, now = health.figures, health.now

    def age(since: datetime | None) -> int | None:
        return None if since is None else max(0, int((now - since).total_seconds()))

    return {
        "verdict": health.verdict.value,
        "reasons": [r.value for r in health.reasons],
        "schema": f.schema,
        "last_update_age_s": age(f.last_update),
        "inbox_waiting": f.inbox_waiting,
        "inbox_failed": f.inbox_failed,
        "outbox_queued": f.outbox_queued,
        "outbox_due": f.outbox_due,
        "outbox_oldest_age_s": age(f.oldest_queued),
        "outbox_failed_24h": f.outbox_failed_day,
        "last_sweep_age_s": age(f.last_sweep),
    }
