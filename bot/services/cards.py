"""Contact cards in Telegram, for an administrator (issue 13): a village's cards, one
household's card, and revoking a household's card from its page.

Every press is checked afresh here (the presser is an administrator, the region or the
household exists), so a forged or stale button changes nothing. Printing issues codes
to households without one (as ``lianxin cards`` does); the PDF is drawn after the update
commits (the handlers' long work), from the cards returned here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bot.domain.codes import Holder, HouseholdCard, HouseholdHit, Place
from bot.services.identity import Identity
from bot.services.moment import Moment

PAGE = 8  # households a page of /card's results
QUERY_LIMIT = 16  # characters of a /card search (it rides in the paging buttons)
LEAF = frozenset({"village", "group"})  # a press on these prints; above, it opens


class NotAdmin(PermissionError):
    """Only the configured administrators may print or revoke cards in the chat."""


class Gone(LookupError):
    """No such region or household (a forged or stale button, or a typo)."""


class Empty(LookupError):
    """The region has no household: there is nothing to print."""


class BadQuery(ValueError):
    """/card without a name or id, or one too long to page through."""


class CardStore(Protocol):
    async def places(self, parent_id: str | None) -> list[Place]: ...
    async def place(self, region_id: str) -> Place | None: ...
    async def household_cards(self, region_id: str) -> tuple[list[HouseholdCard], int]: ...
    async def household_card(self, household_id: str) -> HouseholdCard | None: ...
    async def find(
        self, query: str, limit: int, offset: int
    ) -> tuple[list[HouseholdHit], int]: ...
    async def holder(self, household_id: str) -> Holder | None: ...
    async def revoke(self, household_id: str) -> bool: ...


class CardsWork(Moment, Protocol):
    @property
    def cards(self) -> CardStore: ...


@dataclass(frozen=True)
class Places:
    """Where the picker stands (None: the top) and the regions under it."""

    here: Place | None
    under: tuple[Place, ...]


@dataclass(frozen=True)
class Printing:
    """Cards to draw: whose (a region's or one household's name) and how many codes are new."""

    name: str
    cards: tuple[HouseholdCard, ...]
    new: int


@dataclass(frozen=True)
class Found:
    query: str
    page: int  # from 0
    pages: int
    total: int
    hits: tuple[HouseholdHit, ...]
    only: Holder | None = None  # the household's page when exactly one is found


@dataclass(frozen=True)
class Revoked:
    holder: Holder  # as it is now
    revoked: bool  # False: it had no live code (pressed twice)


def _admin(who: Identity) -> None:
    if not who.admin:
        raise NotAdmin


async def places(work: CardsWork, who: Identity, region_id: str | None = None) -> Places:
    """The picker: the regions under ``region_id``; from the top, a lone county opens."""
    _admin(who)
    if region_id is None:
        top = await work.cards.places(None)
        if len(top) != 1:
            return Places(None, tuple(top))
        here: Place | None = top[0]
    else:
        here = await work.cards.place(region_id)
    if here is None:
        raise Gone(region_id)
    return Places(here, tuple(await work.cards.places(here.id)))


async def region_cards(work: CardsWork, who: Identity, region_id: str) -> Printing:
    """Every household card at or below the region, issuing the missing codes."""
    _admin(who)
    place = await work.cards.place(region_id)
    if place is None:
        raise Gone(region_id)
    found, new = await work.cards.household_cards(region_id)
    if not found:
        raise Empty(region_id)
    return Printing(place.name, tuple(found), new)


async def household_card(work: CardsWork, who: Identity, household_id: str) -> Printing:
    """One household's card: its live code, or a new one if its card was revoked."""
    _admin(who)
    card = await work.cards.household_card(household_id)
    if card is None:
        raise Gone(household_id)
    return Printing(card.household.head_name, (card,), 0)


async def find(work: CardsWork, who: Identity, query: str, page: int = 0) -> Found:
    """Households by id or by a part of the head's name, ``PAGE`` a page."""
    _admin(who)
    query = query.strip()
    if not query or len(query) > QUERY_LIMIT:
        raise BadQuery(query)
    hits, total = await work.cards.find(query, PAGE, max(page, 0) * PAGE)
    pages = max(1, -(-total // PAGE))
    if page < 0 or page >= pages:
        raise Gone(str(page))
    only = await work.cards.holder(hits[0].id) if total == 1 else None
    return Found(query, page, pages, total, tuple(hits), only)


async def holder(work: CardsWork, who: Identity, household_id: str) -> Holder:
    """A household's page: head, village, phones bound, cadres, where its card stands."""
    _admin(who)
    found = await work.cards.holder(household_id)
    if found is None:
        raise Gone(household_id)
    return found


async def revoke(work: CardsWork, who: Identity, household_id: str) -> Revoked:
    """Stop the household's code binding new phones (the phones bound stay bound); the
    next print of its card issues a new code."""
    _admin(who)
    if await work.cards.holder(household_id) is None:
        raise Gone(household_id)
    revoked = await work.cards.revoke(household_id)
    after = await work.cards.holder(household_id)
    if after is None:
        raise Gone(household_id)
    return Revoked(after, revoked)
