"""Confidential complaints about a cadre (issue 11): 「🔒 反映干部问题」 asks which cadre,
and the villager's next message is the complaint, filed before anything is sent to
anyone and handled by the supervisor of the region above the accused
(``bot.domain.confidential``); and, when "about my cadre" makes an ordinary request
confidential, the accused's copies are withdrawn from their chat.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.domain import confidential as rules
from bot.domain.members import NoHousehold
from bot.domain.requests import Content, Deadlines, NotAllowed, Request
from bot.domain.roster import Cadre, Household, LinkedCadre
from bot.domain.talking import Purpose
from bot.services.identity import Identity
from bot.services.notices import Cadres, Directory, Notice, NoticeWork, Talks, Trails, address
from bot.services.relays import named


class ComplaintRequests(rules.ComplaintStore, Trails, Protocol):
    """The complaint rules' store, and what the notices read of a request."""


class ComplaintPeople(Cadres, Protocol):
    async def linked_cadres(self, household_id: str) -> list[LinkedCadre]: ...


class AskedComplaints(Protocol):
    async def ask(
        self, user_id: int, household_id: str, accused_id: str, now: datetime
    ) -> None: ...
    async def asked(self, user_id: int) -> tuple[str, str, datetime] | None: ...
    async def clear(self, user_id: int) -> None: ...
    async def withdraw(self, user_id: int, request_id: int, number: str) -> list[int]:
        """Cancel what is owed to the chat about the request; the ids of what was sent."""


class WithdrawWork(Protocol):
    @property
    def directory(self) -> Directory: ...
    @property
    def conversations(self) -> Talks: ...
    @property
    def complaints(self) -> AskedComplaints: ...


class ComplaintWork(NoticeWork, Protocol):
    @property
    def requests(self) -> ComplaintRequests: ...
    @property
    def people(self) -> ComplaintPeople: ...
    @property
    def complaints(self) -> AskedComplaints: ...
    @property
    def conversations(self) -> Talks: ...


@dataclass(frozen=True)
class Choices:
    """Whom the villager may complain about: their household's cadres, and the
    supervisors of the regions above it (the township's, the county's)."""

    household: Household
    cadres: tuple[LinkedCadre, ...]
    above: tuple[Cadre, ...]


@dataclass(frozen=True)
class Chosen:
    """The villager's next message is the complaint about ``accused``, for ``supervisor``."""

    accused: Cadre
    supervisor: Cadre


@dataclass(frozen=True)
class Complained:
    """The complaint is filed; only ``supervisor`` (and the admins, if the supervisor is
    not on Lianxin) hear of it."""

    request: Request
    notices: tuple[Notice, ...]
    accused: Cadre
    supervisor: Cadre


class NoOneAbove(Exception):
    """No supervisor above the accused: the complaint cannot go confidentially."""

    def __init__(self, accused: Cadre) -> None:
        super().__init__(f"no supervisor above {accused.id}")
        self.accused = accused


@dataclass(frozen=True)
class Withdrawn:
    """The accused's copies of a request: messages to delete from their chat."""

    chat_id: int
    message_ids: tuple[int, ...]


async def choices(work: ComplaintWork, who: Identity) -> Choices:
    """「反映干部问题」 pressed: the cadres of the household the phone speaks for.
    Raises ``NoHousehold``."""
    household = who.current
    if household is None:
        raise NoHousehold
    linked = await work.people.linked_cadres(household.id)
    ids = {c.cadre.id for c in linked}
    above: list[Cadre] = []
    for candidate in await work.requests.supervisors_above(household.id):
        if candidate.cadre_id not in ids:
            ids.add(candidate.cadre_id)
            above.append(await work.people.cadre(candidate.cadre_id))
    return Choices(household, tuple(linked), tuple(above))


async def choose(work: ComplaintWork, who: Identity, cadre_id: str) -> Chosen:
    """A cadre chosen: checked against the household's links (a forged id is refused),
    and the villager's next message will be the complaint. Raises ``NoHousehold``,
    ``NotAllowed`` or ``NoOneAbove``, having changed nothing."""
    household = who.current
    if household is None:
        raise NoHousehold
    if not cadre_id or not await rules.may_accuse(work.requests, household.id, cadre_id):
        raise NotAllowed("not a cadre of this household or above it")
    accused = await work.people.cadre(cadre_id)
    try:
        chosen = await rules.recipient(work.requests, household.id, cadre_id, work.now)
    except rules.NoSupervisor:
        raise NoOneAbove(accused) from None
    await work.conversations.clear(who.user_id)  # the next message is not a follow-up
    await work.complaints.ask(who.user_id, household.id, cadre_id, work.now)
    return Chosen(accused, await work.people.cadre(chosen.cadre_id))


async def file_if_asked(
    work: ComplaintWork, who: Identity, content: Content, deadlines: Deadlines
) -> Complained | None:
    """The message is the complaint the villager chose a cadre for: file it
    confidentially; None when no complaint was asked for. The question never lapses: a
    complaint written hours later must not go the ordinary way, to the accused."""
    asked = await work.complaints.asked(who.user_id)
    if asked is None:
        return None
    await work.complaints.clear(who.user_id)
    household_id, accused_id, _ = asked
    if not await work.requests.is_member(who.user_id, household_id):
        return None
    try:
        done = await rules.file_complaint(
            work.requests,
            work.now,
            household_id,
            accused_id,
            content,
            deadlines,
            by_user=who.user_id,
        )
    except NotAllowed:  # the roster changed meanwhile: sent to no one, never the usual way
        raise NoOneAbove(await work.people.cadre(accused_id)) from None
    notices = await address(work, done.tells)
    await work.conversations.set(who.user_id, done.request.id, Purpose.TALKING, work.now)
    accused = await work.people.cadre(accused_id)
    return Complained(
        done.request, tuple(notices), accused, await work.people.cadre(done.request.handler_id)
    )


@dataclass(frozen=True)
class Moved:
    """ "About my cadre": the request is a confidential complaint about the cadre who
    had it, handled now by the supervisor above them; the accused's copies withdrawn."""

    request: Request
    notices: tuple[Notice, ...]
    handler: Cadre | None
    withdrawn: Withdrawn | None


async def about_my_cadre(work: ComplaintWork, who: Identity, request_id: int) -> Moved:
    """The receipt's "about my cadre" (while nobody has taken the request up): from now
    on a confidential complaint about its handler, for the supervisor above them; the
    accused loses it (their copies withdrawn, never told), the household hears."""
    done = await rules.about_my_cadre(work.requests, work.now, request_id, who.user_id)
    notices = await address(work, done.tells)
    handler = await named(work.people, done.request.handler_id)
    return Moved(done.request, tuple(notices), handler, await withdraw(work, done.request))


async def withdraw(work: WithdrawWork, request: Request) -> Withdrawn | None:
    """Take the accused's copies of ``request`` back: what is still owed to their chat is
    cancelled, what was sent is to be deleted."""
    if request.accused_id is None:
        return None
    user = await work.directory.cadre_account(request.accused_id)
    if user is None:
        return None
    talk = await work.conversations.get(user)
    if talk is not None and talk.request_id == request.id:
        await work.conversations.clear(user)
    sent = await work.complaints.withdraw(user, request.id, request.number)
    return Withdrawn(user, tuple(sent))
