"""The county office's day in the chat (issue 13), with the real bot against the sandbox:
the administrator sends the county's own one-sheet 花名册 (a title row, merged township and
village cells, Chinese headers, no ids), reads the dry run's counts per township, imports
it, and then gets a village's contact cards as a PDF whose QR codes bind that village's
households; a cadre of the sheet, who was given no id by anyone, binds with their card."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

from bot.sandbox.server import Sandbox
from tests import huamingce
from tests.e2e.conftest import StartBot
from tests.e2e.harness import BotProcess
from tests.e2e.test_admin_cards import admin_of, pdf_of, scanned
from tests.e2e.test_binding import SETTINGS
from tests.e2e.test_roster_upload import XLSX, buttons, now_shows

ADMIN = 9001


@pytest.fixture
def huamingce_xlsx(tmp_path: Path) -> bytes:
    """Two townships of two villages of three households: 12 households, no ids."""
    path = tmp_path / "东坪镇干部联户名册.xlsx"
    huamingce.write(path, huamingce.county(townships=2, villages=2, households=3))
    return path.read_bytes()


@pytest.fixture
async def bot(start_bot: StartBot) -> BotProcess:
    return await start_bot(extra=SETTINGS, admins=(ADMIN,))


def data_with(message: dict[str, Any], words: str) -> str:
    rows = message["reply_markup"]["inline_keyboard"]
    return next(str(b["callback_data"]) for row in rows for b in row if words in b["text"])


async def test_the_administrator_imports_the_huamingce_then_prints_a_village(
    sandbox: Sandbox, bot: BotProcess, huamingce_xlsx: bytes
) -> None:
    admin = await admin_of(sandbox)
    await admin.send_document(huamingce_xlsx, "东坪镇干部联户名册.xlsx", XLSX)
    checking = await admin.wait_for_text("正在检查名册")
    summary = await admin.wait_for(
        lambda m: m["message_id"] == checking["message_id"] and "检查通过" in m["text"]
    )
    # What the clerk checks against the paper: per township, as read; the ID card unsaid.
    assert "第1镇：村 2 个，农户 6 户" in summary["text"]
    assert "第2镇：村 2 个，农户 6 户" in summary["text"]
    assert "身份证号不保存" in summary["text"]
    assert "530102" not in summary["text"]
    assert "农户：新增 12" in summary["text"]
    assert "✅ 导入" in buttons(summary)

    await admin.press(summary, text="✅ 导入")
    await sandbox.wait_until(now_shows(admin, summary["message_id"], "已导入"))

    # The cards of 第1镇1村, straight after: the picker knows the new townships.
    asked = await admin.command("cards")
    picker = await admin.wait_for_text("选择乡镇", after=asked["message_id"])
    await admin.press(picker, data=data_with(picker, "第1镇"))
    await admin.wait_for(
        lambda m: m["message_id"] == picker["message_id"] and "第1镇1村" in str(m)
    )
    current = next(m for m in admin.messages() if m["message_id"] == picker["message_id"])
    await admin.press(picker["message_id"], data=data_with(current, "第1镇1村"))
    document = await admin.wait_for(lambda m: "document" in m, timeout=90)
    cards = pdf_of(sandbox, document)
    assert len(cards) == 3  # A6: one card a page, one page a household of the village
    links = scanned(cards)
    assert len(set(links)) == 3
    village = [line for line in huamingce.county(2, 2, 3) if line.village == "第1镇1村"]

    # A household's phone binds with the card printed for it, though no one wrote an id.
    son = sandbox.user(2301, "儿子")
    await son.start(parse_qs(urlparse(links[0]).query)["start"][0])
    welcome = await son.wait_for_text("已经绑定到「")
    assert any(f"「{line.head}」家" in welcome["text"] for line in village)
