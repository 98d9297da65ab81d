"""Card codes: unguessable, of the shape Telegram's deep links allow, and linked correctly."""

from __future__ import annotations

import re

import pytest

from bot.domain.codes import deep_link, is_code_shaped, is_username, new_code

# Telegram's /start payload: these characters only, at most 64 of them.
PAYLOAD = re.compile(r"[A-Za-z0-9_-]{1,64}")


def test_a_code_is_16_characters_a_deep_link_may_carry() -> None:
    for _ in range(1000):
        code = new_code()
        assert len(code) == 16
        assert PAYLOAD.fullmatch(code)
        assert is_code_shaped(code)


def test_codes_do_not_repeat() -> None:
    codes = {new_code() for _ in range(20_000)}
    assert len(codes) == 20_000


def test_codes_use_the_whole_alphabet() -> None:
    # 96 random bits spread over 64 symbols: a few thousand codes show every one of them.
    seen = set("".join(new_code() for _ in range(2000)))
    assert seen == set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")


@pytest.mark.parametrize(
    "text", ["", "short", "A" * 15, "A" * 17, "abcdefghijklmno!", "abcdefghijklmn o", "中" * 16]
)
def test_other_text_is_not_code_shaped(text: str) -> None:
    assert not is_code_shaped(text)


def test_the_deep_link_starts_the_bot_with_the_code() -> None:
    code = new_code()
    assert deep_link("lianxin_bot", code) == f"https://t.me/lianxin_bot?start={code}"
    assert deep_link("@lianxin_bot", code) == f"https://t.me/lianxin_bot?start={code}"


@pytest.mark.parametrize(("username", "code"), [("lianxin_bot", "bad code"), ("", "A" * 16)])
def test_a_link_that_would_not_work_is_refused(username: str, code: str) -> None:
    with pytest.raises(ValueError, match="is not a"):
        deep_link(username, code)


@pytest.mark.parametrize(
    ("name", "ok"), [("lianxin_bot", True), ("abc", False), ("1bot", False), ("a-bot", False)]
)
def test_bot_usernames(name: str, ok: bool) -> None:
    assert is_username(name) is ok
