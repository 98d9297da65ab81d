"""What a clerk checks before an import: per township, how many villages, households,
cadres and links the file gives, and ten of its rows as read, with the ids they got.

A merged cell read one row too short, a column mapped to the wrong field, or a township
with no households shows here at a glance, before anything is written.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from bot.domain.roster import Level, Rank, Region
from bot.domain.roster_check import PlacedRoster

SAMPLES = 10


@dataclass(frozen=True)
class TownshipCount:
    name: str  # "" for villages directly under the county
    villages: int
    households: int
    cadres: int  # distinct cadres linked to its households
    links: int


@dataclass(frozen=True)
class SampleCadre:
    tier: int
    id: str
    name: str
    rank: Rank


@dataclass(frozen=True)
class SampleRow:
    """A household as read: where, its place in the tree, the ids it got, its cadres."""

    where: str
    row: int
    township: str
    village: str
    group: str
    household_id: str
    head_name: str
    phone: str
    cadres: tuple[SampleCadre, ...]


@dataclass(frozen=True)
class Preview:
    townships: tuple[TownshipCount, ...]
    samples: tuple[SampleRow, ...]
    ignored: tuple[str, ...] = ()  # columns left aside (not in the header dictionary)
    sheets: tuple[str, ...] = ()  # the sheets read as 花名册


def _spread(count: int, wanted: int) -> list[int]:
    """``wanted`` positions spread over ``count`` items, first and last included: a
    merged cell read wrong near the end shows as well as one at the top."""
    if count <= wanted:
        return list(range(count))
    return sorted({round(n * (count - 1) / (wanted - 1)) for n in range(wanted)})


def preview(
    placed: PlacedRoster,
    ignored: Sequence[str] = (),
    sheets: Sequence[str] = (),
    samples: int = SAMPLES,
) -> Preview:
    """Counts per township and ``samples`` rows of ``placed`` (either format)."""
    roster = placed.roster
    regions = {r.id: r for r in roster.regions}

    def up(region_id: str, level: Level) -> Region | None:
        node = regions.get(region_id)
        while node is not None and node.level != level:
            node = regions.get(node.parent_id) if node.parent_id else None
        return node

    def name(region_id: str, level: Level) -> str:
        found = up(region_id, level)
        return found.name if found else ""

    villages: dict[str, set[str]] = defaultdict(set)
    households: dict[str, int] = defaultdict(int)
    township_of = {}
    for household in roster.households:
        township = name(household.region_id, Level.TOWNSHIP)
        township_of[household.id] = township
        households[township] += 1
        village = up(household.region_id, Level.VILLAGE)
        villages[township].add(village.id if village else household.region_id)
    cadres: dict[str, set[str]] = defaultdict(set)
    links: dict[str, int] = defaultdict(int)
    chains: dict[str, list[SampleCadre]] = defaultdict(list)
    by_id = {c.id: c for c in roster.cadres}
    for link in roster.links:
        township = township_of.get(link.household_id, "")
        cadres[township].add(link.cadre_id)
        links[township] += 1
        cadre = by_id.get(link.cadre_id)
        if cadre is not None:
            chains[link.household_id].append(
                SampleCadre(link.tier, cadre.id, cadre.name, cadre.rank)
            )
    order = list(dict.fromkeys(township_of.values()))
    counts = tuple(
        TownshipCount(t, len(villages[t]), households[t], len(cadres[t]), links[t]) for t in order
    )
    rows = []
    for n in _spread(len(roster.households), samples):
        household, place = roster.households[n], placed.household_places[n]
        rows.append(
            SampleRow(
                place.where,
                place.row,
                township_of[household.id],
                name(household.region_id, Level.VILLAGE),
                name(household.region_id, Level.GROUP),
                household.id,
                household.head_name,
                household.phone,
                tuple(sorted(chains[household.id], key=lambda c: c.tier)),
            )
        )
    return Preview(counts, tuple(rows), tuple(ignored), tuple(sheets))
