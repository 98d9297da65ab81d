"""督办 buttons on a case a supervisor sees: 催办 (urge, with an optional note), 包案 (take
the case personally), 交办 (assign it to a department) and 转上级办理 (move it up a tier).

Each button is ``du:<action>:<request id>[:<department id>]``; the use cases
(``bot.services.supervision``) check it against the request and the presser (only a
cadre supervising the household's region or one above, never the accused of a
confidential complaint), so a forged or stale press is refused and changes nothing.
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler

from bot import callbacks
from bot.callbacks import Callback, RequestPress
from bot.calls import Call
from bot.domain.lifecycle import Event, InvalidTransition, Status
from bot.domain.requests import Audience, Content, NotAllowed, Request
from bot.i18n import Texts
from bot.services import supervision
from bot.services.casework import CadresOnly
from bot.services.identity import Identity
from bot.services.inbox import OpenCase
from bot.services.notices import Notice
from bot.services.supervision import Assigned, Departments, MovedUp, Taken, Urged

from . import notify, outgoing, requesting, tell_cadre, undelivered
from .context import AnyApp, LianxinContext, Unit, View
from .paging import bounded

SCOPE = "du"  # 督办
_WORKING = (Status.OPEN, Status.ACKNOWLEDGED)


# --- the keyboard on a case a supervisor sees -------------------------------------------


def action(name: str, request_id: int, argument: str = "") -> str:
    tail = f"{request_id}:{argument}" if argument else str(request_id)
    return Callback(SCOPE, name, tail).encode()


def keyboard(texts: Texts, request: Request) -> InlineKeyboardMarkup | None:
    """催办 / 包案 / 交办 / 转上级办理 while the case is worked on (包案 once only)."""
    if request.status not in _WORKING:
        return None

    def button(name: str) -> InlineKeyboardButton:
        label = texts(f"leaders.button.{name}")
        return InlineKeyboardButton(label, callback_data=action(name, request.id))

    first = [button("urge")] + ([button("take")] if request.leader_id is None else [])
    return InlineKeyboardMarkup([first, [button("assign"), button("up")]])


def taken_intro(texts: Texts, opened: OpenCase) -> str:
    """The line a 包案 case's card opens with: who took it (the trail's ``taken``)."""
    if opened.request.leader_id is None:
        return ""
    names = [line.actor_name for line in opened.trail if line.kind == Event.TAKEN]
    leader = bounded(names[-1] if names else opened.request.leader_id)
    return texts("leaders.card_taken", name=leader) + "\n"


# --- buttons ----------------------------------------------------------------------------

Action = Callable[[Unit, Identity, RequestPress], Awaitable[str | None]]


async def on_button(update: Update, context: LianxinContext) -> None:
    """A 督办 button: refused ("no longer valid") unless the use case allows it."""
    query, unit, who = update.callback_query, context.unit, context.unit.who
    if query is None or who is None:
        return
    pressed = callbacks.request_press(query.data)
    handle = ACTIONS.get(pressed.action) if pressed else None
    answer: str | None = unit.texts("leaders.refused")
    if handle is not None and pressed is not None:
        with contextlib.suppress(NotAllowed, InvalidTransition, CadresOnly):
            answer = await handle(unit, who, pressed)
    unit.send(outgoing.answer_button(who.user_id, query.id, answer))


async def _ask_note(unit: Unit, who: Identity, pressed: RequestPress) -> str | None:
    asked = await supervision.ask_note(unit.work, who, pressed.request_id)
    unit.send(note_prompt(unit.texts, who.user_id, asked.request))
    return None


async def _urge_now(unit: Unit, who: Identity, pressed: RequestPress) -> str | None:
    urged = await supervision.urge(unit.work, who, pressed.request_id)
    unit.send(*urged_calls(unit.view(), who.user_id, urged))
    return None


async def _take(unit: Unit, who: Identity, pressed: RequestPress) -> str | None:
    taken = await supervision.take(unit.work, who, pressed.request_id)
    unit.send(*taken_calls(unit.view(), who.user_id, taken))
    return None


async def _choose(unit: Unit, who: Identity, pressed: RequestPress) -> str | None:
    found = await supervision.department_choices(unit.work, who, pressed.request_id)
    if not found.departments:
        return unit.texts("leaders.no_departments")
    unit.send(choices_message(unit.texts, who.user_id, found))
    return None


async def _assign(unit: Unit, who: Identity, pressed: RequestPress) -> str | None:
    deadlines = requesting.deadlines(unit)  # the department's contact: due times of their own
    assigned = await supervision.assign(
        unit.work, who, pressed.request_id, pressed.argument, deadlines
    )
    unit.send(*assigned_calls(unit.view(), who.user_id, assigned))
    return None


async def _move_up(unit: Unit, who: Identity, pressed: RequestPress) -> str | None:
    try:
        moved = await supervision.move_up(
            unit.work, who, pressed.request_id, requesting.deadlines(unit)
        )
    except supervision.NoOneAbove as refused:
        return unit.texts("leaders.no_one_above", number=refused.request.number)
    unit.send(*moved_calls(unit.view(), who.user_id, moved))
    return None


ACTIONS: dict[str, Action] = {
    "urge": _ask_note,
    "urgenow": _urge_now,
    "take": _take,
    "assign": _choose,
    "to": _assign,
    "up": _move_up,
}


async def noted(unit: Unit, who: Identity, content: Content, message_id: int) -> bool:
    """A supervisor's message after 催办 is the note: the handler is urged with it (True);
    False when no 催办 asked for it (the message is the cadre side's as usual)."""
    idle = unit.setup.config.requests.conversation_idle
    try:
        urged = await supervision.note(unit.work, who, content, idle)
    except (NotAllowed, InvalidTransition):
        unit.send(outgoing.message(who.user_id, unit.texts("leaders.refused")))
        return True
    if urged is None:
        return False
    unit.send(*urged_calls(unit.view(), who.user_id, urged, reply_to=message_id))
    return True


# --- views ------------------------------------------------------------------------------


def note_prompt(texts: Texts, user: int, request: Request) -> Call:
    label = texts("leaders.button.urgenow")
    now = InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=action("urgenow", request.id))]]
    )
    return outgoing.message(user, texts("leaders.ask_note", number=request.number), keyboard=now)


def choices_message(texts: Texts, user: int, found: Departments) -> Call:
    rows = [
        [
            InlineKeyboardButton(
                texts(
                    "leaders.department_line",
                    department=bounded(d.name),
                    name=bounded(found.contacts[d.contact_id].name),
                ),
                callback_data=action("to", found.request.id, d.id),
            )
        ]
        for d in found.departments
    ]
    text = texts("leaders.choose_department", number=found.request.number)
    return outgoing.message(user, text, keyboard=InlineKeyboardMarkup(rows))


def urged_calls(view: View, user: int, urged: Urged, reply_to: int | None = None) -> list[Call]:
    number, name = urged.request.number, bounded(urged.handler.name)
    said = view.texts("leaders.urged", number=number, name=name)
    mine = outgoing.message(user, said, reply_to=reply_to)
    return [*_told(view, urged.notices), mine]


def taken_calls(view: View, user: int, taken: Taken) -> list[Call]:
    said = view.texts("leaders.taken", number=taken.request.number)
    card = keyboard(view.texts, taken.request)
    return [*_told(view, taken.notices), outgoing.message(user, said, keyboard=card)]


def assigned_calls(view: View, user: int, assigned: Assigned) -> list[Call]:
    said = view.texts(
        "leaders.assigned",
        number=assigned.request.number,
        department=bounded(assigned.department.name),
        name=bounded(assigned.handler.name),
    )
    return [*_told(view, assigned.notices, assigned), outgoing.message(user, said)]


def moved_calls(view: View, user: int, moved: MovedUp) -> list[Call]:
    number, name = moved.request.number, bounded(moved.handler.name)
    said = view.texts("leaders.moved_up", number=number, name=name)
    return [*notify.calls(view, moved.notices), outgoing.message(user, said)]


def _told(view: View, told: tuple[Notice, ...], assigned: Assigned | None = None) -> list[Call]:
    """The notices of 催办, 包案 and 交办 (events the shared views do not word)."""
    sent: list[Call] = []
    for notice in told:
        made = _notice_calls(view, notice, assigned)
        sent += notify.about(notice.request.id, made)
    return sent


def _notice_calls(view: View, notice: Notice, assigned: Assigned | None) -> list[Call]:
    tell = notice.tell
    if tell.audience is Audience.HOUSEHOLD:
        text = _to_household(view, notice, assigned)
        return [outgoing.message(user, text) for user in notice.to]
    if tell.what is Event.ASSIGNED and assigned is not None:
        return _assigned_to_cadre(view, notice, assigned)
    if tell.what is Event.URGED:
        return _urged_to_handler(view, notice)
    head = bounded(notice.household.head_name)
    leader = _who(view, notice, tell.cadre_id)
    text = view.texts("leaders.tell.taken", number=notice.request.number, head=head, **leader)
    board = tell_cadre.actions_keyboard(view.texts, notice.request)
    return [outgoing.message(user, text, keyboard=board) for user in notice.to]


def _who(view: View, notice: Notice, cadre_id: str | None) -> dict[str, str]:
    cadre = notice.cadre(cadre_id)
    if cadre is None:
        return {"name": cadre_id or "", "rank": ""}
    return {"name": bounded(cadre.name), "rank": view.texts(f"people.rank.{cadre.rank}")}


def _urged_to_handler(view: View, notice: Notice) -> list[Call]:
    """【督办】: at once, with the supervisor's note quoted; the buttons stay on the case
    card, re-rendered (one message per case carries them)."""
    texts, request, tell = view.texts, notice.request, notice.tell
    who = _who(view, notice, tell.cadre_id)
    head = bounded(notice.household.head_name)
    note = tell.content.text if tell.content is not None else ""
    key = "leaders.tell.urged_note" if note else "leaders.tell.urged"
    text = texts(key, number=request.number, head=head, note=tell_cadre.SLOT, **who)
    pages = tell_cadre.relay_pages(texts, request, text, note)
    return [
        c
        for user in notice.to
        for c in [*outgoing.messages(user, pages), *_card(view, notice, user)]
    ]


def _card(view: View, notice: Notice, user: int) -> list[Call]:
    return [] if notice.card is None else tell_cadre.card_edit(view, user, notice.card)


def _assigned_to_cadre(view: View, notice: Notice, assigned: Assigned) -> list[Call]:
    texts, request = view.texts, notice.request
    head = bounded(notice.household.head_name)
    department = bounded(assigned.department.name)
    if notice.tell.audience is Audience.CADRE:  # the handler before: no longer theirs
        name = bounded(assigned.handler.name)
        text = texts("leaders.tell.assigned_away", number=request.number, head=head,
                     department=department, name=name)  # fmt: skip
        return [outgoing.message(user, text) for user in notice.to]
    intro = texts("leaders.tell.assigned", number=request.number, department=department,
                  name=bounded(assigned.by.name))  # fmt: skip
    card, trail = tell_cadre.first_card(notice), notice.trail
    sent: list[Call] = []
    for user in notice.to:
        owed = undelivered.to_household(
            view, request, notice.handler, notice.household, user, notice.members
        ) if notice.members else ()  # fmt: skip
        sent += tell_cadre.card_calls(
            view, user, card, intro=f"{intro}\n\n", trail=trail, owed=owed
        )
    return sent


def _to_household(view: View, notice: Notice, assigned: Assigned | None) -> str:
    request = notice.request
    if notice.tell.what is Event.ASSIGNED and assigned is not None:
        handler = assigned.handler
        return view.texts(
            "leaders.household.assigned",
            number=request.number,
            department=bounded(assigned.department.name),
            name=bounded(handler.name),
            rank=view.texts(f"people.rank.{handler.rank}"),
            phone=bounded(handler.phone or "-"),
        )
    who = _who(view, notice, notice.tell.cadre_id)
    return view.texts("leaders.household.taken", number=request.number, **who)


def register(app: AnyApp) -> None:
    """The 督办 buttons (``du:``); a supervisor's note after 催办 comes via cadre.py."""
    app.add_handler(CallbackQueryHandler(on_button, pattern=r"^du:"))
