"""公示 and reception as use cases: a cadre's announcement (asked, drafted, published or
cancelled), the 接待日 button,
and 绑定率 (counted after the commit, over a read, like the other /stats figures).

An announcement goes to every bound member of the households of the publisher's region
(a supervisor's region, a village cadre's village) that did not switch notices off:
one message a chat, returned as data for the handler to render as BULK calls with the
dedup key (announcement, chat), so a restart never sends one twice.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Protocol

from bot.domain import announce
from bot.domain.announce import Announcement, Binding, Receiving, Recipient
from bot.domain.members import NoHousehold
from bot.domain.requests import NotAllowed
from bot.domain.roster import Cadre, Household, LinkedCadre, Rank
from bot.domain.schedule import Repeat, Rules
from bot.services.identity import Identity
from bot.services.moment import Moment


class AnnounceStore(Protocol):
    async def asked(self, cadre_id: str) -> datetime | None: ...
    async def ask(self, cadre_id: str, now: datetime) -> None: ...
    async def forget_ask(self, cadre_id: str) -> None: ...
    async def village_of(self, region_id: str) -> str | None: ...
    async def region_name(self, region_id: str) -> str: ...
    async def draft(
        self, cadre_id: str, region_id: str, text: str, photo: str | None, now: datetime
    ) -> int: ...
    async def announcement(self, announcement_id: int) -> Announcement | None: ...
    async def publish(self, announcement_id: int, reached: int, now: datetime) -> bool: ...
    async def cancel(self, announcement_id: int, now: datetime) -> bool: ...
    async def recipients(self, region_id: str) -> list[Recipient]: ...
    async def leaders(self, household_id: str) -> list[Cadre]: ...


class RateStore(Protocol):
    async def binding(self, region_id: str, level: str) -> list[Binding]: ...
    async def binding_whole(self, region_id: str) -> Binding: ...


class LinkedCadres(Protocol):
    async def linked_cadres(self, household_id: str) -> list[LinkedCadre]: ...


class AnnounceWork(Moment, Protocol):
    @property
    def notices(self) -> AnnounceStore: ...
    @property
    def people(self) -> LinkedCadres: ...


class RateWork(Moment, Protocol):
    @property
    def notices(self) -> RateStore: ...


# --- results ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Asked:
    """/announce alone: the next message is the announcement, for this region."""

    region_name: str


@dataclass(frozen=True)
class Draft:
    """The preview: what will go, where, and how many households it reaches."""

    announcement: Announcement
    region_name: str
    households: int  # households with a bound phone and notices on
    chats: int


@dataclass(frozen=True)
class Published:
    announcement: Announcement
    region_name: str
    cadre: Cadre
    recipients: tuple[Recipient, ...]  # one a chat
    households: int


@dataclass(frozen=True)
class Cancelled:
    announcement: Announcement


@dataclass(frozen=True)
class ReceptionDays:
    """The 接待日 button: the next service days and who receives villagers when."""

    household: Household
    service_days: tuple[date, ...]
    cadres: tuple[Receiving, ...]  # linked cadres in tier order, then the leaders


@dataclass(frozen=True)
class BindingTable:
    """绑定率 of a supervisor's region: the whole, each township, each village."""

    whole: Binding
    townships: tuple[Binding, ...]
    villages: tuple[Binding, ...]


# --- the use cases ---------------------------------------------------------------------


async def _region(work: AnnounceWork, who: Identity) -> tuple[Cadre, str]:
    """The publisher and their region. Raises ``NotPublisher``."""
    cadre = who.cadre
    if cadre is None or not announce.may_publish(cadre):
        raise announce.NotPublisher
    region = cadre.supervises or await work.notices.village_of(cadre.region_id)
    if region is None:
        raise announce.NotPublisher
    return cadre, region


async def ask(work: AnnounceWork, who: Identity) -> Asked:
    """``/announce`` alone: the cadre's next message is the announcement."""
    cadre, region = await _region(work, who)
    await work.notices.ask(cadre.id, work.now)
    return Asked(await work.notices.region_name(region))


async def draft(work: AnnounceWork, who: Identity, text: str, photo: str | None) -> Draft:
    """``/announce <words>`` or the message after ``/announce``: stored as a draft, shown
    with 发布 / 取消. Raises ``NotPublisher``, ``Empty``, ``TooLong`` (nothing stored)."""
    cadre, region = await _region(work, who)
    announce.check(text, photo)
    store = work.notices
    await store.forget_ask(cadre.id)
    found = await store.draft(cadre.id, region, text.strip(), photo, work.now)
    reached = await store.recipients(region)
    return Draft(
        Announcement(found, cadre.id, region, text.strip(), photo),
        await store.region_name(region),
        len({r.household_id for r in reached}),
        len(announce.recipients(reached)),
    )


async def caught(
    work: AnnounceWork, who: Identity, text: str, photo: str | None, idle: timedelta
) -> Draft | None:
    """A cadre's message: the announcement if ``/announce`` asked for it within ``idle``
    (None: not asked, or asked too long ago: the message is the cadre side's as usual)."""
    if who.cadre is None:
        return None
    since = await work.notices.asked(who.cadre.id)
    if since is None:
        return None
    if work.now - since > idle:
        await work.notices.forget_ask(who.cadre.id)
        return None
    return await draft(work, who, text, photo)


async def _own_draft(
    work: AnnounceWork, who: Identity, announcement_id: int
) -> tuple[Cadre, Announcement]:
    found = await work.notices.announcement(announcement_id)
    if who.cadre is None or found is None or found.cadre_id != who.cadre.id or not found.draft:
        raise NotAllowed("not this cadre's draft")
    return who.cadre, found


async def publish(work: AnnounceWork, who: Identity, announcement_id: int) -> Published:
    """发布: to every bound member of the region's households with notices on. Raises
    ``NotAllowed`` (another's, unknown, already published or cancelled: nothing sent)."""
    cadre, found = await _own_draft(work, who, announcement_id)
    store = work.notices
    members = await store.recipients(found.region_id)
    households = len({r.household_id for r in members})
    if not await store.publish(found.id, households, work.now):
        raise NotAllowed("no longer a draft")
    return Published(
        found,
        await store.region_name(found.region_id),
        cadre,
        tuple(announce.recipients(members)),
        households,
    )


async def cancel(work: AnnounceWork, who: Identity, announcement_id: int) -> Cancelled:
    """取消: the draft goes nowhere. Raises ``NotAllowed`` as ``publish``."""
    _, found = await _own_draft(work, who, announcement_id)
    if not await work.notices.cancel(found.id, work.now):
        raise NotAllowed("no longer a draft")
    return Cancelled(found)


async def reception(work: AnnounceWork, who: Identity, rules: Rules) -> ReceptionDays:
    """接待日: the household's next service days, and its linked cadres and the leaders
    of its village and township with their reception days. Raises ``NoHousehold``."""
    household = who.current
    if household is None:
        raise NoHousehold
    today = work.now.astimezone(rules.zone).date()
    linked = [(c.cadre, "linked") for c in await work.people.linked_cadres(household.id)]
    leaders = [(c, "leader") for c in await work.notices.leaders(household.id)]
    reception_rules: Mapping[Rank, Repeat] = rules.reception
    found = announce.receiving([*linked, *leaders], reception_rules, today)
    days = announce.next_service_days(rules, today)
    return ReceptionDays(household, tuple(days), tuple(found))


async def binding(work: RateWork, region_id: str) -> BindingTable:
    """绑定率 of ``region_id``'s subtree (a supervisor's: the caller checked)."""
    store = work.notices
    return BindingTable(
        await store.binding_whole(region_id),
        tuple(t for t in await store.binding(region_id, "township") if t.region_id != region_id),
        tuple(await store.binding(region_id, "village")),
    )


def lines(table: BindingTable) -> Sequence[Binding]:
    """The workbook's rows: the whole, then the townships, then the villages."""
    return [table.whole, *table.townships, *table.villages]
