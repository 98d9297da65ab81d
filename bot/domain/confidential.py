"""Confidential complaints about a cadre (issue 11): filed before anything is sent to
anyone, handled by the supervisor of the region above the accused, never by the accused.

The recipient is the discipline contact of the nearest region above the accused's own
that names one (the roster's ``discipline_contact``), else the nearest supervisor there.
A villager chooses the cadre (one linked to their household) and their next message is
the complaint; or, having filed the ordinary way, they press "about my cadre" while
nobody has taken the request up, and it becomes confidential about its handler then.
Either way the request carries ``accused_id``: the accused is refused every act on it
(``requests.may_act``), never routed to (``routing.excluding``), never told
(``bot.services.notices``) and never shown it (storage's read paths:
``accused_id IS NOT`` the cadre).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Protocol

from bot.domain.lifecycle import Event, InvalidTransition, Status, next_status
from bot.domain.marks import MarkStore, member_request
from bot.domain.requests import (
    Audience,
    Content,
    Deadlines,
    Done,
    NotAllowed,
    Tell,
    insert_filed,
)
from bot.domain.routing import Candidate, Route, Why, excluding


class ComplaintStore(MarkStore, Protocol):
    async def supervisors_above_cadre(self, cadre_id: str) -> list[Candidate]:
        """Supervisors of the regions strictly above the cadre's own, nearest first."""

    async def discipline_contacts_above_cadre(self, cadre_id: str) -> list[Candidate]:
        """The discipline contacts (纪检联络人, from the roster's regions) of the regions
        strictly above the cadre's own, nearest first."""


class NoSupervisor(NotAllowed):
    """No one supervises any region above the accused: nothing was filed or sent (a
    press of "about my cadre" is refused like any other that changes nothing)."""


def supervisor_route(
    supervisors: Sequence[Candidate], chain: Sequence[Candidate], accused_id: str, now: datetime
) -> Route:
    """The nearest reachable supervisor above the accused (else the nearest, marked
    unreachable, so the administrators hear). The tier is past the household's chain, so
    an escalation goes on up the supervisors, never back down to the accused's village."""
    candidates = excluding(supervisors, accused_id)
    if not candidates:
        raise NoSupervisor(accused_id)
    tier = max((c.tier for c in chain), default=0) + 1
    for candidate in candidates:
        if candidate.reachable(now):
            return Route(candidate.cadre_id, tier, Why.CONFIDENTIAL)
    return Route(candidates[0].cadre_id, tier, Why.UNREACHABLE)


async def may_accuse(store: ComplaintStore, household_id: str, cadre_id: str) -> bool:
    """A household may complain about its own cadres and the supervisors above it."""
    if await store.linked(cadre_id, household_id):
        return True
    return any(c.cadre_id == cadre_id for c in await store.supervisors_above(household_id))


async def recipient(
    store: ComplaintStore, household_id: str, accused_id: str, now: datetime
) -> Route:
    """Who would receive a complaint about ``accused_id`` from this household now: the
    discipline contact of the nearest region above the accused that names one (and can be
    reached), else the nearest supervisor above them, as before."""
    contacts = await store.discipline_contacts_above_cadre(accused_id)
    supervisors = await store.supervisors_above_cadre(accused_id)
    return supervisor_route(
        [*contacts, *supervisors], await store.chain(household_id), accused_id, now
    )


async def file_complaint(
    store: ComplaintStore,
    now: datetime,
    household_id: str,
    accused_id: str,
    content: Content,
    deadlines: Deadlines,
    *,
    by_user: int,
) -> Done:
    """挂号 a confidential complaint: numbered, routed to the supervisor above the accused
    (raises ``NoSupervisor`` first, having written nothing), and only that supervisor (and
    the administrators, if they cannot be reached) told; the receipt is the caller's."""
    if not await may_accuse(store, household_id, accused_id):
        raise NotAllowed("not a cadre of this household or above it")
    chosen = await recipient(store, household_id, accused_id, now)
    request = await insert_filed(
        store,
        now,
        deadlines,
        content,
        household_id=household_id,
        handler=chosen,
        actor=f"villager:{by_user}",
        by_user=by_user,
        about_cadre=True,
        accused_id=accused_id,
    )
    detail: dict[str, object] = {"why": "confidential", "tier": chosen.tier}
    await store.record(request, now, Event.ROUTED, "system", detail)
    tells = [Tell(Audience.HANDLER, Event.FILED, request, content, route=chosen)]
    if chosen.why is Why.UNREACHABLE:
        tells.append(Tell(Audience.ADMINS, Event.ROUTED, request, route=chosen))
    return Done(request, tells)


async def about_my_cadre(
    store: ComplaintStore, now: datetime, request_id: int, user_id: int
) -> Done:
    """The villager says a fresh request is about the cadre handling it: it becomes a
    confidential complaint about them, goes to the supervisor above them, and they lose
    it (the caller withdraws their copy). Allowed while nobody has taken it up."""
    request = await member_request(store, request_id, user_id)
    if (
        request.status is not Status.OPEN
        or request.first_response_at is not None
        or request.about_cadre
    ):
        raise InvalidTransition(request.status, Event.HANDED_OVER)
    next_status(request.status, Event.HANDED_OVER)
    accused = request.handler_id
    chosen = await recipient(store, request.household_id, accused, now)
    changed = replace(
        request, about_cadre=True, handler_id=chosen.cadre_id, tier=chosen.tier, accused_id=accused
    )
    detail: dict[str, object] = {"from": accused, "why": "confidential", "tier": chosen.tier}
    await store.record(changed, now, Event.HANDED_OVER, f"villager:{user_id}", detail)
    content = await store.filed_content(request.id)
    tells = [
        Tell(Audience.HANDLER, Event.HANDED_OVER, changed, content, route=chosen),
        Tell(Audience.HOUSEHOLD, Event.HANDED_OVER, changed, route=chosen),
    ]
    if chosen.why is Why.UNREACHABLE:
        tells.append(Tell(Audience.ADMINS, Event.ROUTED, changed, route=chosen))
    return Done(changed, tells)
