"""督办: what a supervisor does to a case in their jurisdiction without taking the work.

Handling and supervising are different acts (``../shared/DESIGN.md``): the handler answers
and solves; a supervisor (a cadre whose ``supervises`` region is the household's or one
above it) urges (催办), takes the case personally (包案: they become its responsible
leader, the handler goes on doing the work), assigns it to a department or linked unit
(交办: the department's contact becomes the handler, with due times of their own), or
moves it up a tier (转上级办理: ``requests.escalate`` with the supervisor as actor).

Each rule checks first and writes after, so a refused press (not their jurisdiction, a
confidential complaint about them, a closed request, a department that does not serve the
household) changes nothing. The trail records every act.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Protocol

from bot.domain.lifecycle import Event, next_status
from bot.domain.requests import (
    Audience,
    Content,
    Deadlines,
    Done,
    NotAllowed,
    Request,
    RequestStore,
    Tell,
)
from bot.domain.roster import Department

NOTE_LIMIT = 500  # characters of a 催办 note kept (the rest is cut, with "…")


class Jurisdictions(Protocol):
    """Who supervises what, the departments, and the case's leader (beside the request
    store)."""

    async def supervises(self, cadre_id: str, household_id: str) -> bool:
        """Whether the cadre supervises the household's region or a region above it."""

    async def department(self, department_id: str) -> Department | None: ...
    async def departments_for(self, household_id: str) -> list[Department]:
        """The departments serving the household's region or a region above it."""

    async def take(self, request_id: int, leader_id: str) -> None:
        """Write the case's responsible leader (包案)."""


class NotSupervisor(NotAllowed):
    """The cadre does not supervise the household (or the case is about them)."""


async def supervised(
    store: RequestStore, over: Jurisdictions, request_id: int, cadre_id: str
) -> Request:
    """The request, if ``cadre_id`` supervises its household and it is not a confidential
    complaint about them; raises ``NotSupervisor`` otherwise (a missing request reads
    the same, so numbers cannot be probed)."""
    request = await store.get(request_id)
    if request is None or request.hidden_from(cadre_id):
        raise NotSupervisor(f"no request {request_id} for {cadre_id}")
    if not await over.supervises(cadre_id, request.household_id):
        raise NotSupervisor(f"{cadre_id} does not supervise request {request_id}")
    return request


def may(request: Request, event: Event) -> None:
    """Raises ``InvalidTransition`` when ``event`` cannot happen to the request now."""
    next_status(request.status, event)


def _note(text: str) -> str:
    text = text.strip()
    return text if len(text) <= NOTE_LIMIT else f"{text[: NOTE_LIMIT - 1]}…"


async def urge(
    store: RequestStore,
    over: Jurisdictions,
    now: datetime,
    request_id: int,
    cadre_id: str,
    note: str = "",
) -> Done:
    """催办: the handler hears at once, with the supervisor's note if they wrote one."""
    request = await supervised(store, over, request_id, cadre_id)
    may(request, Event.URGED)
    if request.handler_id == cadre_id:
        raise NotAllowed("the supervisor handles this request")
    note = _note(note)
    # Not "note": the villager's /my trail shows a note, and this one is for the handler.
    detail: dict[str, object] = {"urge_note": note} if note else {}
    await store.record(request, now, Event.URGED, f"cadre:{cadre_id}", detail)
    words = Content(text=note) if note else None
    return Done(request, [Tell(Audience.HANDLER, Event.URGED, request, words, cadre_id=cadre_id)])


async def take(
    store: RequestStore, over: Jurisdictions, now: datetime, request_id: int, cadre_id: str
) -> Done:
    """包案: the supervisor becomes the case's responsible leader; the handler keeps the
    work and hears of it, and so does the household (a leader follows their case)."""
    request = await supervised(store, over, request_id, cadre_id)
    may(request, Event.TAKEN)
    if request.leader_id is not None:
        raise NotAllowed("the case is taken already")
    changed = replace(request, leader_id=cadre_id)
    await over.take(request.id, cadre_id)
    await store.record(changed, now, Event.TAKEN, f"cadre:{cadre_id}", {"leader": cadre_id})
    tells = [Tell(Audience.HOUSEHOLD, Event.TAKEN, changed, cadre_id=cadre_id)]
    if changed.handler_id != cadre_id:
        tells.insert(0, Tell(Audience.HANDLER, Event.TAKEN, changed, cadre_id=cadre_id))
    return Done(changed, tells)


def _serves(department: Department, request: Request) -> bool:
    return department.contact_id != request.handler_id and not request.hidden_from(
        department.contact_id
    )


async def departments(
    store: RequestStore, over: Jurisdictions, request_id: int, cadre_id: str
) -> tuple[Request, list[Department]]:
    """交办 pressed: the departments the case may go to (serving the household, with a
    contact who neither handles it now nor is the accused of a confidential complaint)."""
    request = await supervised(store, over, request_id, cadre_id)
    may(request, Event.ASSIGNED)
    found = await over.departments_for(request.household_id)
    return request, [d for d in found if _serves(d, request)]


async def assign(
    store: RequestStore,
    over: Jurisdictions,
    now: datetime,
    request_id: int,
    cadre_id: str,
    department_id: str,
    deadlines: Deadlines,
) -> tuple[Done, Department]:
    """交办: the department's contact becomes the handler, with due times counted from
    now; the new handler gets the case, the old one and the household hear."""
    request, allowed = await departments(store, over, request_id, cadre_id)
    department = next((d for d in allowed if d.id == department_id), None)
    if department is None:
        raise NotAllowed(f"department {department_id!r} cannot take request {request_id}")
    respond_by, resolve_by = deadlines.due_times(now, request.category, request.urgent)
    changed = replace(
        request,
        handler_id=department.contact_id,
        respond_by=respond_by,
        resolve_by=resolve_by,
        due_from=now,
        stalled_at=None,
    )
    was = request.handler_id
    detail: dict[str, object] = {
        "from": was,
        "department": department.id,
        "department_name": department.name,
    }
    await store.record(changed, now, Event.ASSIGNED, f"cadre:{cadre_id}", detail)
    tells = [  # the new handler gets the whole case (the one before it: the trail's "from")
        Tell(Audience.HANDLER, Event.ASSIGNED, changed),
        Tell(Audience.CADRE, Event.ASSIGNED, changed, cadre_id=was),
        Tell(Audience.HOUSEHOLD, Event.ASSIGNED, changed),
    ]
    return Done(changed, tells), department
