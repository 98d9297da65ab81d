"""The cadre's side of a request, through the sandbox with the real bot: whole stories
from 挂号 to 销号, away and backup, about-my-cadre, /inbox and its rights, and buttons
that are forged, stale or pressed twice changing nothing."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest

from bot.sandbox.server import Sandbox
from bot.sandbox.users import SandboxUser
from tests.e2e.conftest import StartBot
from tests.e2e.harness import ROOT, BotProcess
from tests.e2e.test_binding import SETTINGS, lianxin, printed_codes

NUMBER = re.compile(r"LX-\d{4}-\d{6}")
REFUSED = "什么也没有改变"


@dataclass
class County:
    bot: BotProcess
    sandbox: Sandbox
    households: dict[str, str]
    cadre_codes: dict[str, str]

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


def number_in(message: dict[str, Any]) -> str:
    found = NUMBER.search(str(message.get("text") or message.get("caption") or ""))
    assert found, message
    return found.group()


async def new_case(cadre: SandboxUser, number: str, after: int | None = None) -> dict[str, Any]:
    """The request as it reaches its handler: the case with the action buttons."""
    return await cadre.wait_for(
        lambda m: f"诉求 {number}" in m["text"] and "inline_keyboard" in m["reply_markup"],
        after=after,
    )


async def refused(sandbox: Sandbox, person: SandboxUser, before: int) -> None:
    """Wait for one more button answer of ``person`` saying nothing changed."""
    await sandbox.wait_until(lambda: sum(REFUSED in a for a in person.callback_answers()) > before)


def refusals(person: SandboxUser) -> int:
    return sum(REFUSED in a for a in person.callback_answers())


async def test_a_voice_only_request_is_answered_and_confirmed(
    sandbox: Sandbox, county: County
) -> None:
    grandma = await county.villager(2001, "秀英", "H0001")
    cadre = await county.cadre("K007", "郑小红")
    await grandma.send_voice()
    receipt = await grandma.wait_for_text("已登记您的诉求")
    number = number_in(receipt)

    case = await new_case(cadre, number)
    assert "王秀英" in case["text"]
    assert "柳树村" in case["text"]
    assert "第 1 联系人" in case["text"]
    assert any("voice" in m for m in cadre.messages())  # the voice note itself, relayed
    await cadre.press(case, text="受理")
    await grandma.wait_for_text("已受理您的诉求")

    await cadre.press(case, text="回复")
    asked = await cadre.wait_for_text("请发送给村民的回复")
    await cadre.send_text("明天上午我去您家看看。")
    await grandma.wait_for_text("明天上午我去您家看看")
    await cadre.wait_for_text("已把您的回复转给村民", after=asked["message_id"])

    await cadre.press(case, text="办结")
    await cadre.wait_for_text("请发送办结说明或现场照片")
    await cadre.send_photo(caption="水管已经换好了")
    resolved = await grandma.wait_for_text("已办结")
    await grandma.press(resolved, text="已解决，满意")
    closed = await cadre.wait_for_text("已销号")
    assert number in closed["text"]
    assert "已解决，满意" in closed["text"]


async def test_a_photo_request_rejected_then_resolved_again(
    sandbox: Sandbox, county: County
) -> None:
    grandma = await county.villager(2001, "秀英", "H0001")
    cadre = await county.cadre("K007", "郑小红")
    await grandma.send_photo(caption="路灯坏了")
    number = number_in(await grandma.wait_for_text("已登记您的诉求"))
    case = await new_case(cadre, number)
    assert "路灯坏了" in case["text"]
    assert any("photo" in m for m in cadre.messages())

    await cadre.press(case, text="办结")
    await cadre.wait_for_text("请发送办结说明")
    await cadre.send_text("已经报修")
    first = await grandma.wait_for_text("已办结")
    await grandma.press(first, text="没有解决")
    back = await cadre.wait_for_text("还没有解决")
    assert number in back["text"]
    await grandma.send_text("晚上还是不亮")
    added = await cadre.wait_for_text("晚上还是不亮", after=back["message_id"])
    assert number in added["text"]

    assert "inline_keyboard" not in str(back.get("reply_markup"))  # the buttons are the card's
    await cadre.press(case, text="办结")
    await cadre.wait_for_text("请发送办结说明", after=back["message_id"])
    await cadre.send_text("换了新灯泡")
    second = await grandma.wait_for_text("换了新灯泡")
    await grandma.press(second, text="部分解决")
    closed = await cadre.wait_for_text("已销号")
    assert "部分解决" in closed["text"]


async def test_an_away_cadre_s_request_is_served_by_the_backup(
    sandbox: Sandbox, county: County
) -> None:
    grandma = await county.villager(2001, "秀英", "H0001")
    cadre = await county.cadre("K007", "郑小红")
    backup = await county.cadre("K008", "王磊")
    today = county.bot.now().date()  # the bot's date, not the machine's
    await cadre.command("away", (today - timedelta(days=1)).isoformat())
    await cadre.wait_for_text("已经过去了")
    await cadre.command("away", "next week")
    await cadre.wait_for_text("日期看不懂")
    back = today + timedelta(days=10)  # within away.max (90d)
    await cadre.command("away", back.isoformat())
    away = await cadre.wait_for_text(f"已登记您外出到 {back.isoformat()}")
    assert "王磊" in away["text"]

    await grandma.send_text("家里停水了")
    number = number_in(await grandma.wait_for_text("已登记您的诉求"))
    case = await new_case(backup, number)
    assert "郑小红外出" in case["text"]
    await backup.press(case, text="受理")
    await grandma.wait_for_text("已受理")
    assert not any(number in str(m.get("text")) for m in cadre.messages())

    await cadre.press(away, text="我回来了")
    await cadre.wait_for_text("欢迎回来")
    await grandma.send_text("另外，路上有个坑")  # joins the open request, to the backup
    await backup.wait_for_text("路上有个坑")


async def test_about_my_cadre_goes_to_the_supervisor_above_the_cadre(
    sandbox: Sandbox, county: County
) -> None:
    grandma = await county.villager(2001, "秀英", "H0001")
    cadre = await county.cadre("K007", "郑小红")
    supervisor = await county.cadre("K003", "孙丽")
    await grandma.send_text("村干部收了钱不办事")
    receipt = await grandma.wait_for_text("已登记您的诉求")
    number = number_in(receipt)
    await new_case(cadre, number)
    await grandma.press(receipt, text="反映的是我家的包联干部")
    case = await new_case(supervisor, number)
    assert "保密反映" in case["text"]
    await supervisor.press(case, text="受理")
    await grandma.wait_for_text("已受理")
    assert not any("已改由" in str(m.get("text")) for m in cadre.messages())


async def test_an_explained_request_and_a_household_with_two_phones(
    sandbox: Sandbox, county: County
) -> None:
    grandma = await county.villager(2001, "秀英", "H0001")
    son = await county.villager(2002, "大儿子", "H0001")
    cadre = await county.cadre("K007", "郑小红")
    await son.send_text("低保怎么申请？")
    number = number_in(await son.wait_for_text("已登记您的诉求"))
    await grandma.wait_for_text(number)  # both phones of the household see it
    case = await new_case(cadre, number)
    await cadre.press(case, text="政策解答")
    await cadre.wait_for_text("请发送政策解答")
    await cadre.send_text("带户口本到镇民政办申请。")
    explained = await grandma.wait_for_text("政策解答")
    await son.wait_for_text("带户口本到镇民政办申请")
    await grandma.press(explained, text="已解决，满意")
    await cadre.wait_for_text("已销号")


async def test_forged_stale_and_double_presses_change_nothing(
    sandbox: Sandbox, county: County
) -> None:
    grandma = await county.villager(2001, "秀英", "H0001")
    cadre = await county.cadre("K007", "郑小红")
    other = await county.cadre("K009", "冯涛")
    await grandma.send_text("水管漏水")
    number = number_in(await grandma.wait_for_text("已登记您的诉求"))
    case = await new_case(cadre, number)
    request_id = re.search(r"rq:ack:(\d+)", str(case["reply_markup"]))
    assert request_id
    rid = request_id.group(1)

    # Another cadre forging the buttons of this request; a villager forging them; junk.
    hello = await other.command("help")
    help_text = await other.wait_for_text("干部使用说明")
    for data in (f"rq:ack:{rid}", f"rq:done:{rid}", f"rq:handto:{rid}:K009", f"rq:esc:{rid}"):
        before = refusals(other)
        await other.press_raw(help_text["message_id"], data)
        await refused(sandbox, other, before)
    receipt = grandma.messages()[-1]
    before = refusals(grandma)
    await grandma.press_raw(receipt["message_id"], f"rq:ack:{rid}")
    await refused(sandbox, grandma, before)
    for data in ("rq:ack:99999", "rq:ack:abc", "rq:handto:1:2:3"):
        before = refusals(cadre)
        await cadre.press_raw(case["message_id"], data)
        await refused(sandbox, cadre, before)
    assert hello

    # 受理 twice: the second press is refused.
    await cadre.press(case, text="受理")
    await grandma.wait_for_text("已受理")
    before = refusals(cadre)
    await cadre.press(case, text="受理")
    await refused(sandbox, cadre, before)

    # 办结 twice resolves once.
    await cadre.press(case, text="办结")
    await cadre.press(case, text="办结")
    await cadre.wait_for_text("请发送办结说明")
    await cadre.send_text("修好了")
    await grandma.wait_for_text("修好了")
    before = refusals(cadre)
    await cadre.press(case, text="办结")
    await refused(sandbox, cadre, before)
    await cadre.send_text("再说一句")
    await cadre.wait_for_text("请点诉求消息下面的按钮")
    resolved = [m for m in grandma.messages() if "已办结" in str(m.get("text"))]
    assert len(resolved) == 1


async def test_inbox_lists_and_opens_only_what_a_cadre_may_see(
    sandbox: Sandbox, county: County
) -> None:
    grandma = await county.villager(2001, "秀英", "H0001")
    neighbour = await county.villager(2003, "大山", "H0002")
    cadre = await county.cadre("K007", "郑小红")
    other = await county.cadre("K009", "冯涛")
    township = await county.cadre("K004", "李强")
    numbers = []
    for person, words in ((grandma, "院墙裂了"), (neighbour, "电表不走")):
        await person.send_text(words)
        numbers.append(number_in(await person.wait_for_text("已登记您的诉求")))
    for number in numbers:
        await new_case(cadre, number)

    await cadre.command("inbox")
    listed = await cadre.wait_for_text("您的待办诉求")
    assert all(n in listed["text"] for n in numbers)
    assert listed["text"].index(numbers[0]) < listed["text"].index(numbers[1])  # due order
    await cadre.press(listed, text=f"1. {numbers[0]}")
    opened = await cadre.wait_for_text("办理经过", after=listed["message_id"])
    assert "院墙裂了" in opened["text"]
    assert "登记" in opened["text"]

    await other.command("inbox", numbers[0])
    await other.wait_for_text("没有找到这条诉求")
    await other.command("inbox")
    await other.wait_for_text("您目前没有待办的诉求")
    await township.command("inbox", numbers[0])  # tier 2 of the household may look
    await township.wait_for_text("办理经过")

    # The cadre files for a household after a phone call.
    await cadre.command("file", "H0005")
    await cadre.wait_for_text("不是您联系的农户")
    await cadre.command("file", "H0002")
    await cadre.wait_for_text("请发送替「李大山」家登记的诉求内容")
    await cadre.send_text("电话反映：村口路灯不亮")
    filed = await cadre.wait_for_text("已替「李大山」家登记诉求")
    number = number_in(filed)
    await neighbour.wait_for_text(number)
    await new_case(cadre, number)


async def test_handed_over_along_the_chain_then_escalated_to_the_supervisor(
    sandbox: Sandbox, county: County
) -> None:
    grandma = await county.villager(2001, "秀英", "H0001")
    cadre = await county.cadre("K007", "郑小红")
    township = await county.cadre("K004", "李强")  # tier 2 of 王秀英's chain
    supervisor = await county.cadre("K003", "孙丽")  # supervises 东坪镇; 赵建国 is not bound
    await grandma.send_text("自来水管冻裂了")
    receipt = await grandma.wait_for_text("已登记您的诉求")
    number = number_in(receipt)
    case = await new_case(cadre, number)

    rid = re.search(r"rq:ack:(\d+)", str(case["reply_markup"]))
    assert rid
    # 转交: the card's buttons become the cadres it may go to (no new message).
    await cadre.press(case, text="转交")
    choose = await cadre.wait_for(
        lambda m: m["message_id"] == case["message_id"] and "李强（第 2 联系人）" in str(m)
    )
    await cadre.press(choose, text="李强（第 2 联系人）")
    await sandbox.wait_until(
        lambda: any(f"已把 {number} 转交给 李强" in a for a in cadre.callback_answers())
    )
    handed = await township.wait_for_text(f"郑小红把诉求 {number} 转交给您办理")
    assert "自来水管冻裂了" in handed["text"]  # the whole case
    await grandma.wait_for_text("现在由 李强", after=receipt["message_id"])

    await township.press(handed, text="上报")
    await sandbox.wait_until(
        lambda: any(f"已把 {number} 上报给 孙丽" in a for a in township.callback_answers())
    )
    await township.wait_for_text(f"诉求 {number}（王秀英家）已改由孙丽办理")
    escalated = await supervisor.wait_for_text(f"诉求 {number} 上报到您这里（原经办人：李强）")
    assert "自来水管冻裂了" in escalated["text"]
    await grandma.wait_for_text("已上报")
    # 郑小红's card keeps only 回复; a stale 受理 is refused.
    card = next(m for m in cadre.messages() if m["message_id"] == case["message_id"])
    assert [b["text"] for row in card["reply_markup"]["inline_keyboard"] for b in row] == ["回复"]
    before = refusals(cadre)
    await cadre.press_raw(case["message_id"], f"rq:ack:{rid.group(1)}")  # no longer hers
    await refused(sandbox, cadre, before)
