"""Reading a county's one-sheet 花名册: title rows, merged cells, any column order.

The header row is found, not assumed: the first of the top rows that names both a
village and a household head (after a merged title such as 东坪镇干部联户名册). A merged
cell (a village written once beside its forty households) applies to every row it
spans; openpyxl's streaming reader does not expose merged ranges, so they are read from
the sheet's XML (``<mergeCell ref="B4:B43"/>``) in one streaming pass. Columns the
header dictionary does not know are left aside and named in the dry run's summary.
"""

from __future__ import annotations

import csv
import io
import itertools
import posixpath
import zipfile
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
from openpyxl.utils.cell import range_boundaries
from openpyxl.xml.functions import iterparse

from bot.cells import unquote
from bot.domain.roster_check import Problem
from bot.domain.roster_sheet import (
    CADRE_FIELDS,
    Field,
    SheetCadre,
    SheetLine,
    header_field,
    normalise_header,
)
from bot.roster_io.sources import RosterFileError, cell_text, decode_text, first_line

HEADER_SEARCH = 30  # rows looked at for the header: titles and notes above it
_RELATIONSHIP = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_RID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_LINE_FIELDS = (Field.HEAD_NAME, Field.PHONE, Field.ID_CARD, Field.HOUSEHOLD_ID)


@dataclass(frozen=True)
class SheetFile:
    """The lines of every 花名册 sheet of a workbook, and what was seen reading them."""

    lines: list[SheetLine]
    problems: list[Problem] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)  # headers left aside: 备注, 人口数 …
    sheets: list[str] = field(default_factory=list)  # "花名册.xlsx [东坪镇]" (header row 3)


@dataclass(frozen=True)
class _Columns:
    """Which cell holds what: household fields by position, and the cadre sets."""

    household: dict[Field, int]
    cadres: list[dict[Field, int]]
    headers: dict[int, str]
    ignored: list[str]
    problems: list[Problem]


def read_file(path: Path, headers: Mapping[str, Field]) -> SheetFile | None:
    """The 花名册 sheets of the workbook at ``path`` (or the one CSV file), or None if no
    sheet has a header the dictionary recognises (then it is no 花名册)."""
    found = SheetFile([])
    if path.suffix.lower() == ".csv":
        _read_sheet(path.name, _csv_rows(path), headers, found)
    else:
        try:
            _read_workbook(path, headers, found)
        except Exception as error:  # whatever openpyxl's parsers meet in a damaged file
            params = {"error": first_line(error)}
            raise RosterFileError([Problem(str(path), None, None, "damaged", params)]) from None
    return found if found.sheets else None


def _read_workbook(path: Path, headers: Mapping[str, Field], found: SheetFile) -> None:
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        merges = _merged_ranges(path)
        for name in book.sheetnames:
            sheet = book[name]
            if sheet.sheet_state != "visible":
                continue
            sheet.reset_dimensions()
            where = f"{path.name} [{name}]"
            rows = _filled(sheet.iter_rows(values_only=True), merges.get(name, []))
            _read_sheet(where, rows, headers, found)
    finally:
        book.close()


def _csv_rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    try:
        data = path.read_bytes()
    except OSError as error:
        problem = Problem(path.name, None, None, "unreadable", {"error": str(error)})
        raise RosterFileError([problem]) from None
    text = decode_text(data, path.name)
    first = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first and "," not in first else ","
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for number, row in enumerate(list(rows), start=1):
            yield number, [unquote(cell.strip()) for cell in row]
    except csv.Error as error:
        problem = Problem(path.name, None, None, "unreadable", {"error": str(error)})
        raise RosterFileError([problem]) from None


def _read_sheet(
    where: str,
    rows: Iterator[tuple[int, list[str]]],
    headers: Mapping[str, Field],
    into: SheetFile,
) -> None:
    for searched, (number, cells) in enumerate(rows, start=1):
        labels = _labels(cells, headers)
        if not _is_header(labels):
            if searched >= HEADER_SEARCH:
                return
            continue
        below = next(rows, None)  # 联户干部 merged over 姓名|职务|电话: a header of two rows
        if below is not None and _sub_header(cells, below[1]):
            labels = _combined(cells, below[1], headers)
        elif below is not None:
            rows = itertools.chain([below], rows)
        columns = _columns(where, number, labels)
        into.sheets.append(where)
        into.problems.extend(columns.problems)
        into.ignored.extend(h for h in columns.ignored if h not in into.ignored)
        into.lines.extend(_lines(where, rows, columns))
        return


Label = tuple[int, str, Field | None]  # position, header as shown (one line), its field


def _labels(cells: Sequence[str], headers: Mapping[str, Field]) -> list[Label]:
    return [
        (p, "".join(text.split()), header_field(text, headers))  # 户主\n姓名 → 户主姓名
        for p, text in enumerate(cells)
        if text
    ]


def _is_header(labels: Sequence[Label]) -> bool:
    fields = {f for _, _, f in labels}
    return Field.VILLAGE in fields and Field.HEAD_NAME in fields


# The second row of a two-row header, under a merged 联户干部 or 户主.
_CADRE_SUB = {
    **dict.fromkeys(("姓名", "名字"), Field.CADRE_NAME),
    **dict.fromkeys(("职务", "职级"), Field.RANK),
    **dict.fromkeys(("电话", "联系电话", "手机", "手机号", "手机号码"), Field.CADRE_PHONE),
    "单位": Field.UNIT,
    "编号": Field.CADRE_ID,
}
_HEAD_SUB = {
    "姓名": Field.HEAD_NAME,
    **dict.fromkeys(("电话", "联系电话", "手机", "手机号", "手机号码"), Field.PHONE),
    **dict.fromkeys(("身份证号", "身份证号码"), Field.ID_CARD),
    "编号": Field.HOUSEHOLD_ID,
}


def _sub_header(top: Sequence[str], cells: Sequence[str]) -> bool:
    """Whether ``cells`` is a header's second row: words such as 姓名, 职务, 电话 under
    the first (besides the texts a merge down both rows repeats)."""
    words = {
        normalise_header(c) for n, c in enumerate(cells) if c and (n >= len(top) or c != top[n])
    }
    return bool(words & _CADRE_SUB.keys()) and words <= (_CADRE_SUB.keys() | _HEAD_SUB.keys())


def _combined(top: Sequence[str], sub: Sequence[str], headers: Mapping[str, Field]) -> list[Label]:
    """One header from two rows: 联户干部 over 职务 is the rank; a column merged down both
    rows is its top text."""
    labels = []
    for position in range(max(len(top), len(sub))):
        upper = top[position] if position < len(top) else ""
        lower = sub[position] if position < len(sub) else ""
        if not lower or lower == upper:
            if upper:
                labels.append((position, "".join(upper.split()), header_field(upper, headers)))
            continue
        group = header_field(upper, headers) if upper else None
        word = normalise_header(lower)
        found = (
            _CADRE_SUB.get(word) if group in CADRE_FIELDS
            else _HEAD_SUB.get(word) if group is Field.HEAD_NAME
            else header_field(lower, headers)
        )  # fmt: skip
        labels.append((position, "".join(f"{upper}{lower}".split()), found))
    return labels


def _columns(where: str, row: int, named: Sequence[Label]) -> _Columns:
    """Which cell holds what, from the header's labels, and the header's problems."""
    household: dict[Field, int] = {}
    sets: dict[int, dict[Field, int]] = {}
    seen: Counter[Field] = Counter()
    problems, ignored = [], []
    for position, text, found in named:
        if found is None:
            ignored.append(text)
        elif found in CADRE_FIELDS:
            seen[found] += 1
            number = _set_number(text) or seen[found]
            sets.setdefault(number, {})[found] = position
        elif found in (Field.NUMBER, Field.IGNORE):
            continue
        elif found in household:
            problems.append(Problem(where, row, text, "column_twice"))
        else:
            household[found] = position
    cadres = [sets[n] for n in sorted(sets)]
    for number, columns in enumerate(cadres, start=1):
        if Field.CADRE_NAME not in columns:
            params = {"column": Field.CADRE_NAME.value, "chinese": "联户干部", "set": number}
            problems.append(Problem(where, row, None, "missing_column", params))
    headers_at = {p: text for p, text, _ in named}
    return _Columns(household, cadres, headers_at, ignored, problems)


def _set_number(text: str) -> int | None:
    """2 for 联户干部2 or 联户干部（二）: the set a numbered cadre column belongs to."""
    label = normalise_header(text).rstrip(")")
    tail = label[-1:] if label else ""
    if tail.isdigit():
        return int(tail)
    return "一二三四五六七八九".find(tail) + 1 or None


def _lines(
    where: str, rows: Iterator[tuple[int, list[str]]], columns: _Columns
) -> Iterator[SheetLine]:
    household = columns.household
    named = {f: columns.headers[p] for f, p in household.items()}
    cadre_names = [{f: columns.headers[p] for f, p in c.items()} for c in columns.cadres]
    for number, cells in rows:
        if _note(cells):
            continue

        def cell(f: Field, at: Mapping[Field, int], cells: list[str] = cells) -> str:
            position = at.get(f)
            return cells[position] if position is not None and position < len(cells) else ""

        cadres = tuple(
            SheetCadre(
                cell(Field.CADRE_ID, c),
                cell(Field.CADRE_NAME, c),
                cell(Field.RANK, c),
                cell(Field.CADRE_PHONE, c),
                cell(Field.UNIT, c),
                cadre_names[n],
            )
            for n, c in enumerate(columns.cadres)
        )
        if not _has_line(cells, household) and not any(c.name or c.phone for c in cadres):
            continue  # a note below the table, under 序号 or 备注
        yield SheetLine(
            where,
            number,
            cell(Field.TOWNSHIP, household),
            cell(Field.VILLAGE, household),
            cell(Field.GROUP, household),
            cell(Field.HOUSEHOLD_ID, household),
            cell(Field.HEAD_NAME, household),
            cell(Field.PHONE, household),
            cell(Field.ADDRESS, household),
            cadres,
            named,
        )  # the ID card's cell is read past, never kept


_NOTE_STARTS = ("合计", "小计", "总计", "注", "说明", "备注")


def _note(cells: Sequence[str]) -> bool:
    """An empty row, or a note below the table (制表人：… 审核人：…, 合计), in whatever
    column it was typed or merged across: one value, with a colon or such a start."""
    values = {c for c in cells if c}
    if not values:
        return True
    if len(values) > 1:
        return False
    value = values.pop()
    return ":" in value or "：" in value or value.startswith(_NOTE_STARTS)


def _has_line(cells: Sequence[str], household: Mapping[Field, int]) -> bool:
    return any(
        household[f] < len(cells) and cells[household[f]] for f in _LINE_FIELDS if f in household
    )


# --- merged cells ------------------------------------------------------------------------
Range = tuple[int, int, int, int]  # min_col, min_row, max_col, max_row (1-based)


def _filled(
    rows: Iterator[tuple[object, ...]], merges: Sequence[Range]
) -> Iterator[tuple[int, list[str]]]:
    """Rows as text, numbered as Excel shows them, each merged range's value in every
    cell it spans (openpyxl gives it only to the top-left cell)."""
    starting: dict[int, list[Range]] = {}
    for merge in merges:
        starting.setdefault(merge[1], []).append(merge)
    active: list[tuple[Range, str]] = []
    for number, values in enumerate(rows, start=1):
        cells = [cell_text(v) for v in values]
        active = [(m, text) for m, text in active if m[3] >= number]
        for merge in starting.get(number, ()):
            top_left = merge[0] - 1
            active.append((merge, cells[top_left] if top_left < len(cells) else ""))
        for (min_col, _, max_col, _), text in active:
            if len(cells) < max_col:
                cells.extend([""] * (max_col - len(cells)))
            for column in range(min_col - 1, max_col):
                cells[column] = text
        yield number, cells


def _merged_ranges(path: Path) -> dict[str, list[Range]]:
    """Each sheet's merged ranges, by sheet name, read from the workbook's XML."""
    with zipfile.ZipFile(path) as book:
        names = set(book.namelist())
        targets = {
            element.get("Id"): element.get("Target", "")
            for element in _elements(book, "xl/_rels/workbook.xml.rels", _RELATIONSHIP)
        }
        found: dict[str, list[Range]] = {}
        for sheet in _elements(book, "xl/workbook.xml", f"{_MAIN}sheet"):
            target = targets.get(sheet.get(_RID), "")
            part = target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
            part = posixpath.normpath(part)
            if part not in names:
                continue
            refs = (m.get("ref", "") for m in _elements(book, part, f"{_MAIN}mergeCell"))
            found[sheet.get("name", "")] = [_bounds(ref) for ref in refs if ":" in ref]
    return found


def _bounds(ref: str) -> Range:
    min_col, min_row, max_col, max_row = range_boundaries(ref)
    return (min_col or 1, min_row or 1, max_col or 1, max_row or 1)


def _elements(book: zipfile.ZipFile, part: str, tag: str) -> Iterator[dict[str, str]]:
    """The attributes of every ``tag`` element of ``part``, streamed (a sheet's cells are
    cleared as they pass, so a large sheet costs no memory)."""
    if part not in book.namelist():
        return
    with book.open(part) as source:
        for _, element in iterparse(source):
            if element.tag == tag:
                yield dict(element.attrib)
            element.clear()
