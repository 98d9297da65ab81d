"""Words beyond Telegram's limits become pages within them, counted as Telegram counts
(UTF-16), and a person's quoted words come out whole and in order."""

from __future__ import annotations

import random

import pytest

from handlers.paging import Part, bounded, card, clean, pages, utf16_len


def quoted(page_text: str, entities: list[dict[str, int | str]]) -> str:
    raw = page_text.encode("utf-16-le")
    return "".join(
        raw[2 * int(e["offset"]) : 2 * (int(e["offset"]) + int(e["length"]))].decode("utf-16-le")
        for e in entities
    )


def test_emoji_count_twice() -> None:
    assert utf16_len("😀a") == 3
    (first, second) = pages([Part("😀" * 3000, quoted=True)], "（续）\n")
    assert utf16_len(first.text) <= 4096
    assert quoted(first.text, first.entities) + quoted(second.text, second.entities) == "😀" * 3000


ALPHABET = "ab 字句\n\n😀\t。，" + "\u202e\x00"


@pytest.mark.parametrize("seed", range(40))
def test_quoted_words_come_out_whole_within_the_limit(seed: int) -> None:
    rng = random.Random(seed)
    limit = rng.choice([40, 97, 1024, 4096])
    raw = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, 9000)))
    words = clean(raw).strip() or "x"
    found = pages([Part("head\n"), Part(words, quoted=True), Part("\ntail")], "(c)\n", limit)
    assert all(utf16_len(p.text) <= limit for p in found)
    assert all(p.text.startswith("(c)") for p in found[1:])
    assert "".join(quoted(p.text, p.entities) for p in found).strip() == words.strip()


def test_a_card_keeps_its_fields_and_says_where_the_words_go_on() -> None:
    parts, rest = card([Part("card\n")], "字" * 5000, [Part("\ndue")], "\n…（续）")
    (page,) = pages(parts, "")
    assert utf16_len(page.text) <= 4096
    assert page.text.endswith("\n…（续）\ndue")
    assert quoted(page.text, page.entities) + rest == "字" * 5000


def test_control_and_bidi_characters_go_newlines_stay() -> None:
    assert clean("a\u202eb\u2066c\u200fd\x00e\x1bf\r\ng\th\u2028i") == "abcdef\ng\th\ni"
    assert clean("👨\u200d👩\u200d👧") == "👨\u200d👩\u200d👧"  # joiners do not move text


def test_a_roster_field_is_bounded_on_one_line() -> None:
    assert bounded("王" * 3000) == "王" * 79 + "…"
    assert bounded("柳树村\n一组 \u202e3号") == "柳树村 一组 3号"
