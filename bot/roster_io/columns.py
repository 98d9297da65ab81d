"""The tables of a roster file (four, and the optional ``departments``): their names and
columns, in English and in Chinese.

Counties keep their rosters in Chinese Excel, so a sheet called 农户 with a column 户主姓名
must read the same as ``households`` with ``head_name``. Exports write the English names.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.domain.roster_check import Problem


@dataclass(frozen=True)
class Column:
    name: str
    chinese: str
    required: bool = True


@dataclass(frozen=True)
class Table:
    name: str
    chinese: str
    columns: tuple[Column, ...]
    optional: bool = False  # a file without it still reads (older rosters)

    def aliases(self) -> dict[str, str]:
        """Header text (lower-cased, trimmed) to column name."""
        found = {c.name: c.name for c in self.columns}
        found.update({c.chinese.lower(): c.name for c in self.columns})
        return found


TABLES = (
    Table(
        "regions",
        "区域",
        (
            Column("id", "编号"),
            Column("name", "名称"),
            Column("level", "层级"),
            Column("parent_id", "上级编号", required=False),
            Column("discipline_contact", "纪检联络人", required=False),
            Column("lat", "纬度", required=False),
            Column("lon", "经度", required=False),
            Column("radius_m", "半径米", required=False),
            Column("hotline", "服务热线", required=False),
        ),
    ),
    Table(
        "cadres",
        "干部",
        (
            Column("id", "编号"),
            Column("name", "姓名"),
            Column("rank", "职级"),
            Column("unit", "单位", required=False),
            Column("phone", "电话"),
            Column("region_id", "区域编号"),
            Column("backup_id", "AB岗编号", required=False),
            Column("supervises", "督办区域", required=False),
        ),
    ),
    Table(
        "households",
        "农户",
        (
            Column("id", "编号"),
            Column("head_name", "户主姓名"),
            Column("region_id", "区域编号"),
            Column("address", "地址", required=False),
            Column("phone", "电话", required=False),
        ),
    ),
    Table(
        "links",
        "联系",
        (Column("household_id", "户编号"), Column("cadre_id", "干部编号"), Column("tier", "层次")),
    ),
    Table(
        "departments",
        "部门",
        (
            Column("id", "编号"),
            Column("name", "名称"),
            Column("region_id", "服务区域"),
            Column("contact_id", "联系干部编号"),
        ),
        optional=True,
    ),
)
TABLE = {table.name: table for table in TABLES}


def header_index(
    table: Table, header: Sequence[str], where: str, row: int
) -> tuple[dict[str, int], list[Problem]]:
    """Which cell of a row holds which column, and every header problem at once."""
    aliases = table.aliases()
    index: dict[str, int] = {}
    problems = []
    for position, text in enumerate(header):
        label = text.strip()
        if not label:
            continue
        name = aliases.get(label.lower())
        if name is None:
            problems.append(Problem(where, row, label, "unknown_column"))
        elif name in index:
            problems.append(Problem(where, row, label, "column_twice"))
        else:
            index[name] = position
    for column in table.columns:
        if column.required and column.name not in index:
            params = {"column": column.name, "chinese": column.chinese}
            problems.append(Problem(where, row, None, "missing_column", params))
    return index, problems
