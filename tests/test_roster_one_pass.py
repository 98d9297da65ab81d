"""Every problem of a roster in one pass: a bad cell in a row no longer hides what else
is wrong with that row (an unknown region, a cadre that is not there)."""

from __future__ import annotations

import shutil
from pathlib import Path

from bot.roster_io import load

SAMPLE = Path(__file__).parents[1] / "bot" / "samples" / "roster"


def edited(tmp_path: Path, name: str, old: str, new: str) -> Path:
    folder = tmp_path / "roster"
    if not folder.exists():
        shutil.copytree(SAMPLE, folder)
    path = folder / name
    text = path.read_text("utf-8-sig")
    assert old in text
    path.write_text(text.replace(old, new), "utf-8-sig")
    return folder


def reasons(folder: Path) -> set[tuple[str, int | None, str | None, str]]:
    _, problems = load(folder)
    return {(p.where, p.row, p.column, p.reason) for p in problems}


def test_a_bad_phone_does_not_hide_an_unknown_region_in_the_same_row(tmp_path: Path) -> None:
    folder = edited(
        tmp_path, "households.csv", "H0001,王秀英,G011,柳树村一组3号,13987120001",
        "H0001,王秀英,G999,柳树村一组3号,1398712",
    )  # fmt: skip
    assert reasons(folder) == {
        ("households.csv", 2, "phone", "bad_phone"),
        ("households.csv", 2, "region_id", "unknown_region"),
    }


def test_a_cadres_bad_phone_and_unknown_rank_do_not_hide_an_unknown_region(
    tmp_path: Path,
) -> None:
    edited(tmp_path, "cadres.csv", "K004,李强,township_cadre,东坪镇政府,13908710004,T01,K005,",
           "K004,李强,township_cadre,东坪镇政府,139,T99,K005,")  # fmt: skip
    folder = edited(tmp_path, "cadres.csv", "K002,钱明,section_chief,", "K002,钱明,局座,")
    text = (folder / "cadres.csv").read_text("utf-8-sig")
    (folder / "cadres.csv").write_text(text.replace(",C01,,\n", ",C77,,\n", 1), "utf-8-sig")
    assert reasons(folder) == {
        ("cadres.csv", 3, "rank", "bad_rank"),
        ("cadres.csv", 3, "region_id", "unknown_region"),
        ("cadres.csv", 5, "phone", "bad_phone"),
        ("cadres.csv", 5, "region_id", "unknown_region"),
    }


def test_a_links_bad_tier_does_not_hide_an_unknown_cadre(tmp_path: Path) -> None:
    folder = edited(tmp_path, "links.csv", "H0001,K007,1", "H0001,K999,x")
    assert reasons(folder) == {
        ("links.csv", 2, "tier", "bad_tier"),
        ("links.csv", 2, "cadre_id", "unknown_cadre"),
    }
