"""The catalogues: every sentence exists in both languages, with the same blanks."""

from __future__ import annotations

import string

import pytest

from bot.i18n import keys, template


def blanks(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_key_is_in_every_language() -> None:
    zh, en = keys("zh"), keys("en")
    assert sorted(zh - en) == []
    assert sorted(en - zh) == []


@pytest.mark.parametrize("key", sorted(keys("zh")))
def test_both_languages_fill_the_same_blanks(key: str) -> None:
    assert blanks(template("zh", key)) == blanks(template("en", key)), key
