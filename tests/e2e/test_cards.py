"""Edit, don't pile up (issue 11), with the real bot against the sandbox: a cadre with 30
requests pages /inbox eight at a time and filters it, all in one message; opening a case
brings its card (the card before loses its buttons); acting on it edits that card; a
villager's follow-up arrives as a new message without buttons, and the chat keeps one
message with live buttons for the case."""

from __future__ import annotations

import re
from typing import Any

import pytest

from bot.sandbox.server import Sandbox
from bot.sandbox.users import SandboxUser
from tests.e2e.conftest import StartBot
from tests.e2e.harness import ROOT
from tests.e2e.test_binding import SETTINGS, lianxin, printed_codes
from tests.e2e.test_requests_cadre import County, number_in

FAST = """
[sender]
per_chat_interval = "0.05s"
"""
BAD = "已经失效"


@pytest.fixture
async def county(sandbox: Sandbox, start_bot: StartBot) -> County:
    sandbox.rate_limits = False  # 30 filings and their cards, quickly
    bot = await start_bot(extra=SETTINGS + FAST)
    await lianxin(bot.config, "roster", "import", str(ROOT / "bot" / "samples" / "roster"))
    return County(bot, sandbox, await printed_codes(bot), await printed_codes(bot, "--cadres"))


def live(message: dict[str, Any], request_id: int) -> bool:
    """Whether the message carries buttons acting on the request."""
    rows = (message.get("reply_markup") or {}).get("inline_keyboard") or []
    wanted = re.compile(rf"^rq:(?!open:)\w+:{request_id}(:|$)")
    return any(wanted.match(str(b.get("callback_data", ""))) for row in rows for b in row)


def request_id_of(card: dict[str, Any]) -> int:
    rows = card["reply_markup"]["inline_keyboard"]
    return int(str(rows[0][0]["callback_data"]).split(":")[2])


def edits_of(sandbox: Sandbox, person: SandboxUser, message_id: int) -> int:
    return sum(
        1
        for record in sandbox.sent
        if record.method == "editMessageText"
        and record.chat_id == person.id
        and record.message["message_id"] == message_id
    )


def current(person: SandboxUser, message_id: int) -> dict[str, Any]:
    """The message as the chat shows it now (edits applied)."""
    return next(m for m in person.messages() if m["message_id"] == message_id)


async def settled(sandbox: Sandbox, person: SandboxUser, message_id: int, edits: int) -> None:
    await sandbox.wait_until(lambda: edits_of(sandbox, person, message_id) >= edits)


async def test_thirty_requests_paged_filtered_opened_acted_on_in_place(
    sandbox: Sandbox, county: County
) -> None:
    grandma = await county.villager(2001, "秀英", "H0001")
    cadre = await county.cadre("K007", "郑小红")

    # Her request, marked urgent; then the cadre files 29 more after phone calls.
    await grandma.send_text("水管冻裂了，家里一点水都没有了，请快来看看")
    receipt = await grandma.wait_for_text("已登记您的诉求")
    number = number_in(receipt)
    await grandma.press(receipt, text="🚨 紧急")
    first_card = await cadre.wait_for(
        lambda m: number in m["text"] and "inline_keyboard" in str(m)
    )
    request_id = request_id_of(first_card)
    await cadre.wait_for_text("标为紧急")
    for n in range(1, 30):
        asked = await cadre.command("file", "H0002")
        await cadre.wait_for_text("请发送替「李大山」家", after=asked["message_id"])
        said = await cadre.send_text(f"第{n}件：村口路灯不亮了")
        await cadre.wait_for_text("已替「李大山」家登记诉求", after=said["message_id"])

    # /inbox: 8 a page, soonest due first (the urgent one), with snippets.
    shown = await cadre.command("inbox")
    inbox = await cadre.wait_for_text("共 30 条，第 1/4 页", after=shown["message_id"])
    lines = inbox["text"].splitlines()
    assert len(lines) == 9
    assert lines[1].startswith(
        f"1. {number} 🚨柳树村 王秀英：水管冻裂了，家里一点水都没有了，请快来…"
    )
    assert "第1件：村口路灯不亮了" in inbox["text"]
    sent_before = len(cadre.messages())

    await cadre.press(inbox, text="下一页 ▶")
    await cadre.wait_for(
        lambda m: "第 2/4 页" in m["text"] and m["message_id"] == inbox["message_id"]
    )
    await cadre.press(inbox["message_id"], text="紧急")
    urgent = await cadre.wait_for(lambda m: "紧急诉求（共 1 条" in m["text"])
    assert urgent["message_id"] == inbox["message_id"]
    await cadre.press(inbox["message_id"], text="我经办")
    await cadre.wait_for(lambda m: "您经办的诉求（共 30 条，第 1/4 页" in m["text"])
    assert edits_of(sandbox, cadre, inbox["message_id"]) == 3
    assert len(cadre.messages()) == sent_before  # paging sent nothing new

    # Forged paging: a clear answer, nothing changed.
    answered = sum(BAD in a for a in cadre.callback_answers())
    for forged in ("iq:bogus:0", "iq:all:-1", "iq:all:99999", "iq:all:²"):
        await cadre.press_raw(inbox["message_id"], forged)
    await sandbox.wait_until(
        lambda: sum(BAD in a for a in cadre.callback_answers()) == answered + 4
    )
    assert edits_of(sandbox, cadre, inbox["message_id"]) == 3

    # Opening her case brings its card anew; the first card loses its buttons.
    await cadre.press(inbox["message_id"], text=f"1. {number}")
    card = await cadre.wait_for(
        lambda m: live(m, request_id) and m["message_id"] != first_card["message_id"],
        after=inbox["message_id"],
    )
    await sandbox.wait_until(
        lambda: not live(current(cadre, first_card["message_id"]), request_id)
    )
    assert "【紧急】" in card["text"]

    # 受理 on the card: the household hears, the card is edited in place.
    before = len(cadre.messages())
    await cadre.press(card, text="受理")
    await grandma.wait_for_text("已受理您的诉求")
    await settled(sandbox, cadre, card["message_id"], 1)
    now = current(cadre, card["message_id"])
    assert "办理中" in now["text"]
    assert "郑小红 受理" in now["text"]
    assert "受理" not in [b["text"] for row in now["reply_markup"]["inline_keyboard"] for b in row]
    assert len(cadre.messages()) == before  # no new message for the act
    await sandbox.wait_until(lambda: any("已受理" in a for a in cadre.callback_answers()))

    # Her follow-up comes as a new message (it notifies) without buttons; the card says so.
    await grandma.send_text("水还是没来")
    follow = await cadre.wait_for_text("水还是没来", after=card["message_id"])
    assert not live(follow, request_id)
    await settled(sandbox, cadre, card["message_id"], 2)
    assert "村民 补充" in current(cadre, card["message_id"])["text"]
    assert [m["message_id"] for m in cadre.messages() if live(m, request_id)] == [
        card["message_id"]
    ]
