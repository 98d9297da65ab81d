"""Who may see, log and put off what, through the real bot against the sandbox (issue 9):
a cadre walking ``/visit H0001…H9999`` learns no stranger household's head, and logs no
stay or visit there (a missing household and someone else's read exactly the same);
``/extend`` and ``/away`` cannot switch escalation off with a date years ahead, and the
supervisor hears of both."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.sandbox.server import Sandbox
from bot.sandbox.users import SandboxUser
from storage.db import Database
from tests.e2e.conftest import StartBot
from tests.e2e.harness import ROOT, BotProcess
from tests.e2e.test_binding import SETTINGS, lianxin, printed_codes

DAYS = "SELECT kind, household_id FROM cadre_days ORDER BY id"


class County:
    def __init__(
        self,
        bot: BotProcess,
        sandbox: Sandbox,
        households: dict[str, str],
        cadre_codes: dict[str, str],
    ) -> None:
        self.bot = bot
        self.sandbox = sandbox
        self.households = households
        self.cadre_codes = cadre_codes

    async def villager(self, user_id: int, name: str, household: str) -> SandboxUser:
        person = self.sandbox.user(user_id, name)
        await person.start(self.households[household])
        await person.wait_for_text("已经绑定到")
        return person

    async def cadre(self, cadre_id: str, name: str) -> SandboxUser:
        person = self.sandbox.user(3000 + int(cadre_id[1:]), name)
        await person.start(self.cadre_codes[cadre_id])
        await person.wait_for_text("已经绑定为干部")
        return person


@pytest.fixture
async def county(sandbox: Sandbox, start_bot: StartBot) -> County:
    bot = await start_bot(extra=SETTINGS)
    await lianxin(bot.config, "roster", "import", str(ROOT / "bot" / "samples" / "roster"))
    return County(bot, sandbox, await printed_codes(bot), await printed_codes(bot, "--cadres"))


async def answer_to(person: SandboxUser, command: str, args: str) -> dict[str, Any]:
    sent = await person.command(command, args)
    return await person.wait_for(lambda m: "已登记" in m.get("text", ""), after=sent["message_id"])


async def logged_days(database: Path) -> list[tuple[str, str | None]]:
    db = await Database.open(database)
    try:
        async with db.read() as tx:
            return [(r[0], r[1]) for r in await tx.fetchall(DAYS)]
    finally:
        await db.close()


async def test_a_cadre_cannot_learn_or_log_a_stranger_household_by_visit_or_stay(
    county: County,
) -> None:
    village = await county.cadre("K007", "郑小红")  # linked to H0001-H0002, supervises none
    own = await answer_to(village, "visit", "H0001 夜访")
    assert "王秀英" in own["text"]

    stranger = await answer_to(village, "visit", "H0007 路过")  # 杨春花, another township
    missing = await answer_to(village, "visit", "H9999 路过")
    assert "杨春花" not in stranger["text"]
    assert stranger["text"] == missing["text"].replace("H9999", "H0007")
    stayed = await answer_to(village, "stay", "H0010")  # 马金凤
    assert "马金凤" not in stayed["text"]
    assert "H0010 不是您联系或督办的农户" in stayed["text"]

    # A supervisor sees the households of their region, and only those.
    township = await county.cadre("K003", "孙丽")  # supervises 东坪镇 (T01)
    supervised = await answer_to(township, "visit", "H0005")
    assert "冯玉珍" in supervised["text"]
    other = await answer_to(township, "visit", "H0012")  # 普兰英, 西河乡
    assert "普兰英" not in other["text"]

    assert await logged_days(county.bot.database) == [
        ("visit", "H0001"),
        ("visit", None),
        ("visit", None),
        ("stay", None),
        ("visit", "H0005"),
        ("visit", None),
    ]


def days_ahead(days: int) -> str:
    return (datetime.now(ZoneInfo("Asia/Shanghai")).date() + timedelta(days=days)).isoformat()


async def test_extend_and_away_years_ahead_are_refused_and_the_supervisor_is_told(
    county: County,
) -> None:
    grandma = await county.villager(2001, "秀英", "H0001")
    cadre = await county.cadre("K007", "郑小红")
    supervisor = await county.cadre("K003", "孙丽")  # supervises 东坪镇, above 柳树村
    await grandma.send_text("水管坏了")
    number = re.findall(r"LX-\d{4}-\d{6}", (await grandma.wait_for_text("已登记"))["text"])[0]
    await cadre.wait_for_text(f"诉求 {number}")

    sent = await cadre.command("extend", f"{number} 9999-12-31 等配件")
    refused = await cadre.wait_for_text("最多只能延到", after=sent["message_id"])
    assert "没有改动" in refused["text"]
    sent = await cadre.command("away", "9999-12-31")
    refused = await cadre.wait_for_text("最长只能登记外出", after=sent["message_id"])
    assert "9999" not in refused["text"]

    later = days_ahead(10)
    sent = await cadre.command("extend", f"{number} {later} 等配件")
    await cadre.wait_for_text("已把", after=sent["message_id"])
    told = await supervisor.wait_for_text(f"督办：郑小红把诉求 {number}")
    assert later in told["text"]
    assert "等配件" in told["text"]
    await grandma.wait_for_text("办结时间延到")

    sent = await cadre.command("away", days_ahead(5))
    await cadre.wait_for_text("已登记您外出到", after=sent["message_id"])
    away = await supervisor.wait_for_text("登记外出到")
    assert "郑小红" in away["text"]
    assert "王磊" in away["text"]  # her B post
