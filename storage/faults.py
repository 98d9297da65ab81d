"""Database faults the bot cannot work around: it stops with one clear line instead.

A full disk, a read-only file or a damaged database does not get better by retrying
every second, and a bot that keeps running on it either resends what it cannot mark
sent or hangs. Storage errors are classified here, the only place that knows SQLite's
messages (and PostgreSQL's error classes), so the edge can tell "stop now" from "try
again".
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import psycopg

_HEADER = b"SQLite format 3\x00"
_HEADER_SIZE = 100

# SQLite's messages for a database it cannot write at all (not "busy": that passes).
_UNWRITABLE = (
    "database or disk is full",
    "attempt to write a readonly database",
    "disk i/o error",
    "unable to open database file",
)
_DAMAGED = ("file is not a database", "database disk image is malformed")


class DatabaseFault(Exception):
    """The database cannot be used: one line for the operator says why and what to do."""


def fault_of(error: BaseException) -> DatabaseFault | None:
    """The fault behind ``error`` if it means the database is unusable, else None."""
    if isinstance(error, DatabaseFault):
        return error
    if isinstance(error, psycopg.Error):
        return _postgres_fault(error)
    if not isinstance(error, sqlite3.DatabaseError):
        return None
    message = str(error).lower()
    if any(m in message for m in _DAMAGED):
        return DatabaseFault(f"the database is damaged ({error}); restore it from a backup")
    if any(m in message for m in _UNWRITABLE):
        return DatabaseFault(
            f"the database cannot be written ({error}); free disk space or fix its permissions"
        )
    return None


def _postgres_fault(error: psycopg.Error) -> DatabaseFault | None:
    """A server that is gone (storage/pg.py already tried a new connection at BEGIN) or
    cannot write: the bot stops with one line, and systemd starts it again, which waits
    for the server with one line a try instead of a traceback a second."""
    first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    state = error.sqlstate or ""
    if state.startswith("53"):  # insufficient resources: disk full, out of memory
        return DatabaseFault(f"the PostgreSQL server cannot write ({first}); free disk space")
    if state == "25006":
        return DatabaseFault(f"the PostgreSQL server is read-only ({first}); a standby?")
    # No state: the client lost the connection; 08: connection exception; 57P: the server
    # shut down or is starting. A deadlock (40P01) or a cancelled statement is not a fault.
    gone = not state or state.startswith(("08", "57P"))
    if isinstance(error, psycopg.OperationalError) and gone:
        return DatabaseFault(f"the PostgreSQL server cannot be reached ({first})")
    return None


def check_file(path: Path) -> None:
    """Refuse a file that is not a whole SQLite database (random bytes, cut short).

    Cheap (the 100-byte header and the file's size), so it runs at every start; SQLite
    itself would only notice a cut-off file when a query reaches the missing pages.
    """
    try:
        size = path.stat().st_size
        if size == 0:
            return  # a new database
        with path.open("rb") as file:
            header = file.read(_HEADER_SIZE)
    except FileNotFoundError:
        return
    except OSError as problem:
        raise DatabaseFault(f"cannot be read ({problem})") from None
    if len(header) < _HEADER_SIZE or not header.startswith(_HEADER):
        raise DatabaseFault("not a SQLite database; restore it from a backup")
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    counter_valid = header[24:28] == header[92:96]
    # A write-ahead log (or a hot journal) beside the file holds pages a checkpoint had not
    # yet copied in when the process died: SQLite replays it, so the file may be shorter
    # than its header says without anything being lost (seen after SIGKILL mid-checkpoint).
    if _has_pending_log(path):
        return
    if counter_valid and pages and size < pages * page_size:
        raise DatabaseFault(
            f"the database file is cut short ({size} bytes of {pages * page_size}); "
            "restore it from a backup"
        )


def _has_pending_log(path: Path) -> bool:
    for suffix in ("-wal", "-journal"):
        try:
            if Path(f"{path}{suffix}").stat().st_size > 0:
                return True
        except FileNotFoundError:
            continue
    return False
