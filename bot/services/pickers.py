"""Picking a household without typing its id, for ``/file``, ``/visit`` and ``/stay``.

The command alone offers the cadre's linked households as buttons (by group, a page at
a time); a name typed after it is searched among them (and, for ``/visit`` and
``/stay``, the households of the region the cadre supervises, as those commands reach
them); an id works as it always did. Once a household is picked, the command goes on as
it would have with its id: ``/file`` waits for the content, ``/visit`` and ``/stay`` log
the day. A pressed button is checked again here: a household that is not the
presser's, a group or page that is not in their list, is ``NotYours`` and changes
nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from bot.domain import picking
from bot.domain.picking import Kind, Listed, Listing, NotYours, Press, Verb
from bot.domain.roster import Cadre, Household, HouseholdDetails
from bot.domain.schedule import CadresOnly, DayKind, Rules
from bot.services import casework, field
from bot.services.casework import CaseWork, NotLinked
from bot.services.field import Logged, LogWork
from bot.services.identity import Identity

# --- what the use cases ask of storage ------------------------------------------------


class Picks(Protocol):
    async def linked_households(self, cadre_id: str) -> list[Listed]: ...
    async def named_households(
        self, cadre_id: str, name: str, supervised: bool, limit: int
    ) -> list[Listed]: ...


class PickWork(CaseWork, LogWork, Protocol):
    @property
    def picks(self) -> Picks: ...


# --- what happened --------------------------------------------------------------------


@dataclass(frozen=True)
class Filing:
    """``/file`` goes on: the cadre's next message files a request for this household."""

    household: HouseholdDetails


@dataclass(frozen=True)
class NoneFound:
    """A name matched none of the households searched."""

    verb: Verb
    name: str
    region_too: bool  # the supervised region was searched as well


Picked = Listing | Filing | Logged | NoneFound

_DAYS = {Verb.VISIT: DayKind.VISIT, Verb.STAY: DayKind.STAY}


# --- the use cases --------------------------------------------------------------------


def _cadre(who: Identity) -> Cadre:
    if who.cadre is None:
        raise CadresOnly
    return who.cadre


async def command(
    work: PickWork, who: Identity, verb: Verb, words: Sequence[str], rules: Rules
) -> Picked:
    """``/file``, ``/visit`` or ``/stay`` with ``words``: none (the buttons), an id (as
    always), or a name and a note. Raises ``CadresOnly``; ``/file`` with an id that is
    not the cadre's raises ``NotLinked``."""
    cadre = _cadre(who)
    if not words:
        listed = await work.picks.linked_households(cadre.id)
        return picking.listing(listed, picking.first(verb, listed))
    if picking.is_id(words[0].strip()):
        return await _by_id(work, who, verb, words, rules)
    name, note = picking.query(words[0]), " ".join(words[1:])
    region_too = verb != Verb.FILE and cadre.supervises is not None
    found = await work.picks.named_households(cadre.id, name, region_too, picking.PAGE + 1)
    chosen = picking.chosen(found, name)
    if chosen is not None:
        return await _go_on(work, who, verb, chosen, note, rules)
    if not found:
        return NoneFound(verb, name, region_too)
    return picking.matches(verb, found, name)


async def press(work: PickWork, who: Identity, pressed: Press, rules: Rules) -> Picked:
    """A picker button: a household (checked: the cadre's own), a page or a group of
    their list, or a stay without a household. Raises ``NotYours``, ``CadresOnly``."""
    cadre = _cadre(who)
    if pressed.kind == Kind.NONE:
        return await field.log_for(work, who, rules, DayKind.STAY, None)
    if pressed.kind != Kind.HOUSEHOLD:
        listed = await work.picks.linked_households(cadre.id)
        return picking.listing(listed, pressed)
    if pressed.verb == Verb.FILE:
        try:
            return Filing(await casework.start_filing(work, who, pressed.target))
        except NotLinked:
            raise NotYours from None
    household = await work.schedule.visitable(cadre.id, pressed.target)
    if household is None:
        raise NotYours
    return await field.log_for(work, who, rules, _DAYS[pressed.verb], household)


async def _by_id(
    work: PickWork, who: Identity, verb: Verb, words: Sequence[str], rules: Rules
) -> Picked:
    """An id, as the commands always took it."""
    if verb == Verb.FILE:
        return Filing(await casework.start_filing(work, who, words[0].strip().upper()))
    return await field.log_day(work, who, rules, _DAYS[verb], words)


async def _go_on(
    work: PickWork, who: Identity, verb: Verb, household: Household, note: str, rules: Rules
) -> Picked:
    """A household found by name (so already the cadre's): the command goes on."""
    if verb == Verb.FILE:
        return Filing(await casework.start_filing(work, who, household.id))
    return await field.log_for(work, who, rules, _DAYS[verb], household, note)
