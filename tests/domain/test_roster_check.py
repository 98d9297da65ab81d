"""The roster check names every mistake at once, at the row where it was made."""

from __future__ import annotations

import pytest

from bot.domain.roster import Cadre, Household, Level, Link, Rank, Region, Roster, normalise_phone
from bot.domain.roster_check import Place, PlacedRoster, Problem, check


def placed(
    regions: tuple[Region, ...] = (),
    cadres: tuple[Cadre, ...] = (),
    households: tuple[Household, ...] = (),
    links: tuple[Link, ...] = (),
    unreadable: dict[str, frozenset[str]] | None = None,
) -> PlacedRoster:
    """Items placed on rows 2, 3, … of their own CSV file, as in a real roster."""

    def rows(name: str, count: int) -> tuple[Place, ...]:
        return tuple(Place(f"{name}.csv", row) for row in range(2, count + 2))

    return PlacedRoster(
        Roster(regions, cadres, households, links),
        rows("regions", len(regions)),
        rows("cadres", len(cadres)),
        rows("households", len(households)),
        rows("links", len(links)),
        unreadable or {},
    )


COUNTY = (
    Region("C", "县", Level.COUNTY, None),
    Region("T", "镇", Level.TOWNSHIP, "C"),
    Region("V", "村", Level.VILLAGE, "T"),
)


def cadre(cadre_id: str, region: str = "V", backup: str | None = None) -> Cadre:
    return Cadre(cadre_id, "干部", Rank.VILLAGE_CADRE, "村委", "13900000000", region, backup)


def reasons(problems: list[Problem]) -> list[tuple[str, int | None, str | None, str]]:
    return [(p.where, p.row, p.column, p.reason) for p in problems]


def test_a_sound_roster_has_no_problems() -> None:
    roster = placed(
        COUNTY,
        (cadre("A", backup="B"), cadre("B", backup="A")),  # an AB post is mutual
        (Household("H", "户主", "V"),),
        (Link("H", "A", 1), Link("H", "B", 2)),
    )
    assert check(roster) == []


def test_every_problem_is_reported_with_its_row_and_column() -> None:
    roster = placed(
        (*COUNTY, Region("V", "又一村", Level.VILLAGE, "X")),
        (cadre("A", region="Q", backup="A"), cadre("B", backup="Z")),
        (Household("H", "户主", "V99"), Household("H2", "户主", "T")),
        (Link("H", "A", 1), Link("H", "A", 2), Link("N", "M", 1)),
    )
    assert reasons(check(roster)) == [
        ("regions.csv", 5, "id", "duplicate_id"),
        ("regions.csv", 5, "parent_id", "unknown_region"),
        ("cadres.csv", 2, "region_id", "unknown_region"),
        ("cadres.csv", 2, "backup_id", "backup_self"),
        ("cadres.csv", 3, "backup_id", "unknown_backup"),
        ("households.csv", 2, "region_id", "unknown_region"),
        ("households.csv", 3, "region_id", "household_level"),
        ("links.csv", 3, "cadre_id", "duplicate_link"),
        ("links.csv", 4, "household_id", "unknown_household"),
        ("links.csv", 4, "cadre_id", "unknown_cadre"),
    ]


def test_a_parent_must_be_above_its_child() -> None:
    roster = placed(
        (*COUNTY, Region("G", "组", Level.GROUP, "V"), Region("X", "村", Level.VILLAGE, "G"))
    )
    [problem] = check(roster)
    assert (problem.row, problem.reason) == (6, "parent_level")
    assert problem.params == {"parent": "G", "level": "group"}


def test_a_loop_in_the_tree_is_reported_once_with_its_path() -> None:
    roster = placed(
        (
            Region("A", "甲", Level.TOWNSHIP, "C"),
            Region("B", "乙", Level.VILLAGE, "A"),
            Region("C", "丙", Level.COUNTY, "B"),
        )
    )
    cycles = [p for p in check(roster) if p.reason == "cycle"]
    assert [(p.row, p.params["path"]) for p in cycles] == [(2, "A → C → B → A")]


def test_a_region_that_is_its_own_parent_is_a_loop() -> None:
    problems = check(placed((Region("C", "县", Level.COUNTY, "C"),)))
    assert "cycle" in [p.reason for p in problems]


def test_rows_already_reported_are_not_reported_again_as_missing() -> None:
    roster = placed(
        COUNTY,
        households=(Household("H", "户主", "V2"),),
        unreadable={"regions": frozenset({"V2"})},
    )
    assert check(roster) == []


@pytest.mark.parametrize(
    ("text", "phone"),
    [
        ("13812345678", "13812345678"),
        ("138 1234 5678", "13812345678"),
        ("13812345678.0", "13812345678"),  # Excel kept it as a float
        ("+86 138-1234-5678", "13812345678"),
        ("１３８１２３４５６７８", "13812345678"),  # full-width digits
        ("0871-1234567", "0871-1234567"),
        ("08711234567", "0871-1234567"),
        ("010 12345678", "010-12345678"),
        ("12345", None),
        ("1.38123E+10", None),
        ("23812345678", None),
    ],
)
def test_phones_are_normalised(text: str, phone: str | None) -> None:
    assert normalise_phone(text) == phone
