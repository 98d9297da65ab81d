"""Webhook mode: each update is stored in the inbox before Telegram gets its 200.

If storing fails we answer 500 and Telegram delivers the update again later, so the
guarantee is the same as polling's.

Every call must carry the secret token: anyone who reaches the port could otherwise post
updates that act as any villager or cadre. Without ``webhook.secret_token`` in the
configuration a random one is made at each start and registered with setWebhook, which
Telegram then sends back (an update in flight during a restart is refused once with the
old token and delivered again with the new one).
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import secrets
from collections.abc import Callable
from functools import partial
from typing import Any

from aiohttp import web
from pydantic import SecretStr

from bot.clock import Clock
from bot.config import WebhookConfig
from bot.domain.health import Reason, Verdict, judge, public
from bot.edge.ingest import ALLOWED_UPDATES, store_updates
from storage.db import Database
from storage.health import figures

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name
HEALTH_PATH = "/healthz"  # for a monitor on the server; the proxy need not forward it
HEALTH_TIMEOUT = 5.0  # seconds: a database that takes longer is not answering


def with_secret(config: WebhookConfig) -> WebhookConfig:
    """``config`` with its secret token, or with a new random one if none is configured."""
    if config.secret_token is not None:
        return config
    return config.model_copy(update={"secret_token": SecretStr(secrets.token_urlsafe(32))})


def webhook_app(
    db: Database,
    clock: Clock,
    config: WebhookConfig,
    on_stored: Callable[[], None],
    alive: Callable[[], bool] = lambda: True,
) -> web.Application:
    if config.secret_token is None:  # never listen without one: see with_secret
        raise ValueError("the webhook needs a secret token")
    secret = config.secret_token.get_secret_value().encode()

    async def receive(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, secret):
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
    app.router.add_get(HEALTH_PATH, partial(healthz, db, clock, alive))
    return app


async def healthz(
    db: Database, clock: Clock, alive: Callable[[], bool], _request: web.Request
) -> web.Response:
    """200 and the verdict when the database answers and the dispatcher runs, else 503.
    No secret needed: it shows counts and ages only (``bot.domain.health.public``)."""
    now = clock.now()
    try:
        async with asyncio.timeout(HEALTH_TIMEOUT):
            found = await figures(db, now)
    except Exception as trouble:  # a locked, closed or broken database alike
        log.warning("/healthz: the database does not answer (%s)", type(trouble).__name__)
        down = {"verdict": Verdict.ATTENTION.value, "reasons": [Reason.DATABASE_DOWN.value]}
        return web.json_response(down, status=503)
    judged = judge(found, now, dispatcher_runs=alive())
    status = 503 if Reason.DISPATCHER_STOPPED in judged.reasons else 200
    return web.json_response(public(judged), status=status)


def set_webhook_params(config: WebhookConfig) -> dict[str, Any]:
    if config.secret_token is None:
        raise ValueError("the webhook needs a secret token")
    return {
        "url": config.public_url,
        "allowed_updates": ALLOWED_UPDATES,
        "secret_token": config.secret_token.get_secret_value(),
    }
