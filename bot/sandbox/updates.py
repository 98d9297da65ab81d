"""The bot's update queue, with Telegram's confirmation rules.

Telegram keeps an update until a later ``getUpdates`` confirms it by asking for
an ``offset`` above its ``update_id``; from then on it is gone for good. The
bot's crash-safety design depends on exactly that, so the queue reproduces it
(including negative offsets, ``limit``, long polling, the persistent
``allowed_updates`` filter, and the 409 answers for a second poller or an
active webhook) instead of handing out a list.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.sandbox.clock import Notifier
from bot.sandbox.errors import TERMINATED_BY_OTHER, WEBHOOK_ACTIVE, conflict

# Telegram's default when allowed_updates is empty or never given.
OPT_IN_TYPES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
FIRST_UPDATE_ID = 10_001


@dataclass
class WebhookConfig:
    """A webhook as set by ``setWebhook``, with its delivery health for ``getWebhookInfo``."""

    url: str
    secret_token: str | None = None
    max_connections: int = 40
    last_error_date: int | None = None
    last_error_message: str | None = None


def update_type(update: dict[str, Any]) -> str:
    """The kind of an update: the one key besides ``update_id``."""
    return next(key for key in update if key != "update_id")


class UpdateQueue:
    """Pending updates for one bot, handed out by ``getUpdates`` or a webhook."""

    def __init__(self, notifier: Notifier) -> None:
        self._notifier = notifier
        self._pending: list[dict[str, Any]] = []
        self._next_id = FIRST_UPDATE_ID
        self._allowed: frozenset[str] | None = None
        self._poll_generation = 0
        self.webhook: WebhookConfig | None = None
        self.closed = False

    # --- producing ---------------------------------------------------------------

    def push(self, kind: str, payload: dict[str, Any]) -> dict[str, Any] | None:
        """Queue a new update of ``kind``; ``None`` if ``allowed_updates`` filters it out."""
        if not self._accepts(kind):
            return None
        update = {"update_id": self._next_id, kind: payload}
        self._next_id += 1
        self._pending.append(update)
        self._notifier.notify()
        return update

    def _accepts(self, kind: str) -> bool:
        if self._allowed is None:
            return kind not in OPT_IN_TYPES
        return kind in self._allowed

    def set_allowed(self, allowed: list[str] | None) -> None:
        """Telegram keeps the last ``allowed_updates`` given; an empty list means the default."""
        if allowed is None:
            return
        self._allowed = frozenset(allowed) if allowed else None

    @property
    def allowed(self) -> list[str] | None:
        return sorted(self._allowed) if self._allowed is not None else None

    # --- confirming ----------------------------------------------------------------

    @property
    def pending(self) -> list[dict[str, Any]]:
        return self._pending

    def confirm_below(self, offset: int) -> None:
        """Forget every update with an id below ``offset`` (the Bot API's confirmation)."""
        kept = [update for update in self._pending if update["update_id"] >= offset]
        if len(kept) != len(self._pending):
            self._pending = kept
            self._notifier.notify()

    def keep_last(self, count: int) -> None:
        """Negative offsets: keep the last ``count`` updates and forget all before them."""
        if len(self._pending) > count:
            self._pending = self._pending[len(self._pending) - count :]
            self._notifier.notify()

    def drop_pending(self) -> None:
        self._pending = []
        self._notifier.notify()

    def apply_offset(self, offset: int | None) -> None:
        if offset is None or offset == 0:
            return
        if offset > 0:
            self.confirm_below(offset)
        else:
            self.keep_last(-offset)

    # --- polling --------------------------------------------------------------------

    async def get_updates(
        self, offset: int | None, limit: int, poll_seconds: float, allowed: list[str] | None
    ) -> list[dict[str, Any]]:
        """One ``getUpdates`` call; a newer call ends an older long poll with 409."""
        if self.webhook is not None:
            raise conflict(WEBHOOK_ACTIVE)
        self._poll_generation += 1
        generation = self._poll_generation
        self._notifier.notify()
        self.set_allowed(allowed)
        self.apply_offset(offset)
        if not self._pending and poll_seconds > 0:
            await self._long_poll(generation, poll_seconds)
        return list(self._pending[:limit])

    async def _long_poll(self, generation: int, seconds: float) -> None:
        def woken() -> bool:
            return bool(
                self._pending
                or generation != self._poll_generation
                or self.webhook is not None
                or self.closed
            )

        try:
            await self._notifier.wait_until(woken, seconds)
        except TimeoutError:
            return
        if generation != self._poll_generation:
            raise conflict(TERMINATED_BY_OTHER)
        if self.webhook is not None:
            raise conflict(WEBHOOK_ACTIVE)

    # --- webhook ----------------------------------------------------------------------

    def set_webhook(self, config: WebhookConfig, drop_pending: bool) -> None:
        if drop_pending:
            self._pending = []
        self.webhook = config
        self._notifier.notify()

    def delete_webhook(self, drop_pending: bool) -> None:
        if drop_pending:
            self._pending = []
        self.webhook = None
        self._notifier.notify()

    def webhook_info(self) -> dict[str, Any]:
        """The ``WebhookInfo`` object."""
        info: dict[str, Any] = {
            "url": self.webhook.url if self.webhook else "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._pending),
        }
        if self.webhook is None:
            return info
        info["max_connections"] = self.webhook.max_connections
        if self._allowed is not None:
            info["allowed_updates"] = sorted(self._allowed)
        if self.webhook.last_error_date is not None:
            info["last_error_date"] = self.webhook.last_error_date
            info["last_error_message"] = self.webhook.last_error_message
        return info
