"""Small named values the program keeps between runs (e.g. the command menu last set)."""

from __future__ import annotations

from storage.db import Tx

SELECT_VALUE = "SELECT value FROM meta WHERE key = ?"
UPSERT_VALUE = """
INSERT INTO meta (key, value) VALUES (?, ?)
ON CONFLICT (key) DO UPDATE SET value = excluded.value
"""


async def get(tx: Tx, key: str) -> str | None:
    value = await tx.scalar(SELECT_VALUE, (key,))
    return None if value is None else str(value)


async def put(tx: Tx, key: str, value: str) -> None:
    await tx.execute(UPSERT_VALUE, (key, value))
