"""Who may see, log and put off what, through the real bot against the sandbox (issue 9):
a cadre walking ``/visit H0001…H9999`` learns no stranger household's head, and logs no
stay or visit there (a missing household and someone else's read exactly the same);
``/extend`` and ``/away`` cannot switch escalation off with a date years ahead, and the
supervisor hears of both; a cadre pruned from the roster keeps no case, and their open
request goes to the next cadre, who hears the villager's next words; a new phone on a
household is announced to its members, who can report it, and an admin can unbind it."""

from __future__ import annotations

import csv
import re
import shutil
from collections.abc import Awaitable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.sandbox.server import Sandbox
from bot.sandbox.users import SandboxUser
from tests.e2e.conftest import StartBot
from tests.e2e.harness import ROOT, database_of
from tests.e2e.test_binding import SETTINGS, lianxin, printed_codes
from tests.e2e.test_requests_cadre import County

DAYS = "SELECT kind, household_id FROM cadre_days ORDER BY id"


# Supervisors told at once rather than in their digest (the default), so the test can
# see the notice of an extension as it happens.
INSTANT = '\n[notices]\nsupervisors = "instant"\n'


@pytest.fixture
async def county(sandbox: Sandbox, start_bot: StartBot) -> County:
    bot = await start_bot(extra=SETTINGS + INSTANT)
    await lianxin(bot.config, "roster", "import", str(ROOT / "bot" / "samples" / "roster"))
    return County(bot, sandbox, await printed_codes(bot), await printed_codes(bot, "--cadres"))


async def answer_to(person: SandboxUser, command: str, args: str) -> dict[str, Any]:
    sent = await person.command(command, args)
    return await person.wait_for(lambda m: "已登记" in m.get("text", ""), after=sent["message_id"])


async def logged_days(config: Path) -> list[tuple[str, str | None]]:
    async with database_of(config) as db, db.read() as tx:
        return [(r[0], r[1]) for r in await tx.fetchall(DAYS)]


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

    assert await logged_days(county.bot.config) == [
        ("visit", "H0001"),
        ("visit", None),
        ("visit", None),
        ("stay", None),
        ("visit", "H0005"),
        ("visit", None),
    ]


def days_ahead(county: County, days: int) -> str:
    """A date ``days`` after the bot's own today (the e2e bot runs on a pinned clock)."""
    return (county.bot.now().date() + timedelta(days=days)).isoformat()


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

    later = days_ahead(county, 10)
    sent = await cadre.command("extend", f"{number} {later} 等配件")
    await cadre.wait_for_text("已把", after=sent["message_id"])
    told = await supervisor.wait_for_text(f"督办：郑小红把诉求 {number}")
    assert later in told["text"]
    assert "等配件" in told["text"]
    await grandma.wait_for_text("办结时间延到")

    sent = await cadre.command("away", days_ahead(county, 5))
    await cadre.wait_for_text("已登记您外出到", after=sent["message_id"])
    away = await supervisor.wait_for_text("登记外出到")
    assert "郑小红" in away["text"]
    assert "王磊" in away["text"]  # her B post


def roster_without_k007(folder: Path) -> Path:
    """The sample roster with 郑小红 (K007) gone: 王磊 (K008) takes her households."""
    shutil.copytree(ROOT / "bot" / "samples" / "roster", folder)
    for name, edit in (("cadres.csv", _drop_k007), ("links.csv", _k007_to_k008)):
        path = folder / name
        with path.open(encoding="utf-8-sig", newline="") as file:
            rows = list(csv.DictReader(file))
        fields = list(rows[0])
        with path.open("w", encoding="utf-8-sig", newline="") as file:
            writer = csv.DictWriter(file, fields)
            writer.writeheader()
            writer.writerows(edit(rows))
    return folder


def _drop_k007(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    kept = [row for row in rows if row["id"] != "K007"]
    for row in kept:
        if row["backup_id"] == "K007":
            row["backup_id"] = ""
    return kept


def _k007_to_k008(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    return [{**row, "cadre_id": "K008"} if row["cadre_id"] == "K007" else row for row in rows]


ADMIN = 9001


async def test_a_pruned_cadre_keeps_no_case_and_the_next_cadre_takes_the_request(
    sandbox: Sandbox, start_bot: StartBot, tmp_path: Path
) -> None:
    quick = '\n[requests]\nsweep_every = "1s"  # reroutes are told by this sweep\n'
    bot = await start_bot(admins=(ADMIN,), extra=SETTINGS + quick)
    await lianxin(bot.config, "roster", "import", str(ROOT / "bot" / "samples" / "roster"))
    county = County(bot, sandbox, await printed_codes(bot), await printed_codes(bot, "--cadres"))
    admin = sandbox.user(ADMIN, "管理员")
    await admin.start()
    await admin.wait_for_text("管理员")
    grandma = await county.villager(2001, "秀英", "H0001")
    old = await county.cadre("K007", "郑小红")
    new = await county.cadre("K008", "王磊")
    await grandma.send_text("水管坏了")
    receipt = await grandma.wait_for_text("已登记")
    number = re.findall(r"LX-\d{4}-\d{6}", receipt["text"])[0]
    await old.wait_for_text(f"诉求 {number}")

    out = await lianxin(
        bot.config, "roster", "import", str(roster_without_k007(tmp_path / "r")), "--prune"
    )  # a FOREIGN KEY traceback, importing nothing, before
    assert "有办理记录，已停用" in out
    assert "改派" in out

    case = await new.wait_for_text("郑小红已不再负责这户")
    assert number in case["text"]
    assert "水管坏了" in case["text"]  # the whole case
    await grandma.wait_for_text("现在由 王磊", after=receipt["message_id"])
    summary = await admin.wait_for_text("改派")
    assert f"{number}（柳树村王秀英家）：郑小红 → 王磊" in summary["text"]

    sent = await old.command("inbox", number)
    refused = await old.wait_for(lambda m: True, after=sent["message_id"])
    assert number not in refused["text"]
    assert "只有绑定了的干部" in refused["text"]

    await grandma.send_text("还是没水")
    await new.wait_for_text("还是没水")


async def test_a_new_phone_is_announced_reported_and_unbound(
    sandbox: Sandbox, start_bot: StartBot
) -> None:
    bot = await start_bot(admins=(ADMIN,), extra=SETTINGS)
    await lianxin(bot.config, "roster", "import", str(ROOT / "bot" / "samples" / "roster"))
    county = County(bot, sandbox, await printed_codes(bot), await printed_codes(bot, "--cadres"))
    admin = sandbox.user(ADMIN, "管理员")
    await admin.start()
    await admin.wait_for_text("管理员")
    cadre = await county.cadre("K007", "郑小红")  # H0001's first contact
    grandma = await county.villager(2001, "秀英", "H0001")
    stranger = await county.villager(2666, "陌生人", "H0001")  # found the card

    notice = await grandma.wait_for_text("一部新手机")
    assert "陌生人" in notice["text"]
    report_data = notice_data(notice)
    welcome = await stranger.wait_for_text("已经绑定到")  # the stranger may not report it
    assert "失效" in await answered(
        sandbox, stranger, stranger.press_raw(welcome["message_id"], report_data)
    )
    assert "已报告" in await answered(
        sandbox, grandma, grandma.press(notice, text="不是我家人，报告")
    )
    report = await admin.wait_for_text("不是他家的人")
    assert "陌生人" in report["text"]
    assert "王秀英" in report["text"]
    await cadre.wait_for_text("不是他家的人")

    unbind = "解除这部手机的绑定"
    assert "失效" in await answered(
        sandbox, grandma, grandma.press_raw(notice["message_id"], notice_data(report))
    )  # only admins unbind
    assert "已解除" in await answered(sandbox, admin, admin.press(report, text=unbind))
    await stranger.wait_for_text("管理员已解除")
    sent = await stranger.send_text("我要看看")
    answer = await stranger.wait_for(lambda m: True, after=sent["message_id"])
    assert "还没有绑定" in answer["text"]
    assert "已经不再绑定" in await answered(sandbox, admin, admin.press(report, text=unbind))


async def answered(sandbox: Sandbox, person: SandboxUser, press: Awaitable[str]) -> str:
    """The answer shown on the button ``press`` pressed."""
    before = len(person.callback_answers())
    await press
    await sandbox.wait_until(lambda: len(person.callback_answers()) > before)
    return person.callback_answers()[-1]


def notice_data(message: dict[str, Any]) -> str:
    return str(message["reply_markup"]["inline_keyboard"][0][0]["callback_data"])
