"""What a relay owes if Telegram refuses it for good (``Call.if_failed``): the person
whose words did not arrive hears it, with the request number, and so do the
administrators. Every part of one relay carries the same notices under the same dedup
keys, so a long text in three parts that all fail says it once."""

from __future__ import annotations

from collections.abc import Sequence

from bot.calls import Call
from bot.domain.requests import Request
from handlers.context import Unit
from storage import cadre_views
from storage.people import People

from . import outgoing
from .paging import bounded


def source(unit: Unit, extra: str = "") -> str:
    """What is being relayed, for the notices' dedup keys: the handled update (or the
    sweep's moment) and what the caller adds (e.g. the first follow-up taken)."""
    origin = f"u{unit.inbox_id}" if unit.inbox_id is not None else f"t{unit.now.timestamp()}"
    return f"{origin}{extra}"


async def to_household(
    unit: Unit, request: Request, recipient: int, origin: str, writers: Sequence[int] = ()
) -> tuple[Call, ...]:
    """The villagers' words to the handler (account ``recipient``) did not arrive: the
    ``writers`` (else every member of the household) and the administrators are told."""
    texts = unit.setup.texts
    handler = await People(unit.tx).cadre(request.handler_id)
    household = await cadre_views.household_card(unit.tx, request.household_id)
    users = list(writers) or await cadre_views.member_users(unit.tx, request.household_id)
    key = f"nd:{request.id}:{recipient}:{origin}"
    told = texts(
        "relay.undelivered.to_villager",
        number=request.number,
        handler=bounded(handler.name),
        phone=bounded(handler.phone),
    )
    admin = texts(
        "relay.undelivered.admin_to_cadre",
        number=request.number,
        village=bounded(household.village),
        head=bounded(household.head_name),
        handler=bounded(handler.name),
        phone=bounded(handler.phone),
    )
    return (
        *(outgoing.message(u, told, dedup_key=f"{key}:{u}") for u in users),
        *_admins(unit, admin, key),
    )


async def to_cadre(
    unit: Unit, request: Request, cadre_id: str, recipient: int, origin: str
) -> tuple[Call, ...]:
    """The cadre's words to one phone of the household (``recipient``) did not arrive:
    the cadre and the administrators are told."""
    texts = unit.setup.texts
    cadre = await People(unit.tx).cadre(cadre_id)
    household = await cadre_views.household_card(unit.tx, request.household_id)
    account = await cadre_views.cadre_account(unit.tx, cadre_id)
    key = f"nd:{request.id}:{recipient}:{origin}"
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
        handler=bounded(cadre.name),
    )
    mine = (outgoing.message(account, told, dedup_key=f"{key}:{account}"),) if account else ()
    return (*mine, *_admins(unit, admin, key))


def _admins(unit: Unit, text: str, key: str) -> list[Call]:
    return [
        outgoing.message(admin, text, dedup_key=f"{key}:a{admin}")
        for admin in unit.setup.config.general.admins
    ]
