"""Choosing a household without typing its id: the rules of the pickers behind ``/file``,
``/visit`` and ``/stay``.

A cadre's linked households are shown as buttons, a page at a time; when they fill more
than one page and live in more than one 村民小组 (group), the groups come first. A word
typed after the command is an id (ASCII, as the county's roster writes them) or part of
a head's name (anything else). Buttons carry only a verb, a kind and an id or a page,
never a name, and are read here strictly: forged data is None, never an exception.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

from bot.domain.roster import Household

PAGE = 8  # households (or groups) per page of buttons
MAX_PAGE = 999  # a page number a button may carry (3 digits)
MAX_QUERY = 20  # characters of a name searched; a longer one is cut
SCOPE = "pk"
_ID = re.compile(r"[A-Za-z0-9_-]{1,30}", re.ASCII)
_PAGE = re.compile(r"[0-9]{1,3}", re.ASCII)
T = TypeVar("T")


class Verb(StrEnum):
    """What the household is picked for."""

    FILE = "file"  # the cadre's next message is filed for it
    VISIT = "visit"  # a visit is logged
    STAY = "stay"  # a village-stay day is logged


class Kind(StrEnum):
    """What a picker button does (the second part of its argument)."""

    HOUSEHOLD = "h"  # h:<household id>: this one
    PAGE = "p"  # p:<page>: a page of all the households
    GROUPS = "g"  # g:<page>: a page of the groups
    GROUP = "r"  # r:<region id>:<page>: a page of one group's households
    NONE = "n"  # n: a stay without a household


@dataclass(frozen=True)
class Listed:
    """A household as a picker shows it: with the name of its group (or village)."""

    household: Household
    group: str  # the household's region's name


@dataclass(frozen=True)
class Group:
    region_id: str
    name: str
    count: int


@dataclass(frozen=True)
class Press:
    """A picker button as pressed: still to be checked against the presser."""

    verb: Verb
    kind: Kind
    target: str = ""  # a household id (HOUSEHOLD) or a region id (GROUP)
    page: int = 0


def encode(press: Press) -> str:
    """``pk:<verb>:<kind>[:<target>][:<page>]``: at most 46 bytes."""
    parts: list[str] = [SCOPE, press.verb, press.kind]
    if press.kind in (Kind.HOUSEHOLD, Kind.GROUP):
        parts.append(press.target)
    if press.kind in (Kind.PAGE, Kind.GROUPS, Kind.GROUP):
        parts.append(str(press.page))
    return ":".join(parts)


def decode(data: str | None) -> Press | None:
    """The press, or None for data that is not a well-formed picker button."""
    parts = (data or "").split(":")
    if len(parts) < 3 or parts[0] != SCOPE:
        return None
    try:
        verb, kind = Verb(parts[1]), Kind(parts[2])
    except ValueError:
        return None
    rest = parts[3:]
    if kind == Kind.NONE:
        return Press(verb, kind) if not rest and verb == Verb.STAY else None
    if kind == Kind.HOUSEHOLD:
        return Press(verb, kind, rest[0]) if len(rest) == 1 and _ID.fullmatch(rest[0]) else None
    if kind == Kind.GROUP:
        if len(rest) == 2 and _ID.fullmatch(rest[0]) and _PAGE.fullmatch(rest[1]):
            return Press(verb, kind, rest[0], int(rest[1]))
        return None
    return Press(verb, kind, page=int(rest[0])) if _page_only(rest) else None


def _page_only(rest: list[str]) -> bool:
    return len(rest) == 1 and _PAGE.fullmatch(rest[0]) is not None


def is_id(word: str) -> bool:
    """An id as the roster writes them (``H0001``): ASCII letters, digits, ``_`` ``-``."""
    return _ID.fullmatch(word) is not None


def query(word: str) -> str:
    """The part of a head's name to search for: trimmed, at most ``MAX_QUERY``."""
    return word.strip()[:MAX_QUERY]


def pages(count: int) -> int:
    return max(1, -(-count // PAGE))


def page_of(items: list[T], page: int) -> list[T]:
    return items[page * PAGE : (page + 1) * PAGE]


def groups(listed: list[Listed]) -> list[Group]:
    """The groups of ``listed`` in the order they first appear, with their counts."""
    found: dict[str, Group] = {}
    for item in listed:
        region = item.household.region_id
        before = found.get(region)
        found[region] = Group(region, item.group, before.count + 1 if before else 1)
    return list(found.values())


def by_groups(listed: list[Listed]) -> bool:
    """Groups first: more households than one page, in more than one group."""
    return len(listed) > PAGE and len(groups(listed)) > 1


class NotYours(Exception):
    """A picker button for a household, group or page that is not (or no longer) in the
    presser's list: forged or stale; nothing changes."""


@dataclass(frozen=True)
class Listing:
    """A page of buttons to show: households, or groups of them."""

    verb: Verb
    kind: Kind  # PAGE, GROUPS or GROUP; HOUSEHOLD: the matches of a name
    households: tuple[Listed, ...]
    groups: tuple[Group, ...]
    page: int
    pages: int
    total: int  # households listed, in the group shown, or found
    group: Group | None = None  # the group shown (GROUP)
    name: str = ""  # the name searched (HOUSEHOLD)
    more: bool = False  # more matches than shown (HOUSEHOLD)


def first(verb: Verb, listed: list[Listed]) -> Press:
    """What the command alone shows: the groups first, or the first page."""
    return Press(verb, Kind.GROUPS if by_groups(listed) else Kind.PAGE)


def listing(listed: list[Listed], press: Press) -> Listing:
    """The page ``press`` asks for of the cadre's ``listed`` households. Raises
    ``NotYours`` for a group not in the list or a page past its end."""
    verb, page = press.verb, press.page
    if press.kind == Kind.GROUPS:
        found = groups(listed)
        _check(page, len(found))
        shown = tuple(page_of(found, page))
        return Listing(verb, Kind.GROUPS, (), shown, page, pages(len(found)), len(listed))
    if press.kind == Kind.GROUP:
        group = next((g for g in groups(listed) if g.region_id == press.target), None)
        if group is None:
            raise NotYours
        members = [item for item in listed if item.household.region_id == group.region_id]
        _check(page, len(members))
        shown_households = tuple(page_of(members, page))
        return Listing(
            verb, Kind.GROUP, shown_households, (), page, pages(len(members)), len(members), group
        )
    if press.kind != Kind.PAGE:
        raise NotYours
    _check(page, len(listed))
    return Listing(
        verb, Kind.PAGE, tuple(page_of(listed, page)), (), page, pages(len(listed)), len(listed)
    )


def _check(page: int, count: int) -> None:
    if not 0 <= page < pages(count):
        raise NotYours


def chosen(found: list[Listed], name: str) -> Household | None:
    """The one household a name picks: the only match, or the only exact one."""
    if len(found) == 1:
        return found[0].household
    exact = [item.household for item in found if item.household.head_name == name]
    return exact[0] if len(exact) == 1 else None


def matches(verb: Verb, found: list[Listed], name: str) -> Listing:
    """Several households match ``name``: the first page of them as buttons."""
    shown = tuple(found[:PAGE])
    return Listing(
        verb, Kind.HOUSEHOLD, shown, (), 0, 1, len(found), name=name, more=len(found) > PAGE
    )
