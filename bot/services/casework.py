"""A cadre acting on a request: 受理 (acknowledge); 回复, 办结, 政策解答 (the button asks,
the cadre's next message is the reply, the resolution or the explanation); 转交 (hand
over to another cadre of the household's chain); 上报 (escalate one tier up); and /file
(the cadre's next message files a request for a household, after a phone call).

The rules (who may, from which state, what goes into the trail, who must hear) are
``bot.domain.requests``'; here they meet the person asking (``Identity``: the cadre is
not looked up again) and the tells are addressed (``bot.services.notices``), so the
handler only renders. A refusal raises ``NotAllowed`` or ``InvalidTransition`` before
anything is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from bot.domain import requests, talking
from bot.domain.lifecycle import Event
from bot.domain.requests import Content, Deadlines, Request
from bot.domain.roster import Cadre, HouseholdDetails, LinkedCadre
from bot.domain.talking import Purpose
from bot.services import notices
from bot.services.identity import Identity
from bot.services.notices import CaseCard, Notice, NoticeWork
from bot.services.threads import MessageIndex, replied_request

# --- what the use cases ask of storage ------------------------------------------------


class CaseRequests(requests.RequestStore, notices.Trails, Protocol):
    pass


class CasePeople(notices.Cadres, Protocol):
    async def linked_cadres(self, household_id: str) -> list[LinkedCadre]: ...


class Filings(Protocol):
    """Which household a cadre's next message files a request for (after /file)."""

    async def start(
        self, user_id: int, cadre_id: str, household_id: str, now: datetime
    ) -> None: ...
    async def household_for(self, user_id: int, cadre_id: str) -> str | None: ...
    async def stop(self, user_id: int) -> None: ...


class CaseWork(NoticeWork, Protocol):
    @property
    def requests(self) -> CaseRequests: ...
    @property
    def people(self) -> CasePeople: ...
    @property
    def filings(self) -> Filings: ...
    @property
    def outbox(self) -> MessageIndex: ...


# --- what happened --------------------------------------------------------------------


@dataclass(frozen=True)
class Rules:
    """From configuration: the due times of a request filed or escalated, and how long a
    button's question stands (``requests.conversation_idle``)."""

    deadlines: Deadlines
    idle: timedelta


@dataclass(frozen=True)
class Acted:
    """The request after the cadre's act (受理, or the reply, resolution or explanation
    they wrote), and who hears of it."""

    event: Event
    request: Request
    notices: tuple[Notice, ...]
    card: CaseCard  # the actor's case card, re-rendered in place


@dataclass(frozen=True)
class Asked:
    """The cadre's next message will be the reply, resolution or explanation."""

    purpose: Purpose
    request: Request


@dataclass(frozen=True)
class Choices:
    """Whom the request may be handed over to: the household's other cadres."""

    request: Request
    cadres: tuple[LinkedCadre, ...]  # none: there is no one to hand it to


@dataclass(frozen=True)
class Moved:
    """Handed over or escalated: who holds it now, and who hears of it."""

    event: Event
    request: Request
    handler: Cadre
    notices: tuple[Notice, ...]
    card: CaseCard  # the actor's case card: theirs no more


@dataclass(frozen=True)
class Filed:
    """A request the cadre filed for a household (after /file)."""

    request: Request
    household: HouseholdDetails
    handler: Cadre
    notices: tuple[Notice, ...]


class CadresOnly(requests.NotAllowed):
    """The person is not bound as a cadre."""


class NoOneAbove(Exception):
    """上报 with no one above the handler: nothing changed."""

    def __init__(self, request: Request) -> None:
        super().__init__(f"no one above the handler of {request.number}")
        self.request = request


class NoHouseholdNamed(ValueError):
    """/file without a household id."""


class NotLinked(requests.NotAllowed):
    """/file for a household the cadre is not linked to (or that does not exist)."""

    def __init__(self, household_id: str) -> None:
        super().__init__(f"not linked to {household_id}")
        self.household_id = household_id


# --- the use cases --------------------------------------------------------------------


def cadre_of(who: Identity) -> Cadre:
    """The cadre asking; raises ``CadresOnly`` for anyone else."""
    if who.cadre is None:
        raise CadresOnly("only a bound cadre may do this")
    return who.cadre


async def acknowledge(work: CaseWork, who: Identity, request_id: int) -> Acted:
    """受理: the household hears that its request is taken up."""
    cadre = cadre_of(who)
    done = await requests.act(work.requests, work.now, request_id, cadre.id, Event.ACKNOWLEDGED)
    return await _acted(work, Event.ACKNOWLEDGED, done)


async def ask(work: CaseWork, who: Identity, request_id: int, purpose: Purpose) -> Asked:
    """回复, 办结 or 政策解答 pressed: checked now (a stale button is refused at the press,
    not after the cadre has typed), and the cadre's next message will be the answer."""
    cadre = cadre_of(who)
    event = talking.WRITES[purpose]
    request = await requests.may_act(work.requests, request_id, cadre.id, event)
    await work.filings.stop(who.user_id)
    await work.conversations.set(who.user_id, request.id, purpose, work.now)
    return Asked(purpose, request)


async def message(
    work: CaseWork, who: Identity, content: Content, rules: Rules, replied_to: int | None = None
) -> Acted | Filed | None:
    """What a cadre sends: a swipe-reply to a message about a request answers it (as
    回复 would; or as the 办结 / 政策解答 just pressed for that request); else the request
    /file asked for, or the reply, resolution or explanation their last button asked for
    (one message answers one press, refused or not); None when nothing asked for it."""
    cadre = cadre_of(who)
    request_id = await replied_request(work.outbox, who.user_id, replied_to)
    if request_id is not None:
        return await _answer(work, who, cadre, request_id, content, rules)
    household_id = await work.filings.household_for(who.user_id, cadre.id)
    if household_id is not None:
        await work.filings.stop(who.user_id)
        return await file_for(work, cadre, household_id, content, rules.deadlines)
    talk = await work.conversations.get(who.user_id)
    if talk is not None and not talking.still_asked(talk, work.now, rules.idle):
        await work.conversations.clear(who.user_id)
        talk = None
    event = talking.WRITES.get(talk.purpose) if talk is not None else None
    if talk is None or event is None:
        return None
    await work.conversations.clear(who.user_id)
    done = await requests.act(work.requests, work.now, talk.request_id, cadre.id, event, content)
    return await _acted(work, event, done)


async def _answer(
    work: CaseWork, who: Identity, cadre: Cadre, request_id: int, content: Content, rules: Rules
) -> Acted:
    """A swipe-reply: a reply to the villager, with the same checks as the 回复 button (the
    handler or a former one; never the accused of a confidential complaint)."""
    talk = await work.conversations.get(who.user_id)
    event = Event.REPLIED
    if talk is not None and talk.request_id == request_id:  # the press it answers
        if talking.still_asked(talk, work.now, rules.idle):
            event = talking.WRITES.get(talk.purpose, Event.REPLIED)
        await work.conversations.clear(who.user_id)
    done = await requests.act(work.requests, work.now, request_id, cadre.id, event, content)
    return await _acted(work, event, done)


async def handover_choices(work: CaseWork, who: Identity, request_id: int) -> Choices:
    """转交 pressed: the household's other cadres, if this cadre may hand it over now."""
    cadre = cadre_of(who)
    request = await requests.may_act(work.requests, request_id, cadre.id, Event.HANDED_OVER)
    linked = await work.people.linked_cadres(request.household_id)
    others = (c for c in linked if c.cadre.id != cadre.id and not request.hidden_from(c.cadre.id))
    return Choices(request, tuple(others))


async def hand_over(work: CaseWork, who: Identity, request_id: int, to_cadre: str) -> Moved:
    """To a cadre of the household's chain: they get the case, the household hears."""
    cadre = cadre_of(who)
    done = await requests.hand_over(work.requests, work.now, request_id, cadre.id, to_cadre)
    return await _moved(work, Event.HANDED_OVER, done)


async def escalate(work: CaseWork, who: Identity, request_id: int, deadlines: Deadlines) -> Moved:
    """上报: one tier up the household's chain (else to the supervisors above), with due
    times of its own. Raises ``NoOneAbove`` when there is no one."""
    cadre = cadre_of(who)
    request = await requests.may_act(work.requests, request_id, cadre.id, Event.ESCALATED)
    try:
        done = await requests.escalate(
            work.requests,
            work.now,
            request_id,
            f"cadre:{cadre.id}",
            by_cadre=cadre.id,
            deadlines=deadlines,
        )
    except requests.NotAllowed:
        raise NoOneAbove(request) from None
    return await _moved(work, Event.ESCALATED, done)


async def start_filing(work: CaseWork, who: Identity, household_id: str) -> HouseholdDetails:
    """/file: the cadre's next message files a request for a household linked to them."""
    cadre = cadre_of(who)
    if not household_id:
        raise NoHouseholdNamed
    if not await work.requests.linked(cadre.id, household_id):
        raise NotLinked(household_id)
    await work.conversations.clear(who.user_id)
    await work.filings.start(who.user_id, cadre.id, household_id, work.now)
    return await work.directory.household(household_id)


async def file_for(
    work: CaseWork, cadre: Cadre, household_id: str, content: Content, deadlines: Deadlines
) -> Filed:
    """File ``content`` for the household, by ``cadre`` (after /file, or a decision of a
    夜议 filed by ``bot.services.rounds``); the caller has checked it is theirs to file."""
    done = await requests.file(
        work.requests, work.now, household_id, content, deadlines, by_cadre=cadre.id
    )
    household = await work.directory.household(household_id)
    handler = await work.people.cadre(done.request.handler_id)
    return Filed(done.request, household, handler, await _notices(work, done))


async def _acted(work: CaseWork, event: Event, done: requests.Done) -> Acted:
    return Acted(event, done.request, await _notices(work, done), await _card(work, done))


async def _moved(work: CaseWork, event: Event, done: requests.Done) -> Moved:
    told = await _notices(work, done)
    handler = await work.people.cadre(done.request.handler_id)
    return Moved(event, done.request, handler, told, await _card(work, done))


async def _card(work: CaseWork, done: requests.Done) -> CaseCard:
    household = await work.directory.household(done.request.household_id)
    return await notices.case_card(work.requests, done.request, household)


async def _notices(work: CaseWork, done: requests.Done) -> tuple[Notice, ...]:
    return tuple(await notices.address(work, done.tells))
