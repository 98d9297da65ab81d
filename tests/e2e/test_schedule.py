"""Service days, reception days and stay quotas through the real bot, in-process, against
the sandbox: a ManualClock walks the sample county from the 13th to the 17th of March
2037 (the weekdays of March 2026, when the test was written) and on to the quota days,
and Telegram's clock follows; after each step the test runs the schedule sweep (the
JobQueue runs it too, but hourly here) and waits until the sandbox has every queued
message.

Every reminder arrives once, at its hour; a villager who pressed the opt-in button hears
of the visit; a stay logged with /stay (and its location) counts against the quota; and
stopping the bot twice in the middle — once with a reminder falling due while it is
down — changes none of it: the reminder goes out at start, nothing is doubled.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.clock import ManualClock
from bot.config import Config, load_config
from bot.edge import schedules
from bot.edge.runtime import Running, start_bot, stop_bot
from bot.i18n import Texts
from bot.sandbox.server import Sandbox
from bot.sandbox.users import SandboxUser
from handlers.context import Setup
from handlers.reminders import render
from storage import migrate
from storage.backend import open_database
from storage.people import People
from tests.e2e.harness import write_config
from tests.sample import card_code, load_sample

ZONE = ZoneInfo("Asia/Shanghai")
CADRES = {
    "K001": "赵建国",
    "K002": "钱明",
    "K003": "孙丽",
    "K004": "李强",
    "K007": "郑小红",
    "K009": "冯涛",
}
USER = {cadre: 700 + n for n, cadre in enumerate(CADRES, 1)}
GRANDMA = 601
SETTINGS = """
[schedule]
sweep_every = "1h"
"""
COUNT_OWED = "SELECT count(*) FROM outbox WHERE method = 'sendMessage'"


def local(day: str, clock: str = "00:00") -> datetime:
    return datetime.fromisoformat(f"2037-03-{day}T{clock}").replace(tzinfo=ZONE)


@dataclass
class County:
    sandbox: Sandbox
    config: Config
    clock: ManualClock
    running: Running
    users: dict[str, SandboxUser]
    arrived: dict[tuple[int, str], datetime] = field(default_factory=dict)  # by chat, text

    @property
    def services(self) -> Setup:
        return Setup(self.config, self.clock, Texts("en"), "lianxin_sandbox_bot")

    async def restart(self) -> None:
        await stop_bot(self.running)
        self.running = await start_bot(self.config, self.clock)

    async def owed(self) -> int:
        async with self.running.db.read() as tx:
            return int(await tx.scalar(COUNT_OWED))

    def delivered(self) -> list[tuple[int, str]]:
        return [
            (s.chat_id, str(s.message.get("text", "")))
            for s in self.sandbox.sent
            if s.method == "sendMessage"
        ]

    async def settle(self) -> None:
        """Wait until every message owed has reached the sandbox; note when it arrived."""
        owed = await self.owed()
        await self.sandbox.wait_until(lambda: len(self.delivered()) >= owed, timeout=60)
        for sent in self.delivered():
            self.arrived.setdefault(sent, self.clock.now())

    def set_clock(self, moment: datetime) -> None:
        """The bot's clock to ``moment``, and Telegram's with it (it only moves forward)."""
        self.clock.set(moment)
        ahead = moment.timestamp() - self.sandbox.clock.time()
        if ahead > 0:
            self.sandbox.clock.advance(ahead)

    async def step_to(self, until: datetime, every: timedelta = timedelta(minutes=30)) -> None:
        while self.clock.now() < until:
            self.set_clock(self.clock.now() + every)
            await schedules.sweep(self.running.db, self.services, self.running.sender.wake, render)
            await self.settle()

    def texts_to(self, cadre: str) -> list[str]:
        return [text for chat, text in self.delivered() if chat == USER[cadre]]

    def when(self, cadre: str, words: str) -> list[datetime]:
        return [
            at.astimezone(ZONE)
            for (chat, text), at in self.arrived.items()
            if chat == USER[cadre] and words in text
        ]


async def _prepare(config: Config, now: datetime) -> None:
    settings = config.database
    db = await open_database(settings.path, settings.url, settings.schema_name)
    try:
        await migrate.upgrade(db, now)
        await load_sample(db)
        for cadre in CADRES:
            code = await card_code(db, now, cadre=cadre)
            async with db.transaction() as tx:
                await People(tx).bind_cadre(cadre, USER[cadre], code, now)
        code = await card_code(db, now, household="H0001")
        async with db.transaction() as tx:
            await People(tx).add_member(GRANDMA, "H0001", code, now)
    finally:
        await db.close()


@pytest.fixture
def pinned_at() -> datetime:
    """Telegram starts where the bot's ManualClock does (see ``county``)."""
    return local("13", "12:00")


@pytest.fixture
async def county(
    sandbox: Sandbox,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    pinned_at: datetime,
    database_url: str,
) -> AsyncIterator[County]:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")  # start_bot sets it; keep it to this test
    clock = ManualClock(pinned_at)
    path = write_config(
        tmp_path, sandbox, language="en", extra=SETTINGS, database_url=database_url
    )
    config = load_config(path, {})
    await _prepare(config, clock.now())
    users = {cadre: sandbox.user(USER[cadre], name) for cadre, name in CADRES.items()}
    users["grandma"] = sandbox.user(GRANDMA, "王秀英")
    running = await start_bot(config, clock)
    county = County(sandbox, config, clock, running, users)
    yield county
    await stop_bot(county.running)


async def test_a_month_of_reminders_arrives_once_each_across_restarts(county: County) -> None:
    grandma, strong = county.users["grandma"], county.users["K004"]
    await grandma.command("visits")
    offer = await grandma.wait_for_text("Press a household")
    assert "🔔 王秀英: on" in str(offer["reply_markup"])  # notices are on by default (0023)
    await strong.command("stay", "H0001 夜访")
    await strong.wait_for_text("Stay logged for 3/13 at 王秀英's household (H0001)")
    await strong.send_location(25.03, 102.71)
    await strong.wait_for_text("Location added")
    await county.settle()

    await county.step_to(local("15", "12:00"))
    await county.restart()  # a plain restart between the morning and the evening
    await county.step_to(local("15", "19:00"))
    await stop_bot(county.running)  # down over the evening reminder's hour
    county.set_clock(local("15", "21:10"))
    county.running = await start_bot(county.config, county.clock)
    # The JobQueue's first sweep, at start, sends what fell due while the bot was down.
    await county.sandbox.wait_until(
        lambda: any("Tomorrow (3/16)" in t for t in county.texts_to("K009")), timeout=60
    )
    await county.settle()
    county.set_clock(local("15", "21:30"))  # back on the half hours
    await county.step_to(local("17", "12:00"))
    county.set_clock(local("25", "07:00"))
    await county.step_to(local("25", "09:00"))

    for cadre in CADRES:
        texts = county.texts_to(cadre)
        assert not [t for t, n in Counter(texts).items() if n > 1], cadre  # nothing twice
        assert county.when(cadre, "Tomorrow (3/15) is a service day") == [local("14", "20:00")]
        assert county.when(cadre, "Today (3/15) is a service day") == [local("15", "07:30")]
        assert county.when(cadre, "Tomorrow (3/16) is a service day") == [local("15", "21:10")]
        assert county.when(cadre, "Today (3/16) is a service day") == [local("16", "07:30")]
    # Reception: the township secretary on Mondays (the 16th and 23rd; the 23rd passed
    # while the clock jumped and was not swept, so it is gone).
    assert county.when("K003", "your reception day") == [local("16", "07:30")]
    assert county.when("K001", "your reception day") == []  # monthly on the 1st
    # Stay quotas on the 25th: K004 stayed once (of 8); the county leader none (of 2).
    assert county.when("K004", "1 of 8 days logged, 7 to go") == [local("25", "07:30")]
    assert county.when("K001", "0 of 2 days logged") == [local("25", "07:30")]
    assert county.when("K002", "0 of 4 days logged") == [local("25", "07:30")]
    assert county.when("K007", "days logged") == []  # village cadres have no quota
    # The villager (notices on by default) heard of the visit the evening before each one.
    notes = [t for c, t in county.delivered() if c == GRANDMA and "郑小红" in t]
    assert len(notes) == 2
    # Digests to the supervisors every morning at 08:00, once each; the 13th's went out
    # when the bot started at noon (still that day), the 18th to the 24th were skipped.
    digests = county.when("K001", "Digest of")
    assert sorted(d.date().day for d in digests) == [13, 14, 15, 16, 17, 25]
    assert local("14", "08:00") in digests
