"""Webhook mode: each update is stored in the inbox before Telegram gets its 200.

If storing fails we answer 500 and Telegram delivers the update again later, so the
guarantee is the same as polling's.
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Callable
from typing import Any

from aiohttp import web

from bot.clock import Clock
from bot.config import WebhookConfig
from bot.edge.ingest import ALLOWED_UPDATES, store_updates
from storage.db import Database

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name


def webhook_app(
    db: Database, clock: Clock, config: WebhookConfig, on_stored: Callable[[], None]
) -> web.Application:
    secret = config.secret_token.get_secret_value() if config.secret_token else None

    async def receive(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "")
        if secret is not None and not hmac.compare_digest(given, secret):
            return web.Response(status=403, text="wrong secret token")
        try:
            update: Any = json.loads(await request.text())
        except ValueError:
            return web.Response(status=400, text="body is not JSON")
        if not isinstance(update, dict) or not isinstance(update.get("update_id"), int):
            return web.Response(status=400, text="not a Telegram update")
        try:
            await store_updates(db, [update], clock)
        except Exception:
            log.exception("update %s not stored; Telegram will resend it", update["update_id"])
            return web.Response(status=500, text="not stored; send again")
        on_stored()
        return web.Response(status=200)

    app = web.Application()
    app.router.add_post(config.path, receive)
    return app


def set_webhook_params(config: WebhookConfig) -> dict[str, Any]:
    params: dict[str, Any] = {"url": config.public_url, "allowed_updates": ALLOWED_UPDATES}
    if config.secret_token is not None:
        params["secret_token"] = config.secret_token.get_secret_value()
    return params
