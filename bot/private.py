"""Files and folders only their owner may read: the roster, reports, cards, backups.

They hold names, phones and addresses. ``lianxin`` sets ``umask 077`` for everything it
creates; these helpers say so again where a file is written, so the mode holds however
the code is called (a test, the demo, another program importing it), and they tighten
a file that already existed with looser permissions.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import IO

FILE_MODE = 0o600
FOLDER_MODE = 0o700
UMASK = 0o077


def folder(path: Path) -> None:
    """``path`` and its missing parents, created 0700 (existing folders are left as they
    are: an administrator chose them)."""
    missing = []
    while not path.exists():
        missing.append(path)
        path = path.parent
    for created in reversed(missing):  # mkdir -p would create the parents 0755
        created.mkdir(mode=FOLDER_MODE, exist_ok=True)


def _opener(path: str, flags: int) -> int:
    descriptor = os.open(path, flags, FILE_MODE)
    with contextlib.suppress(PermissionError):  # someone else's file: theirs to mind
        os.fchmod(descriptor, FILE_MODE)
    return descriptor


def open_binary(path: Path) -> IO[bytes]:
    """``path`` opened for writing bytes (created or truncated), for its owner only."""
    return open(path, "wb", opener=_opener)


def open_text(path: Path, encoding: str) -> IO[str]:
    """``path`` opened for writing text (created or truncated; newlines as written, as
    the csv module wants), for its owner only."""
    return open(path, "w", encoding=encoding, newline="", opener=_opener)


def write_bytes(path: Path, data: bytes) -> None:
    """``path.write_bytes(data)``, readable by its owner only."""
    with open_binary(path) as out:
        out.write(data)
