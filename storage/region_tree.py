"""The region tree, stored once: the closure table ``region_tree`` (migration 0012).

Every region has one row per region at or above it (``ancestor_id``, with ``depth`` 0 for
itself, and that ancestor's ``ancestor_level``, so a region's village or township is one
look-up). So a supervisor's jurisdiction, the subtree of the region they supervise, is
the one join ``CROSS JOIN region_tree t`` with ``t.ancestor_id = :region AND t.region_id =
<the row's region>`` in the WHERE clause (a primary-key look-up per row; PostgreSQL takes
no ON after CROSS JOIN, and SQLite keeps the join order either way), the same query for a
village, a township or the whole county (its root region); no query walks the parent
links itself.
(``h.region_id IN (SELECT region_id FROM region_tree ...)`` reads the same, but SQLite
may then scan the list once per row: join.)

The table is derived from ``regions`` (parent links and levels): whoever writes regions
rebuilds it in the same transaction (the roster import does; so do tests and benchmarks that insert
regions by hand). A county has a few thousand regions, so a rebuild is milliseconds.
"""

from __future__ import annotations

from storage.db import Tx

DELETE_TREE = "DELETE FROM region_tree"
# Capped at depth 32, so a cyclic tree (the roster check refuses one) cannot loop forever;
# a pair met twice keeps its shortest depth. The same statement as migration 0012's.
INSERT_TREE = """
INSERT INTO region_tree (ancestor_id, region_id, depth, ancestor_level)
WITH RECURSIVE tree (ancestor_id, ancestor_level, region_id, depth) AS (
    SELECT id, level, id, 0 FROM regions
    UNION ALL
    SELECT t.ancestor_id, t.ancestor_level, r.id, t.depth + 1
    FROM tree t JOIN regions r ON r.parent_id = t.region_id
    WHERE t.depth < 32
)
SELECT ancestor_id, region_id, min(depth), ancestor_level FROM tree
GROUP BY ancestor_id, region_id, ancestor_level
"""
SELECT_SUBTREE = """
SELECT region_id FROM region_tree WHERE ancestor_id = ? ORDER BY depth, region_id
"""
SELECT_PAIRS = "SELECT ancestor_id, region_id, depth FROM region_tree"


async def rebuild(tx: Tx) -> None:
    """Make ``region_tree`` match the parent links of ``regions`` as they are now."""
    await tx.execute(DELETE_TREE)
    await tx.execute(INSERT_TREE)


async def subtree(tx: Tx, region_id: str) -> list[str]:
    """``region_id`` and every region below it (nearest first): a supervisor's
    jurisdiction; empty for an unknown region."""
    return [row[0] for row in await tx.fetchall(SELECT_SUBTREE, (region_id,))]


async def pairs(tx: Tx) -> set[tuple[str, str, int]]:
    """Every (ancestor, region, depth) stored: for checks."""
    return {(r[0], r[1], r[2]) for r in await tx.fetchall(SELECT_PAIRS)}
