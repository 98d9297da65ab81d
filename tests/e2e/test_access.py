"""Who may see and log what, through the real bot against the sandbox (issue 9, item 10):
a cadre walking ``/visit H0001…H9999`` learns no stranger household's head, and logs no
stay or visit there; a missing household and someone else's read exactly the same."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.sandbox.server import Sandbox
from bot.sandbox.users import SandboxUser
from storage.db import Database
from tests.e2e.conftest import StartBot
from tests.e2e.harness import ROOT, BotProcess
from tests.e2e.test_binding import SETTINGS, lianxin, printed_codes

DAYS = "SELECT kind, household_id FROM cadre_days ORDER BY id"


class County:
    def __init__(self, bot: BotProcess, sandbox: Sandbox, cadre_codes: dict[str, str]) -> None:
        self.bot = bot
        self.sandbox = sandbox
        self.cadre_codes = cadre_codes

    async def cadre(self, cadre_id: str, name: str) -> SandboxUser:
        person = self.sandbox.user(3000 + int(cadre_id[1:]), name)
        await person.start(self.cadre_codes[cadre_id])
        await person.wait_for_text("已经绑定为干部")
        return person


@pytest.fixture
async def county(sandbox: Sandbox, start_bot: StartBot) -> County:
    bot = await start_bot(extra=SETTINGS)
    await lianxin(bot.config, "roster", "import", str(ROOT / "bot" / "samples" / "roster"))
    return County(bot, sandbox, await printed_codes(bot, "--cadres"))


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
