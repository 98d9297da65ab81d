"""What a roster file must pass before it is parsed: a workbook's zip within sane sizes,
a CSV's bytes in an encoding that reads right.

A 2.6 MB workbook can hold 1.2 GB of shared strings, which openpyxl loads whole (1.45 GB
of memory seen); a password-protected workbook is no zip at all; a Big5 or Shift-JIS CSV
decodes "successfully" as GB18030 into nonsense characters. Each is one clear problem,
found before anything reads the content.
"""

from __future__ import annotations

import zipfile
from functools import cache
from pathlib import Path

from bot.domain.roster_check import Problem

MB = 1024 * 1024
MAX_PARTS = 1_000  # a workbook has a few dozen
MAX_UNCOMPRESSED = 512 * MB  # every part unpacked; a county of 100,000 households: ~85 MB
MAX_SHARED_STRINGS = 64 * MB  # openpyxl keeps them all in memory; such a county: ~10 MB
MAX_RATIO = 200  # unpacked ÷ packed, for a part over 1 MB; real sheets pack about 10:1
_RATIO_FROM = MB
_SHARED_STRINGS = "xl/sharedstrings.xml"
# An OLE compound file: what Excel makes of a workbook with an opening password (and the
# old .xls format, renamed).
_COMPOUND_FILE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_ENCRYPTED = 0x1


def check_workbook(path: Path) -> Problem | None:
    """Why ``path`` must not be opened as a workbook, or None. Reads only the zip's
    directory (the sizes it declares; Python's zipfile stops at them when reading)."""
    where = str(path)
    try:
        with path.open("rb") as file:
            head = file.read(len(_COMPOUND_FILE))
        if head == _COMPOUND_FILE:
            return Problem(where, None, None, "encrypted")
        with zipfile.ZipFile(path) as book:
            parts = book.infolist()
    except zipfile.BadZipFile:
        return Problem(where, None, None, "not_a_workbook")
    except OSError as error:
        return Problem(where, None, None, "unreadable", {"error": str(error)})
    if len(parts) > MAX_PARTS:
        return Problem(where, None, None, "too_many_parts", {"count": len(parts)})
    if any(part.flag_bits & _ZIP_ENCRYPTED for part in parts):
        return Problem(where, None, None, "encrypted")
    total = sum(part.file_size for part in parts)
    if total > MAX_UNCOMPRESSED:
        return _too_big(where, "too_big", total, MAX_UNCOMPRESSED)
    for part in parts:
        if part.filename.lower() == _SHARED_STRINGS and part.file_size > MAX_SHARED_STRINGS:
            return _too_big(where, "too_many_strings", part.file_size, MAX_SHARED_STRINGS)
        if part.file_size > _RATIO_FROM and part.file_size > MAX_RATIO * part.compress_size:
            ratio = part.file_size // max(part.compress_size, 1)
            return Problem(where, None, None, "packed_too_tight", {"ratio": ratio})
    return None


def _too_big(where: str, reason: str, size: int, limit: int) -> Problem:
    return Problem(where, None, None, reason, {"size": -(-size // MB), "limit": limit // MB})


# --- CSV text --------------------------------------------------------------------------
# GB18030 decodes almost any bytes, so a successful decoding proves little. Chinese
# roster text is made of the common characters (GB2312's 6,763 hanzi) and punctuation;
# Big5 read as GB18030 gives about half rare hanzi, private-use and symbol characters
# (e.g. 臺北 → 酯韩 or worse), Shift-JIS read so even more.
_SAMPLE = 20_000  # non-ASCII characters looked at: enough to tell, quick on any file
_AT_LEAST = 4  # fewer non-ASCII characters than this prove nothing either way
_MOST_UNUSUAL = 0.2  # a fifth of rare characters: not a Chinese roster
_PUNCTUATION = (
    (0x00B7, 0x00B7),  # ·, between the parts of a minority name
    (0x2010, 0x2027),  # dashes, quotes, ellipsis
    (0x3000, 0x303F),  # CJK punctuation: 、。《》「」【】
    (0xFF01, 0xFF60),  # full-width ASCII: （），：
    (0xFFE0, 0xFFEE),
)


def looks_misread(text: str) -> bool:
    """Whether ``text``, decoded as GB18030, is too full of rare characters to be the
    Chinese it should be (the bytes were Big5, Shift-JIS or another encoding)."""
    seen = unusual = 0
    for character in text:
        if character < "\x80":
            continue
        seen += 1
        unusual += not _common(character)
        if seen == _SAMPLE:
            break
    return seen >= _AT_LEAST and unusual > _MOST_UNUSUAL * seen


@cache
def _common(character: str) -> bool:
    code = ord(character)
    if 0x4E00 <= code <= 0x9FFF:
        try:
            character.encode("gb2312")
        except UnicodeEncodeError:
            return False
        return True
    return any(low <= code <= high for low, high in _PUNCTUATION)


def legacy_encoding(data: bytes) -> str | None:
    """The encoding ``data`` most likely is when it is neither UTF-8 nor GB18030:
    "Shift-JIS" (decodes strictly and holds kana), "Big5" (decodes strictly), or None."""
    try:
        japanese = data.decode("shift_jis")
    except UnicodeDecodeError:
        pass
    else:
        if any("\u3040" <= c <= "\u30ff" or "\uff66" <= c <= "\uff9f" for c in japanese):
            return "Shift-JIS"
    for codec in ("big5", "cp950", "big5hkscs"):
        try:
            data.decode(codec)
        except UnicodeDecodeError:
            continue
        return "Big5"
    return None
