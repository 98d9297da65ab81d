"""A 花名册's lines into a roster with ids: the regions from its 乡镇/村委会/村民小组 cells,
a household a line, a cadre per name and phone, a link per cadre cell.

The sheet has no ids, so they are found in what the database already holds and made
up only for what is new: a re-import of the same sheet, or of one with a phone changed,
a line added or a cadre replaced, leaves every other household and cadre with the id it
had, and so with its bound phones and its card (both hang on the id). A household is
known by its head's name, its village and its phone; if one of name and phone changed,
the other still finds it when it is unique in the village. A cadre is known by name
and phone the same way, county-wide. What the sheet does not say (a region's discipline
contact and area, a cadre's AB post and supervision, an address) is kept as stored.

New ids continue the stored ones (``T``, ``V``, ``G`` regions, ``H`` households, ``K``
cadres, numbered after the highest id of that form ever used, removed rows included),
so they never take the id of a row kept for history.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from bot.domain.roster import (
    Cadre,
    Household,
    Level,
    Link,
    Rank,
    Region,
    Roster,
    normalise_phone,
)
from bot.domain.roster_check import Place, PlacedRoster, Problem, check
from bot.domain.roster_sheet import Field, SheetCadre, SheetLine, normalise_header

_SCIENTIFIC = re.compile(r"^\d(\.\d+)?[eE]\+?\d+$")
_RANK_LEVEL = {
    Rank.COUNTY_LEADER: Level.COUNTY,
    Rank.SECTION_CHIEF: Level.COUNTY,
    Rank.TOWNSHIP_SECRETARY: Level.TOWNSHIP,
    Rank.TOWNSHIP_CADRE: Level.TOWNSHIP,
}
DEFAULT_COUNTY = "本县"


@dataclass(frozen=True)
class Stored:
    """What the database holds: the roster, and every id ever used per table (removed
    rows too)."""

    roster: Roster = field(default_factory=Roster)
    ids: Mapping[str, frozenset[str]] = field(default_factory=dict)


class _Ids:
    """New ids of one form (``H000123``), after the highest of that form already taken."""

    def __init__(self, prefix: str, width: int, taken: Iterable[str]) -> None:
        pattern = re.compile(rf"^{prefix}(\d+)$")
        numbers = [int(m[1]) for m in map(pattern.match, taken) if m]
        self._next = max(numbers, default=0) + 1
        self._prefix, self._width = prefix, width

    def __call__(self) -> str:
        found = f"{self._prefix}{self._next:0{self._width}}"
        self._next += 1
        return found


class _Problems(list[Problem]):
    def at(
        self,
        line: SheetLine,
        field_: Field,
        reason: str,
        cell: SheetCadre | None = None,
        **params: object,
    ) -> None:
        """A problem in ``line``'s column ``field_`` (of ``cell``'s set), named by its header."""
        columns = cell.columns if cell is not None else line.columns
        column = columns.get(field_, field_.value)
        self.append(Problem(line.where, line.row, column, reason, params))


def assemble(
    lines: Sequence[SheetLine],
    stored: Stored,
    ranks: Mapping[str, Rank],
    county: str = "",
) -> tuple[PlacedRoster, list[Problem]]:
    """The roster the lines give, with stored ids kept, and every problem in them."""
    problems = _Problems()
    regions = _Regions(stored, county, lines)
    household_region = [regions.of(line, problems) for line in lines]
    households = _households(lines, household_region, regions, stored, problems)
    cadres, links = _Cadres(stored, ranks, regions).read(lines, households, problems)
    known = {c.id for c, _ in cadres}
    roster = Roster(
        regions=tuple(_kept_contact(r, known) for r in regions.items),
        cadres=tuple(_kept_references(c, known, regions.level) for c, _ in cadres),
        households=tuple(h for h, _ in households),
        links=tuple(k for k, _ in links),
    )
    placed = PlacedRoster(
        roster,
        region_places=regions.places,
        cadre_places=[p for _, p in cadres],
        household_places=[p for _, p in households],
        link_places=[p for _, p in links],
    )
    return placed, [*problems, *check(placed)]


def _kept_contact(region: Region, cadres: set[str]) -> Region:
    """A stored discipline contact stays while the sheet still has that cadre."""
    if region.discipline_contact in cadres:
        return region
    return replace(region, discipline_contact=None)


def _kept_references(cadre: Cadre, cadres: set[str], regions: Mapping[str, Level]) -> Cadre:
    """A stored AB post and supervised region stay while the sheet still has them."""
    backup = cadre.backup_id if cadre.backup_id in cadres else None
    supervises = cadre.supervises if cadre.supervises in regions else None
    return replace(cadre, backup_id=backup, supervises=supervises)


class _Regions:
    """The county, and the townships, villages and groups the lines name, by name under
    their parent: stored ones keep their id and what the sheet does not say.

    A village the sheet puts under another township (moved, or its township renamed)
    keeps its id too, when its name is unique among the stored villages and the sheet no
    longer has it where it was: its households then keep theirs.
    """

    def __init__(self, stored: Stored, county: str, lines: Sequence[SheetLine]) -> None:
        self._by_parent: dict[tuple[str | None, str, Level], Region] = {}
        villages: dict[str, list[Region]] = defaultdict(list)
        names = {r.id: r.name for r in stored.roster.regions}
        for region in stored.roster.regions:
            self._by_parent.setdefault((region.parent_id, region.name, region.level), region)
            if region.level is Level.VILLAGE:
                villages[region.name].append(region)
        in_sheet = {(line.township, line.village) for line in lines}
        self._moved = {
            name: found[0]
            for name, found in villages.items()
            if len(found) == 1 and (names.get(found[0].parent_id or "", ""), name) not in in_sheet
        }
        taken = stored.ids.get("regions", frozenset()) | {r.id for r in stored.roster.regions}
        self._new = {
            Level.COUNTY: _Ids("C", 2, taken),
            Level.TOWNSHIP: _Ids("T", 3, taken),
            Level.VILLAGE: _Ids("V", 4, taken),
            Level.GROUP: _Ids("G", 5, taken),
        }
        self.items: list[Region] = []
        self.places: list[Place] = []
        self.level: dict[str, Level] = {}
        self.parent: dict[str, str | None] = {}
        self._made: dict[tuple[str | None, str, Level], str] = {}
        counties = [r for r in stored.roster.regions if r.level is Level.COUNTY]
        named = [r for r in counties if r.name == county]
        self._county = named[0] if named else counties[0] if counties else None
        self._county_name = county or DEFAULT_COUNTY

    def _get(self, parent: str | None, name: str, level: Level, place: Place) -> str:
        key = (parent, name, level)
        if key in self._made:
            return self._made[key]
        region = self._by_parent.get(key)
        moved = self._moved.pop(name, None) if level is Level.VILLAGE else None
        if region is None and moved is not None:
            region = replace(moved, parent_id=parent)
        if region is None:
            region = Region(self._new[level](), name, level, parent)
        self._made[key] = region.id
        self.items.append(region)
        self.places.append(place)
        self.level[region.id], self.parent[region.id] = level, parent
        return region.id

    def county(self, place: Place) -> str:
        if self._county is not None:
            c = self._county
            return self._get(None, c.name, Level.COUNTY, place)
        return self._get(None, self._county_name, Level.COUNTY, place)

    def of(self, line: SheetLine, problems: _Problems) -> str | None:
        """The household's region (its group, else its village), made as needed."""
        place = Place(line.where, line.row)
        parent = self.county(place)
        township = Field.TOWNSHIP in line.columns
        if township and not line.township:
            problems.at(line, Field.TOWNSHIP, "required")
        if not line.village:
            problems.at(line, Field.VILLAGE, "required")
        if not line.village or (township and not line.township):
            return None
        if township:
            parent = self._get(parent, line.township, Level.TOWNSHIP, place)
        region = self._get(parent, line.village, Level.VILLAGE, place)
        if line.group:
            region = self._get(region, line.group, Level.GROUP, place)
        return region

    def village(self, region: str) -> str:
        """The village a household's region is in (the region itself, or a group's parent)."""
        if self.level[region] is Level.GROUP:
            return self.parent[region] or region
        return region

    def common(self, regions: set[str], rank: Rank) -> str:
        """Where a cadre sits: the one village of their households, else the one
        township, else the county; a township or county rank sits at least that high."""
        villages = {self.village(r) for r in regions}
        wanted = _RANK_LEVEL.get(rank, Level.VILLAGE)
        for level in (Level.VILLAGE, Level.TOWNSHIP, Level.COUNTY):
            found = {self._up_to(v, level) for v in villages}
            if len(found) == 1 and _DEPTH[level] <= _DEPTH[wanted]:
                return found.pop()
        return self.items[0].id

    def _up_to(self, region: str, level: Level) -> str:
        node = region
        while _DEPTH[self.level[node]] > _DEPTH[level] and self.parent[node] is not None:
            node = self.parent[node] or node
        return node


_DEPTH = {Level.COUNTY: 0, Level.TOWNSHIP: 1, Level.VILLAGE: 2, Level.GROUP: 3}


def _phone(line: SheetLine, cell: SheetCadre | None, value: str, problems: _Problems) -> str:
    """A household's phone (``cell`` None) or a cadre's, normalised; "" if empty or bad."""
    if not value:
        return ""
    phone = normalise_phone(value)
    if phone is None:
        reason = "phone_scientific" if _SCIENTIFIC.match(value) else "bad_phone"
        field_ = Field.PHONE if cell is None else Field.CADRE_PHONE
        problems.at(line, field_, reason, cell, value=value)
        return ""
    return phone


Placed = list[tuple[Household, Place]]


def _households(
    lines: Sequence[SheetLine],
    line_regions: Sequence[str | None],
    regions: _Regions,
    stored: Stored,
    problems: _Problems,
) -> Placed:
    """A household per line that names its village and head; stored ids kept."""
    read: list[tuple[SheetLine, str, str]] = []  # line, region, phone
    for line, region in zip(lines, line_regions, strict=True):
        phone = _phone(line, None, line.phone, problems)
        if not line.head_name:
            problems.at(line, Field.HEAD_NAME, "required")
        if region is not None and line.head_name:
            read.append((line, region, phone))
    ids = _household_ids(read, regions, stored, problems)
    return [
        (
            Household(ids[n], line.head_name, region, line.address or stored_address, phone),
            Place(line.where, line.row),
        )
        for n, ((line, region, phone), stored_address) in enumerate(
            zip(read, _addresses(read, ids, stored), strict=True)
        )
    ]


def _addresses(
    read: Sequence[tuple[SheetLine, str, str]], ids: Sequence[str], stored: Stored
) -> list[str]:
    """The stored address of each household, where the sheet has no address column."""
    have = {h.id: h.address for h in stored.roster.households}
    return [
        "" if Field.ADDRESS in line.columns else have.get(ids[n], "")
        for n, (line, _, _) in enumerate(read)
    ]


def _household_ids(
    read: Sequence[tuple[SheetLine, str, str]],
    regions: _Regions,
    stored: Stored,
    problems: _Problems,
) -> list[str]:
    """Each line's household id: its own cell, else the stored household of the same
    village with the same head and phone, else the same head (phone changed) or the same
    phone (name corrected) when that is unique on both sides, else a new id."""
    village_of = _stored_villages(stored.roster)
    keys = [(regions.village(region), line.head_name, phone) for line, region, phone in read]
    first: dict[tuple[str, str, str], int] = {}
    for n, key in enumerate(keys):
        if key in first and not read[n][0].household_id:
            line = read[n][0]
            twice = read[first[key]][0].row
            problems.at(line, Field.HEAD_NAME, "household_twice", first=twice)
        first.setdefault(key, n)
    given = {line.household_id for line, _, _ in read if line.household_id}
    candidates = [h for h in stored.roster.households if h.id not in given]
    pairs = [(village_of(h.region_id), h.head_name, h.phone) for h in candidates]
    ids: list[str | None] = [line.household_id or None for line, _, _ in read]
    for part in (lambda k: k, lambda k: (k[0], k[1]), lambda k: (k[0], k[2]) if k[2] else None):
        _match(ids, keys, [h.id for h in candidates], pairs, part)
    taken = stored.ids.get("households", frozenset()) | {h.id for h in stored.roster.households}
    new = _Ids("H", 6, taken | given)
    return [found or new() for found in ids]


def _match(
    ids: list[str | None],
    keys: Sequence[tuple[str, ...]],
    candidates: Sequence[str],
    stored_keys: Sequence[tuple[str, ...]],
    part: Callable[[tuple[str, ...]], object],
) -> None:
    """Give unmatched lines the id of the one unmatched stored row that agrees on
    ``part`` of the key, when exactly one line and one stored row share that part."""
    used = {i for i in ids if i is not None}
    stored_by: dict[object, list[str]] = defaultdict(list)
    for item, key in zip(candidates, stored_keys, strict=True):
        if item not in used and part(key) is not None:
            stored_by[part(key)].append(item)
    wanting = Counter(part(k) for n, k in enumerate(keys) if ids[n] is None)
    for n, key in enumerate(keys):
        value = part(key)
        if ids[n] is None and value is not None and wanting[value] == 1:
            found = stored_by.get(value, [])
            if len(found) == 1 and found[0] not in used:
                ids[n] = found[0]
                used.add(found[0])


def _stored_villages(roster: Roster) -> Callable[[str], str]:
    """A stored region's village (a group's parent): households are compared by village,
    so a household moved to another group keeps its id."""
    groups = {r.id: r.parent_id for r in roster.regions if r.level is Level.GROUP}

    def village(region: str) -> str:
        return groups.get(region) or region

    return village


class _Cadres:
    """A cadre per name and phone (or per id cell), their rank from the 职务 text, their
    region where their households are; and a link per cadre cell, tier by column set."""

    def __init__(self, stored: Stored, ranks: Mapping[str, Rank], regions: _Regions) -> None:
        self._stored = stored
        self._by_id = {c.id: c for c in stored.roster.cadres}
        self._ranks = ranks
        self._regions = regions

    def read(
        self, lines: Sequence[SheetLine], households: Placed, problems: _Problems
    ) -> tuple[list[tuple[Cadre, Place]], list[tuple[Link, Place]]]:
        by_row = {(p.where, p.row): h for h, p in households}
        keys: list[tuple[str, str]] = []  # (name, phone) or (id, "") per distinct cadre
        first: dict[tuple[str, str], tuple[SheetLine, SheetCadre, Rank | None]] = {}
        villages: dict[tuple[str, str], set[str]] = defaultdict(set)
        line_links: list[tuple[SheetLine, Household | None, list[tuple[str, str]]]] = []
        unknown: dict[str, list[tuple[SheetLine, SheetCadre]]] = defaultdict(list)
        phones: dict[str, tuple[str, int]] = {}
        for line in lines:
            household = by_row.get((line.where, line.row))
            chain = []
            for cell in line.cadres:
                key = self._cell(line, cell, problems, unknown, phones)
                if key is None:
                    continue
                if key not in first:
                    keys.append(key)
                    first[key] = (line, cell, self._ranks.get(normalise_header(cell.rank)))
                chain.append(key)
                if household is not None:
                    villages[key].add(household.region_id)
            line_links.append((line, household, chain))
        for text, seen in unknown.items():
            line, cell = seen[0]
            problems.at(line, Field.RANK, "unknown_rank", cell, value=text, more=len(seen) - 1)
        ids = self._ids(keys, first)
        cadres = [
            (self._cadre(ids[key], key, first[key], villages[key]), _place(first[key][0]))
            for key in keys
        ]
        links = [
            (Link(household.id, ids[key], tier), _place(line))
            for line, household, chain in line_links
            if household is not None
            for tier, key in enumerate(chain, start=1)
        ]
        return cadres, links

    def _cell(
        self,
        line: SheetLine,
        cell: SheetCadre,
        problems: _Problems,
        unknown: dict[str, list[tuple[SheetLine, SheetCadre]]],
        phones: dict[str, tuple[str, int]],
    ) -> tuple[str, str] | None:
        if not (cell.name or cell.id or cell.phone or cell.rank):
            return None
        if not cell.name:
            problems.at(line, Field.CADRE_NAME, "required", cell)
            return None
        if not cell.phone:
            problems.at(line, Field.CADRE_PHONE, "required", cell)
        phone = _phone(line, cell, cell.phone, problems)
        if not cell.rank:
            problems.at(line, Field.RANK, "required", cell)
        elif normalise_header(cell.rank) not in self._ranks:
            unknown[cell.rank].append((line, cell))
        if phone and not cell.id:
            name, row = phones.setdefault(phone, (cell.name, line.row))
            if name != cell.name:
                problems.at(
                    line, Field.CADRE_PHONE, "cadre_phone_twice", cell, name=name, first=row
                )
        return (cell.id, "") if cell.id else (cell.name, phone)

    def _ids(
        self,
        keys: Sequence[tuple[str, str]],
        first: Mapping[tuple[str, str], tuple[SheetLine, SheetCadre, Rank | None]],
    ) -> dict[tuple[str, str], str]:
        given = {k[0] for k in keys if first[k][1].id}
        candidates = [c for c in self._stored.roster.cadres if c.id not in given]
        stored_keys = [(c.name, c.phone) for c in candidates]
        ids: list[str | None] = [k[0] if first[k][1].id else None for k in keys]
        for part in (lambda k: k, lambda k: k[1] or None, lambda k: k[0]):
            _match(ids, keys, [c.id for c in candidates], stored_keys, part)
        taken = self._stored.ids.get("cadres", frozenset()) | {
            c.id for c in self._stored.roster.cadres
        }
        new = _Ids("K", 5, taken | given)
        return {key: found or new() for key, found in zip(keys, ids, strict=True)}

    def _cadre(
        self,
        cadre_id: str,
        key: tuple[str, str],
        first: tuple[SheetLine, SheetCadre, Rank | None],
        regions: set[str],
    ) -> Cadre:
        _, cell, rank = first
        stored = self._by_id.get(cadre_id)
        rank = rank or (stored.rank if stored else Rank.VILLAGE_CADRE)  # reported if wrong
        region = self._regions.common(regions, rank) if regions else self._regions.items[0].id
        phone = normalise_phone(cell.phone) or ""
        unit = cell.unit or (stored.unit if stored else "")
        made = Cadre(cadre_id, cell.name, rank, unit, phone, region)
        if stored is not None:
            made = replace(made, backup_id=stored.backup_id, supervises=stored.supervises)
        return made


def _place(line: SheetLine) -> Place:
    return Place(line.where, line.row)
