"""Words on the line between a villager and a cadre, at the edges (issue 9, items 1 and 4):
long texts and captions beyond Telegram's limits, huge roster fields, a chat that blocked
the bot, a flood of follow-ups, forged buttons, and text that imitates the case card.

The sandbox refuses what Telegram refuses (texts over 4,096, captions over 1,024), so a
message the bot gets wrong here is one a villager or cadre would never see.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path
from typing import Any

import pytest

from bot.sandbox.server import Sandbox
from bot.sandbox.users import SandboxUser
from tests.e2e.conftest import StartBot
from tests.e2e.harness import ROOT, BotProcess
from tests.e2e.support import replying_to
from tests.e2e.test_binding import SETTINGS, lianxin, printed_codes
from tests.e2e.test_requests_villager import number_in

ADMIN = 9001
# Every sentence numbered, with an emoji (two UTF-16 units) so Telegram's count is not
# the count of characters.
SENTENCE = "第{n:04d}句话😀。"
REFUSED = "什么也没有改变"


def utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def quotes(message: dict[str, Any]) -> list[str]:
    """The quoted (blockquote) spans of a message or caption, in order."""
    text = str(message.get("text") or message.get("caption") or "")
    raw = text.encode("utf-16-le")
    spans = message.get("entities") or message.get("caption_entities") or []
    return [
        raw[2 * e["offset"] : 2 * (e["offset"] + e["length"])].decode("utf-16-le")
        for e in spans
        if e["type"] == "blockquote"
    ]


def quoted_after(person: SandboxUser, after: int, number: str = "") -> str:
    """Everything quoted in the bot's messages to ``person`` after message ``after``
    (about request ``number``, if given)."""
    return "".join(
        "".join(quotes(m))
        for m in person.messages()
        if m["message_id"] > after
        and m.get("from", {}).get("is_bot")
        and number in str(m.get("text") or m.get("caption") or "")
    )


def words_of(length: int) -> str:
    text, n = "", 0
    while len(text) < length:
        text += SENTENCE.format(n=n)
        n += 1
    return text[:length]


def within_limits(person: SandboxUser) -> None:
    for message in person.messages():
        assert utf16(str(message.get("text") or "")) <= 4096
        assert utf16(str(message.get("caption") or "")) <= 1024


async def bind(person: SandboxUser, code: str, greeting: str = "已经绑定") -> SandboxUser:
    await person.start(code)
    await person.wait_for_text(greeting)
    return person


async def start_county(start_bot: StartBot, roster: Path) -> tuple[BotProcess, dict[str, str]]:
    bot = await start_bot(extra=SETTINGS, admins=(ADMIN,))
    await lianxin(bot.config, "roster", "import", str(roster))
    codes = await printed_codes(bot)
    codes.update(await printed_codes(bot, "--cadres"))
    return bot, codes


@pytest.fixture
async def county(start_bot: StartBot) -> tuple[BotProcess, dict[str, str]]:
    return await start_county(start_bot, ROOT / "bot" / "samples" / "roster")


async def people(
    sandbox: Sandbox, codes: dict[str, str]
) -> tuple[SandboxUser, SandboxUser, SandboxUser]:
    """秀英 of 王秀英's household, her first contact 郑小红 (K007), and an administrator."""
    admin = sandbox.user(ADMIN, "管理员")
    await admin.start()
    grandma = await bind(sandbox.user(2001, "秀英"), codes["H0001"])
    cadre = await bind(sandbox.user(3007, "郑小红"), codes["K007"], "已经绑定为干部")
    return grandma, cadre, admin


async def case_of(cadre: SandboxUser, number: str) -> dict[str, Any]:
    return await cadre.wait_for(
        lambda m: f"诉求 {number}" in str(m.get("text")) and "inline_keyboard" in m["reply_markup"]
    )


# --- item 1: long words --------------------------------------------------------------


async def test_a_5000_character_text_reaches_the_cadre_whole(
    sandbox: Sandbox, county: tuple[BotProcess, dict[str, str]]
) -> None:
    grandma, cadre, _ = await people(sandbox, county[1])
    before = cadre.last()["message_id"]
    said = words_of(5000)
    sent = await grandma.send_text(said)
    number = number_in(await grandma.wait_for(replying_to(sent["message_id"])))
    card = await case_of(cadre, number)
    assert "（续）" in card["text"]
    assert "请在" in card["text"]  # the card keeps its due times
    await sandbox.wait_until(lambda: quoted_after(cadre, before) == said, timeout=60)
    later = [m for m in cadre.messages() if m["message_id"] > card["message_id"]]
    assert later
    assert all(m["text"].startswith(f"（续）{number}") for m in later)
    within_limits(cadre)


async def test_a_4096_character_reply_and_a_1024_character_caption_reach_the_villager(
    sandbox: Sandbox, county: tuple[BotProcess, dict[str, str]]
) -> None:
    grandma, cadre, _ = await people(sandbox, county[1])
    await grandma.send_text("院墙塌了")
    number = number_in(await grandma.wait_for_text("已登记您的诉求"))
    card = await case_of(cadre, number)

    reply = words_of(4096)
    await cadre.press(card, text="回复")
    asked = await cadre.wait_for_text("请发送给村民的回复")
    before = grandma.last()["message_id"]
    await cadre.send_text(reply)
    await cadre.wait_for_text("已把您的回复转给村民", after=asked["message_id"])
    await sandbox.wait_until(lambda: quoted_after(grandma, before) == reply, timeout=60)

    caption = words_of(1024)
    await cadre.press(card, text="回复")
    asked = await cadre.wait_for_text("请发送给村民的回复", after=asked["message_id"])
    before = grandma.last()["message_id"]
    await cadre.send_photo(caption=caption)
    await sandbox.wait_until(lambda: quoted_after(grandma, before) == caption, timeout=60)
    assert any("photo" in m for m in grandma.messages() if m["message_id"] > before)
    within_limits(grandma)


async def test_a_3000_character_roster_name_still_lets_cases_through(
    sandbox: Sandbox, start_bot: StartBot, tmp_path: Path
) -> None:
    roster = tmp_path / "roster"
    shutil.copytree(ROOT / "bot" / "samples" / "roster", roster)
    households = roster / "households.csv"
    with households.open(encoding="utf-8-sig", newline="") as file:
        rows = list(csv.DictReader(file))
    rows[0]["head_name"] = "王" + "秀" * 2999
    rows[0]["address"] = "柳树村" + "很远很远" * 750
    with households.open("w", encoding="utf-8-sig", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    _, codes = await start_county(start_bot, roster)
    grandma, cadre, _ = await people(sandbox, codes)
    await grandma.send_text("屋顶漏雨")
    number = number_in(await grandma.wait_for_text("已登记您的诉求"))
    card = await case_of(cadre, number)
    assert "屋顶漏雨" in quotes(card)
    assert "王秀秀秀" in card["text"]
    assert "…" in card["text"]
    within_limits(cadre)


async def test_a_reply_to_a_villager_who_blocked_the_bot_is_reported_not_delivered(
    sandbox: Sandbox, county: tuple[BotProcess, dict[str, str]]
) -> None:
    grandma, cadre, admin = await people(sandbox, county[1])
    await grandma.send_text("低保卡丢了")
    number = number_in(await grandma.wait_for_text("已登记您的诉求"))
    card = await case_of(cadre, number)
    grandma.block()
    await cadre.press(card, text="回复")
    await cadre.wait_for_text("请发送给村民的回复")
    await cadre.send_text("明天来村委会补办")
    told = await cadre.wait_for_text("没有送达")
    assert number in told["text"]
    assert "13987120001" in told["text"]  # the household's phone, to call instead
    assert number in (await admin.wait_for_text("没有送达"))["text"]


async def test_words_to_a_cadre_who_blocked_the_bot_are_reported_not_delivered(
    sandbox: Sandbox, county: tuple[BotProcess, dict[str, str]]
) -> None:
    grandma, cadre, admin = await people(sandbox, county[1])
    await grandma.send_text("水渠堵了")
    number = number_in(await grandma.wait_for_text("已登记您的诉求"))
    await case_of(cadre, number)
    cadre.block()
    await grandma.send_text("水已经漫到院子里了")
    told = await grandma.wait_for_text("没有送达")
    assert number in told["text"]
    assert "郑小红" in told["text"]
    assert number in (await admin.wait_for_text("没有送达"))["text"]


# --- item 4: a flood of follow-ups -----------------------------------------------------


async def test_a_flood_reaches_the_cadre_whole_and_another_household_is_not_held_back(
    sandbox: Sandbox, county: tuple[BotProcess, dict[str, str]]
) -> None:
    grandma, cadre, _ = await people(sandbox, county[1])
    neighbour = await bind(sandbox.user(2002, "大山"), county[1]["H0002"])
    await grandma.send_text("自来水停了三天")
    number = number_in(await grandma.wait_for_text("已登记您的诉求"))
    card = await case_of(cadre, number)

    first = grandma.last()["message_id"]
    flood = [f"补充第{n:03d}条" for n in range(300)]
    for text in flood:
        await grandma.send_text(text)
    for _ in range(30):
        await grandma.send_photo()
    asked = await grandma.command("my")  # handled after the flood: same chat, in order
    await grandma.wait_for_text("您家的诉求", after=asked["message_id"])

    # The flood is all handled; a new request from another household now.
    sent = await neighbour.send_text("我家的电表烧了")
    other = number_in(await neighbour.wait_for(replying_to(sent["message_id"])))
    other_case = await case_of(cadre, other)

    def flood_photos() -> list[dict[str, Any]]:
        return [m for m in cadre.messages() if "photo" in m and number in str(m.get("caption"))]

    await sandbox.wait_until(lambda: len(flood_photos()) == 30, timeout=240)
    assert other_case["message_id"] < flood_photos()[-1]["message_id"]
    # Every word arrived, in far fewer messages than were sent, and in order.
    relayed = quoted_after(cadre, card["message_id"], number)
    assert relayed == "".join(flood)
    texts = [m for m in cadre.messages() if "村民补充" in str(m.get("text"))]
    assert len(texts) < 100
    # The villager was answered a few times, not 330.
    answers = [
        m for m in grandma.messages() if m["message_id"] > first and "reply_to_message" in m
    ]
    assert 1 <= len(answers) <= 10
    assert any("您的消息都已收到并记下" in m["text"] for m in answers)
    within_limits(cadre)


# --- low: forged buttons, imitated cards ------------------------------------------------


async def test_forged_buttons_of_every_shape_change_nothing_and_fail_nothing(
    sandbox: Sandbox, county: tuple[BotProcess, dict[str, str]]
) -> None:
    bot, codes = county
    grandma, cadre, _ = await people(sandbox, codes)
    leader = await bind(sandbox.user(3001, "赵建国"), codes["K001"], "已经绑定为干部")
    await grandma.send_text("路面塌了一个坑")
    number = number_in(await grandma.wait_for_text("已登记您的诉求"))
    card = await case_of(cadre, number)
    receipt = await grandma.wait_for_text(number)
    huge, odd = "9" * 57, "²"
    for data in (f"rq:ack:{huge}", f"rq:ack:{odd}", f"rq:handto:{odd}:K004", "rq:open:１２"):
        await cadre.press_raw(card["message_id"], data)
    for data in (f"rv:ok:{huge}", f"rv:cat:{odd}:road", f"rv:see:{huge}"):
        await grandma.press_raw(receipt["message_id"], data)
    greeting = leader.last()["message_id"]
    for data in ("st:township:9999-12-31.9999-12-31", f"st:cadre:{odd}026-01-01.2026-01-31"):
        await leader.press_raw(greeting, data)
    await sandbox.wait_until(
        lambda: (
            sum(REFUSED in a for a in cadre.callback_answers()) == 4
            and sum(REFUSED in a for a in grandma.callback_answers()) == 3
            and len(leader.callback_answers()) == 2
        )
    )
    listed = await lianxin(bot.config, "inbox", "failed")
    assert "0 failed update(s)" in listed, listed


async def test_a_villagers_text_cannot_pass_for_the_cards_fields(
    sandbox: Sandbox, county: tuple[BotProcess, dict[str, str]]
) -> None:
    grandma, cadre, _ = await people(sandbox, county[1])
    forged = "路灯坏了\u202e\n类别：紧急\u2066　状态：已办结\x07\n请在 2099-01-01 00:00 前答复"
    await grandma.send_text(forged)
    number = number_in(await grandma.wait_for_text("已登记您的诉求"))
    card = await case_of(cadre, number)
    text = card["text"]
    assert not any(ch in text for ch in "\u202e\u2066\x07")
    (quoted,) = quotes(card)
    assert quoted == "路灯坏了\n类别：紧急　状态：已办结\n请在 2099-01-01 00:00 前答复"
    outside = text.replace(quoted, "")
    assert outside.count("状态：") == 1
    assert "状态：待受理" in outside
