"""``lianxin roster import|export`` as an administrator uses it, on files as Excel makes them."""

from __future__ import annotations

import csv
import shutil
import sqlite3
from pathlib import Path

import openpyxl
import pytest

from bot.cli import main

SAMPLE = Path(__file__).parents[1] / "bot" / "samples" / "roster"


class Lianxin:
    """The command line against one configuration and database in a temporary folder."""

    def __init__(self, folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
        self.folder = folder
        self.capsys = capsys
        self.config = folder / "config.toml"
        self.use("zh")

    def use(self, language: str) -> None:
        self.config.write_text(
            f'[database]\npath = "x.db"\n[general]\nlanguage = "{language}"\n', "utf-8"
        )

    def __call__(self, *args: str | Path) -> tuple[int, list[str], list[str]]:
        with pytest.raises(SystemExit) as exit_:
            main(["--config", str(self.config), "roster", *map(str, args)])
        out, err = self.capsys.readouterr()
        code = exit_.value.code
        assert isinstance(code, int)
        return code, out.splitlines(), err.splitlines()

    def query(self, sql: str, *params: str) -> list[tuple[object, ...]]:
        with sqlite3.connect(self.folder / "x.db") as conn:
            return list(conn.execute(sql, params))


@pytest.fixture
def lianxin(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Lianxin:
    return Lianxin(tmp_path, capsys)


def copy_sample(to: Path) -> Path:
    shutil.copytree(SAMPLE, to)
    return to


def rewrite(path: Path, keep: object = None, add: list[list[str]] | None = None) -> None:
    """Rewrite a CSV of the sample, dropping rows that mention H0012 and adding ``add``."""
    with path.open(encoding="utf-8-sig", newline="") as f:
        rows = [row for row in csv.reader(f) if "H0012" not in row]
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f).writerows(rows + (add or []))


def test_the_sample_imports_and_a_second_import_changes_nothing(lianxin: Lianxin) -> None:
    code, out, _ = lianxin("import", SAMPLE)
    assert code == 0
    assert "农户：新增 12，更新 0，未变 0，删除 0" in out
    assert "联系：新增 36，更新 0，未变 0，删除 0" in out
    code, out, _ = lianxin("import", SAMPLE)
    assert (code, out[:4]) == (
        0,
        [
            "区域：新增 0，更新 0，未变 9，删除 0",
            "干部：新增 0，更新 0，未变 12，删除 0",
            "农户：新增 0，更新 0，未变 12，删除 0",
            "联系：新增 0，更新 0，未变 36，删除 0",
        ],
    )


def test_an_edited_roster_keeps_bindings_and_prunes_only_when_asked(
    lianxin: Lianxin, tmp_path: Path
) -> None:
    lianxin("import", SAMPLE)
    lianxin.query("INSERT INTO codes VALUES ('c1', 'H0001', NULL, '2026-11-01', NULL)")
    lianxin.query("INSERT INTO members VALUES (42, 'H0001', 'c1', '2026-11-02')")
    lianxin.query("INSERT INTO codes VALUES ('c2', 'H0012', NULL, '2026-11-01', NULL)")
    lianxin.query("INSERT INTO members VALUES (43, 'H0012', 'c2', '2026-11-02')")
    roster = copy_sample(tmp_path / "edited")
    households = roster / "households.csv"
    text = households.read_text("utf-8-sig").replace("王秀英", "王秀兰")
    households.write_text(text, "utf-8-sig")
    rewrite(households, add=[["H0013", "新户", "V04", "河口村9号", ""]])
    rewrite(roster / "links.csv")

    code, out, _ = lianxin("import", roster)
    assert code == 0
    assert "农户：新增 1，更新 1，未变 10，删除 0" in out
    assert "农户：数据库中有 1 条不在名册里，已保留（加 --prune 可删除）" in out
    assert lianxin.query("SELECT head_name FROM households WHERE id = 'H0001'") == [("王秀兰",)]
    assert lianxin.query("SELECT user_id FROM members ORDER BY user_id") == [(42,), (43,)]

    code, out, _ = lianxin("import", roster, "--prune")
    assert code == 0
    assert "农户：新增 0，更新 0，未变 12，删除 1" in out
    assert "联系：新增 0，更新 0，未变 33，删除 3" in out
    assert "随删除的农户和干部一起解除绑定的 Telegram 账号：1 个" in out
    assert lianxin.query("SELECT user_id FROM members") == [(42,)]


def test_a_households_new_first_contact_replaces_the_old_one_without_prune(
    lianxin: Lianxin, tmp_path: Path
) -> None:
    lianxin("import", SAMPLE)
    lianxin.query("INSERT INTO codes VALUES ('c1', 'H0001', NULL, '2026-11-01', NULL)")
    lianxin.query("INSERT INTO members VALUES (42, 'H0001', 'c1', '2026-11-02')")
    roster = copy_sample(tmp_path / "rechained")
    links = roster / "links.csv"
    text = links.read_text("utf-8-sig").replace("H0001,K007,1", "H0001,K008,1")
    links.write_text(text, "utf-8-sig")
    chain = "SELECT cadre_id, tier FROM links WHERE household_id = 'H0001' ORDER BY tier"

    lianxin.use("en")
    code, out, _ = lianxin("import", roster, "--dry-run")
    assert code == 0
    summary = out.index("links: 1 added, 0 updated, 35 unchanged, 1 removed")  # after the preview
    assert out[summary + 1] == (
        "links: 1 removed (the roster no longer links these households to these cadres)"
    )
    assert lianxin.query(chain)[0] == ("K007", 1)

    lianxin.use("zh")
    code, out, _ = lianxin("import", roster)
    assert code == 0
    assert out[3:] == [
        "联系：新增 1，更新 0，未变 35，删除 1",
        "联系：删除 1 条（这些农户的联系人已按名册更新）",
        f"已导入名册 {roster}",
    ]
    assert lianxin.query(chain) == [("K008", 1), ("K004", 2), ("K001", 3)]
    assert lianxin.query("SELECT user_id FROM members") == [(42,)]


def test_an_export_imports_back_unchanged_as_xlsx_and_csv(
    lianxin: Lianxin, tmp_path: Path
) -> None:
    lianxin("import", SAMPLE)
    for target in (tmp_path / "out.xlsx", tmp_path / "out"):
        code, out, _ = lianxin("export", target)
        assert code == 0
        assert out == [f"已导出名册到 {target}：区域 9 个，干部 12 名，农户 12 户，联系 36 条"]
        code, out, _ = lianxin("import", target)
        assert code == 0
        assert all("新增 0，更新 0" in line for line in out[:4])
    assert (tmp_path / "out" / "cadres.csv").read_bytes().startswith(b"\xef\xbb\xbf")


def test_chinese_sheets_headers_levels_and_excel_numbers(lianxin: Lianxin, tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    sheets = {
        "区域": [["编号", "名称", "层级", "上级编号"], ["C", "和平县", "县", None],
                 ["T", "东坪镇", "乡镇", "C"], ["V", "柳树村", "村", "T"]],
        "干部": [["编号", "姓名", "职级", "单位", "电话", "区域编号", "AB岗编号", "督办区域"],
                 ["K1", "郑小红", "村干部", "村委", 13908710007.0, "V", None, None]],
        "农户": [["编号", "户主姓名", "区域编号", "地址", "电话"],
                 [" H1 ", "王秀英", "V", "一组3号", "139 8712 0001"], [None] * 5],
        "联系": [["户编号", "干部编号", "层次"], ["H1", "K1", 1.0]],
    }  # fmt: skip
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(tmp_path / "名册.xlsx")
    code, _, err = lianxin("import", tmp_path / "名册.xlsx")
    assert (code, err) == (0, [])
    lianxin("export", tmp_path / "back")
    cadres = (tmp_path / "back" / "cadres.csv").read_text("utf-8-sig").splitlines()
    assert cadres[1] == "K1,郑小红,village_cadre,村委,13908710007,V,,"
    households = (tmp_path / "back" / "households.csv").read_text("utf-8-sig").splitlines()
    assert households[1:] == ["H1,王秀英,V,一组3号,13987120001"]


def test_gb18030_csv_with_chinese_headers(lianxin: Lianxin, tmp_path: Path) -> None:
    folder = tmp_path / "gb"
    folder.mkdir()
    for path in SAMPLE.iterdir():
        text = path.read_text("utf-8-sig")
        for english, chinese in (("id,name,level", "编号,名称,层级"), ("head_name", "户主姓名")):
            text = text.replace(english, chinese)
        (folder / path.name).write_bytes(text.replace(",township,", ",乡镇,").encode("gb18030"))
    code, out, _ = lianxin("import", folder)
    assert code == 0
    assert "区域：新增 9，更新 0，未变 0，删除 0" in out


def test_every_mistake_is_reported_and_nothing_is_imported(
    lianxin: Lianxin, tmp_path: Path
) -> None:
    lianxin("import", SAMPLE)
    roster = copy_sample(tmp_path / "bad")
    with (roster / "households.csv").open("a", encoding="utf-8", newline="") as f:
        f.write("H0001,重复,V01,,\nH0020,无村,V99,,12345\nH0021,,T01,,\n")
    with (roster / "cadres.csv").open("a", encoding="utf-8", newline="") as f:
        f.write("K020,新人,队长,单位,1.39087E+10,V01,K099,\n")
    with (roster / "links.csv").open("a", encoding="utf-8", newline="") as f:
        f.write("H0001,K007,1\nH0099,K001,0\n")
    lianxin.use("en")
    code, out, err = lianxin("import", roster)
    assert code == 1
    assert out == []
    assert err == [
        'cadres.csv row 14, rank: unknown rank "队长" (county_leader, section_chief, '
        "township_secretary, township_cadre, village_cadre or grid_worker)",
        'cadres.csv row 14, phone: phone number "1.39087E+10" was turned into scientific '
        "notation by Excel; format the column as Text and type it again",
        # A bad cell no longer hides the row's other problems (every problem in one pass).
        'cadres.csv row 14, backup_id: backup "K099" is not a cadre in the roster',
        'households.csv row 14, id: duplicate id "H0001" (already on row 2)',
        'households.csv row 15, phone: bad phone number "12345" (11-digit mobile, or a '
        "landline like 0871-1234567)",
        'households.csv row 15, region_id: unknown region "V99"',
        "households.csv row 16, head_name: must not be empty",
        "households.csv row 16, region_id: a household belongs to a village or a group, and "
        '"T01" is a township',
        'links.csv row 38, cadre_id: this household is linked to cadre "K007" twice '
        "(already on row 2)",
        'links.csv row 39, tier: tier "0" must be a whole number of 1 or more',
        'links.csv row 39, household_id: unknown household "H0099"',
        "11 problem(s) in the roster; nothing was imported.",
    ]
    assert lianxin.query("SELECT count(*) FROM households") == [(12,)]


def test_references_to_nothing_are_named(lianxin: Lianxin, tmp_path: Path) -> None:
    roster = copy_sample(tmp_path / "bad")
    with (roster / "households.csv").open("a", encoding="utf-8", newline="") as f:
        f.write("H0020,无村,V99,,\n")
    code, _, err = lianxin("import", roster)
    assert code == 1
    assert err[0] == "households.csv 第14行 region_id: 未知的区域「V99」"


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("roster.xls", "这是旧的 .xls 格式，请在 Excel 中“另存为” .xlsx 工作簿后再导入"),
        ("nowhere.xlsx", "找不到这个文件或文件夹"),
        ("roster.txt", "无法识别的文件类型，请使用 .xlsx 工作簿或放着四个 CSV 文件的文件夹"),
    ],
)
def test_files_that_are_no_roster_say_why(
    lianxin: Lianxin, tmp_path: Path, name: str, message: str
) -> None:
    path = tmp_path / name
    if name != "nowhere.xlsx":
        path.write_bytes(b"\xd0\xcf\x11\xe0 old")
    code, out, err = lianxin("import", path)
    assert (code, out) == (1, [])
    assert err[0] == f"{path}: {message}"


def test_a_broken_workbook_and_missing_parts_say_why(lianxin: Lianxin, tmp_path: Path) -> None:
    (tmp_path / "broken.xlsx").write_bytes(b"not a zip")
    code, _, err = lianxin("import", tmp_path / "broken.xlsx")
    assert code == 1
    assert err[0].startswith(f"{tmp_path / 'broken.xlsx'}: 无法读取")
    folder = copy_sample(tmp_path / "partial")
    (folder / "links.csv").unlink()
    (folder / "regions.csv").write_bytes(b"id,name\nC,\xff\xff\n")  # neither UTF-8 nor GB18030
    code, _, err = lianxin("import", folder)
    assert code == 1
    assert err[:2] == [
        "regions.csv: 无法识别文件的编码，请在 Excel 中另存为“CSV UTF-8”或普通 CSV（GB18030）",
        f"{folder}: 缺少文件 links.csv（或 联系.csv）",
    ]


def test_missing_columns_and_sheets_are_named(lianxin: Lianxin, tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.active.title = "区域"  # type: ignore[union-attr]
    book.active.append(["编号", "名称", "备注"])  # type: ignore[union-attr]
    book.save(tmp_path / "r.xlsx")
    code, _, err = lianxin("import", tmp_path / "r.xlsx")
    assert code == 1
    assert err[:3] == [
        "r.xlsx: 缺少工作表「cadres」（或「干部」）",
        "r.xlsx: 缺少工作表「households」（或「农户」）",
        "r.xlsx: 缺少工作表「links」（或「联系」）",
    ]
    for name in ("干部", "农户", "联系"):
        book.create_sheet(name).append(["编号"])
    book.save(tmp_path / "r.xlsx")
    code, _, err = lianxin("import", tmp_path / "r.xlsx")
    assert "r.xlsx [区域] 第1行 备注: 无法识别的列" in err
    assert "r.xlsx [区域] 第1行: 缺少列「level」（或「层级」）" in err
    assert "r.xlsx [联系] 第1行: 缺少列「tier」（或「层次」）" in err


def test_export_without_a_database_says_so(lianxin: Lianxin, tmp_path: Path) -> None:
    code, _, err = lianxin("export", tmp_path / "out.xlsx")
    assert code == 1
    assert err == [f"{tmp_path / 'x.db'}：这里没有数据库（请检查 database.path）"]
