"""Which database the configuration names: SQLite's file (the default) or PostgreSQL."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import psycopg

from storage.db import Database
from storage.pg import PgDatabase


class Unreachable(Exception):
    """The PostgreSQL server cannot be used; the message is one line, with no password."""


def password_of(url: str) -> str:
    """The password in ``url`` (empty if none), for the log's redaction list."""
    try:
        return urlsplit(url).password or ""
    except ValueError:
        return ""


def redact(url: str) -> str:
    """``url`` with its password replaced by ``***``, fit for a log or an error."""
    secret = password_of(url)
    shown = url.replace(f":{secret}@", ":***@") if secret else url
    return re.sub(r"(password=)\S+", r"\1***", shown)


def describe(path: Path, url: str = "", schema: str = "public") -> str:
    """The database as messages name it."""
    if not url:
        return str(path)
    return redact(url) if schema == "public" else f"{redact(url)} (schema {schema})"


async def open_database(
    path: Path, url: str = "", schema: str = "public", *, create: bool = True
) -> Database:
    """Open SQLite's ``path``, or PostgreSQL's ``url`` when one is given (its ``schema``
    created if missing, unless not ``create``)."""
    if not url:
        return await Database.open(path)
    try:
        return await PgDatabase.connect(url, schema, create=create)
    except psycopg.Error as problem:
        raise Unreachable(_one_line(problem, url)) from None


def _one_line(problem: psycopg.Error, url: str) -> str:
    lines = [line.strip() for line in str(problem).splitlines() if line.strip()]
    # "… failed: Connection refused" then "Is the server running …?": both, on one line.
    text = "; ".join(lines[-2:]) if lines else type(problem).__name__
    for line in lines:
        if "FATAL:" in line:
            text = line.split("FATAL:", 1)[1].strip()
            break
    secret = password_of(url)
    if secret:
        text = text.replace(secret, "***")
    return f"cannot use the PostgreSQL database {redact(url)}: {text}"
