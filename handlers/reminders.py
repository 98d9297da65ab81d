"""The schedule sweep's reminders in words: pure functions from ``bot.services.reminders``'
data to the calls that send them (``render``, handed to ``bot.edge.schedules.sweep`` by
the runtime). Each call carries its reminder's dedup key; the sweep queues it as BULK."""

from __future__ import annotations

from datetime import date

from bot.calls import Call, Priority
from bot.domain.schedule import Digest, Line, Noted
from bot.i18n import Texts
from bot.services.reminders import (
    AdminDigest,
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
from .paging import bounded

MAX_LINES = 20  # households or requests listed in one reminder; the rest are counted
# Telegram's limit is 4,096 characters (UTF-16 units); a digest stays well under it, the
# lines past it counted ("…及其他 N 件") with a hint to /stats.
DIGEST_LIMIT = 3800
WORDS = 12  # the first characters of a request's words shown in a digest line


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
            return _capped(texts, texts("schedule.digest.head", date=_date(texts, day), body=body))
        case AdminDigest(day=day, noted=noted):
            body = "\n".join(noted_line(texts, n) for n in noted)
            return _capped(
                texts, texts("supervise.digest.admins", date=_date(texts, day), body=body)
            )
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


def line_text(texts: Texts, line: Line) -> str:
    """A request as a digest shows it: number, village and household, its first words."""
    words = " ".join(line.words.split())
    if len(words) > WORDS:
        words = words[:WORDS] + "…"
    return texts(
        "supervise.digest.line",
        number=line.number,
        place=bounded(line.place),
        head=bounded(line.head_name),
        words=texts("supervise.digest.words", words=words) if words else "",
    )


def noted_line(texts: Texts, noted: Noted) -> str:
    """One line a use case noted: the request, then what happened (overdue, reopened,
    extended with its reason, stalled at the top …)."""
    what = noted.what
    if what in ("urged_by_system", "overdue"):
        what = f"{what}.{noted.note or 'resolve'}"
    happened = texts(f"supervise.digest.what.{what}", note=noted.note)
    urgent = texts("requests_cadre.urgent_mark") if noted.urgent else ""
    return f"{urgent}{line_text(texts, noted.line)}：{happened}"


def _capped(texts: Texts, text: str) -> str:
    """Within Telegram's limit: the lines past it counted, with a hint to /stats."""
    if len(text.encode("utf-16-le")) // 2 <= DIGEST_LIMIT:
        return text
    kept: list[str] = []
    size = 0
    lines = text.split("\n")
    for line in lines:
        size += len(line.encode("utf-16-le")) // 2 + 1
        if size > DIGEST_LIMIT:
            break
        kept.append(line)
    left = sum(1 for x in lines[len(kept) :] if "LX-" in x)
    kept.append(texts("supervise.digest.more", count=max(left, 1)))
    return "\n".join(kept)


def _digest_listed(texts: Texts, lines: list[str]) -> str:
    """A digest section: its first lines, the rest counted with a hint to /stats."""
    shown = lines[:MAX_LINES]
    if len(lines) > MAX_LINES:
        shown.append(texts("supervise.digest.more", count=len(lines) - MAX_LINES))
    return "\n".join(shown)


def _digest(texts: Texts, digest: Digest) -> str:
    parts = []
    if digest.noted:
        listed = [noted_line(texts, n) for n in digest.noted]
        head = texts("supervise.digest.noted", count=len(listed))
        parts.append(f"{head}\n{_digest_listed(texts, listed)}")
    for name, lines in (
        ("new", digest.new),
        ("overdue", digest.overdue),
        ("escalated", digest.escalated),
    ):
        if lines:
            listed = [line_text(texts, x) for x in lines]
            head = texts(f"schedule.digest.{name}", count=len(lines))
            parts.append(f"{head}\n{_digest_listed(texts, listed)}")
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
