"""督办 as use cases: a supervisor urges (催办, with an optional note), takes a case
personally (包案), assigns it to a department (交办) or moves it up a tier (转上级办理).

The rules are ``bot.domain.supervision`` (and ``requests.escalate`` for moving up); here
they meet the person asking (``Identity``: only a cadre supervising the household's region
or one above it, never the accused of a confidential complaint) and the tells are
addressed, so the handler only renders. Every refusal raises before anything is written.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

from bot.domain import requests, talking
from bot.domain import supervision as rules
from bot.domain.lifecycle import Event
from bot.domain.requests import Content, Deadlines, Request
from bot.domain.roster import Cadre, Department
from bot.domain.talking import Purpose
from bot.services import notices
from bot.services.casework import cadre_of
from bot.services.identity import Identity
from bot.services.notices import Notice, NoticeWork

DECIDED = "decided"  # the reason an escalation gives when a supervisor moved the case up


class SupervisedRequests(requests.RequestStore, notices.Trails, Protocol):
    pass


class SupervisionWork(NoticeWork, Protocol):
    @property
    def requests(self) -> SupervisedRequests: ...
    @property
    def supervision(self) -> rules.Jurisdictions: ...


# --- what happened --------------------------------------------------------------------


@dataclass(frozen=True)
class NoteAsked:
    """催办 pressed: the supervisor's next message is the note (or 「直接催办」)."""

    request: Request


@dataclass(frozen=True)
class Urged:
    """The handler was urged (and hears it at once)."""

    request: Request
    handler: Cadre
    note: str
    notices: tuple[Notice, ...]


@dataclass(frozen=True)
class Taken:
    """包案: ``leader`` is the case's responsible leader now."""

    request: Request
    leader: Cadre
    notices: tuple[Notice, ...]


@dataclass(frozen=True)
class Departments:
    """交办 pressed: where the case may go, with each department's contact."""

    request: Request
    departments: tuple[Department, ...]
    contacts: Mapping[str, Cadre]


@dataclass(frozen=True)
class Assigned:
    """交办 done: ``handler`` (the department's contact) holds the case now."""

    request: Request
    department: Department
    handler: Cadre
    by: Cadre
    notices: tuple[Notice, ...]


@dataclass(frozen=True)
class MovedUp:
    """转上级办理: one tier up, by the supervisor's decision."""

    request: Request
    handler: Cadre
    notices: tuple[Notice, ...]


class NoOneAbove(requests.NotAllowed):
    """转上级办理 with no one above the handler: nothing changed."""

    def __init__(self, request: Request) -> None:
        super().__init__(f"no one above the handler of {request.number}")
        self.request = request


# --- the use cases --------------------------------------------------------------------


async def ask_note(work: SupervisionWork, who: Identity, request_id: int) -> NoteAsked:
    """催办 pressed: checked now; the supervisor's next message will be the note."""
    cadre = cadre_of(who)
    request = await rules.supervised(work.requests, work.supervision, request_id, cadre.id)
    rules.may(request, Event.URGED)
    if request.handler_id == cadre.id:
        raise requests.NotAllowed("the supervisor handles this request")
    await work.conversations.set(who.user_id, request.id, Purpose.URGING, work.now)
    return NoteAsked(request)


async def urge(work: SupervisionWork, who: Identity, request_id: int, note: str = "") -> Urged:
    """催办 (「直接催办」, or with the note just written): the handler hears at once."""
    cadre = cadre_of(who)
    talk = await work.conversations.get(who.user_id)
    if talk is not None and talk.purpose is Purpose.URGING:
        await work.conversations.clear(who.user_id)
    done = await rules.urge(work.requests, work.supervision, work.now, request_id, cadre.id, note)
    handler = await work.people.cadre(done.request.handler_id)
    words = done.tells[0].content  # the note as kept (cut to its limit), or none
    written = words.text if words is not None else ""
    return Urged(done.request, handler, written, await _notices(work, done))


async def note(
    work: SupervisionWork, who: Identity, content: Content, idle: timedelta
) -> Urged | None:
    """A supervisor's message after 催办: the note, urged with; None when no 催办 asked
    for it (or it was asked more than ``idle`` ago: then it is dropped)."""
    if who.cadre is None:
        return None
    talk = await work.conversations.get(who.user_id)
    if talk is None or talk.purpose is not Purpose.URGING:
        return None
    if not talking.still_asked(talk, work.now, idle):
        await work.conversations.clear(who.user_id)
        return None
    return await urge(work, who, talk.request_id, content.text)


async def take(work: SupervisionWork, who: Identity, request_id: int) -> Taken:
    """包案: the supervisor takes the case personally; the handler and household hear."""
    cadre = cadre_of(who)
    done = await rules.take(work.requests, work.supervision, work.now, request_id, cadre.id)
    return Taken(done.request, cadre, await _notices(work, done))


async def department_choices(work: SupervisionWork, who: Identity, request_id: int) -> Departments:
    """交办 pressed: the departments serving the household, each with its contact."""
    cadre = cadre_of(who)
    request, found = await rules.departments(work.requests, work.supervision, request_id, cadre.id)
    contacts: dict[str, Cadre] = {}
    reachable: list[Department] = []
    for department in found:
        try:
            contacts[department.contact_id] = await work.people.cadre(department.contact_id)
        except LookupError:  # a contact pruned from the roster: not offered
            continue
        reachable.append(department)
    return Departments(request, tuple(reachable), contacts)


async def assign(
    work: SupervisionWork,
    who: Identity,
    request_id: int,
    department_id: str,
    deadlines: Deadlines,
) -> Assigned:
    """交办: the department's contact holds the case, with due times counted from now."""
    cadre = cadre_of(who)
    done, department = await rules.assign(
        work.requests, work.supervision, work.now, request_id, cadre.id, department_id, deadlines
    )
    handler = await work.people.cadre(done.request.handler_id)
    return Assigned(done.request, department, handler, cadre, await _notices(work, done))


async def move_up(
    work: SupervisionWork, who: Identity, request_id: int, deadlines: Deadlines
) -> MovedUp:
    """转上级办理: one tier up the household's chain (else the supervisors above the
    handler), by the supervisor's decision, with due times of its own."""
    cadre = cadre_of(who)
    request = await rules.supervised(work.requests, work.supervision, request_id, cadre.id)
    rules.may(request, Event.ESCALATED)
    try:
        done = await requests.escalate(
            work.requests,
            work.now,
            request.id,
            f"cadre:{cadre.id}",
            deadlines=deadlines,
            reason=DECIDED,
        )
    except requests.NotAllowed:
        raise NoOneAbove(request) from None
    handler = await work.people.cadre(done.request.handler_id)
    return MovedUp(done.request, handler, await _notices(work, done))


async def _notices(work: SupervisionWork, done: requests.Done) -> tuple[Notice, ...]:
    return tuple(await notices.address(work, done.tells))
