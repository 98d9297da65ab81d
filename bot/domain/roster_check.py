"""Whether a roster hangs together: every id unique, every reference pointing at something.

A county's spreadsheet is typed by hand in many offices, so the import must name every
mistake at once (file, row, column, reason) rather than stop at the first: the
administrator fixes them all in one pass. Problems carry a catalogue key and its
parameters, not sentences, so the command line can say them in either language.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from bot.domain.roster import LEVEL_ORDER, Level, Roster

HOUSEHOLD_LEVELS = frozenset({Level.VILLAGE, Level.GROUP})
DEPARTMENT_ID_BYTES = 32  # a department's id goes into 交办's button data (64 bytes in all)


@dataclass(frozen=True)
class Place:
    """Where a row came from, as the administrator sees it in Excel (header is row 1)."""

    where: str  # "households.csv", "roster.xlsx [households]"
    row: int


@dataclass(frozen=True)
class Problem:
    """One thing to fix; ``reason`` is a key under ``roster.problem`` in the catalogues."""

    where: str
    row: int | None
    column: str | None
    reason: str
    params: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class PlacedRoster:
    """A roster with the place of every item, aligned with ``roster``'s tuples.

    ``unreadable`` holds, per table, ids of rows that could not be read whole (a bad
    level, say): they were reported already, and references to them are not reported again.
    """

    roster: Roster
    region_places: Sequence[Place] = ()
    cadre_places: Sequence[Place] = ()
    household_places: Sequence[Place] = ()
    link_places: Sequence[Place] = ()
    unreadable: Mapping[str, frozenset[str]] = field(default_factory=dict)
    department_places: Sequence[Place] = ()


def check(placed: PlacedRoster) -> list[Problem]:
    """Every problem that spans rows or tables; cell-level problems are found on reading."""
    return [
        *_check_regions(placed),
        *_check_cadres(placed),
        *_check_households(placed),
        *_check_links(placed),
        *_check_discipline(placed),
        *_check_departments(placed),
    ]


def at(place: Place, column: str | None, reason: str, **params: object) -> Problem:
    return Problem(place.where, place.row, column, reason, params)


def _duplicates(ids: Iterable[str], places: Sequence[Place]) -> list[Problem]:
    first: dict[str, Place] = {}
    problems = []
    for item_id, place in zip(ids, places, strict=True):
        if item_id in first:
            problems.append(at(place, "id", "duplicate_id", id=item_id, first=first[item_id].row))
        else:
            first[item_id] = place
    return problems


def _known(placed: PlacedRoster, table: str, ids: Iterable[str]) -> set[str]:
    return set(ids) | placed.unreadable.get(table, frozenset())


def _check_regions(placed: PlacedRoster) -> list[Problem]:
    regions, places = placed.roster.regions, placed.region_places
    problems = _duplicates((r.id for r in regions), places)
    known = _known(placed, "regions", (r.id for r in regions))
    level = {r.id: r.level for r in regions}
    for region, place in zip(regions, places, strict=True):
        parent = region.parent_id
        if parent is None:
            continue
        if parent not in known:
            problems.append(at(place, "parent_id", "unknown_region", id=parent))
        elif parent in level and LEVEL_ORDER[level[parent]] >= LEVEL_ORDER[region.level]:
            problems.append(
                at(place, "parent_id", "parent_level", parent=parent, level=level[parent].value)
            )
    return problems + _cycles(placed)


def _cycles(placed: PlacedRoster) -> list[Problem]:
    """Each loop in the parent chain once, reported on its first row, with its path."""
    parent = {r.id: r.parent_id for r in placed.roster.regions}
    place = dict(zip((r.id for r in placed.roster.regions), placed.region_places, strict=True))
    done: set[str] = set()
    problems = []
    for start in parent:
        path: list[str] = []
        node: str | None = start
        while node is not None and node in parent and node not in done and node not in path:
            path.append(node)
            node = parent[node]
        if node is not None and node in path:
            loop = path[path.index(node) :]
            first = min(loop, key=lambda n: place[n].row)
            turn = loop.index(first)
            ordered = [*loop[turn:], *loop[:turn], first]
            problems.append(at(place[first], "parent_id", "cycle", path=" → ".join(ordered)))
        done.update(path)
    return problems


def _check_cadres(placed: PlacedRoster) -> list[Problem]:
    cadres, places = placed.roster.cadres, placed.cadre_places
    problems = _duplicates((c.id for c in cadres), places)
    regions = _known(placed, "regions", (r.id for r in placed.roster.regions))
    known = _known(placed, "cadres", (c.id for c in cadres))
    for cadre, place in zip(cadres, places, strict=True):
        if cadre.region_id not in regions:
            problems.append(at(place, "region_id", "unknown_region", id=cadre.region_id))
        if cadre.supervises is not None and cadre.supervises not in regions:
            problems.append(at(place, "supervises", "unknown_region", id=cadre.supervises))
        if cadre.backup_id is None:
            continue
        if cadre.backup_id == cadre.id:
            problems.append(at(place, "backup_id", "backup_self"))
        elif cadre.backup_id not in known:
            problems.append(at(place, "backup_id", "unknown_backup", id=cadre.backup_id))
    return problems


def _check_households(placed: PlacedRoster) -> list[Problem]:
    households, places = placed.roster.households, placed.household_places
    problems = _duplicates((h.id for h in households), places)
    regions = _known(placed, "regions", (r.id for r in placed.roster.regions))
    level = {r.id: r.level for r in placed.roster.regions}
    for household, place in zip(households, places, strict=True):
        region = household.region_id
        if region not in regions:
            problems.append(at(place, "region_id", "unknown_region", id=region))
        elif region in level and level[region] not in HOUSEHOLD_LEVELS:
            problems.append(
                at(place, "region_id", "household_level", id=region, level=level[region].value)
            )
    return problems


def _check_links(placed: PlacedRoster) -> list[Problem]:
    roster = placed.roster
    households = _known(placed, "households", (h.id for h in roster.households))
    cadres = _known(placed, "cadres", (c.id for c in roster.cadres))
    first: dict[tuple[str, str], Place] = {}
    problems = []
    for link, place in zip(roster.links, placed.link_places, strict=True):
        if link.household_id not in households:
            problems.append(at(place, "household_id", "unknown_household", id=link.household_id))
        if link.cadre_id not in cadres:
            problems.append(at(place, "cadre_id", "unknown_cadre", id=link.cadre_id))
        pair = (link.household_id, link.cadre_id)
        if pair in first:
            problems.append(
                at(place, "cadre_id", "duplicate_link", id=link.cadre_id, first=first[pair].row)
            )
        else:
            first[pair] = place
    return problems


def _check_discipline(placed: PlacedRoster) -> list[Problem]:
    """A region's discipline contact is a cadre of the roster."""
    cadres = _known(placed, "cadres", (c.id for c in placed.roster.cadres))
    return [
        at(place, "discipline_contact", "unknown_cadre", id=region.discipline_contact)
        for region, place in zip(placed.roster.regions, placed.region_places, strict=True)
        if region.discipline_contact is not None and region.discipline_contact not in cadres
    ]


def _check_departments(placed: PlacedRoster) -> list[Problem]:
    """Departments (the optional sheet): ids unique, a known region, a known contact."""
    departments = placed.roster.departments or ()
    places = placed.department_places
    problems = _duplicates((d.id for d in departments), places)
    regions = _known(placed, "regions", (r.id for r in placed.roster.regions))
    cadres = _known(placed, "cadres", (c.id for c in placed.roster.cadres))
    for department, place in zip(departments, places, strict=True):
        if len(department.id.encode()) > DEPARTMENT_ID_BYTES:  # it rides in button data
            problems.append(at(place, "id", "department_id_long", limit=DEPARTMENT_ID_BYTES))
        if department.region_id not in regions:
            problems.append(at(place, "region_id", "unknown_region", id=department.region_id))
        if department.contact_id not in cadres:
            problems.append(at(place, "contact_id", "unknown_cadre", id=department.contact_id))
    return problems
