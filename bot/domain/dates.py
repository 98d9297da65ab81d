"""Dates and periods as people type them: in Chinese (明天, 下周一, 12月5日, 上个月) or ISO.

A cadre in a field writes ``/away 明天`` or ``/stats 上个月``, not ``2026-12-05``. These
rules read time only from the ``now`` and zone they are given. Digits may be ASCII,
full-width (``１２月５日``) or Chinese numerals up to 99 (``十二月五日``, ``三天后``) and a
year may be spelt digit by digit (``二〇二六年``).

One day (``day``), for /away, /extend and a /stats period of one day:

- ``今天``, ``明天``, ``后天``, ``大后天``, ``昨天``, ``前天``;
- ``下周一`` … ``下周日`` (the day of next week; ``下星期三``, ``下礼拜五`` too),
  ``本周五`` / ``这周五`` (this week's), ``上周五`` (last week's);
- ``周五`` / ``星期五`` / ``礼拜五``: the next Friday after today (``ahead``), or the last
  one on or before today (not ``ahead``, for figures);
- ``3天后`` / ``三天后`` / ``3天`` (not ``3日``, which may be the 3rd), ``一周后`` /
  ``2周后`` / ``一个月后``; ``3天前`` …;
- ``12月5日`` / ``12月5号`` / ``12-5`` / ``12/5``: the next one on or after today
  (``ahead``), or the last one on or before today (not ``ahead``);
- ``2026年12月5日``, ``2026-12-05``, ``2026/12/5``, ``2026.12.5``.

A period (``period``), for /stats, as local days ``first``..``last`` (both included):
nothing or ``本月`` / ``month`` (the 1st to today), ``上个月`` / ``上月`` / ``lastmonth``,
``本周`` / ``week`` (Monday to today), ``上周``, ``今年`` (1 January to today), ``去年``,
``近7天`` / ``最近30天`` / ``近一周`` (ending today), ``12月`` / ``2026年12月`` /
``2026-12`` (a whole month, the last one not after this month; this month ends today),
``2026年``, one day in any form above (``今天``, ``today``, ``昨天``, ``12月5日``), or two
days (``2026-11-01 2026-11-30``, ``11月1日 11月15日``, ``11月1日到11月15日``).
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo


class NotADate(ValueError):
    """The text names no day this module knows."""


class NotAPeriod(ValueError):
    """The words name no period this module knows."""


def today(now: datetime, zone: ZoneInfo) -> date:
    return now.astimezone(zone).date()


# --- numbers ---------------------------------------------------------------------------

_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_ASCII = re.compile(r"[0-9]{1,4}", re.ASCII)


def number(text: str) -> int | None:
    """``12``, ``十二``, ``二十五``, ``两``, ``二〇二六`` as an int; None for anything else."""
    if _ASCII.fullmatch(text):
        return int(text)
    if not text or any(c not in _DIGITS and c != "十" for c in text):
        return None
    if "十" not in text:
        return int("".join(str(_DIGITS[c]) for c in text)) if len(text) <= 4 else None
    tens, _, ones = text.partition("十")
    if len(tens) > 1 or len(ones) > 1 or "十" in ones:
        return None
    return (_DIGITS[tens] if tens else 1) * 10 + (_DIGITS[ones] if ones else 0)


def _clean(text: str) -> str:
    """Full-width digits and signs made plain, spaces gone, letters lower case."""
    return "".join(unicodedata.normalize("NFKC", text).split()).lower()


# --- one day ---------------------------------------------------------------------------

_NUM = r"([0-9]{1,4}|[零〇一二两三四五六七八九十]{1,4})"
_NAMED = {"今天": 0, "today": 0, "明天": 1, "后天": 2, "大后天": 3, "昨天": -1, "前天": -2}
_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "七": 6}
_WEEKDAY = re.compile(r"(下|本|这|上)?(?:个)?(?:周|星期|礼拜)([一二三四五六日天七])")
_RELATIVE = re.compile(_NUM + r"(天|周|个星期|星期|个礼拜|礼拜|个月)(后|以后|之后|前|以前|之前)?")
_MONTH_DAY = re.compile(r"(?:" + _NUM + r"年)?" + _NUM + r"月" + _NUM + r"(?:日|号)?")
_NUMERIC = re.compile(r"(?:([0-9]{4})[-/.])?([0-9]{1,2})[-/.]([0-9]{1,2})", re.ASCII)


def day(text: str, now: datetime, zone: ZoneInfo, *, ahead: bool = True) -> date:
    """The local day ``text`` names (the forms in this module's docstring); a date without
    a year is the next one on or after today if ``ahead``, else the last one on or before
    today. Raises ``NotADate``."""
    found = _day(_clean(text), today(now, zone), ahead)
    if found is None:
        raise NotADate(text)
    return found


def _day(text: str, on: date, ahead: bool) -> date | None:
    if text in _NAMED:
        return on + timedelta(days=_NAMED[text])
    for read in (_weekday, _relative, _written):
        found = read(text, on, ahead)
        if found is not None:
            return found
    return None


def _weekday(text: str, on: date, ahead: bool) -> date | None:
    match = _WEEKDAY.fullmatch(text)
    if match is None:
        return None
    which, weekday = match.group(1), _WEEKDAYS[match.group(2)]
    monday = on - timedelta(days=on.weekday())
    if which == "下":
        return monday + timedelta(days=7 + weekday)
    if which == "上":
        return monday + timedelta(days=weekday - 7)
    if which in ("本", "这"):
        return monday + timedelta(days=weekday)
    if ahead:  # the next one after today
        return on + timedelta(days=(weekday - on.weekday() - 1) % 7 + 1)
    return on - timedelta(days=(on.weekday() - weekday) % 7)  # the last one, today included


def _relative(text: str, on: date, ahead: bool) -> date | None:
    match = _RELATIVE.fullmatch(text)
    count = number(match.group(1)) if match else None
    if match is None or count is None:
        return None
    sign = -1 if (match.group(3) or "").startswith(("前", "以前", "之前")) else 1
    unit = match.group(2)
    if unit == "个月":
        return _months_later(on, sign * count)
    days = count * (1 if unit == "天" else 7)
    try:
        return on + timedelta(days=sign * days)
    except OverflowError:
        return None


def _months_later(on: date, months: int) -> date | None:
    index = on.year * 12 + on.month - 1 + months
    year, month = divmod(index, 12)
    if not 1 <= year <= 9999:
        return None
    return date(year, month + 1, min(on.day, calendar.monthrange(year, month + 1)[1]))


def _written(text: str, on: date, ahead: bool) -> date | None:
    match = _MONTH_DAY.fullmatch(text) or _NUMERIC.fullmatch(text)
    if match is None:
        return None
    year, month, day_ = (number(part) if part else None for part in match.groups())
    if month is None or day_ is None:
        return None
    if year is not None:
        return _valid(year, month, day_)
    return _nearest(month, day_, on, ahead)


def _valid(year: int, month: int, day_: int) -> date | None:
    try:
        return date(year, month, day_)
    except ValueError:
        return None


def _nearest(month: int, day_: int, on: date, ahead: bool) -> date | None:
    """The first ``month``-``day_`` on or after ``on`` (``ahead``), or the last one on or
    before it; 2月29日 looks as far as the leap year it needs."""
    step = 1 if ahead else -1
    for offset in range(9):
        found = _valid(on.year + step * offset, month, day_)
        if found is not None and (found >= on if ahead else found <= on):
            return found
    return None


# --- periods --------------------------------------------------------------------------

_RECENT = re.compile(r"(?:近|最近|过去)" + _NUM + r"(天|日|周|个星期|星期)")
_MONTH = re.compile(r"(?:" + _NUM + r"年)?" + _NUM + r"月份?")
_ISO_MONTH = re.compile(r"([0-9]{4})-([0-9]{1,2})", re.ASCII)
_YEAR = re.compile(_NUM + r"年")
_BETWEEN = re.compile(r"(.+?)(?:到|至|~)(.+)")


def period(words: Sequence[str], now: datetime, zone: ZoneInfo) -> tuple[date, date]:
    """The local days ``first``..``last`` named by ``/stats`` words (the forms in this
    module's docstring); no words is this month so far. Raises ``NotAPeriod``. Only the
    form is checked here: how long or how far back is for ``bot.domain.stats``."""
    on = today(now, zone)
    cleaned = [_clean(w) for w in words if _clean(w)]
    if len(cleaned) == 1 and (between := _BETWEEN.fullmatch(cleaned[0])):
        cleaned = [between.group(1), between.group(2)]
    found: tuple[date, date] | None = None
    if not cleaned:
        found = on.replace(day=1), on
    elif len(cleaned) == 1:
        found = _named(cleaned[0], on)
    elif len(cleaned) == 2:
        found = _two_days(cleaned[0], cleaned[1], on)
    if found is None:
        raise NotAPeriod(" ".join(words))
    return found


def _named(word: str, on: date) -> tuple[date, date] | None:
    monday = on - timedelta(days=on.weekday())
    first_of_month = on.replace(day=1)
    fixed = {
        ("本周", "这周", "本星期", "这星期", "week"): (monday, on),
        ("上周", "上星期", "上礼拜", "lastweek"): (
            monday - timedelta(days=7),
            monday - timedelta(days=1),
        ),
        ("本月", "这个月", "month"): (first_of_month, on),
        ("今年", "本年", "year"): (on.replace(month=1, day=1), on),
    }
    for names, span in fixed.items():
        if word in names:
            return span
    if word in ("上月", "上个月", "lastmonth"):
        last = first_of_month - timedelta(days=1)
        return last.replace(day=1), last
    if word == "去年":
        return date(on.year - 1, 1, 1), date(on.year - 1, 12, 31)
    for read in (_recent, _month, _year):
        found = read(word, on)
        if found is not None:
            return found
    one = _day(word, on, ahead=False)
    return (one, one) if one is not None else None


def _recent(word: str, on: date) -> tuple[date, date] | None:
    match = _RECENT.fullmatch(word)
    count = number(match.group(1)) if match else None
    if match is None or not count:
        return None
    days = count * (1 if match.group(2) in ("天", "日") else 7)
    return on - timedelta(days=days - 1), on


def _month(word: str, on: date) -> tuple[date, date] | None:
    match = _MONTH.fullmatch(word) or _ISO_MONTH.fullmatch(word)
    if match is None:
        return None
    parts = match.groups()
    year = number(parts[0]) if parts[0] else None
    month = number(parts[-1])
    if month is None or not 1 <= month <= 12:
        return None
    if year is None:
        year = on.year if month <= on.month else on.year - 1
    if not 1 <= year <= 9999:
        return None
    first = date(year, month, 1)
    last = date(year, month, calendar.monthrange(year, month)[1])
    return first, (min(last, on) if first <= on else last)


def _year(word: str, on: date) -> tuple[date, date] | None:
    match = _YEAR.fullmatch(word)
    year = number(match.group(1)) if match else None
    if year is None or not 1 <= year <= 9999:
        return None
    last = date(year, 12, 31)
    return date(year, 1, 1), on if year == on.year else last


def _two_days(first_word: str, last_word: str, on: date) -> tuple[date, date] | None:
    """The first day as the last one on or before today; a last day without a year is the
    first one on or after the first day (``12月20日 1月5日`` spans the new year)."""
    first = _day(first_word, on, ahead=False)
    if first is None:
        return None
    last = _day(last_word, first, ahead=True) if _yearless(last_word) else None
    last = last or _day(last_word, on, ahead=False)
    return (first, last) if last is not None else None


def _yearless(word: str) -> bool:
    match = _MONTH_DAY.fullmatch(word) or _NUMERIC.fullmatch(word)
    return match is not None and match.group(1) is None
