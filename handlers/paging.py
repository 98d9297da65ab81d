"""Words beyond Telegram's limits as several messages, and a person's words set apart.

Telegram refuses a message text over 4,096 characters and a caption over 1,024, counted
in UTF-16 code units (an emoji or a rare CJK character counts two). The bot sends plain
text (no ``parse_mode``), so only the text counts; the quote marks are entities, whose
offsets are UTF-16 too. Long words are cut into pages; every page after the first
begins with a "continued" line naming the request, so nothing is refused and nothing is
lost. A person's words are quoted (a blockquote entity), and stripped of bidi and other
control characters, so a villager's text cannot pass for the case card's own fields.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
# A field from the roster shown in a message (a name, an address): a few thousand
# characters in a cell must not push a case over the limit.
FIELD_LIMIT = 80
# Bidi marks and overrides (and the Arabic letter mark): they reorder what a cadre sees.
_BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_LINE_BREAKS = re.compile("\r\n|[\r\u2028\u2029\x85]")
_KEEP = frozenset("\n\t")


@dataclass(frozen=True)
class Part:
    """A piece of a message: the bot's own words, or a person's (``quoted``)."""

    text: str
    quoted: bool = False


@dataclass(frozen=True)
class Page:
    """One message's text within the limit, with its quote entities."""

    text: str
    entities: list[dict[str, Any]] = field(default_factory=list)


def utf16_len(text: str) -> int:
    """Length as Telegram counts it (and places entities): UTF-16 code units."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def clean(text: str) -> str:
    """A person's words without bidi controls (U+202A-E, U+2066-9, U+200E/F) and other
    control characters; newlines and tabs stay, other line breaks become newlines.
    Invisible joiners (emoji sequences) stay: they cannot move text."""
    text = _LINE_BREAKS.sub("\n", _BIDI.sub("", text))
    return "".join(ch for ch in text if ch in _KEEP or unicodedata.category(ch) != "Cc")


def bounded(text: str, limit: int = FIELD_LIMIT) -> str:
    """A roster field as shown in a message: cleaned, on one line, at most ``limit``
    characters (cut with "…")."""
    flat = " ".join(clean(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def fits(text: str, limit: int) -> bool:
    return utf16_len(text) <= limit


def _prefix(text: str, room: int) -> str:
    """The longest start of ``text`` within ``room`` UTF-16 units, cut before a line
    break in its last quarter when there is one."""
    used = 0
    end = 0
    for ch in text:
        width = 2 if ord(ch) > 0xFFFF else 1
        if used + width > room:
            break
        used += width
        end += 1
    if end >= len(text):
        return text
    newline = text.rfind("\n", 0, end)
    if newline > end * 3 // 4:
        end = newline
    # Blanks at a page's end would be trimmed by Telegram: they start the next page.
    kept = len(text[:end].rstrip())
    return text[: kept or end]


class _Pager:
    def __init__(self, continued: str, limit: int) -> None:
        self.continued = continued
        self.limit = limit
        self.pages: list[Page] = []
        self.text = ""
        self.entities: list[dict[str, Any]] = []

    def add(self, part: Part) -> None:
        rest = part.text
        while rest:
            room = self.limit - utf16_len(self.text)
            piece = _prefix(rest, room)
            if not piece:
                self.turn()
                piece = _prefix(rest, self.limit - utf16_len(self.text))
                if not piece:  # pragma: no cover - a continued line longer than a page
                    raise ValueError("the continued line leaves no room on a page")
            if part.quoted:
                offset, length = utf16_len(self.text), utf16_len(piece)
                self.entities.append({"type": "blockquote", "offset": offset, "length": length})
            self.text += piece
            rest = rest[len(piece) :]
            if rest:
                self.turn()

    def turn(self) -> None:
        self.close()
        self.text, self.entities = self.continued, []

    def close(self) -> None:
        """Keep the page, without trailing blanks (Telegram trims them) and with its
        quotes kept inside the text."""
        text = self.text.rstrip()
        if not text.strip() or text == self.continued.rstrip():
            return
        end = utf16_len(text)
        kept = []
        for entity in self.entities:
            length = min(entity["length"], end - entity["offset"])
            if length > 0:
                kept.append({**entity, "length": length})
        self.pages.append(Page(text, kept))


def pages(parts: Sequence[Part], continued: str, limit: int = TEXT_LIMIT) -> list[Page]:
    """``parts`` as messages of at most ``limit`` UTF-16 units each; the second and later
    begin with ``continued`` (e.g. "（续）LX-2026-000123\\n")."""
    pager = _Pager(continued, limit)
    for part in parts:
        pager.add(part)
    pager.close()
    return pager.pages


def whole_lines(chunks: Sequence[str], continued: str, limit: int = TEXT_LIMIT) -> list[Page]:
    """The bot's own ``chunks`` (lines of a table) as messages of at most ``limit`` UTF-16
    units, none cut across two messages unless it alone is longer than a page."""
    texts: list[str] = []
    current = ""
    for chunk in chunks:
        if current and utf16_len(current + chunk) > limit:
            texts.append(current)
            current = continued
        current += chunk
    texts.append(current)
    return [page for text in texts for page in pages([Part(text)], continued, limit)]


def card(
    before: Sequence[Part],
    words: str,
    after: Sequence[Part],
    continues: str,
    limit: int = TEXT_LIMIT,
) -> tuple[list[Part], str]:
    """A message that must stay one (a case card): ``before``, as much of the quoted
    ``words`` as fits with ``continues`` after it, then ``after``. Returns the card's
    parts and the words left over for the pages that follow."""
    fixed = sum(utf16_len(p.text) for p in (*before, *after))
    if fixed + utf16_len(words) <= limit:
        return [*before, Part(words, quoted=True), *after], ""
    room = max(limit - fixed - utf16_len(continues), 0)
    head = _prefix(words, room)
    return [*before, Part(head, quoted=True), Part(continues), *after], words[len(head) :]
