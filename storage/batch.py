"""A list of values as one statement's parameters, the same way on SQLite and PostgreSQL.

SQLite's ``json_each(?)`` has no PostgreSQL twin under that name, and a statement built
for each list's length would be a new statement each time (and SQL made of strings). So
a statement that takes a list says ``IN (`` ``MARKS`` ``)``: ``SIZE`` placeholders, filled
by ``padded`` with the values and then NULLs, which ``IN`` never matches. A longer list
goes in chunks of ``SIZE`` (``chunks``). The statement stays one module-level constant.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TypeVar

T = TypeVar("T")

SIZE = 500
MARKS = ", ".join(["?"] * SIZE)


def padded(values: Sequence[T]) -> list[T | None]:
    """``values`` (at most ``SIZE``) as the parameters of ``MARKS``."""
    if len(values) > SIZE:
        raise ValueError(f"{len(values)} values for {SIZE} placeholders; use chunks()")
    return [*values, *[None] * (SIZE - len(values))]


def chunks(values: Sequence[T]) -> Iterator[list[T | None]]:
    """``values`` as the parameters of ``MARKS``, ``SIZE`` at a time (none for none)."""
    for start in range(0, len(values), SIZE):
        yield padded(values[start : start + SIZE])
