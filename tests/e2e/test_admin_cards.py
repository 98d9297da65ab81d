"""Contact cards in the chat (issue 13), with the real bot against the sandbox: the
administrator picks a township, then a village, and gets its PDF (the picker's message
showing the progress, then what was made); finds a household with /card, gets its one
card, and revokes it (confirmed): the old card no longer binds and the next card has a new
code. A villager is refused /cards, /card and a forged press, and nothing changes."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pytest
import zxingcpp

from bot.sandbox.server import Sandbox
from bot.sandbox.users import SandboxUser
from tests.e2e.conftest import StartBot
from tests.e2e.harness import ROOT, BotProcess
from tests.e2e.test_binding import SETTINGS, lianxin, printed_codes

ADMIN = 9001
HOTLINE = "0871-6612345"


def roster_with_hotline(folder: Path) -> Path:
    """The sample roster, with 东坪镇's hotline in the regions sheet's optional column."""
    roster = folder / "roster"
    shutil.copytree(ROOT / "bot" / "samples" / "roster", roster)
    path = roster / "regions.csv"
    with path.open(encoding="utf-8-sig", newline="") as file:
        rows = list(csv.reader(file))
    rows[0].append("hotline")
    for row in rows[1:]:
        row.append(HOTLINE if row[0] == "T01" else "")
    with path.open("w", encoding="utf-8-sig", newline="") as file:
        csv.writer(file).writerows(rows)
    return roster


@pytest.fixture
async def county(start_bot: StartBot, tmp_path: Path) -> BotProcess:
    bot = await start_bot(admins=(ADMIN,), extra=SETTINGS)
    await lianxin(bot.config, "roster", "import", str(roster_with_hotline(tmp_path)))
    return bot


def pdf_of(sandbox: Sandbox, message: dict[str, Any]) -> pdfium.PdfDocument:
    stored = sandbox.state.files.get(message["document"]["file_id"])
    assert stored is not None
    return pdfium.PdfDocument(stored.data)


def scanned(document: pdfium.PdfDocument) -> list[str]:
    found = []
    for page in document:
        image = page.render(scale=200 / 72).to_pil()
        found += [barcode.text for barcode in zxingcpp.read_barcodes(image)]
    return found


def link(code: str) -> str:
    return f"https://t.me/lianxin_sandbox_bot?start={code}"


async def admin_of(sandbox: Sandbox) -> SandboxUser:
    admin = sandbox.user(ADMIN, "管理员")
    await admin.start()
    await admin.wait_for_text("管理员")
    return admin


async def test_the_administrator_prints_a_village_and_one_household_and_revokes_a_card(
    sandbox: Sandbox, county: BotProcess
) -> None:
    admin = await admin_of(sandbox)
    asked = await admin.command("cards")
    picker = await admin.wait_for_text("选择乡镇", after=asked["message_id"])
    await admin.press(picker, data="cd:o:T01")
    await admin.wait_for(lambda m: m["message_id"] == picker["message_id"] and "柳树村" in str(m))
    await admin.press(picker["message_id"], data="cd:v:V01")
    document = await admin.wait_for(lambda m: "document" in m, timeout=60)
    assert "柳树村联系卡" in document.get("caption", "")
    await admin.wait_for(
        lambda m: m["message_id"] == picker["message_id"] and "✅ 已生成柳树村" in m["text"]
    )
    shown = [
        r.message.get("text", "")
        for r in sandbox.sent
        if r.method == "editMessageText" and r.message["message_id"] == picker["message_id"]
    ]
    assert any(text.startswith("正在生成 4 张联系卡… ") for text in shown)  # the progress
    village = pdf_of(sandbox, document)
    codes = await printed_codes(county)  # the same codes: printing reuses live ones
    in_village = {"H0001", "H0002", "H0003", "H0004"}
    assert len(village) == len(in_village)  # A6: a card a page
    assert {link(codes[h]) for h in in_village} <= set(scanned(village))
    first = str(village[0].get_textpage().get_text_range())
    assert "党员服务日" in first
    assert HOTLINE in first  # 东坪镇's, from the roster

    # /card: the one household found opens its page; its card is its live code.
    said = await admin.command("card", "王秀英")
    page = await admin.wait_for_text("🏠 王秀英家（H0001）", after=said["message_id"])
    assert "联系卡：有效" in page["text"]
    await admin.press(page, text="🖨 联系卡")
    one = await admin.wait_for(
        lambda m: "王秀英家的联系卡" in m.get("caption", ""), after=document["message_id"]
    )
    assert scanned(pdf_of(sandbox, one)) == [link(codes["H0001"])]

    # Revoke, confirmed: the old card binds no one; the next card has a new code.
    await admin.press(page["message_id"], text="🚫 作废联系卡")
    await admin.wait_for(
        lambda m: m["message_id"] == page["message_id"] and "确定作废" in m["text"]
    )
    await admin.press(page["message_id"], text="🚫 确认作废")
    await admin.wait_for(
        lambda m: (
            m["message_id"] == page["message_id"] and "已作废（下次打印时发新码）" in m["text"]
        )
    )
    grandson = sandbox.user(2101, "小王")
    await grandson.start(codes["H0001"])
    await grandson.wait_for_text("这张联系卡已经作废")
    await admin.press(page["message_id"], text="🖨 联系卡")
    again = await admin.wait_for(
        lambda m: "王秀英家的联系卡" in m.get("caption", ""), after=one["message_id"]
    )
    [new] = scanned(pdf_of(sandbox, again))
    assert new != link(codes["H0001"])
    assert (await printed_codes(county))["H0001"] in new


async def test_several_found_are_paged_buttons_and_forged_presses_change_nothing(
    sandbox: Sandbox, county: BotProcess
) -> None:
    admin = await admin_of(sandbox)
    said = await admin.command("card", "H")  # no head's name has an H: nothing found
    await admin.wait_for_text("没有找到「H」", after=said["message_id"])
    said = await admin.command("card", "英")  # 王秀英 and 普兰英
    found = await admin.wait_for_text("找到 2 户「英」", after=said["message_id"])
    before = len(admin.callback_answers())
    await admin.press(
        found,
        text=next(
            b["text"]
            for row in found["reply_markup"]["inline_keyboard"]
            for b in row
            if "普兰英" in b["text"]
        ),
    )
    await admin.wait_for(
        lambda m: m["message_id"] == found["message_id"] and "🏠 普兰英家" in m["text"]
    )
    answered = before  # the press on 普兰英 is answered too, maybe after its edit
    for forged in ("cd:v:NOPE", "cd:y:H9999", "cd:f:99:英", "cd:f:²:英", "cd:zz:H0002"):
        await admin.press_raw(found["message_id"], forged)
    await sandbox.wait_until(lambda: len(admin.callback_answers()) == answered + 6)
    answers = admin.callback_answers()[answered + 1 :]
    assert all("已经失效" in a for a in answers), answers


async def test_a_villager_is_refused_and_nothing_changes(
    sandbox: Sandbox, county: BotProcess
) -> None:
    codes = await printed_codes(county)
    grandma = sandbox.user(2001, "秀英")
    await grandma.start(codes["H0001"])
    welcome = await grandma.wait_for_text("已经绑定到「王秀英」家")
    for command, args in (("cards", ""), ("card", "王秀英")):
        said = await grandma.command(command, args)
        await grandma.wait_for_text("只有管理员可以用", after=said["message_id"])
    await grandma.press_raw(welcome["message_id"], "cd:y:H0002")
    await sandbox.wait_until(
        lambda: any("只有管理员可以用" in a for a in grandma.callback_answers())
    )
    assert await printed_codes(county) == codes  # H0002's card still works
    assert not any("document" in m for m in grandma.messages())
