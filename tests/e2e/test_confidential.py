"""Confidential complaints about a cadre (issue 11), played through the sandbox with the
real bot: 「🔒 反映干部问题」 files before anything is sent and reaches only the supervisor
above the accused; the accused receives nothing, cannot list, open or press it; "about
my cadre" on an ordinary request withdraws the accused's copy; and a reply is labelled
with the cadre who wrote it."""

from __future__ import annotations

import re
from datetime import timedelta

from bot.sandbox.server import Sandbox
from bot.sandbox.users import SandboxUser
from tests.e2e.harness import pin
from tests.e2e.support import replying_to
from tests.e2e.test_requests_cadre import County, new_case, number_in, refusals, refused
from tests.e2e.test_requests_cadre import county as county  # the fixture

COMPLAINT = "村干部郑小红收了我家200块钱才给办低保"
NOT_FOUND = "没有找到这条诉求"


def _request_id(case: dict[str, object]) -> str:
    found = re.search(r"rq:ack:(\d+)", str(case["reply_markup"]))
    assert found, case
    return found.group(1)


def _saw(person: SandboxUser, *words: str) -> bool:
    return any(
        w in str(m.get("text") or m.get("caption")) for m in person.messages() for w in words
    )


async def _forged_presses_refused(sandbox: Sandbox, accused: SandboxUser, rid: str) -> None:
    """Every button of the request, forged with its id: refused, or (open) not found."""
    anchor = accused.messages()[-1]
    for data in (f"rq:ack:{rid}", f"rq:reply:{rid}", f"rq:hand:{rid}", f"rq:esc:{rid}"):
        before = refusals(accused)
        await accused.press_raw(anchor["message_id"], data)
        await refused(sandbox, accused, before)
    missing = _count(accused, NOT_FOUND)
    await accused.press_raw(anchor["message_id"], f"rq:open:{rid}")
    await sandbox.wait_until(lambda: _count(accused, NOT_FOUND) > missing)


def _count(person: SandboxUser, words: str) -> int:
    return sum(words in str(m.get("text")) for m in person.messages())


async def test_a_confidential_complaint_reaches_only_the_supervisor_above_the_accused(
    sandbox: Sandbox, county: County
) -> None:
    grandma = await county.villager(2001, "秀英", "H0001")
    accused = await county.cadre("K007", "郑小红")  # 柳树村; tier 1 of 王秀英's chain
    supervisor = await county.cadre("K003", "孙丽")  # supervises 东坪镇, above 柳树村
    township = await county.cadre("K004", "李强")  # tier 2 of the chain: not told either

    await grandma.send_text("🔒 反映干部问题")
    choose = await grandma.wait_for_text("您要反映哪位干部的问题")
    await grandma.press(choose, text="郑小红（村干部）")
    asked = await grandma.wait_for_text("只交给 孙丽")
    assert "郑小红看不到" in asked["text"]
    sent = await grandma.send_text(COMPLAINT)
    receipt = await grandma.wait_for(replying_to(sent["message_id"]))
    assert "保密反映" in receipt["text"]
    assert "孙丽" in receipt["text"]
    number = number_in(receipt)

    case = await new_case(supervisor, number)
    assert "200块钱" in case["text"]
    await supervisor.wait_for_text("反映的是 郑小红")
    rid = _request_id(case)

    # The accused: /inbox does not list it, its number reads as a missing one, and every
    # forged button with its id is refused.
    await accused.command("inbox")
    await accused.wait_for_text("您目前没有待办的诉求")
    await accused.command("inbox", number)
    await accused.wait_for_text("没有找到这条诉求")
    await _forged_presses_refused(sandbox, accused, rid)

    # The supervisor answers; the villager sees who wrote it.
    await supervisor.press(case, text="回复")
    await supervisor.wait_for_text("请发送")
    await supervisor.send_text("已收到，镇里会核查。")
    reply = await grandma.wait_for_text("镇里会核查")
    assert "孙丽" in reply["text"]
    # A follow-up joins the complaint and goes to the supervisor, not to the accused.
    await grandma.send_text("还有一件：她说不给钱就不签字")
    await supervisor.wait_for_text("不给钱就不签字")

    assert not _saw(accused, "200块钱", number, "不给钱就不签字")
    assert not _saw(township, "200块钱", number)


async def test_about_my_cadre_withdraws_the_accused_copy(sandbox: Sandbox, county: County) -> None:
    grandma = await county.villager(2001, "秀英", "H0001")
    accused = await county.cadre("K007", "郑小红")
    supervisor = await county.cadre("K003", "孙丽")
    await grandma.send_text("村干部收了钱不办事")
    receipt = await grandma.wait_for_text("已登记您的诉求")
    number = number_in(receipt)
    card = await new_case(accused, number)  # the ordinary path: the handler had it first

    await grandma.press(receipt, text="反映的是我家的包联干部")
    moved = await grandma.wait_for_text("现在由 孙丽")
    assert "保密" in moved["text"]
    case = await new_case(supervisor, number)
    assert "村干部收了钱不办事" in case["text"]
    # The accused's case card is deleted from her chat; she is not told where it went.
    await sandbox.wait_until(
        lambda: all(m["message_id"] != card["message_id"] for m in accused.messages())
    )
    assert not _saw(accused, number)
    await accused.command("inbox", number)
    await accused.wait_for_text("没有找到这条诉求")
    await _forged_presses_refused(sandbox, accused, _request_id(card))


async def test_a_copy_too_old_to_delete_is_blanked(sandbox: Sandbox, county: County) -> None:
    """Telegram lets a bot delete its messages for 48 hours only: an older copy in the
    accused's chat loses its words and buttons instead."""
    grandma = await county.villager(2001, "秀英", "H0001")
    accused = await county.cadre("K007", "郑小红")
    await grandma.send_text("村干部收了钱不办事")
    receipt = await grandma.wait_for_text("已登记您的诉求")
    number = number_in(receipt)
    card = await new_case(accused, number)
    assert await county.bot.stop() == 0
    county.bot.clock = pin(sandbox, county.bot.now() + timedelta(hours=49))
    await county.bot.start()

    await grandma.press(receipt, text="反映的是我家的包联干部")
    await grandma.wait_for_text("现在由 孙丽")

    def blanked() -> bool:
        shown = [m for m in accused.messages() if m["message_id"] == card["message_id"]]
        return bool(shown) and shown[0].get("text") == "（此条内容已撤回）"

    await sandbox.wait_until(blanked)
    shown = next(m for m in accused.messages() if m["message_id"] == card["message_id"])
    assert not shown.get("reply_markup", {}).get("inline_keyboard")
    assert not _saw(accused, "村干部收了钱不办事")


async def test_a_reply_is_labelled_with_the_cadre_who_wrote_it(
    sandbox: Sandbox, county: County
) -> None:
    grandma = await county.villager(2001, "秀英", "H0001")
    cadre = await county.cadre("K007", "郑小红")
    township = await county.cadre("K004", "李强")
    await grandma.send_text("自来水管冻裂了")
    number = number_in(await grandma.wait_for_text("已登记您的诉求"))
    case = await new_case(cadre, number)
    await cadre.press(case, text="转交")  # the card's buttons become the cadres
    choose = await cadre.wait_for(
        lambda m: m["message_id"] == case["message_id"] and "李强（" in str(m)
    )
    await cadre.press(choose, text="李强（第 2 联系人）")
    await township.wait_for_text(f"郑小红把诉求 {number} 转交给您办理")

    # Her card now says 李强 handles it and keeps 回复: a former handler may still reply.
    case = await cadre.wait_for(
        lambda m: m["message_id"] == case["message_id"] and "经办：李强" in m["text"]
    )
    await cadre.press(case, text="回复")
    await cadre.wait_for_text("请发送")
    await cadre.send_text("我已经跟李强说了情况。")
    reply = await grandma.wait_for_text("我已经跟李强说了情况")
    assert "郑小红" in reply["text"]
    assert "李强（" not in reply["text"]
