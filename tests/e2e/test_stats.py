"""A supervisor's /stats through the sandbox with the real bot: the summary of their own
township, the chart as a photo, the breakdown and overdue buttons and the workbook; the
other township's supervisor sees only theirs; a villager is told it is for cadres."""

from __future__ import annotations

from typing import Any

from bot.sandbox.server import Sandbox
from tests.e2e.test_requests_cadre import County, county, new_case, number_in

__all__ = ["county"]


def _is_photo(message: dict[str, Any]) -> bool:
    return "photo" in message


async def test_supervisors_see_their_own_jurisdiction(sandbox: Sandbox, county: County) -> None:
    grandma = await county.villager(2001, "秀英", "H0001")
    cadre = await county.cadre("K007", "郑小红")
    await grandma.send_text("家里停水了")
    number = number_in(await grandma.wait_for_text("已登记您的诉求"))
    case = await new_case(cadre, number)
    await cadre.press(case, text="受理")
    await grandma.wait_for_text("已受理")

    township = await county.cadre("K003", "孙丽")  # supervises T01 (东坪镇)
    await township.command("stats")
    summary = await township.wait_for_text("📊 东坪镇")
    assert "登记 1 件" in summary["text"]
    assert "响应率 100.0%" in summary["text"]
    photo = await township.wait_for(_is_photo)
    assert "东坪镇" in photo.get("caption", "")

    await township.press(summary, text="按村")
    villages = await township.wait_for_text("按村（")
    assert "柳树村：登记 1" in villages["text"]
    await township.press(summary, text="逾期清单")
    await township.wait_for_text("没有逾期未办结的诉求")
    await township.press(summary, text="📥 统计表")
    await township.wait_for(lambda m: "document" in m)

    other = await county.cadre("K006", "吴海")  # supervises T02 (西河乡)
    await other.command("stats", "month")
    theirs = await other.wait_for_text("📊 西河乡")
    assert "登记 0 件" in theirs["text"]
    assert number not in str(other.messages())

    await cadre.command("stats", "today")
    own = await cadre.wait_for_text("📊 郑小红本人经办")
    assert "登记 1 件" in own["text"]
    await grandma.command("stats")
    await grandma.wait_for_text("统计只有绑定了的干部可以查看")
