"""Bot API methods that hand updates to the bot: getUpdates and the webhook trio."""

from __future__ import annotations

import re
from typing import Any

from bot.sandbox.errors import bad_request
from bot.sandbox.params import Params
from bot.sandbox.state import SandboxState
from bot.sandbox.updates import WebhookConfig

_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


async def get_updates(state: SandboxState, p: Params) -> list[dict[str, Any]]:
    limit = min(max(p.opt_int("limit") or 100, 1), 100)
    timeout = max(p.opt_float("timeout") or 0.0, 0.0)
    allowed = p.opt_list("allowed_updates")
    return await state.updates.get_updates(p.opt_int("offset"), limit, timeout, allowed)


def set_webhook(state: SandboxState, p: Params) -> bool:
    url = p.opt_str("url") or ""
    drop = p.bool_("drop_pending_updates")
    if not url:
        state.updates.delete_webhook(drop)
        return True
    if not url.startswith(("http://", "https://")):
        raise bad_request("bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443")
    secret = p.opt_str("secret_token")
    if secret is not None and not _SECRET.match(secret):
        raise bad_request("secret token contains unallowed characters")
    state.updates.set_allowed(p.opt_list("allowed_updates"))
    config = WebhookConfig(
        url=url, secret_token=secret, max_connections=p.opt_int("max_connections") or 40
    )
    state.updates.set_webhook(config, drop)
    return True


def delete_webhook(state: SandboxState, p: Params) -> bool:
    state.updates.delete_webhook(p.bool_("drop_pending_updates"))
    return True


def get_webhook_info(state: SandboxState, p: Params) -> dict[str, Any]:
    return state.updates.webhook_info()
