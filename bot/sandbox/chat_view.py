"""What a sandbox user sees in their chat with the bot, and waiting for it.

Tests read the chat the way the person would: the bot's messages in their
latest edit state, the answers to button presses, the command menu and the
custom keyboard. Waiting is driven by the sandbox's change notification, never
by sleeping, and a timeout says what the chat did receive.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from bot.sandbox.chats import Chat, UserInfo
from bot.sandbox.markup import button_label
from bot.sandbox.state import SandboxState

MessagePredicate = Callable[[dict[str, Any]], bool]
MEDIA_KINDS = ("photo", "document", "voice", "video", "audio", "location", "sticker")


class ChatView:
    """Read access to one user's private chat with the bot."""

    def __init__(self, state: SandboxState, info: UserInfo) -> None:
        self._state = state
        self.info = info

    @property
    def id(self) -> int:
        return self.info.id

    @property
    def user_id(self) -> int:
        """The same as :attr:`id` (the private chat's id is the user's id)."""
        return self.info.id

    @property
    def _chat(self) -> Chat:
        return self._state.chats.ensure(self.info)

    def messages(self) -> list[dict[str, Any]]:
        """The bot's messages in this chat, oldest first, each in its latest state."""
        return self._chat.bot_messages()

    def last(self) -> dict[str, Any]:
        """The bot's latest message; ``LookupError`` if it has sent none."""
        messages = self.messages()
        if not messages:
            raise LookupError(f"the bot has sent nothing to user {self.id}")
        return messages[-1]

    async def wait_for(
        self,
        predicate: MessagePredicate,
        *,
        timeout: float = 30.0,  # noqa: ASYNC109 -- the test API promises a timeout argument
        after: int | None = None,
    ) -> dict[str, Any]:
        """The first bot message (above message id ``after``) that satisfies ``predicate``.

        A predicate that raises KeyError/TypeError/IndexError (e.g. ``m["text"]`` on a
        photo) counts as "not this one", so one predicate can scan mixed messages.
        """
        found: list[dict[str, Any]] = []

        def check() -> bool:
            for message in self._chat.iter_bot_messages(after):
                if _matches(predicate, message):  # live, for speed; only the match is copied
                    found.append(copy.deepcopy(message))
                    return True
            return False

        await self._state.notifier.wait_until(check, timeout, lambda: self._received(after))
        return found[0]

    async def wait_for_text(
        self,
        substring: str,
        timeout: float = 30.0,  # noqa: ASYNC109 -- as wait_for
        after: int | None = None,
    ) -> dict[str, Any]:
        """The first bot message whose text or caption contains ``substring``."""
        return await self.wait_for(
            lambda message: substring in message_words(message), timeout=timeout, after=after
        )

    def callback_answers(self) -> list[str]:
        """The texts the bot answered this user's button presses with ("" for no text)."""
        return [
            query.answer.text or ""
            for query in self._state.callbacks.values()
            if query.user_id == self.id and query.answer is not None
        ]

    def commands(self) -> list[dict[str, str]]:
        """The command menu this chat shows (most specific scope and language first)."""
        return self._state.menus.for_private_chat(self.id, self.info.language_code)

    def reply_keyboard(self) -> list[list[str]] | None:
        """The labels of the custom keyboard the bot put up, or ``None``."""
        markup = self._chat.reply_keyboard
        if markup is None:
            return None
        return [[button_label(button) for button in row] for row in markup["keyboard"]]

    def chat_actions(self) -> list[str]:
        """Every sendChatAction the bot made in this chat ("typing", ...), in order."""
        return list(self._chat.actions)

    def _received(self, after: int | None) -> str:
        messages = self._chat.bot_messages(after)
        where = f" after message {after}" if after is not None else ""
        if not messages:
            return f"user {self.id} received no bot message{where}"
        lines = [f"#{m['message_id']}: {summary(m)}" for m in messages]
        return f"user {self.id} received{where}:\n  " + "\n  ".join(lines)


def _matches(predicate: MessagePredicate, message: dict[str, Any]) -> bool:
    try:
        return bool(predicate(message))
    except (KeyError, TypeError, IndexError):
        return False


def message_words(message: dict[str, Any]) -> str:
    """The text or caption of a message ("" if it has neither)."""
    return str(message.get("text") or message.get("caption") or "")


def summary(message: dict[str, Any]) -> str:
    """One line describing a message, for timeout reports."""
    kind = next((key for key in MEDIA_KINDS if key in message), "text")
    words = message_words(message)
    buttons = [
        button.get("text", "")
        for row in message.get("reply_markup", {}).get("inline_keyboard", [])
        for button in row
    ]
    line = f"{kind} {words!r}" if words else kind
    return f"{line} buttons={buttons}" if buttons else line
