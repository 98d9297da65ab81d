"""Button data as a small typed codec: ``scope:action:argument``, parsed in one place.

Telegram returns a button's data verbatim, so anyone can forge it: a decoded callback
says only what was asked, and the handler still checks it against current state and
the presser's rights.
"""

from __future__ import annotations

from dataclasses import dataclass

LIMIT = 64  # bytes Telegram keeps of callback_data


@dataclass(frozen=True)
class Callback:
    scope: str  # e.g. "hh" (household)
    action: str  # e.g. "pick"
    argument: str = ""

    def encode(self) -> str:
        data = f"{self.scope}:{self.action}:{self.argument}"
        if len(data.encode()) > LIMIT or ":" in self.scope + self.action:
            raise ValueError(f"callback data cannot carry {data!r}")
        return data


def decode(data: str | None) -> Callback | None:
    """The callback, or None for data that is not ours (old, foreign or forged)."""
    if not data:
        return None
    parts = data.split(":", 2)
    if len(parts) != 3 or not parts[0] or not parts[1]:
        return None
    return Callback(*parts)


def pick_household(household_id: str) -> Callback:
    return Callback("hh", "pick", household_id)
