"""Dates as villagers read them: the year is shown whenever it is not this year (a
request put off to next January must not read as this January)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, cast

from bot.clock import ManualClock
from bot.config import Config
from bot.i18n import Language, Texts
from handlers.context import Setup, Unit
from handlers.tell_household import local_time
from storage.unit_of_work import UnitOfWork

NOW = datetime(2026, 11, 15, 0, 30, tzinfo=UTC)  # 08:30 in Asia/Shanghai


def unit(language: Language) -> Unit:
    services = Setup(Config(), ManualClock(NOW), Texts(language), "lianxin_test_bot")
    return Unit(UnitOfWork(cast(Any, None), NOW), services)


def test_a_date_of_this_year_has_no_year_and_another_year_shows_it() -> None:
    zh = unit("zh")
    assert local_time(zh, datetime(2026, 12, 31, 15, 59, tzinfo=UTC)) == "12月31日 23:59"
    assert local_time(zh, datetime(2026, 12, 31, 16, 0, tzinfo=UTC)) == "2027年1月1日 00:00"
    assert local_time(zh, datetime(9999, 12, 31, 15, 59, tzinfo=UTC)) == "9999年12月31日 23:59"
    assert local_time(unit("en"), datetime(2027, 1, 5, 2, 0, tzinfo=UTC)) == "1/5/2027 10:00"
