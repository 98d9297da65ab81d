"""``lianxin cards``: what an administrator prints, and what a phone reads off the paper.

Each test that prints a card PDF embeds a subset of the packaged 17 MB Noto Sans SC
(about 2 s of fontTools) and scans the QR codes off a 200 dpi rendering: it is marked
``slow``. The CSV, revoke, refusal and font-refusal tests are fast.
"""

from __future__ import annotations

import asyncio
import csv
import io
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pypdfium2 as pdfium
import pytest
import zxingcpp
from fontTools import subset, ttLib  # type: ignore[import-untyped]

from bot import cards
from bot.cli import main
from bot.domain.codes import HouseholdCard
from bot.domain.roster import Household
from storage import meta
from storage.db import Database
from tests.conftest import fresh_database
from tests.storage.test_codes import T1_HOUSEHOLDS, seed

BOT = "lianxin_test_bot"
Run = Callable[..., tuple[int, str, str]]


async def _seed_database(path: Path) -> None:
    db = await Database.open(path)
    async with db.transaction() as tx:
        await seed(tx)
    await db.close()


@pytest.fixture
def config(tmp_path: Path, migrated: Path) -> Path:
    asyncio.run(_seed_database(fresh_database(migrated, tmp_path / "lianxin.db")))
    path = tmp_path / "config.toml"
    path.write_text(f'[database]\npath = "lianxin.db"\n\n[cards]\nbot_username = "{BOT}"\n')
    return path


@pytest.fixture
def run(config: Path, capsys: pytest.CaptureFixture[str]) -> Run:
    """``lianxin --config … ARGS``: the exit status, what it printed, and what it warned."""

    def run(*argv: str | Path, config_path: Path = config) -> tuple[int, str, str]:
        with pytest.raises(SystemExit) as done:
            main(["--config", str(config_path), *map(str, argv)])
        captured = capsys.readouterr()
        return int(done.value.code or 0), captured.out, captured.err

    return run


def pages(pdf: Path) -> list[pdfium.PdfPage]:
    return list(pdfium.PdfDocument(pdf))


def scanned_links(pdf: Path) -> list[str]:
    """Every QR code on every page, as a phone would read it off a 200 dpi scan."""
    found = []
    for page in pages(pdf):
        image = page.render(scale=200 / 72).to_pil()
        found += [barcode.text for barcode in zxingcpp.read_barcodes(image)]
    return found


def page_text(pdf: Path, number: int) -> str:
    return str(pages(pdf)[number].get_textpage().get_text_range())


def read_csv(path: Path) -> list[dict[str, str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM that tells Excel it is UTF-8
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))


@pytest.mark.slow
def test_household_cards_scan_to_the_links_of_the_region_below(run: Run, tmp_path: Path) -> None:
    status, out, err = run("cards", "--region", "T1", "--out", tmp_path / "t1.pdf")
    assert status == 0, err
    assert "4" in out
    assert "H3" in err  # no cadre linked: the administrator is told
    status, _, _ = run("cards", "--region", "T1", "--format", "csv", "--out", tmp_path / "t1.csv")
    assert status == 0
    rows = read_csv(tmp_path / "t1.csv")
    assert list(rows[0]) == ["household_id", "head_name", "region_id", "code", "link"]
    assert {r["household_id"] for r in rows} == T1_HOUSEHOLDS  # H4 is in T2: not here
    for row in rows:
        assert row["link"] == f"https://t.me/{BOT}?start={row['code']}"
    links = scanned_links(tmp_path / "t1.pdf")
    assert sorted(links) == sorted(r["link"] for r in rows)
    assert len(pages(tmp_path / "t1.pdf")) == 4  # A6: one card a page


@pytest.mark.slow
def test_a_household_card_reads_in_chinese_with_cadres_in_tier_order(
    run: Run, tmp_path: Path
) -> None:
    run("cards", "--region", "G1", "--out", tmp_path / "g1.pdf")
    text = page_text(tmp_path / "g1.pdf", 0)
    assert "「连心」联系卡" in text
    assert "王秀英" in text
    assert "H1" in text
    first, second, third = (text.index(name) for name in ("王网格", "张镇干", "赵县长"))
    assert first < second < third
    assert "第一联系人 王网格 网格员 13800000001" in text
    assert "县级领导" in text
    assert "县级领导 · 每月1日接待" in text  # the rank's reception day ([schedule.reception])
    assert "扫码绑定后" in text


@pytest.mark.slow
def test_a_household_without_cadres_still_gets_a_card_that_says_so(
    run: Run, tmp_path: Path
) -> None:
    status, _, err = run("cards", "--region", "V1", "--out", tmp_path / "v1.pdf")
    assert status == 0
    assert "H3" in err
    texts = [page_text(tmp_path / "v1.pdf", n) for n in range(len(pages(tmp_path / "v1.pdf")))]
    h3 = next(text for text in texts if "张桂兰" in text)
    assert "暂未安排包联干部" in h3


@pytest.mark.slow
def test_a4_puts_four_cards_on_a_page(run: Run, tmp_path: Path) -> None:
    status, _, _ = run("cards", "--region", "C", "--size", "a4", "--out", tmp_path / "c.pdf")
    assert status == 0
    assert len(pages(tmp_path / "c.pdf")) == 2  # five households: 4 + 1
    width, height = pages(tmp_path / "c.pdf")[0].get_size()
    assert (round(width), round(height)) == (595, 842)
    run("cards", "--region", "C", "--format", "csv", "--out", tmp_path / "c.csv")
    assert sorted(scanned_links(tmp_path / "c.pdf")) == sorted(
        r["link"] for r in read_csv(tmp_path / "c.csv")
    )


def test_printing_twice_gives_the_same_codes(run: Run, tmp_path: Path) -> None:
    run("cards", "--region", "C", "--format", "csv", "--out", tmp_path / "a.csv")
    status, out, _ = run("cards", "--region", "C", "--format", "csv", "--out", tmp_path / "b.csv")
    assert status == 0
    assert "新发放 0 个码" in out
    assert read_csv(tmp_path / "a.csv") == read_csv(tmp_path / "b.csv")


@pytest.mark.slow
def test_cadre_cards(run: Run, tmp_path: Path) -> None:
    status, out, _ = run("cards", "--region", "T1", "--cadres", "--out", tmp_path / "k.pdf")
    assert status == 0
    assert "3 名干部" in out
    run("cards", "--region", "T1", "--cadres", "--format", "csv", "--out", tmp_path / "k.csv")
    rows = read_csv(tmp_path / "k.csv")
    assert list(rows[0]) == ["cadre_id", "name", "code", "link"]
    assert [r["cadre_id"] for r in rows] == ["K1", "K2", "K3"]
    assert sorted(scanned_links(tmp_path / "k.pdf")) == sorted(r["link"] for r in rows)
    k2 = page_text(tmp_path / "k.pdf", 1)
    assert "李村官" in k2
    assert "村干部" in k2
    assert "联系户数：2 户" in k2


def link_of(run: Run, tmp_path: Path, household: str) -> str:
    run("cards", "--region", "C", "--format", "csv", "--out", tmp_path / "now.csv")
    return next(
        r["link"] for r in read_csv(tmp_path / "now.csv") if r["household_id"] == household
    )


def test_revoke_and_reissue_a_lost_card(run: Run, tmp_path: Path) -> None:
    lost = link_of(run, tmp_path, "H1")
    status, out, _ = run("cards", "revoke", "--household", "H1", "--reissue")
    assert status == 0
    assert "已作废" in out
    new = link_of(run, tmp_path, "H1")
    assert new != lost
    assert new in out  # the new link is printed at once
    assert link_of(run, tmp_path, "H2") != new
    status, out, _ = run("cards", "revoke", "--code", lost.rsplit("=", 1)[1])
    assert status == 0
    assert "早已作废" in out


def test_revoke_keeps_bound_phones_unless_unbind_is_given(
    run: Run, tmp_path: Path, config: Path
) -> None:
    code = link_of(run, tmp_path, "H2").rsplit("=", 1)[1]
    asyncio.run(_bind(tmp_path / "lianxin.db", code))
    status, out, _ = run("cards", "revoke", "--code", code)
    assert status == 0
    assert "2 个账号仍然有效" in out
    status, out, _ = run("cards", "revoke", "--code", code, "--unbind")
    assert status == 0
    assert "已解除 2 个账号的绑定" in out
    assert asyncio.run(_members(tmp_path / "lianxin.db")) == 0


async def _bind(path: Path, code: str) -> None:
    db = await Database.open(path)
    async with db.transaction() as tx:
        for user in (7, 8):
            await tx.execute(
                "INSERT INTO members VALUES (?, 'H2', ?, '2026-11-15T00:30:00.000000Z')",
                (user, code),
            )
    await db.close()


async def _members(path: Path) -> int:
    db = await Database.open(path)
    async with db.read() as tx:
        count = int(await tx.scalar("SELECT count(*) FROM members"))
    await db.close()
    return count


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("cards", "--region", "NOPE", "--out", "{tmp}/x.pdf"), "NOPE"),
        (("cards", "--region", "T1", "--out", "{tmp}/missing/x.pdf"), "不存在"),
        (("cards", "revoke", "--household", "H404"), "H404"),
        (("cards", "revoke", "--cadre", "K404"), "K404"),
        (("cards", "revoke", "--code", "NoSuchCode012345"), "NoSuchCode012345"),
        (("cards", "--region", "T1", "--bot-username", "a b", "--out", "{tmp}/x.pdf"), "a b"),
    ],
)
def test_clear_refusals(run: Run, tmp_path: Path, argv: tuple[str, ...], message: str) -> None:
    status, _, err = run(*(arg.format(tmp=tmp_path) for arg in argv))
    assert status == 1
    assert message in err
    assert not (tmp_path / "x.pdf").exists()


@pytest.mark.slow
def test_without_a_bot_username_nothing_is_printed(run: Run, tmp_path: Path) -> None:
    bare = tmp_path / "bare.toml"
    bare.write_text('[database]\npath = "lianxin.db"\n')
    status, _, err = run("cards", "--region", "T1", "--out", tmp_path / "x.pdf", config_path=bare)
    assert status == 1
    assert "bot_username" in err
    assert "--bot-username" in err
    status, _, _ = run(
        "cards",
        "--region",
        "T1",
        "--bot-username",
        BOT,
        "--out",
        tmp_path / "x.pdf",
        config_path=bare,
    )
    assert status == 0


def test_region_and_out_are_required(run: Run, tmp_path: Path) -> None:
    status, _, err = run("cards", "--out", tmp_path / "x.pdf")
    assert status == 2
    assert "--region" in err
    status, _, err = run("cards", "--region", "T1")
    assert status == 2
    assert "--out" in err


@pytest.mark.slow
def test_cards_for_the_imported_sample_roster(run: Run, tmp_path: Path) -> None:
    sample = Path(__file__).parent.parent / "bot" / "samples" / "roster"
    fresh = tmp_path / "fresh.toml"
    fresh.write_text(f'[database]\npath = "fresh.db"\n[cards]\nbot_username = "{BOT}"\n')
    status, _, err = run("roster", "import", sample, config_path=fresh)
    assert status == 0, err
    status, _, err = run(
        "cards", "--region", "T01", "--out", tmp_path / "t01.pdf", config_path=fresh
    )
    assert status == 0, err
    run(
        "cards",
        "--region",
        "T01",
        "--format",
        "csv",
        "--out",
        tmp_path / "t01.csv",
        config_path=fresh,
    )
    rows = read_csv(tmp_path / "t01.csv")
    regions = {r["region_id"] for r in rows}
    assert rows
    assert regions <= {"T01", "V01", "V02", "G011", "G012"}  # 东坪镇 and below only
    assert sorted(scanned_links(tmp_path / "t01.pdf")) == sorted(r["link"] for r in rows)


def font_names(pdf: Path) -> set[bytes]:
    """The /BaseFont of every font in the file (reportlab writes font dictionaries plain)."""
    return set(re.findall(rb"/BaseFont /([^\s/>]+)", pdf.read_bytes()))


@pytest.mark.slow
def test_the_pdf_embeds_a_chinese_font_so_any_computer_prints_it(run: Run, tmp_path: Path) -> None:
    # The packaged Noto Sans SC (a dependency) is used whatever fonts this machine has.
    status, _, err = run("cards", "--region", "G1", "--out", tmp_path / "g1.pdf")
    assert status == 0, err
    assert "STSong-Light" not in err
    data = (tmp_path / "g1.pdf").read_bytes()
    assert b"/FontFile2" in data  # the TrueType font program is in the file
    names = font_names(tmp_path / "g1.pdf")
    assert any(re.fullmatch(rb"[A-Z]{6}\+NotoSansSC-Regular", name) for name in names), names
    assert b"STSong-Light" not in names
    assert len(data) < 200_000  # a subset: only the characters on the cards
    text = page_text(tmp_path / "g1.pdf", 0)
    assert "「连心」联系卡" in text
    assert "第一联系人 王网格 网格员 13800000001" in text
    assert scanned_links(tmp_path / "g1.pdf")


def _configured(tmp_path: Path, font: Path) -> Path:
    path = tmp_path / "font.toml"
    path.write_text(
        f'[database]\npath = "lianxin.db"\n\n[cards]\nbot_username = "{BOT}"\nfont = "{font}"\n'
    )
    return path


@pytest.mark.slow
def test_a_configured_font_is_embedded(run: Run, tmp_path: Path) -> None:
    # A TrueType font cut from the packaged one, under another name: it must be this one.
    subsetter = subset.Subsetter()
    subsetter.populate(text=cards._characters([], "zh") + "王秀英网格张镇干赵县长李村干")
    with ttLib.TTFont(cards._packaged_font()) as font:
        subsetter.subset(font)
        cards._cff_to_truetype(font)
        font["name"].setName("LianxinTestSans", 6, 3, 1, 0x409)
        font.save(tmp_path / "test.ttf")
    config = _configured(tmp_path, tmp_path / "test.ttf")
    status, _, err = run(
        "cards", "--region", "G1", "--out", tmp_path / "g1.pdf", config_path=config
    )
    assert status == 0, err
    names = font_names(tmp_path / "g1.pdf")
    assert any(name.endswith(b"+LianxinTestSans") for name in names), names
    assert "王秀英" in page_text(tmp_path / "g1.pdf", 0)


@pytest.fixture(scope="session")
def latin_font(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A font without a single Chinese character, cut from the packaged one (reading
    that takes most of a second, so once a session)."""
    path = tmp_path_factory.mktemp("fonts") / "latin.ttf"
    subsetter = subset.Subsetter()
    subsetter.populate(text="Lianxin 0123456789")
    with ttLib.TTFont(cards._packaged_font()) as latin:
        subsetter.subset(latin)
        latin.save(path)
    return path


@pytest.mark.parametrize(
    ("font", "message"),
    [
        ("missing.ttf", "找不到这个字体文件"),
        ("not-a-font.ttf", "无法使用这个字体文件"),
        ("latin.ttf", "没有汉字"),
    ],
)
def test_an_unusable_configured_font_is_refused_in_one_line(
    run: Run, tmp_path: Path, latin_font: Path, font: str, message: str
) -> None:
    (tmp_path / "not-a-font.ttf").write_text("not a font")
    shutil.copy(latin_font, tmp_path / "latin.ttf")
    config = _configured(tmp_path, tmp_path / font)
    status, out, err = run(
        "cards", "--region", "G1", "--out", tmp_path / "x.pdf", config_path=config
    )
    assert status == 1
    assert err.count("\n") == 1, err  # one line, no traceback
    assert message in err
    assert str(tmp_path / font) in err
    assert not (tmp_path / "x.pdf").exists()
    assert not out


def test_without_any_chinese_font_it_warns_and_uses_the_readers_font(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cards, "_packaged_font", lambda: None)
    monkeypatch.setattr(cards, "SYSTEM_FONTS", ())
    status, _, err = run("cards", "--region", "G1", "--out", tmp_path / "g1.pdf")
    assert status == 0, err
    assert "STSong-Light" in err
    assert "[cards]" in err
    assert "font" in err
    data = (tmp_path / "g1.pdf").read_bytes()
    assert b"/FontFile2" not in data
    assert b"STSong-Light" in font_names(tmp_path / "g1.pdf")
    assert "王秀英" in page_text(tmp_path / "g1.pdf", 0)


async def _set_hotlines(path: Path, hotlines: dict[str, str]) -> None:
    db = await Database.open(path)
    async with db.transaction() as tx:
        for region, hotline in hotlines.items():
            await tx.execute("UPDATE regions SET hotline = ? WHERE id = ?", (hotline, region))
    await db.close()


@pytest.mark.slow
def test_beside_the_qr_the_service_days_reception_days_and_nearest_hotline(
    run: Run, tmp_path: Path, config: Path
) -> None:
    hotlines = {"C": "0797-1111111", "T1": "0797-2222222"}
    asyncio.run(_set_hotlines(tmp_path / "lianxin.db", hotlines))
    status, _, err = run("cards", "--region", "C", "--out", tmp_path / "c.pdf")
    assert status == 0, err
    texts = [page_text(tmp_path / "c.pdf", n) for n in range(5)]
    h1 = next(text for text in texts if "王秀英" in text)
    h4 = next(text for text in texts if "刘福" in text)
    assert "党员服务日" in h1
    assert "每月 15、16 日" in h1  # [schedule] service_days, the default
    assert "接待日" in h1
    assert "县级领导：每月1日" in h1  # her third contact's rank first
    assert "乡镇书记：每周一" in h1
    assert "乡镇服务热线" in h1
    assert "0797-2222222" in h1  # her township's (东坪镇), the nearest one above her
    assert "0797-1111111" not in h1
    assert "0797-1111111" in h4  # 西河乡 has none: the county's


@pytest.mark.slow
def test_the_hotline_from_the_configuration_when_no_region_has_one(
    run: Run, tmp_path: Path, config: Path
) -> None:
    config.write_text(config.read_text() + 'hotline = "12345"\n')  # under [cards]
    status, _, err = run("cards", "--household", "H2", "--out", tmp_path / "h2.pdf")
    assert status == 0, err
    assert "12345" in page_text(tmp_path / "h2.pdf", 0)


@pytest.mark.slow
def test_one_households_reprint_reuses_its_code_and_a_revoked_one_gets_a_new(
    run: Run, tmp_path: Path
) -> None:
    live = link_of(run, tmp_path, "H1")
    status, out, err = run("cards", "--household", "H1", "--out", tmp_path / "h1.pdf")
    assert status == 0, err
    assert "1" in out
    assert len(pages(tmp_path / "h1.pdf")) == 1
    assert scanned_links(tmp_path / "h1.pdf") == [live]  # the card in her hands still works
    assert "王秀英" in page_text(tmp_path / "h1.pdf", 0)

    status, _, _ = run("cards", "revoke", "--household", "H1")
    assert status == 0
    status, _, err = run("cards", "--household", "H1", "--out", tmp_path / "again.pdf")
    assert status == 0, err
    [new] = scanned_links(tmp_path / "again.pdf")
    assert new != live
    assert link_of(run, tmp_path, "H1") == new  # the new code is the live one now


def test_one_households_reprint_refusals(run: Run, tmp_path: Path) -> None:
    status, _, err = run("cards", "--household", "H99", "--out", tmp_path / "x.pdf")
    assert status == 1
    assert "没有编号为「H99」的住户" in err
    assert not (tmp_path / "x.pdf").exists()
    refusals = {
        ("--region", "C", "--household", "H1"): "只能选一个",
        ("--household", "H1", "--cadres"): "不能和 --cadres 一起用",
    }
    for argv, message in refusals.items():
        status, _, err = run("cards", *argv, "--out", tmp_path / "x.pdf")
        assert status == 2
        assert message in err
        assert not (tmp_path / "x.pdf").exists()


def test_progress_is_told_at_every_tenth_of_a_big_run(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from bot.cards_cli import _Progress

    progress = _Progress("zh", 3000)
    for done in range(1, 3001):
        progress(done, 3000)
    lines = capsys.readouterr().err.splitlines()
    assert lines[0] == "lianxin: 正在生成 3,000 张联系卡… 0%"
    assert lines[4] == "lianxin: 正在生成 3,000 张联系卡… 40%"
    assert lines[-1] == "lianxin: 正在生成 3,000 张联系卡… 100%"
    assert len(lines) == 11
    small = _Progress("zh", 5)
    for done in range(1, 6):
        small(done, 5)
    assert capsys.readouterr().err == ""  # five cards are done before anyone reads it


def test_the_pdf_tells_its_progress_card_by_card() -> None:
    seen: list[tuple[int, int]] = []
    sheet = cards.Sheet(BOT, "en", 3)
    found = [
        HouseholdCard(Household(f"H{n}", "Wang", "V1"), "Willow", (), "AbCdEfGhIjKlMnOp")
        for n in range(5)
    ]
    data = cards.pdf(found, sheet, "a4", cards.Font(None), lambda *pair: seen.append(pair))
    assert data.startswith(b"%PDF")
    assert seen == [(n, 5) for n in range(1, 6)]


async def _remember(path: Path, username: str) -> None:
    db = await Database.open(path)
    async with db.transaction() as tx:
        await meta.put(tx, meta.BOT_USERNAME, username)
    await db.close()


@pytest.mark.slow
def test_the_username_the_bot_last_started_with_is_used(run: Run, tmp_path: Path) -> None:
    """On the server, after the bot has run once, cards print with no option to give."""
    bare = tmp_path / "bare.toml"
    bare.write_text('[database]\npath = "lianxin.db"\n')
    asyncio.run(_remember(tmp_path / "lianxin.db", "heping_lianxin_bot"))
    out = tmp_path / "x.csv"
    status, _, err = run(
        "cards", "--region", "T1", "--format", "csv", "--out", out, config_path=bare
    )
    assert status == 0, err
    links = [row["link"] for row in read_csv(out)]
    assert links
    assert all(link.startswith("https://t.me/heping_lianxin_bot?start=") for link in links)
