"""How stays with evidence read: pure functions from ``bot.services.stays``' results (and
``bot.domain.stays``' refusals) to text."""

from __future__ import annotations

from datetime import time

from bot.domain.stays import Nights, StayedAlready
from bot.i18n import Texts
from bot.services.stays import Located, Standings

from .paging import bounded

MOST_LINES = 60  # a long region's list stops here; the workbook's 住村 sheet has them all


def _clock(at: time) -> str:
    return at.strftime("%H:%M")


def twice_text(texts: Texts, twice: StayedAlready) -> str:
    return texts("stays.twice", month=twice.night.month, day=twice.night.day)


def distance(texts: Texts, metres: float) -> str:
    """12 公里, 1.5 公里, 800 米: as a person would say it."""
    if metres >= 10_000:
        return texts("stays.km", km=f"{metres / 1000:.0f}")
    if metres >= 1_000:
        return texts("stays.km", km=f"{metres / 1000:.1f}")
    return texts("stays.m", m=f"{metres:.0f}")


def located_text(texts: Texts, located: Located) -> str:
    """A location taken for a stay: far from the village (not evidence), or what the
    night's evidence is now and what is still missing."""
    area = bounded(located.area) or texts("stays.the_village")
    hours = located.hours
    evening, morning = _clock(hours.evening), _clock(hours.morning)
    if not located.inside:
        away = distance(texts, located.away_m or 0.0)
        return texts("stays.far", area=area, distance=away)
    head = texts("stays.live" if located.live else "schedule.log.placed")
    yes, no = texts("stays.yes"), texts("stays.no")
    shown = texts(
        "stays.evidence",
        area=area,
        evening=evening,
        morning=morning,
        evening_mark=yes if located.evidence.evening else no,
        morning_mark=yes if located.evidence.morning else no,
    )
    if located.evidence.counted:
        last = texts("stays.counted", month=located.night.month, day=located.night.day)
    else:
        last = texts("stays.still", evening=evening, morning=morning)
    return "\n".join((head, shown, last))


def _line(texts: Texts, nights: Nights) -> str:
    mark = "⚠️" if nights.short else ("✅" if nights.quota else "·")
    line = texts(
        "stays.standing.line",
        mark=mark,
        name=bounded(nights.name),
        id=nights.cadre_id,
        evidenced=nights.evidenced,
        without=nights.without,
        quota=nights.quota,
    )
    if nights.short:
        line += texts("stays.standing.short", short=nights.short)
    return line


def standings_text(texts: Texts, standings: Standings) -> str:
    """Each cadre's nights this month (with / without evidence / quota), behind first."""
    head = texts(
        "stays.standing.head",
        region=bounded(standings.region),
        first=standings.first.isoformat(),
        last=standings.last.isoformat(),
    )
    if not standings.lines:
        return f"{head}\n{texts('stays.standing.none')}"
    lines = [head, *(_line(texts, n) for n in standings.lines[:MOST_LINES])]
    if len(standings.lines) > MOST_LINES:
        lines.append(texts("stays.standing.more", more=len(standings.lines) - MOST_LINES))
    return "\n".join(lines)
