"""The schedule sweep's reminders in words: pure functions from ``bot.services.reminders``'
data to the calls that send them (``render``, handed to ``bot.edge.schedules.sweep`` by
the runtime). Each call carries its reminder's dedup key; the sweep queues it as BULK."""

from __future__ import annotations

from datetime import date

from bot.calls import Call, Priority
from bot.domain.schedule import Digest
from bot.i18n import Texts
from bot.services.reminders import (
    DigestNote,
    Place,
    Quota,
    Ranked,
    Ranking,
    Reception,
    Reminder,
    ServiceDay,
    VisitNote,
)

from . import outgoing

MAX_LINES = 20  # households or requests listed in one reminder; the rest are counted


def render(texts: Texts, reminder: Reminder) -> Call:
    """One reminder as the message that sends it, to its person, with its dedup key."""
    return outgoing.message(
        reminder.chat, text(texts, reminder), priority=Priority.BULK, dedup_key=reminder.key
    )


def text(texts: Texts, reminder: Reminder) -> str:
    match reminder:
        case ServiceDay():
            return _service_day(texts, reminder)
        case VisitNote(day=day, optin=o):
            return texts(
                "schedule.visit_note",
                date=_date(texts, day),
                head=o.head_name,
                cadre=o.cadre_name,
                phone=o.cadre_phone,
            )
        case Reception(day=day):
            return texts("schedule.reception", date=_date(texts, day))
        case Quota():
            return _quota(texts, reminder)
        case DigestNote(day=day, digest=digest):
            body = _digest(texts, digest)
            return texts("schedule.digest.head", date=_date(texts, day), body=body)
        case Ranking():
            return _ranking(texts, reminder)


def _date(texts: Texts, day: date) -> str:
    return texts("schedule.date", month=day.month, day=day.day)


def _listed(texts: Texts, lines: list[str]) -> str:
    shown = lines[:MAX_LINES]
    if len(lines) > MAX_LINES:
        shown.append(texts("schedule.more", count=len(lines) - MAX_LINES))
    return "\n".join(shown)


def _service_day(texts: Texts, reminder: ServiceDay) -> str:
    lines = [
        texts("schedule.service.household", head=h.head_name, id=h.id, count=h.open)
        for h in reminder.households
    ]
    if lines:
        body = texts("schedule.service.open", lines=_listed(texts, lines))
    else:
        body = texts("schedule.service.none")
    when = _date(texts, reminder.day)
    return texts(f"schedule.service.{reminder.kind}", date=when, body=body)


def _quota(texts: Texts, reminder: Quota) -> str:
    standing = reminder.standing
    return texts(
        "schedule.quota",
        logged=standing.logged,
        needed=standing.needed,
        short=standing.short,
        last=_date(texts, reminder.last),
        days_left=reminder.days_left,
    )


def _digest(texts: Texts, digest: Digest) -> str:
    parts = []
    for name, lines in (
        ("new", digest.new),
        ("overdue", digest.overdue),
        ("escalated", digest.escalated),
    ):
        if lines:
            listed = [
                texts("schedule.digest.line", number=x.number, head=x.head_name) for x in lines
            ]
            head = texts(f"schedule.digest.{name}", count=len(lines))
            parts.append(f"{head}\n{_listed(texts, listed)}")
    return "\n\n".join(parts) or texts("schedule.digest.nothing")


def _ranking(texts: Texts, reminder: Ranking) -> str:
    first = reminder.month
    return texts(
        "schedule.ranking.head",
        month=texts("schedule.ranking.month", year=first.year, month=first.month),
        villages=_ranked(texts, reminder.villages),
        cadres=_ranked(texts, reminder.cadres),
    )


def _ranked(texts: Texts, ranked: Ranked) -> str:
    if not ranked.top:
        return texts("schedule.ranking.empty")
    lines = [_place(texts, p) for p in ranked.top]
    if ranked.skipped:
        lines.append(texts("schedule.ranking.skipped", count=ranked.skipped))
        lines += [_place(texts, p) for p in ranked.bottom]
    return "\n".join(lines)


def _place(texts: Texts, line: Place) -> str:
    f = line.figures
    return texts(
        "schedule.ranking.line",
        place=line.place,
        name=line.name,
        response_rate=_percent(texts, f.response_rate),
        resolution_rate=_percent(texts, f.resolution_rate),
        satisfaction_rate=_percent(texts, f.satisfaction_rate),
        filed=f.filed,
        overdue=f.overdue,
    )


def _percent(texts: Texts, value: float | None) -> str:
    if value is None:
        return texts("schedule.ranking.none")
    return texts("schedule.ranking.percent", percent=f"{value * 100:.1f}")
