"""The administrator sends the roster to the bot in Telegram (issue 13), with the real bot
against the sandbox: one message says "正在检查名册…" and becomes the dry run's summary with
导入 / 取消; 导入 imports it once (a second press, or anyone else's, is refused) and a
cadre of the roster can then bind with their card. A villager who sends the same file
gets the usual answer and imports nothing; a file that is no roster is told so."""

from __future__ import annotations

import io
import zipfile
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from bot import roster_io
from bot.sandbox.server import Sandbox
from bot.sandbox.users import SandboxUser
from tests.e2e.conftest import StartBot
from tests.e2e.harness import ROOT, BotProcess
from tests.e2e.test_binding import SETTINGS, printed_codes

ADMIN = 9001
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def workbook(tmp_path: Path) -> bytes:
    """The demo's roster (bot/samples/roster) as the .xlsx a county office would send."""
    placed, problems = roster_io.load(ROOT / "bot" / "samples" / "roster")
    assert problems == []
    path = tmp_path / "名册.xlsx"
    roster_io.write_roster(path, placed.roster)
    return path.read_bytes()


def smaller(tmp_path: Path) -> bytes:
    """The same roster without household H0012 (普兰英), who moved away."""
    placed, _ = roster_io.load(ROOT / "bot" / "samples" / "roster")
    roster = placed.roster
    roster = replace(
        roster,
        households=tuple(h for h in roster.households if h.id != "H0012"),
        links=tuple(link for link in roster.links if link.household_id != "H0012"),
    )
    path = tmp_path / "名册2.xlsx"
    roster_io.write_roster(path, roster)
    return path.read_bytes()


def zip_with_bad_regions(count: int) -> bytes:
    """The sample's CSV files in a .zip, with ``count`` more households in a village no
    one has heard of (one problem each)."""
    sample = ROOT / "bot" / "samples" / "roster"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as packed:
        for path in sample.glob("*.csv"):
            data = path.read_text(encoding="utf-8-sig")
            if path.name == "households.csv":
                rows = [f"X{n:04d},某某,V99,,\n" for n in range(count)]
                data = data.rstrip("\n") + "\n" + "".join(rows)
            packed.writestr(path.name, data)
    return out.getvalue()


@pytest.fixture
async def bot(start_bot: StartBot) -> BotProcess:
    return await start_bot(extra=SETTINGS, admins=(ADMIN,))


def buttons(message: dict[str, Any]) -> list[str]:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard") or []
    return [str(b["text"]) for row in rows for b in row]


def data_of(message: dict[str, Any], text: str) -> str:
    rows = message["reply_markup"]["inline_keyboard"]
    return next(str(b["callback_data"]) for row in rows for b in row if b["text"] == text)


def now_shows(person: SandboxUser, message_id: int, words: str) -> Any:
    return lambda: (
        words
        in next(m.get("text", "") for m in person.messages() if m["message_id"] == message_id)
    )


async def test_the_administrator_uploads_checks_and_imports_the_roster(
    sandbox: Sandbox, bot: BotProcess, workbook: bytes
) -> None:
    # A villager (no administrator) sends the same file: the usual answer, nothing read.
    stranger = sandbox.user(2001, "秀英")
    await stranger.send_document(workbook, "名册.xlsx", XLSX)
    usual = await stranger.wait_for_text("您还没有绑定联系卡")

    admin = sandbox.user(ADMIN, "县管理员")
    await admin.send_document(workbook, "名册.xlsx", XLSX)
    checking = await admin.wait_for_text("正在检查名册「名册.xlsx」…")
    summary = await admin.wait_for(
        lambda m: m["message_id"] == checking["message_id"] and "检查通过" in m["text"]
    )
    assert "农户：新增 12，更新 0，未变 0，删除 0" in summary["text"]  # the villager's: nothing
    assert buttons(summary) == ["✅ 导入", "取消", "导入并删除名册中已没有的"]
    go = data_of(summary, "✅ 导入")
    assert len(go.encode()) <= 64

    # Someone else pressing it (forged data in their own chat) is refused.
    await stranger.press_raw(usual["message_id"], go)
    await sandbox.wait_until(lambda: any("失效" in a for a in stranger.callback_answers()))

    await admin.press(summary, text="✅ 导入")
    await sandbox.wait_until(now_shows(admin, summary["message_id"], "已导入"))
    result = next(m for m in admin.messages() if m["message_id"] == summary["message_id"])
    assert "农户：新增 12" in result["text"]
    assert buttons(result) == []

    # Pressed again (an old copy of the buttons): refused, nothing imported twice.
    await admin.press_raw(summary["message_id"], go)
    await sandbox.wait_until(lambda: any("已经导入过了" in a for a in admin.callback_answers()))

    # A cadre of that roster binds with their card.
    codes = await printed_codes(bot, "--cadres")
    cadre = sandbox.user(3007, "郑小红")
    await cadre.start(codes["K007"])
    await cadre.wait_for_text("已经绑定为干部")


async def test_what_is_no_roster_is_told_so_and_cancel_deletes_it(
    sandbox: Sandbox, bot: BotProcess, workbook: bytes
) -> None:
    admin = sandbox.user(ADMIN, "县管理员")
    await admin.send_photo()
    await admin.wait_for_text("这是一张图片，不是名册文件")
    await admin.send_document(b"PK\x03\x04 not really", "通知.docx")
    await admin.wait_for_text("「通知.docx」不是名册文件")
    await admin.send_document(b"PK\x03\x04 broken", "坏的.xlsx", XLSX)
    await admin.wait_for(lambda m: "「坏的.xlsx」有 1 处问题，什么也没有导入" in m["text"])

    await admin.send_document(zip_with_bad_regions(400), "名册.zip", "application/zip")
    many = await admin.wait_for(lambda m: "「名册.zip」有 400 处问题" in m.get("text", ""))
    assert "条（完整清单见附件）" in many["text"].splitlines()[-1]
    listed = await admin.wait_for(lambda m: "全部 400 处问题" in m.get("caption", ""))
    assert listed["document"]["file_name"] == "名册-问题.txt"

    await admin.send_document(workbook, "名册.xlsx", XLSX)
    summary = await admin.wait_for(lambda m: "检查通过" in m.get("text", ""))
    files = bot.database.parent / "files"
    assert not list(files.glob("roster-*.zip"))  # the one with problems went at once
    waiting = list(files.glob("roster-*.xlsx"))
    assert len(waiting) == 1
    assert waiting[0].stat().st_mode & 0o777 == 0o600
    await admin.press(summary, text="取消")
    await sandbox.wait_until(now_shows(admin, summary["message_id"], "已取消"))
    await sandbox.wait_until(lambda: not list(files.glob("roster-*.xlsx")))
    await admin.press_raw(summary["message_id"], data_of(summary, "✅ 导入"))
    await sandbox.wait_until(lambda: any("已经取消" in a for a in admin.callback_answers()))


async def test_pruning_shows_its_own_dry_run_and_asks_once_more(
    sandbox: Sandbox, bot: BotProcess, workbook: bytes, tmp_path: Path
) -> None:
    admin = sandbox.user(ADMIN, "县管理员")
    await admin.send_document(workbook, "名册.xlsx", XLSX)
    first = await admin.wait_for(lambda m: "检查通过" in m.get("text", ""))
    await admin.press(first, text="✅ 导入")
    await sandbox.wait_until(now_shows(admin, first["message_id"], "已导入"))

    await admin.send_document(smaller(tmp_path), "名册2.xlsx", XLSX)
    summary = await admin.wait_for(
        lambda m: "「名册2.xlsx」检查通过" in m.get("text", ""), after=first["message_id"]
    )
    assert "农户：数据库中有 1 条不在名册里，已保留" in summary["text"]
    await admin.press(summary, text="导入并删除名册中已没有的")
    await sandbox.wait_until(now_shows(admin, summary["message_id"], "确定要导入并删除吗"))
    asked = next(m for m in admin.messages() if m["message_id"] == summary["message_id"])
    assert "农户：新增 0，更新 0，未变 11，删除 1" in asked["text"]
    assert buttons(asked) == ["⚠️ 确认：导入并删除", "取消"]
    await admin.press(asked, text="⚠️ 确认：导入并删除")
    await sandbox.wait_until(now_shows(admin, summary["message_id"], "已导入"))
    done = next(m for m in admin.messages() if m["message_id"] == summary["message_id"])
    assert "农户：新增 0，更新 0，未变 11，删除 1" in done["text"]
