"""``group_concat`` as the statistics read it, the same on both engines (on PostgreSQL an
aggregate of pg/compat.sql): values joined by commas in the order given, NULLs skipped,
and NULL when there is no value at all (``storage.stats`` reads that as no durations)."""

from __future__ import annotations

from storage.db import Database

JOINED = """
SELECT group_concat(column1) FROM (VALUES (3), (NULL), (1), (2)) AS v
"""
ONLY_NULLS = "SELECT group_concat(column1) FROM (VALUES (NULL), (NULL)) AS v"
NONE = "SELECT group_concat(column1) FROM (VALUES (1)) AS v WHERE 1 = 0"
NAMES = "SELECT group_concat(column1, '、') FROM (VALUES ('张三'), (NULL), ('李四')) AS v"
MANY = "SELECT group_concat(column1) FROM (VALUES {}) AS v"


async def test_group_concat_skips_nulls_and_gives_null_for_none(db: Database) -> None:
    async with db.read() as tx:
        joined = await tx.fetchone(JOINED)
        only_nulls = await tx.fetchone(ONLY_NULLS)
        none = await tx.fetchone(NONE)
        names = await tx.fetchone(NAMES)
    assert joined is not None
    assert sorted(joined[0].split(",")) == ["1", "2", "3"]
    assert only_nulls is not None
    assert only_nulls[0] is None
    assert none is not None
    assert none[0] is None
    assert names is not None
    assert names[0] == "张三、李四"


async def test_group_concat_of_a_months_durations_keeps_every_value(db: Database) -> None:
    values = [n * 1_000_003 for n in range(5_000)]
    statement = MANY.format(", ".join(f"({v})" for v in values))
    async with db.read() as tx:
        found = await tx.fetchone(statement)
    assert found is not None
    assert sorted(int(v) for v in found[0].split(",")) == values
