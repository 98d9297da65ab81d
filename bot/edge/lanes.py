"""Which lane (chat) an update belongs to, read from its raw JSON.

Updates of one lane are handled one after another, in update_id order; lanes run
side by side. The chat decides, then the sender; updates with neither share lane 0.
"""

from __future__ import annotations

from typing import Any


def lane_of(update: dict[str, Any]) -> int:
    for key, body in update.items():
        if key == "update_id" or not isinstance(body, dict):
            continue
        chat = body.get("chat")
        if not isinstance(chat, dict):
            message = body.get("message")
            chat = message.get("chat") if isinstance(message, dict) else None
        if isinstance(chat, dict) and isinstance(chat.get("id"), int):
            return int(chat["id"])
        sender = body.get("from") or body.get("user")
        if isinstance(sender, dict) and isinstance(sender.get("id"), int):
            return int(sender["id"])
    return 0
