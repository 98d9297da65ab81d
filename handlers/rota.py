"""住夜 rota in the chat: a cadre's ``/rota`` (their place's nights, 报名 for next week,
换班 on their own nights, a supervisor's 「生成下周值班表」), the swap asked of a colleague
(同意 / 拒绝), the villagers' 「今晚谁值班」, the 「值班」 button under /stats, and the
sweep's handler (the weekly build and each person's reminder on their night).

Buttons are ``ro:<action>:<argument>``; each press is checked by ``bot.services.rota``
against the presser and the rota as it stands. Phones are written as digits in the text,
which Telegram makes tappable (an inline button cannot carry ``tel:``, and a contact
card per person would be several messages where one says it all).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot import callbacks
from bot.calls import Call, Priority
from bot.domain import stats
from bot.domain.rota import Duty, Person, Refused, Rules
from bot.i18n import Texts
from bot.services import rota
from bot.services.identity import Identity
from bot.services.rota import Compliance, MyRota, Reminder, SwapAnswered, SwapChoices, Tonight

from . import outgoing
from .cadre_keyboard import pressed
from .context import AnyApp, LianxinContext, Unit

log = logging.getLogger(__name__)
SCOPE = "ro"
PATTERN = r"^ro:"


# --- views ------------------------------------------------------------------------------


def day(texts: Texts, night: date) -> str:
    weekday = texts(f"rota.weekday.{night.weekday()}")
    return texts("rota.day", month=night.month, day=night.day, weekday=weekday)


def person_line(texts: Texts, person: Person) -> str:
    rank = texts(f"people.rank.{person.rank}")
    return texts("rota.person", name=person.name, rank=rank, phone=person.phone)


def _button(text: str, action: str, argument: str = "") -> InlineKeyboardButton | None:
    try:
        data = callbacks.Callback(SCOPE, action, argument).encode()
    except ValueError:  # an id too long for Telegram's 64 bytes: no button rather than a crash
        return None
    return InlineKeyboardButton(text, callback_data=data)


def _rows(buttons: Sequence[InlineKeyboardButton | None]) -> list[list[InlineKeyboardButton]]:
    return [[b] for b in buttons if b is not None]


def rota_text(texts: Texts, my: MyRota) -> str:
    nights: dict[date, list[Duty]] = {}
    for duty in my.duties:
        nights.setdefault(duty.night, []).append(duty)
    lines = [
        texts(
            "rota.night_line",
            day=day(texts, night),
            people=texts("rota.separator").join(
                texts(
                    "rota.name_rank",
                    name=d.person.name,
                    rank=texts(f"people.rank.{d.person.rank}"),
                )
                for d in duties
            ),
        )
        for night, duties in sorted(nights.items())
    ]
    body = "\n".join(lines) if lines else texts("rota.none_yet")
    extra = texts("rota.volunteer_hint") if my.next_week else ""
    return texts("rota.head", region=my.region.name, body=body) + extra


def rota_keyboard(texts: Texts, my: MyRota) -> InlineKeyboardMarkup | None:
    buttons = [
        _button(texts("rota.swap_button", day=day(texts, d.night)), "sw", str(d.id))
        for d in my.mine
    ]
    for night in my.next_week:
        key = "rota.volunteered_button" if night in my.volunteered else "rota.volunteer_button"
        buttons.append(_button(texts(key, day=day(texts, night)), "vol", night.isoformat()))
    if my.supervisor:
        buttons.append(_button(texts("rota.build_button"), "build"))
    rows = _rows(buttons)
    return InlineKeyboardMarkup(rows) if rows else None


def rota_message(texts: Texts, chat: int, my: MyRota) -> Call:
    return outgoing.message(chat, rota_text(texts, my), keyboard=rota_keyboard(texts, my))


def choices_message(texts: Texts, chat: int, found: SwapChoices) -> Call:
    duty = found.duty
    buttons = [_button(person_line(texts, p), "to", f"{duty.id}.{p.id}") for p in found.colleagues]
    rows = _rows(buttons)
    if not rows:
        return outgoing.message(chat, texts("rota.no_one_to_swap", day=day(texts, duty.night)))
    text = texts("rota.swap_choose", day=day(texts, duty.night), region=duty.region.name)
    return outgoing.message(chat, text, keyboard=InlineKeyboardMarkup(rows))


def asked_calls(texts: Texts, chat: int, asked: rota.SwapAsked) -> list[Call]:
    swap, duty = asked.swap, asked.swap.duty
    when, place = day(texts, duty.night), duty.region.name
    rank = texts(f"people.rank.{duty.person.rank}")
    ask = texts("rota.swap_ask", name=duty.person.name, rank=rank, day=when, region=place)
    buttons = _rows(
        [
            _button(texts("rota.accept_button"), "ok", str(swap.id)),
            _button(texts("rota.decline_button"), "no", str(swap.id)),
        ]
    )
    keyboard = InlineKeyboardMarkup([[b for row in buttons for b in row]])
    told = texts("rota.swap_asked", name=swap.to.name, day=when)
    return [
        outgoing.message(swap.to.user_id or 0, ask, keyboard=keyboard),
        outgoing.message(chat, told),
    ]


def answered_calls(texts: Texts, chat: int, answered: SwapAnswered) -> list[Call]:
    swap, duty = answered.swap, answered.swap.duty
    when = day(texts, duty.night)
    verdict = "accepted" if answered.accepted else "declined"
    mine = texts(
        f"rota.swap_{verdict}_you", name=duty.person.name, day=when, region=duty.region.name
    )
    theirs = texts(f"rota.swap_{verdict}", name=swap.to.name, day=when, region=duty.region.name)
    calls = [outgoing.message(chat, mine)]
    if duty.person.user_id is not None:
        calls.append(outgoing.message(duty.person.user_id, theirs))
    return calls


def reminder_call(texts: Texts, reminder: Reminder) -> Call:
    duty = reminder.duty
    others = "\n".join(person_line(texts, p) for p in reminder.with_) or texts("rota.alone")
    text = texts(
        "rota.reminder", day=day(texts, duty.night), region=duty.region.name, others=others
    )
    return outgoing.message(reminder.chat, text, priority=Priority.BULK, dedup_key=reminder.key)


def tonight_text(texts: Texts, places: Sequence[Tonight]) -> str:
    parts = []
    for place in places:
        people = "\n".join(person_line(texts, p) for p in place.people)
        if place.night is None or not place.people:
            parts.append(texts("rota.tonight_none", region=place.region.name))
        elif place.tonight:
            parts.append(texts("rota.tonight", region=place.region.name, people=people))
        else:
            when = day(texts, place.night)
            parts.append(
                texts("rota.tonight_next", region=place.region.name, day=when, people=people)
            )
    return "\n\n".join(parts) if parts else texts("rota.no_place")


def compliance_text(texts: Texts, found: Compliance) -> str:
    lines = [
        texts(
            "rota.kept_line",
            region=line.region.name,
            kept=line.kept,
            assigned=line.assigned,
            rate=_rate(texts, line.rate),
        )
        for line in found.lines
    ]
    head = texts(
        "rota.kept_head",
        first=found.period.first,
        last=found.period.last,
        until=found.until,
        kept=found.kept,
        assigned=found.assigned,
        rate=_rate(texts, found.kept / found.assigned if found.assigned else None),
    )
    return head + "\n" + ("\n".join(lines) if lines else texts("rota.kept_none"))


def _rate(texts: Texts, value: float | None) -> str:
    return texts("stats.none") if value is None else f"{value * 100:.1f}%"


def stats_button(texts: Texts, span: str) -> InlineKeyboardButton:
    """「值班」 under a supervisor's /stats summary (``handlers.supervisor.keyboard``)."""
    data = callbacks.Callback(SCOPE, "st", span).encode()
    return InlineKeyboardButton(texts("rota.stats_button"), callback_data=data)


def refusal(texts: Texts, refused: Refused) -> str:
    return texts(f"rota.refused.{refused.reason}")


# --- handlers -----------------------------------------------------------------------------


def rules_of(unit: Unit) -> Rules:
    return unit.setup.config.rota.rules(unit.zone)


def _off(unit: Unit, chat: int) -> bool:
    """Without ``[rota] enabled`` nobody keeps a rota: say so, and do nothing else."""
    if unit.setup.config.rota.enabled:
        return False
    unit.send(outgoing.message(chat, unit.texts("rota.off")))
    return True


async def show(update: Update, context: LianxinContext) -> None:
    """``/rota``: the cadre's township or village rota, with their buttons."""
    unit, who = context.unit, context.unit.who
    if who is None or _off(unit, who.user_id):
        return
    try:
        my = await rota.show(unit.work, who, rules_of(unit))
    except Refused as refused:
        unit.send(outgoing.message(who.user_id, refusal(unit.texts, refused)))
        return
    unit.send(rota_message(unit.texts, who.user_id, my))


async def tonight(update: Update, context: LianxinContext) -> None:
    """「今晚谁值班」: the household's village and township, tonight or next."""
    unit, who = context.unit, context.unit.who
    if who is None or _off(unit, who.user_id):
        return
    try:
        places = await rota.on_duty(unit.work, who, rules_of(unit))
    except Refused as refused:
        unit.send(outgoing.message(who.user_id, refusal(unit.texts, refused)))
        return
    unit.send(outgoing.message(who.user_id, tonight_text(unit.texts, places)))


async def press(update: Update, context: LianxinContext) -> None:
    """``ro:<vol|sw|to|ok|no|build|st>:<argument>``; a refusal answers the button."""
    unit, query, who = context.unit, update.callback_query, context.unit.who
    if query is None or who is None:
        return
    pressed_ = callbacks.decode(query.data) or callbacks.Callback(SCOPE, "")
    act = _ACTIONS.get(pressed_.action)
    try:
        if act is None or not unit.setup.config.rota.enabled:
            raise Refused("answered")
        calls = await act(unit, who, pressed_.argument)
    except Refused as refused:
        unit.send(outgoing.answer_button(who.user_id, query.id, refusal(unit.texts, refused)))
        return
    except stats.BadPeriod:
        text = unit.texts("rota.refused.period")
        unit.send(outgoing.answer_button(who.user_id, query.id, text))
        return
    unit.send(outgoing.answer_button(who.user_id, query.id), *calls)


async def _volunteer(unit: Unit, who: Identity, argument: str) -> list[Call]:
    done = await rota.volunteer(unit.work, who, rules_of(unit), argument)
    key = "rota.volunteer_on" if done.on else "rota.volunteer_off"
    note = outgoing.message(who.user_id, unit.texts(key, day=day(unit.texts, done.night)))
    return [note, rota_message(unit.texts, who.user_id, done.rota)]


async def _choices(unit: Unit, who: Identity, argument: str) -> list[Call]:
    found = await rota.swap_choices(unit.work, who, rules_of(unit), argument)
    return [choices_message(unit.texts, who.user_id, found)]


async def _ask(unit: Unit, who: Identity, argument: str) -> list[Call]:
    duty_id, _, cadre_id = argument.partition(".")
    asked = await rota.ask_swap(unit.work, who, rules_of(unit), duty_id, cadre_id)
    return asked_calls(unit.texts, who.user_id, asked)


async def _accept(unit: Unit, who: Identity, argument: str) -> list[Call]:
    return await _answer(unit, who, argument, accept=True)


async def _decline(unit: Unit, who: Identity, argument: str) -> list[Call]:
    return await _answer(unit, who, argument, accept=False)


async def _answer(unit: Unit, who: Identity, argument: str, *, accept: bool) -> list[Call]:
    answered = await rota.answer_swap(unit.work, who, rules_of(unit), argument, accept)
    return answered_calls(unit.texts, who.user_id, answered)


async def _build(unit: Unit, who: Identity, argument: str) -> list[Call]:
    built = await rota.build_next(unit.work, who, rules_of(unit))
    text = unit.texts(
        "rota.built", week=day(unit.texts, built.week), made=built.regions, already=built.already
    )
    return [outgoing.message(who.user_id, text)]


async def _compliance(unit: Unit, who: Identity, argument: str) -> list[Call]:
    config = unit.setup.config
    found = await rota.compliance(unit.work, who, argument, unit.zone, config.stats.bounds())
    return [outgoing.message(who.user_id, compliance_text(unit.texts, found))]


_ACTIONS = {
    "vol": _volunteer,
    "sw": _choices,
    "to": _ask,
    "ok": _accept,
    "no": _decline,
    "build": _build,
    "st": _compliance,
}


async def sweep(unit: Unit) -> int:
    """The rota sweep's handler: weeks built, tonight's reminders queued (bulk, each with
    its dedup key and its row marked in this transaction). Returns how many reminded."""
    if not unit.setup.config.rota.enabled:
        return 0
    swept = await rota.sweep(unit.work, rules_of(unit))
    unit.send(*(reminder_call(unit.texts, r) for r in swept.reminders))
    if swept.built or swept.reminders:
        log.info("rota: %d week(s) built, %d reminder(s)", swept.built, len(swept.reminders))
    return swept.built + len(swept.reminders)


def register(app: AnyApp) -> None:
    private = filters.ChatType.PRIVATE
    app.add_handler(CommandHandler("rota", show, filters=private))
    fresh = private & filters.UpdateType.MESSAGE
    app.add_handler(MessageHandler(fresh & pressed("rota.button_tonight"), tonight))
    app.add_handler(CallbackQueryHandler(press, pattern=PATTERN))
