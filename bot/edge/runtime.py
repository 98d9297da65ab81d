"""Puts the bot together and runs it: storage, PTB Application, ingest, dispatcher, sender."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import os
import time
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from aiohttp import web
from telegram.error import InvalidToken, NetworkError
from telegram.ext import ApplicationBuilder, ContextTypes
from telegram.request import HTTPXRequest

import handlers
from bot import redaction, retention
from bot.calls import Call, Priority
from bot.clock import Clock
from bot.config import Config, ConfigError
from bot.edge import relays, schedules
from bot.edge.dispatcher import Dispatcher
from bot.edge.ingest import Ingest, receive_while_held
from bot.edge.province import ProvinceCounties
from bot.edge.sender import Sender
from bot.edge.ticks import Tick, in_turn, run_tick
from bot.edge.webhook import set_webhook_params, webhook_app, with_secret
from bot.i18n import Texts, t
from bot.services import province
from bot.services.province import Kept
from handlers import joining, menus, reminders, rounds, sweeps
from handlers import province as province_views
from handlers import rota as rota_views
from handlers.context import AnyApp, LianxinContext, Setup
from storage import accounts, health, leases, meta, migrate
from storage.backend import open_database, password_of
from storage.db import Database
from storage.instance import InstanceLock
from storage.unit_of_work import unit_of_work

log = logging.getLogger(__name__)
Job = Callable[[object], Coroutine[Any, Any, bool]]  # a JobQueue callback
MENU_KEY = "command_menu"
DESCRIPTION_KEY = "bot_description"


@dataclass
class Running:
    """A started bot: what tests and the demo may look at or wait on."""

    db: Database
    app: AnyApp
    dispatcher: Dispatcher
    sender: Sender
    tasks: list[asyncio.Task[None]]
    runner: web.AppRunner | None = None
    lock: InstanceLock | None = None
    me: str = ""  # this process among those sharing the database (leases)


def build_application(config: Config) -> AnyApp:
    tg = config.telegram
    poll = tg.poll_timeout.total_seconds()
    pool = config.sender.concurrency + 8
    return (
        ApplicationBuilder()
        .token(config.token())
        .base_url(tg.base_url)
        .base_file_url(tg.base_file_url)
        .updater(None)  # our ingest loop replaces it: the offset must move only after storing
        .context_types(ContextTypes(context=LianxinContext))
        .request(HTTPXRequest(connection_pool_size=pool, read_timeout=30, write_timeout=60))
        .get_updates_request(HTTPXRequest(connection_pool_size=2, read_timeout=poll + 15))
        .build()
    )


async def _initialize(app: AnyApp) -> None:
    """getMe until it answers: a server may start before its network does."""
    delay = 1.0
    while True:
        try:
            await app.initialize()
            return
        except InvalidToken:
            raise ConfigError(
                ["telegram.token: Telegram refused this token; check it with @BotFather"]
            ) from None
        except NetworkError as trouble:
            log.warning("cannot reach the Bot API (%s); retrying in %.0fs", trouble, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 60.0)


async def _publish_menus(db: Database, config: Config, clock: Clock) -> None:
    """Queue the everyone-menu and the bot's descriptions once per change, not on every
    restart."""
    language = config.general.language
    await _publish_once(db, clock, MENU_KEY, menus.menu_calls(menus.VILLAGER, language))
    await _publish_once(db, clock, DESCRIPTION_KEY, menus.description_calls(language))


async def _publish_once(db: Database, clock: Clock, key: str, calls: list[Call]) -> None:
    digest = hashlib.sha256(
        json.dumps([c.params for c in calls], sort_keys=True).encode()
    ).hexdigest()
    async with unit_of_work(db, clock.now()) as work:
        if await meta.get(work.tx, key) != digest:
            work.send(*calls)
            await meta.put(work.tx, key, digest)


async def _remember_username(db: Database, clock: Clock, username: str) -> None:
    """``lianxin cards`` prints links to this bot without asking Telegram (or the token)."""
    async with unit_of_work(db, clock.now()) as work:
        if await meta.get(work.tx, meta.BOT_USERNAME) != username:
            await meta.put(work.tx, meta.BOT_USERNAME, username)


async def _hint_admins(db: Database, config: Config, username: str) -> None:
    """An administrator who never wrote to the bot cannot be sent its notices (Telegram
    lets a bot write only to those who started it): say so on the console at each start."""
    admins = config.general.admins
    if not admins:
        return
    async with db.read() as tx:
        known = await accounts.known(tx, admins)
    for admin in admins:
        if admin not in known:
            text = t(config.general.language, "console.admin_hint", admin=admin, username=username)
            log.warning("%s", text)


async def start_bot(config: Config, clock: Clock, counties: Sequence[Config] = ()) -> Running:
    """Start everything; raises AlreadyRunning if another bot holds the database.

    A province's bot (``config.is_province``) serves its supervisors' figures of
    ``counties`` (each county's configuration) with the handlers of
    ``handlers.province``, over its own schema's inbox and outbox, and runs none of a
    county's sweeps."""
    # PTB 22 reads durations (429 retry_after) as timedelta only when asked to; else it warns.
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    secret = config.webhook.secret_token
    redaction.register([config.token(), secret.get_secret_value() if secret else ""])
    # One bot per SQLite file; on PostgreSQL several processes share the work (leases).
    lock = InstanceLock(config.database.path) if not config.database.url else None
    if lock is not None:
        lock.acquire()
    redaction.register([password_of(config.database.url)])
    db: Database | None = None
    app: AnyApp | None = None
    try:
        db = await open_database(
            config.database.path, config.database.url, config.database.schema_name
        )
        await migrate.upgrade(db, clock.now())
        app = build_application(config)
        if config.is_province:
            handlers.register_province(app)
        else:
            handlers.register(app)
        await _initialize(app)
        return await _start_loops(config, clock, db, app, lock, counties)
    except BaseException:  # SIGTERM while starting included: leave nothing running
        if app is not None:
            with contextlib.suppress(Exception):
                if app.running:
                    await app.stop()
                await app.shutdown()
        if db is not None:
            await db.close()  # its thread would keep the process alive
        if lock is not None:
            lock.release()
        raise


async def _start_loops(
    config: Config,
    clock: Clock,
    db: Database,
    app: AnyApp,
    lock: InstanceLock | None,
    counties: Sequence[Config],
) -> Running:
    await app.start()
    texts = Texts(config.general.language)
    read = ProvinceCounties(counties, texts) if config.is_province else None
    every = config.province.refresh
    kept = Kept(every) if config.is_province and every else None
    services = Setup(config, clock, texts, app.bot.username, counties=read, kept=kept)
    me, lease = leases.process_name(), config.database.lease
    await leases.forget_the_dead(db)  # a killed predecessor's, where nobody else can run
    sender = Sender(db, app.bot, clock, config.sender, me=me, lease=lease)
    dispatcher = Dispatcher(db, app, services, on_outbox=sender.wake, me=me, lease=lease)
    if config.is_province:
        await _publish_once(db, clock, MENU_KEY, province_views.menu_calls(texts))
        _schedule_heartbeat(app, db, services, me)
        _schedule_retention(app, db, services, me)
        _schedule_province_refresh(app, services)
    else:
        await _publish_menus(db, config, clock)
        await _hint_admins(db, config, app.bot.username)
        _schedule_sweeps(app, db, services, sender.wake, me)
    await _remember_username(db, clock, app.bot.username)
    running = Running(db, app, dispatcher, sender, [], lock=lock, me=me)
    dispatching = _task(dispatcher.run(), "dispatcher")
    running.tasks = [_task(sender.run(), "sender"), dispatching]
    if config.telegram.mode == "webhook":
        hook = with_secret(config.webhook)  # never without a secret token: forged updates
        await app.bot.set_webhook(**set_webhook_params(hook))
        site_app = webhook_app(
            db, clock, hook, dispatcher.wake, alive=lambda: not dispatching.done()
        )
        running.runner = web.AppRunner(site_app, access_log=None)
        await running.runner.setup()
        await web.TCPSite(running.runner, config.webhook.listen, config.webhook.port).start()
    else:
        await app.bot.delete_webhook(drop_pending_updates=False)
        ingest = Ingest(
            db, app.bot, clock, config.telegram.poll_timeout.total_seconds(), dispatcher.wake
        )
        receiving = receive_while_held(db, ingest, me, clock, config.database.receiver_lease)
        running.tasks.append(_task(receiving, "ingest"))
    log.info("@%s is running (%s mode)", app.bot.username, config.telegram.mode)
    return running


def _schedule_sweeps(
    app: AnyApp, db: Database, services: Setup, on_outbox: Callable[[], None], me: str
) -> None:
    """Due times are rows; PTB's JobQueue only wakes the sweeps that act on them. Each
    runs in one process of those sharing the database (``ticks.in_turn``)."""
    if app.job_queue is None:  # pragma: no cover - the job-queue extra is a dependency
        raise RuntimeError("python-telegram-bot's job-queue extra is not installed")

    queue, every = app.job_queue, services.config.requests.sweep_every.total_seconds()
    lease = services.config.database.lease

    def once(name: str, interval: float, job: Callable[[], Awaitable[object]]) -> Job:
        ttl = timedelta(seconds=interval) + lease  # the holder keeps it from run to run
        return lambda _: in_turn(db, name, me, services.clock, ttl, job)

    def each_sweep(tick: Tick, priority: Priority | None = None) -> None:
        queue.run_repeating(
            once(
                f"{tick.__module__}.{tick.__qualname__}",
                every,
                lambda: run_tick(db, services, tick, on_outbox, priority=priority),
            ),
            interval=every,
            first=1.0,
        )

    each_sweep(sweeps.close_unconfirmed)  # 销号 by timeout
    each_sweep(sweeps.tell_reroutes)  # what `roster import`/`cards revoke --unbind` re-routed
    # Also at start (first=1s): a reminder missed while the bot was down goes out if its
    # due time is still ahead; past it, the escalation comes instead. All of it as bulk.
    each_sweep(sweeps.watch_deadlines, Priority.BULK)
    each_sweep(rota_views.sweep, Priority.BULK)  # 住夜 rota: weekly build, tonight's reminders
    each_sweep(rounds.remind_revisits, Priority.BULK)  # 回头看 overdue: reminded once

    _schedule_heartbeat(app, db, services, me)

    async def relay(_context: object) -> None:
        # A villager's follow-ups, once their handler's chat has room (handlers.joining).
        await relays.relay_waiting(
            db, services.clock, lambda: run_tick(db, services, joining.relay_tick, on_outbox)
        )

    app.job_queue.run_repeating(
        once("relay", relays.EVERY, lambda: relay(None)), interval=relays.EVERY, first=1.0
    )
    schedule_every = services.config.schedule.sweep_every.total_seconds()
    app.job_queue.run_repeating(  # reminders of bot.edge.schedules, worded by handlers
        once(
            "schedule",
            schedule_every,
            lambda: schedules.sweep(db, services, on_outbox, reminders.render),
        ),
        interval=schedule_every,
        first=1.0,
    )
    _schedule_retention(app, db, services, me)


def _schedule_heartbeat(app: AnyApp, db: Database, services: Setup, me: str) -> None:
    """`lianxin status` and /healthz tell a stopped bot from a quiet night by this."""
    if app.job_queue is None:  # pragma: no cover - the job-queue extra is a dependency
        raise RuntimeError("python-telegram-bot's job-queue extra is not installed")
    every = services.config.requests.sweep_every.total_seconds()
    ttl = services.config.requests.sweep_every + services.config.database.lease

    async def heartbeat() -> None:
        try:
            async with db.transaction() as tx:
                await health.record_sweep(tx, services.clock.now())
        except Exception as trouble:  # status then says the sweeps stopped: true enough
            log.warning("the sweep was not recorded (%s)", type(trouble).__name__)

    app.job_queue.run_repeating(
        lambda _: in_turn(db, "heartbeat", me, services.clock, ttl, heartbeat),
        interval=every,
        first=1.0,
    )


def _schedule_retention(app: AnyApp, db: Database, services: Setup, me: str) -> None:
    """Old handled updates, sent messages, strangers and uploaded files go (bot.retention),
    a minute after start (out of the way of a backlog) and then every sweep_every."""
    if app.job_queue is None:  # pragma: no cover - the job-queue extra is a dependency
        raise RuntimeError("python-telegram-bot's job-queue extra is not installed")
    every = services.config.retention.sweep_every.total_seconds()
    ttl = services.config.retention.sweep_every + services.config.database.lease
    app.job_queue.run_repeating(
        lambda _: in_turn(
            db,
            "retention",
            me,
            services.clock,
            ttl,
            lambda: retention.sweep(db, services.config, services.clock.now()),
        ),
        interval=every,
        first=min(60.0, every),
    )


def _schedule_province_refresh(app: AnyApp, services: Setup) -> None:
    """The province bot counts its period buttons' figures at start and every ``[province]
    refresh`` (each process for itself: what it keeps is in its memory)."""
    if app.job_queue is None:  # pragma: no cover - the job-queue extra is a dependency
        raise RuntimeError("python-telegram-bot's job-queue extra is not installed")
    counties, kept, config = services.counties, services.kept, services.config
    if counties is None or kept is None:
        return

    async def refresh(_context: object) -> None:
        began = time.monotonic()
        try:
            done = await province.refresh(
                counties, kept, services.clock.now(), config.general.zone, config.stats.bounds()
            )
            log.info(
                "the province's figures counted: %d periods in %.1fs",
                len(done),
                time.monotonic() - began,
            )
        except province.Unreadable as trouble:  # /stats then counts, and says so
            log.warning("the province's figures were not counted: %s", trouble)
        except Exception as trouble:
            log.warning("the province's figures were not counted (%s)", type(trouble).__name__)

    every = kept.every.total_seconds()
    app.job_queue.run_repeating(refresh, interval=every, first=1.0)


def _task(coro: Awaitable[None], name: str) -> asyncio.Task[None]:
    async def guarded() -> None:
        await coro

    return asyncio.create_task(guarded(), name=name)


async def stop_bot(running: Running) -> None:
    """Stop taking updates, let calls in flight finish, close everything."""
    if running.runner is not None:
        await running.runner.cleanup()
    for task in running.tasks:
        task.cancel()
    for task in running.tasks:
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task
    await running.dispatcher.work.close()  # long work in the making is dropped
    try:
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(10):
                await running.sender.drain()
        await _hand_over(running)
        await running.app.stop()
        await running.app.shutdown()
    finally:
        await running.db.close()  # an open connection would keep the process alive
        if running.lock is not None:
            running.lock.release()


async def _hand_over(running: Running) -> None:
    """Give this process's leases back, so that the others take its work at once rather
    than when the leases end (a database that fails now leaves them to end)."""
    try:
        await running.dispatcher.release()
        await running.sender.release()
        await leases.give_back(running.db, running.me)
    except Exception as trouble:
        log.warning("the leases were not handed back (%s); they end by themselves", trouble)


async def run_until_stopped(
    config: Config, clock: Clock, stop: asyncio.Event, counties: Sequence[Config] = ()
) -> None:
    """Run until ``stop`` is set or a loop dies (which is then raised).

    ``stop`` counts while starting too: a bot waiting for an unreachable Bot API stops
    at once on SIGTERM rather than after its next retry (which may never succeed).
    """
    starting = asyncio.create_task(start_bot(config, clock, counties), name="start")
    stopper = asyncio.create_task(stop.wait())
    await asyncio.wait([starting, stopper], return_when=asyncio.FIRST_COMPLETED)
    if not starting.done():
        starting.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await starting
        log.info("stopped while starting")
        return
    try:
        running = starting.result()
    except BaseException:
        stopper.cancel()
        raise
    try:
        done, _ = await asyncio.wait(
            [stopper, *running.tasks], return_when=asyncio.FIRST_COMPLETED
        )
        for task in done:
            if task is not stopper and task.exception() is not None:
                raise task.exception()  # type: ignore[misc]
    finally:
        stopper.cancel()
        await stop_bot(running)
