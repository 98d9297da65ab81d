"""The province bot's answer, rendered: within Telegram's limits however many counties
the province has, its buttons (each carrying only its period) under the last page."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

from bot import callbacks
from bot.domain.province import CountyFigures, NotProvincial
from bot.domain.stats import Figures, Place, days
from bot.i18n import Texts
from bot.services.province import ProvinceOrder, ProvinceSummary
from handlers import province
from handlers.context import View
from handlers.paging import TEXT_LIMIT, utf16_len
from tests.services.fakes_stats import ZONE

MARCH = days(date(2031, 3, 1), date(2031, 3, 4), ZONE)
FEBRUARY = days(date(2031, 2, 1), date(2031, 2, 28), ZONE)
NOW = datetime(2031, 3, 4, 2, tzinfo=UTC)
ZH, EN = (View(Texts(language), ZONE, NOW, (), "") for language in ("zh", "en"))


def result(counties: int) -> ProvinceSummary:
    found = [
        CountyFigures(f"c{n}", Place(f"C{n}", "很长的县名" * 6, "county", None), Figures(filed=n))
        for n in range(counties)
    ]
    order = ProvinceOrder(9001, "summary", MARCH)
    total = Figures(filed=sum(range(counties)))
    return ProvinceSummary(order, found, total, (("month", MARCH), ("lastmonth", FEBRUARY)))


def test_a_province_of_many_counties_is_paged_within_the_limit() -> None:
    calls = province.summary_messages(ZH, "某省", result(200))
    assert len(calls) > 1
    assert all(utf16_len(c.params["text"]) <= TEXT_LIMIT for c in calls)
    assert all("reply_markup" not in c.params for c in calls[:-1])
    for n in range(200):  # each county's line whole, in one message: none cut at a break
        line = f"{'很长的县名' * 6}（c{n}）：登记 {n}，逾期 0，"
        assert sum(line in c.params["text"] for c in calls) == 1


def test_the_buttons_carry_the_period_and_fit_telegram_s_64_bytes() -> None:
    (call,) = province.summary_messages(ZH, "某省", result(3))
    rows = call.params["reply_markup"]["inline_keyboard"]
    data = [button["callback_data"] for row in rows for button in row]
    assert [callbacks.decode(d) for d in data] == [
        callbacks.Callback("pv", "summary", "2031-03-01.2031-03-04"),
        callbacks.Callback("pv", "summary", "2031-02-01.2031-02-28"),
        callbacks.Callback("pv", "workbook", "2031-03-01.2031-03-04"),
    ]
    assert all(len(d.encode()) <= 64 for d in data)
    assert rows[0][0]["text"].startswith("✓")  # the period shown is ticked


def test_no_county_with_a_roster_yet() -> None:
    (call,) = province.summary_messages(ZH, "某省", result(0))
    assert "还没有哪个县导入花名册" in call.params["text"]


def test_kept_figures_say_when_they_were_counted() -> None:
    fresh = result(1)
    kept = replace(fresh, as_of=datetime(2031, 3, 4, 1, 5, tzinfo=UTC))
    assert "截至" not in province.summary_messages(ZH, "某省", fresh)[0].params["text"]
    (call,) = province.summary_messages(ZH, "某省", kept)
    assert "（截至 3月4日 09:05 的数字）" in call.params["text"]  # Beijing time
    (call,) = province.summary_messages(EN, "Province", kept)
    assert "(figures as of 3/4 09:05)" in call.params["text"]


def test_a_stranger_s_button_refusal_fits_an_answer_in_every_language() -> None:
    refused = NotProvincial("9002 is not a provincial supervisor")
    for language in ("zh", "en"):
        text = province.refusal(Texts(language), refused, 1234567890123, "", button=True)
        assert "1234567890123" in text
        assert len(text) <= 200  # Telegram's limit for answerCallbackQuery's text
