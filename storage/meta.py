"""Small named values the program keeps between runs (e.g. the command menu last set)."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import psycopg

from storage import backend
from storage.db import Tx

BOT_USERNAME = "bot_username"  # from getMe at the last start: for printing cards offline
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


async def remembered(path: Path, key: str, url: str = "", schema: str = "public") -> str | None:
    """``key``'s value in the database at ``path`` (or PostgreSQL's ``url``), read without
    migrating; None when there is no database, no such value, or the file cannot be read.
    A PostgreSQL server that cannot be reached raises ``backend.Unreachable``."""
    if not url and not await asyncio.to_thread(path.exists):
        return None
    try:
        db = await backend.open_database(path, url, schema)
    except sqlite3.Error:
        return None
    try:
        async with db.read() as tx:
            return await get(tx, key)
    except (sqlite3.Error, psycopg.Error):  # no meta table yet (an old schema), a damaged file
        return None
    finally:
        await db.close()
