"""What a relay owes if Telegram refuses it for good (``Call.if_failed``): the person
whose words did not arrive hears it, with the request number, and so do the
administrators. Every part of one relay carries the same notices under the same dedup
keys, so a long text in three parts that all fail says it once. Pure views: the use
case gathered who and what (``bot.services.notices.Notice``)."""

from __future__ import annotations

from collections.abc import Sequence

from bot.calls import Call
from bot.domain.requests import Request
from bot.domain.roster import Cadre, HouseholdDetails

from . import outgoing
from .context import View
from .paging import bounded


def to_household(
    view: View,
    request: Request,
    handler: Cadre | None,
    household: HouseholdDetails,
    recipient: int,
    users: Sequence[int],
) -> tuple[Call, ...]:
    """The villagers' words to the handler (account ``recipient``) did not arrive: the
    ``users`` (those who wrote, else every member) and the administrators are told."""
    texts = view.texts
    name = bounded(handler.name if handler else request.handler_id)
    phone = bounded(handler.phone if handler else "-")
    key = f"nd:{request.id}:{recipient}:{view.origin}"
    told = texts("relay.undelivered.to_villager", number=request.number, handler=name, phone=phone)
    admin = texts(
        "relay.undelivered.admin_to_cadre",
        number=request.number,
        village=bounded(household.village),
        head=bounded(household.head_name),
        handler=name,
        phone=phone,
    )
    return (
        *(outgoing.message(u, told, dedup_key=f"{key}:{u}") for u in users),
        *_admins(view, admin, key),
    )


def to_cadre(
    view: View,
    request: Request,
    cadre: Cadre | None,
    household: HouseholdDetails,
    account: int | None,
    recipient: int,
) -> tuple[Call, ...]:
    """The cadre's words to one phone of the household (``recipient``) did not arrive:
    the cadre (account ``account``) and the administrators are told."""
    texts = view.texts
    key = f"nd:{request.id}:{recipient}:{view.origin}"
    head = bounded(household.head_name)
    told = texts(
        "relay.undelivered.to_cadre",
        number=request.number,
        head=head,
        phone=bounded(household.phone or "-"),
    )
    admin = texts(
        "relay.undelivered.admin_to_villager",
        number=request.number,
        village=bounded(household.village),
        head=head,
        handler=bounded(cadre.name if cadre else request.handler_id),
    )
    mine = (outgoing.message(account, told, dedup_key=f"{key}:{account}"),) if account else ()
    return (*mine, *_admins(view, admin, key))


def _admins(view: View, text: str, key: str) -> list[Call]:
    return [outgoing.message(admin, text, dedup_key=f"{key}:a{admin}") for admin in view.admins]
