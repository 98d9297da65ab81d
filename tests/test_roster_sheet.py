"""The one-sheet 花名册 as a clerk meets it: the header dictionary, merged cells, rank
aliases, every problem in one pass, the dry run's summary, and no ID card kept."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pytest

from bot.cli import main
from bot.config import ConfigError, load_config
from bot.domain.roster import Rank
from bot.domain.roster_sheet import (
    HEADERS,
    Field,
    SheetOptions,
    header_field,
    rank_dictionary,
)
from bot.roster_io import SheetFile, read

ID_CARD = "530102198001011234"
HEADER = [
    *("序号", "乡镇", "村委会", "村民小组", "户主\n姓名", "身份证号"),
    *("联系电话", "联户干部", "职务", "干部电话"),
]


def workbook(path: Path, rows: list[list[object]], merges: tuple[str, ...] = ()) -> Path:
    """A sheet 东坪镇 with a merged title row, the header, then ``rows`` from row 3."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "东坪镇"
    sheet.append(["东坪镇干部联户名册"])
    sheet.merge_cells("A1:J1")
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    for merge in merges:
        sheet.merge_cells(merge)
    book.save(path)
    return path


def rows() -> list[list[object]]:
    """Five households of two villages; 乡镇 and 村委会 written once, merged below."""
    return [
        [
            1,
            "东坪镇",
            "柳树村",
            "一组",
            "王秀英",
            ID_CARD,
            13987120001,
            "陈志强",
            "村支书",
            "13908710007",
        ],
        [2, None, None, "一组", "李大山", "", "", "陈志强", "村支书", "13908710007"],
        [3, None, None, "二组", "张桂兰", "", "13987120003", "王磊", "网格长", "13908710008"],
        [4, None, "河口村", "", "刘福", "", "", "周平", "第一书记", "13908710009"],
        [5, None, None, "", "赵四", "", "", "孙丽", "包村干部", "13908710010"],
    ]


MERGES = ("B3:B7", "C3:C5", "C6:C7")


class Lianxin:
    def __init__(self, folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
        self.folder, self.capsys = folder, capsys
        self.config = folder / "config.toml"
        self.use("zh")

    def use(self, language: str, extra: str = "") -> None:
        self.config.write_text(
            f'[database]\npath = "x.db"\n[general]\nlanguage = "{language}"\n{extra}', "utf-8"
        )

    def __call__(self, *args: str | Path) -> tuple[int, list[str], list[str]]:
        with pytest.raises(SystemExit) as exit_:
            main(["--config", str(self.config), "roster", *map(str, args)])
        out, err = self.capsys.readouterr()
        assert isinstance(exit_.value.code, int)
        return exit_.value.code, out.splitlines(), err.splitlines()


@pytest.fixture
def lianxin(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Lianxin:
    return Lianxin(tmp_path, capsys)


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("户主\n姓名", Field.HEAD_NAME),
        ("户主", Field.HEAD_NAME),
        ("村（社区）", Field.VILLAGE),
        ("行政村", Field.VILLAGE),
        ("村民小组", Field.GROUP),
        ("户主电话：", Field.PHONE),
        ("包联干部", Field.CADRE_NAME),
        ("联户干部2", Field.CADRE_NAME),
        ("职务（二）", Field.RANK),
        ("公民身份号码", Field.ID_CARD),
        ("人口数", None),
        ("户主2", None),  # only cadre columns come in numbered sets
    ],
)
def test_the_header_dictionary_reads_what_offices_write(header: str, field: Field | None) -> None:
    assert header_field(header, HEADERS) == field


def test_the_configuration_extends_the_header_dictionary_and_the_rank_aliases(
    tmp_path: Path,
) -> None:
    path = tmp_path / "c.toml"
    path.write_text(
        '[roster]\ncounty = "和平县"\n[roster.headers]\n"帮扶责任人" = "cadre_name"\n'
        '[roster.ranks]\n"妇联主席" = "village_cadre"\n',
        "utf-8",
    )
    options = load_config(path).roster.options()
    assert header_field("帮扶责任人", options.headers) is Field.CADRE_NAME
    assert options.ranks["妇联主席"] is Rank.VILLAGE_CADRE
    assert options.ranks["村支书"] is Rank.VILLAGE_CADRE  # the built-in ones stay
    assert options.county == "和平县"


def test_a_wrong_configuration_entry_is_one_clear_line(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text(
        '[roster.headers]\n"帮扶人" = "helper"\n[roster.ranks]\n"主席" = "boss"\n', "utf-8"
    )
    with pytest.raises(ConfigError) as error:
        load_config(path)
    assert len(error.value.problems) == 2
    assert '"帮扶人" = "helper": not a column' in error.value.problems[0]
    assert '"主席" = "boss": not a rank' in error.value.problems[1]


@pytest.mark.parametrize(
    ("alias", "rank"),
    [
        ("村支书", Rank.VILLAGE_CADRE),
        ("村主任", Rank.VILLAGE_CADRE),
        ("第一书记", Rank.VILLAGE_CADRE),
        ("驻村工作队员", Rank.VILLAGE_CADRE),
        ("驻村工作队", Rank.VILLAGE_CADRE),
        ("网格长", Rank.GRID_WORKER),
        ("网格员", Rank.GRID_WORKER),
        ("包村干部", Rank.TOWNSHIP_CADRE),
        ("乡镇书记", Rank.TOWNSHIP_SECRETARY),
        ("county_leader", Rank.COUNTY_LEADER),
    ],
)
def test_rank_aliases_map_to_ranks(alias: str, rank: Rank) -> None:
    assert rank_dictionary({})[alias] is rank


def test_merged_cells_apply_to_every_row_they_span(tmp_path: Path) -> None:
    found = read(workbook(tmp_path / "名册.xlsx", rows(), MERGES), SheetOptions())
    assert isinstance(found, SheetFile)
    assert found.sheets == ["名册.xlsx [东坪镇]"]
    assert [(line.row, line.township, line.village, line.group) for line in found.lines] == [
        (3, "东坪镇", "柳树村", "一组"),
        (4, "东坪镇", "柳树村", "一组"),
        (5, "东坪镇", "柳树村", "二组"),
        (6, "东坪镇", "河口村", ""),
        (7, "东坪镇", "河口村", ""),
    ]
    assert all(ID_CARD not in repr(line) for line in found.lines)  # never kept


def test_the_dry_run_shows_what_a_clerk_checks_and_the_import_keeps_no_id_card(
    lianxin: Lianxin, tmp_path: Path
) -> None:
    path = workbook(tmp_path / "名册.xlsx", rows(), MERGES)
    code, out, err = lianxin("import", path, "--dry-run")
    assert (code, err) == (0, [])
    assert out[:5] == [
        "读取的表：名册.xlsx [东坪镇]",
        "东坪镇：村 2 个，农户 5 户，干部 4 名，联系 5 条",
        "抽查 5 行（按读到的内容，编号为导入后的编号；身份证号不保存）：",
        "  名册.xlsx [东坪镇] 第3行：东坪镇/柳树村/一组 王秀英（H000001），电话 13987120001；"
        "1. 陈志强（K00001，村干部）",
        "  名册.xlsx [东坪镇] 第4行：东坪镇/柳树村/一组 李大山（H000002），电话 —；"
        "1. 陈志强（K00001，村干部）",
    ]
    assert "农户：新增 5，更新 0，未变 0，删除 0" in out
    assert out[-1] == "试运行：以上是将要发生的变化，没有写入任何数据。"
    code, out, _ = lianxin("import", path)
    assert code == 0
    assert "区域：新增 6，更新 0，未变 0，删除 0" in out  # 本县, 东坪镇, 2 villages, 2 groups
    database = (tmp_path / "x.db").read_bytes()
    assert ID_CARD.encode() not in database
    assert ID_CARD[-6:].encode() not in database
    code, out, _ = lianxin("import", path)
    assert "农户：新增 0，更新 0，未变 5，删除 0" in out  # the same ids again


def test_every_problem_of_the_sheet_in_one_pass(lianxin: Lianxin, tmp_path: Path) -> None:
    bad = rows()
    bad[1][6] = "1398712"  # a bad phone …
    bad[1][4] = ""  # … and no head, on the same line
    bad[2][9] = "139"  # a cadre's bad phone
    bad[2][8] = "村妇联主席"  # … and an unknown rank
    bad[4][8] = "村妇联主席"  # the same unknown rank again: one line
    bad.append([6, None, None, "", "钱七", "", "", "", "网格员", ""])  # a rank, no cadre
    path = workbook(tmp_path / "名册.xlsx", bad, ("B3:B8", "C3:C5", "C6:C7"))
    lianxin.use("en")
    code, out, err = lianxin("import", path)
    assert (code, out) == (1, [])
    where = "名册.xlsx [东坪镇]"
    assert err == [
        f'{where} row 4, 联系电话: bad phone number "1398712" (11-digit mobile, or a landline '
        "like 0871-1234567)",
        f"{where} row 4, 户主姓名: must not be empty",  # the header as one line
        f'{where} row 5, 干部电话: bad phone number "139" (11-digit mobile, or a landline like '
        "0871-1234567)",
        f'{where} row 5, 职务: unknown rank "村妇联主席" (1 more row(s) with it); write 村支书, '
        "村主任, 第一书记, 驻村工作队员, 网格员, 包村干部, 乡镇干部, 县级领导 …, or add it under "
        '[roster.ranks] in the configuration, e.g. "村妇联主席" = "village_cadre"',
        f"{where} row 8, 村委会: must not be empty",
        f"{where} row 8, 联户干部: must not be empty",
        "6 problem(s) in the roster; nothing was imported.",
    ]


def test_a_workbook_that_is_neither_format_says_both(lianxin: Lianxin, tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["姓名", "年龄"])
    book.save(tmp_path / "其他.xlsx")
    lianxin.use("en")
    code, _, err = lianxin("import", tmp_path / "其他.xlsx")
    assert code == 1
    assert err[0] == '其他.xlsx: the sheet "regions" (or "区域") is missing'
    assert err[4].startswith("其他.xlsx: nor a one-sheet roster: no row among the first 30")


def test_a_single_csv_roster_reads_too(lianxin: Lianxin, tmp_path: Path) -> None:
    path = tmp_path / "名册.csv"
    with path.open("w", encoding="gb18030", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["东坪镇干部联户名册"])
        writer.writerow(HEADER)
        for row in rows():
            writer.writerow(["" if v is None else v for v in row])
    code, out_lines, err = lianxin("import", path)
    assert err[:1] == ["名册.csv 第4行 乡镇: 不能为空"]  # no merged cells in a CSV: say so
    assert code == 1
    fixed = rows()
    for row in fixed:
        row[1] = "东坪镇"
    fixed[1][2] = fixed[2][2] = "柳树村"
    fixed[4][2] = "河口村"
    with path.open("w", encoding="gb18030", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        writer.writerows(fixed)
    code, out_lines, err = lianxin("import", path)
    assert (code, err) == (0, [])
    assert "农户：新增 5，更新 0，未变 0，删除 0" in out_lines


def test_a_two_row_header_under_a_merged_cadre_column_reads(tmp_path: Path) -> None:
    """联户干部 merged over 姓名|职务|电话, the other headers merged down both rows."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["西河乡干部联户名册"])
    sheet.append(["村", "户主姓名", "联系电话", "联户干部", None, None, "人口数"])
    sheet.append([None, None, None, "姓名", "职务", "电话", None])
    sheet.append(["河口村", "刘福", "13987120009", "周平", "驻村工作队", "13908710009", "低保"])
    for merge in ("A1:G1", "A2:A3", "B2:B3", "C2:C3", "D2:F2", "G2:G3"):
        sheet.merge_cells(merge)
    book.save(tmp_path / "西河.xlsx")
    found = read(tmp_path / "西河.xlsx", SheetOptions())
    assert isinstance(found, SheetFile)
    (line,) = found.lines
    assert (line.row, line.village, line.head_name, line.phone) == (
        4,
        "河口村",
        "刘福",
        "13987120009",
    )
    ((cadre),) = line.cadres
    assert (cadre.name, cadre.rank, cadre.phone) == ("周平", "驻村工作队", "13908710009")
    assert cadre.columns[Field.RANK] == "联户干部职务"
    assert found.ignored == ["人口数"]


def test_a_renamed_township_keeps_its_villages_and_households(
    lianxin: Lianxin, tmp_path: Path
) -> None:
    lianxin("import", workbook(tmp_path / "名册.xlsx", rows(), MERGES))
    renamed = rows()
    renamed[0][1] = "东坪街道"
    code, out, _ = lianxin("import", workbook(tmp_path / "名册2.xlsx", renamed, MERGES))
    assert code == 0
    assert out[:4] == [
        "区域：新增 1，更新 2，未变 3，删除 0",  # 东坪街道; its two villages moved under it
        "区域：数据库中有 1 条不在名册里，已保留（加 --prune 可删除）",  # 东坪镇
        "干部：新增 0，更新 1，未变 3，删除 0",  # the 包村干部 sits in the township
        "农户：新增 0，更新 0，未变 5，删除 0",
    ]
