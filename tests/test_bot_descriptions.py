"""The bot's descriptions from the catalogue fit Telegram's limits, in every language, and
are set for everyone in the configured language and per user language otherwise."""

from __future__ import annotations

import pytest

from bot.i18n import LANGUAGES, Language
from bot.sandbox.api_bot import DESCRIPTION_LIMITS
from handlers.menus import description_calls


@pytest.mark.parametrize("default", LANGUAGES)
def test_every_description_fits_telegram_s_limit(default: Language) -> None:
    calls = description_calls(default)
    assert len(calls) == 2 * len(LANGUAGES)
    for call in calls:
        field = "description" if call.method == "setMyDescription" else "short_description"
        assert 0 < len(call.params[field]) <= DESCRIPTION_LIMITS[field], call.params


def test_chinese_is_the_default_and_english_is_for_english_users() -> None:
    calls = description_calls("zh")
    assert [(c.method, c.params.get("language_code")) for c in calls] == [
        ("setMyDescription", None),
        ("setMyShortDescription", None),
        ("setMyDescription", "en"),
        ("setMyShortDescription", "en"),
    ]
    assert "联系卡" in calls[0].params["description"]
    assert "contact card" in calls[3].params["short_description"]
