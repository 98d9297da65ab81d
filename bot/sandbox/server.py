"""The sandbox: a loopback Bot API server plus the handles tests drive it with.

``Sandbox`` serves ``/bot<token>/<method>`` and ``/file/bot<token>/<path>`` so
that python-telegram-bot, pointed at :attr:`Sandbox.base_url`, works
unchanged; the same object creates users, injects faults and exposes what the
bot sent. The rules live in the method handlers (``api_*.py``) over
:class:`~bot.sandbox.state.SandboxState`; this module is only HTTP, flood
limits, faults and lifecycle.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
from collections.abc import Callable
from types import TracebackType
from typing import Any

from aiohttp import web

from bot.sandbox.api import ASYNC_METHODS, SYNC_METHODS, canonical_name
from bot.sandbox.clock import SandboxClock
from bot.sandbox.control import ControlApi
from bot.sandbox.errors import ApiError, not_found, too_many_requests, unauthorized
from bot.sandbox.faults import FaultInjector
from bot.sandbox.params import Params, read_params
from bot.sandbox.ratelimit import RateLimiter, is_rate_limited
from bot.sandbox.state import SandboxState, SandboxStats, SentRecord
from bot.sandbox.users import SandboxUser, UserDirectory
from bot.sandbox.webhook import WebhookPusher

MAX_UPLOAD = 50 * 1024 * 1024
_LOGGER = logging.getLogger(__name__)
_dumps = functools.partial(json.dumps, ensure_ascii=False)


class Sandbox:
    """A fake Telegram for one bot token, on 127.0.0.1."""

    def __init__(
        self,
        token: str = "123456:SANDBOX-TOKEN",  # noqa: S107 -- a fake token for a fake Telegram
        bot_username: str = "lianxin_sandbox_bot",
        global_rate: int = 30,
        per_chat_rate: int = 1,
        rate_window: float = 1.0,
        rate_limits: bool = True,
    ) -> None:
        self.state = SandboxState(token, bot_username)
        self.rate_limits = rate_limits
        self._limiter = RateLimiter(global_rate, per_chat_rate, rate_window)
        self._faults = FaultInjector()
        self._users = UserDirectory(self.state)
        self._pusher = WebhookPusher(self.state)
        self._runner: web.AppRunner | None = None
        self._pusher_task: asyncio.Task[None] | None = None
        self._host = "127.0.0.1"
        self._port: int | None = None

    # --- lifecycle ------------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Listen on ``host:port`` (0 picks a free port) and start webhook delivery."""
        if self._runner is not None:
            raise RuntimeError("the sandbox is already running")
        runner = web.AppRunner(self._app(), handler_cancellation=True, shutdown_timeout=1.0)
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        await site.start()
        self._runner, self._host = runner, host
        self._port = int(runner.addresses[0][1])
        self.state.updates.closed = False
        self._pusher_task = asyncio.create_task(self._pusher.run(), name="sandbox-webhook")

    async def stop(self) -> None:
        """End long polls, stop webhook delivery and close the server."""
        self.state.updates.closed = True
        self.state.notifier.notify()
        if self._pusher_task is not None:
            self._pusher_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._pusher_task
            self._pusher_task = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Sandbox:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("the sandbox is not running; await start() first")
        return self._port

    @property
    def url(self) -> str:
        """The server root, e.g. ``http://127.0.0.1:8081`` (the control API lives under it)."""
        return f"http://{self._host}:{self.port}"

    @property
    def base_url(self) -> str:
        """For ``ApplicationBuilder().base_url(...)``: PTB appends the token."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        """For ``ApplicationBuilder().base_file_url(...)``."""
        return f"{self.url}/file/bot"

    @property
    def token(self) -> str:
        return self.state.token

    # --- test-side API -----------------------------------------------------------------

    def user(
        self,
        user_id: int,
        first_name: str,
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "zh",
    ) -> SandboxUser:
        """The user with this id (created, with their chat, on first call)."""
        return self._users.user(
            user_id,
            first_name,
            last_name=last_name,
            username=username,
            language_code=language_code,
        )

    def fail_next(
        self, n: int, status: int = 500, method: str | None = None, *, after_send: bool = False
    ) -> None:
        """Fail the next ``n`` calls (of ``method``, any if ``None``) with ``status``.

        ``after_send=True`` lets each call take effect and loses only the answer, as when
        Telegram delivers a message but the response never reaches the bot.
        """
        self._faults.fail_next(n, status, method, after_send)

    def delay(self, seconds: float) -> None:
        """Add ``seconds`` of latency to every Bot API and file response (0 to stop)."""
        self._faults.delay = max(0.0, seconds)

    @property
    def sent(self) -> list[SentRecord]:
        """Every successful send and edit, in order."""
        return self.state.sent

    @property
    def stats(self) -> SandboxStats:
        return self.state.stats

    @property
    def clock(self) -> SandboxClock:
        """Telegram's clock; ``sandbox.clock.advance(s)`` ages callback queries and dates."""
        return self.state.clock

    @property
    def webhook_deliveries(self) -> int:
        """How many updates the webhook accepted with a 2xx."""
        return self._pusher.deliveries

    async def wait_until(
        self,
        predicate: Callable[[], bool],
        timeout: float = 30.0,  # noqa: ASYNC109 -- the test API promises a timeout argument
    ) -> None:
        """Wait (on the change notification, not by polling) until ``predicate()`` holds."""
        await self.state.notifier.wait_until(predicate, timeout)

    def pending_updates(self) -> int:
        """Updates the bot has not confirmed yet."""
        return len(self.state.updates.pending)

    # --- HTTP ---------------------------------------------------------------------------

    def _app(self) -> web.Application:
        app = web.Application(client_max_size=MAX_UPLOAD)
        app.add_routes(
            [
                web.route("*", "/bot{token}/{method}", self._handle_api),
                web.get("/file/bot{token}/{file_path:.+}", self._handle_file),
                *ControlApi(self.state, self._users).routes(),
            ]
        )
        return app

    async def _handle_api(self, request: web.Request) -> web.Response:
        try:
            if request.match_info["token"] != self.state.token:
                raise unauthorized()
            name = canonical_name(request.match_info["method"])
            if name is None:
                raise not_found()
            self.state.stats.calls[name] += 1
            if self._faults.delay:
                await asyncio.sleep(self._faults.delay)
            result = await self._call(name, await read_params(request))
        except ApiError as error:
            return web.json_response(error.body(), status=error.status, dumps=_dumps)
        except Exception:
            # A sandbox bug, not a refusal: log it loudly, answer as Telegram's 500 would.
            _LOGGER.exception("sandbox failed on %s", request.path)
            crash = ApiError(500, "Internal Server Error")
            return web.json_response(crash.body(), status=crash.status)
        return web.json_response({"ok": True, "result": result}, dumps=_dumps)

    async def _call(self, name: str, params: Params) -> Any:
        """Faults first, then the method; an ``after_send`` fault only loses the answer."""
        fault = self._faults.take(name)
        if fault is not None:
            self.state.stats.injected_failures += 1
            self.state.notifier.notify()  # a test may wait for the fault to have struck
            if not fault.after_send:
                raise fault.error
        result = await self._execute(name, params)
        if fault is not None:
            raise fault.error
        return result

    async def _execute(self, name: str, params: Params) -> Any:
        """The flood limits, then the method itself."""
        if name in ASYNC_METHODS:
            return await ASYNC_METHODS[name](self.state, params)
        limited = self.rate_limits and is_rate_limited(name)
        chat_id = _chat_of(params) if limited else None
        if limited:
            retry_after = self._limiter.check(chat_id)
            if retry_after:
                self.state.stats.too_many_requests += 1
                raise too_many_requests(retry_after)
        result = SYNC_METHODS[name](self.state, params)
        if limited:
            self._limiter.record(chat_id)
        return result

    async def _handle_file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.state.token:
            error = unauthorized()
            return web.json_response(error.body(), status=error.status)
        if self._faults.delay:
            await asyncio.sleep(self._faults.delay)
        stored = self.state.files.by_path(request.match_info["file_path"])
        if stored is None:
            error = ApiError(404, "Not Found: file not found")
            return web.json_response(error.body(), status=error.status)
        return web.Response(body=stored.data, content_type=stored.mime_type)


def _chat_of(params: Params) -> int | None:
    """The chat a send goes to, for the per-chat window (``None`` if it names none)."""
    try:
        return params.opt_int("chat_id")
    except ApiError:
        return None
