"""Spreadsheet cells a clerk can open safely: text that Excel must never take for a formula.

A roster name such as ``=HYPERLINK(...)`` or ``@SUM(...)`` (or a DDE payload) would run
when the export is opened. In a workbook every text cell is written as text; a CSV
cannot say "text", so a text cell that begins with ``= + - @``, a tab or a carriage
return gets a leading apostrophe, as OWASP advises. A cell that is a plain number
(``-5``, ``+8613812345678``) is left as it is: Excel reads it as a number, never as a
formula, and the apostrophe would only corrupt it. Reading a CSV roster back removes
the apostrophe again (``unquote``), so export, edit and re-import keep every name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")


def csv_cell(value: object) -> object:
    """``value`` as a CSV cell that no spreadsheet runs: text starting like a formula
    gets a leading ``'``; numbers and other text are unchanged."""
    if (
        isinstance(value, str)
        and value.startswith(FORMULA_STARTS)
        and not _PLAIN_NUMBER.fullmatch(value)
    ):
        return "'" + value
    return value


def csv_rows(rows: Iterable[Sequence[object]]) -> Iterable[list[object]]:
    """Every cell of ``rows`` through :func:`csv_cell`, for ``csv.writer.writerows``."""
    return ([csv_cell(value) for value in row] for row in rows)


def unquote(text: str) -> str:
    """A CSV cell as it was before :func:`csv_cell`: ``'=x`` is ``=x`` again; any other
    text (a name that merely starts with an apostrophe) is unchanged."""
    if text.startswith("'") and text[1:].startswith(FORMULA_STARTS):
        return text[1:]
    return text
