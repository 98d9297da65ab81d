"""A county's one-sheet 花名册 as offices make it, for tests and the benchmark.

A merged title row and a note above the header, Chinese headers in a shuffled order,
the township and village written once in merged cells beside their households, groups
as 一组 … 四组, an ID card number per head, and two sets of cadre columns (联户干部1:
a village cadre; 联户干部2: the township's 包村干部), 职务 written as offices write it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from pathlib import Path

import openpyxl
from openpyxl.worksheet.worksheet import Worksheet

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "秀英桂兰建国明华志强丽娟玉梅德福海军春生金花国庆永红小平"
GROUPS = ("一组", "二组", "三组", "四组")
VILLAGE_RANKS = ("村支书", "村主任", "第一书记", "网格长", "驻村工作队员")
HOUSEHOLD_COLUMNS = ("序号", "乡镇", "村委会", "村民小组", "户主姓名", "身份证号", "联系电话")
CADRE_COLUMNS = ("联户干部{n}", "职务{n}", "干部电话{n}")


@dataclass(frozen=True)
class Cadre:
    name: str
    rank: str
    phone: str


@dataclass(frozen=True)
class Line:
    township: str
    village: str
    group: str
    head: str
    id_card: str
    phone: str
    cadres: tuple[Cadre, ...] = field(default=())


def county(townships: int = 3, villages: int = 10, households: int = 100) -> list[Line]:
    """``townships`` × ``villages`` × ``households`` lines, township by township."""
    lines = []
    phone = iter(range(13900000000, 13999999999))
    for t in range(townships):
        township = f"第{t + 1}镇"
        baocun = Cadre(f"包村{t}", "包村干部", "")
        for v in range(villages):
            village = f"{township}{v + 1}村"
            cadres = [
                Cadre(f"{SURNAMES[(t * 7 + v + c) % 20]}村干{t}{v}{c}", rank, str(next(phone)))
                for c, rank in enumerate(VILLAGE_RANKS)
            ]
            tier2 = replace(baocun, name=f"包村{t}{v % 3}", phone=f"1370{t}{v % 3}00000")
            for h in range(households):
                head = f"{SURNAMES[h % 20]}{GIVEN[h // 20 % 28]}{GIVEN[(h + v) % 28]}"
                lines.append(
                    Line(
                        township,
                        village,
                        GROUPS[h * len(GROUPS) // households],
                        head,
                        f"530102{1950 + h % 50}0101{h % 1000:03}X",
                        f"158{t}{v:02}{h:05}",
                        (cadres[h % len(cadres)], tier2),
                    )
                )
    return lines


TITLE = "和平县干部联户名册"


def write(path: Path, lines: list[Line], *, seed: int = 13, title: str = TITLE) -> None:
    """The sheet: title and note rows, a shuffled header, merged township, village and
    group cells (each written once, on its first row)."""
    sets = max((len(line.cadres) for line in lines), default=1)
    cadre_columns = [c.format(n=n + 1) for n in range(sets) for c in CADRE_COLUMNS]
    columns = [*HOUSEHOLD_COLUMNS, *cadre_columns]
    order = columns[:]
    random.Random(seed).shuffle(order)
    position = {name: order.index(name) + 1 for name in columns}
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "联户名册"
    sheet.cell(1, 1, title)
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(order))
    sheet.cell(2, 1, "填报单位：（盖章）")
    for name, column in position.items():
        sheet.cell(3, column, name)
    first = 4
    for n, line in enumerate(lines):
        row = first + n
        values: dict[str, str | int] = {
            "序号": n + 1,
            "乡镇": line.township,
            "村委会": line.village,
            "村民小组": line.group,
            "户主姓名": line.head,
            "身份证号": line.id_card,
            "联系电话": int(line.phone),  # Excel keeps phones as numbers
        }
        for s, cadre in enumerate(line.cadres, start=1):
            values[f"联户干部{s}"] = cadre.name
            values[f"职务{s}"] = cadre.rank
            values[f"干部电话{s}"] = cadre.phone
        for name, value in values.items():
            sheet.cell(row, position[name], value)
    for name, key in (("乡镇", _township), ("村委会", _village), ("村民小组", _group)):
        _merge_runs(sheet, position[name], first, [key(line) for line in lines])
    sheet.cell(first + len(lines) + 1, 1, "制表人：张三    审核人：李四")
    book.save(path)


def _township(line: Line) -> tuple[str, ...]:
    return (line.township,)


def _village(line: Line) -> tuple[str, ...]:
    return (line.township, line.village)


def _group(line: Line) -> tuple[str, ...]:
    return (line.township, line.village, line.group)


def _merge_runs(sheet: Worksheet, column: int, first: int, keys: list[tuple[str, ...]]) -> None:
    """Merge each run of equal keys in ``column``, leaving the value on its first row only
    (as Excel does when cells are merged)."""
    start = 0
    for n in range(1, len(keys) + 1):
        if n == len(keys) or keys[n] != keys[start]:
            if n - start > 1:
                top, bottom = first + start, first + n - 1
                sheet.merge_cells(
                    start_row=top, start_column=column, end_row=bottom, end_column=column
                )
            start = n
