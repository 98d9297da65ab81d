"""Pushing updates to the bot's webhook, in order, until each one is taken.

Telegram posts one update at a time and keeps retrying it until the bot's
server answers 2xx, backing off in between; later updates wait behind it. The
sandbox does the same (0.2 s doubling up to 5 s), records the last error for
``getWebhookInfo``, and retries at once when the webhook is changed.
"""

from __future__ import annotations

from typing import Any

import aiohttp

from bot.sandbox.state import SandboxState
from bot.sandbox.updates import WebhookConfig

FIRST_BACKOFF = 0.2
MAX_BACKOFF = 5.0
POST_TIMEOUT = aiohttp.ClientTimeout(total=10)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 -- a header name


class WebhookPusher:
    """The background task that delivers pending updates while a webhook is set."""

    def __init__(self, state: SandboxState) -> None:
        self._state = state
        self.deliveries = 0

    async def run(self) -> None:
        """Deliver forever; cancelled when the sandbox stops."""
        queue = self._state.updates
        backoff = FIRST_BACKOFF
        async with aiohttp.ClientSession(timeout=POST_TIMEOUT) as session:
            while True:
                await self._state.notifier.wait_until(
                    lambda: queue.webhook is not None and bool(queue.pending), None
                )
                hook = queue.webhook
                if hook is None or not queue.pending:
                    continue
                update = queue.pending[0]
                error = await _post(session, hook, update)
                if error is None:
                    queue.confirm_below(update["update_id"] + 1)
                    self.deliveries += 1
                    backoff = FIRST_BACKOFF
                    continue
                hook.last_error_date = self._state.clock.unix()
                hook.last_error_message = error
                await self._pause(hook, backoff)
                backoff = min(backoff * 2, MAX_BACKOFF)

    async def _pause(self, hook: WebhookConfig, seconds: float) -> None:
        """Wait before the next attempt, unless the webhook is replaced or removed."""
        try:
            await self._state.notifier.wait_until(
                lambda: self._state.updates.webhook is not hook, seconds
            )
        except TimeoutError:
            return


async def _post(
    session: aiohttp.ClientSession, hook: WebhookConfig, update: dict[str, Any]
) -> str | None:
    """POST one update; ``None`` on 2xx, else the error Telegram would report."""
    headers = {SECRET_HEADER: hook.secret_token} if hook.secret_token else {}
    try:
        async with session.post(hook.url, json=update, headers=headers) as response:
            if 200 <= response.status < 300:
                return None
            return f"Wrong response from the webhook: {response.status} {response.reason}"
    except (aiohttp.ClientError, TimeoutError) as exc:
        return f"Connection failed: {exc.__class__.__name__}"
