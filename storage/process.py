"""This process, as the database sees it: one name for its leases and for its sessions.

A process's leases (inbox and outbox rows, the receiver, the sweeps) carry its name,
``host:pid:token``. On PostgreSQL each of its connections also carries the token, as
``application_name = 'lianxin <token>'``: the server ends a killed process's sessions
as soon as their sockets close, so a process starting later can tell, from
``pg_stat_activity``, which holders are gone and take their rows at once instead of at
the end of their leases (``leases.forget_the_dead``).
"""

from __future__ import annotations

import os
import re
import secrets
import socket

TOKEN = secrets.token_hex(8)
# PostgreSQL keeps the first 63 bytes of an application_name: this is 24.
APPLICATION = f"lianxin {TOKEN}"
_TOKENED = re.compile(r":([0-9a-f]{16})\Z")


def name() -> str:
    """This process among those sharing the database: host, pid and the token (a pid may
    come again after a restart; the token does not)."""
    return f"{socket.gethostname()}:{os.getpid()}:{TOKEN}"


def session_of(holder: str) -> str | None:
    """The ``application_name`` ``holder``'s sessions carry, or None for a name not made
    by ``name()`` (nothing can be told of its sessions: its leases end by themselves)."""
    found = _TOKENED.search(holder)
    return None if found is None else f"lianxin {found.group(1)}"
