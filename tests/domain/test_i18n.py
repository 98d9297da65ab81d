"""The catalogues: every sentence exists in both languages, with the same blanks."""

from __future__ import annotations

import string

import pytest

from bot.domain.lifecycle import Event
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


@pytest.mark.parametrize("table", ["villager_requests.event", "requests_cadre.event"])
def test_every_trail_event_has_a_name(table: str) -> None:
    """A trail shows each event by name; a new event without one would crash /my."""
    assert {e.value for e in Event} <= {k.removeprefix(f"{table}.") for k in keys("zh")}
