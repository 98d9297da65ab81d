"""公示 and reception in the chat: ``/announce`` (a cadre's announcement, previewed with
「发布」/「取消」, then sent in bulk), ``/notices`` (the household's notices switch, the same
as ``/visits``), the villager's 「🏛 接待日」 button, and the 绑定率 views of ``/stats``.

Buttons are ``an:pub:<announcement id>`` and ``an:no:<announcement id>`` (checked by
``bot.services.announce`` against the presser and the draft's state); the 「不再接收通知」
under each announcement is ``sv:off:<household id>`` (``handlers.schedule``: checked
against membership).
"""

from __future__ import annotations

from datetime import date

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot import callbacks
from bot.calls import Call, Priority
from bot.domain import announce as rules
from bot.domain.announce import Binding, Receiving, Recipient
from bot.domain.members import NoHousehold
from bot.domain.requests import NotAllowed
from bot.i18n import Texts
from bot.services import announce
from bot.services.announce import Asked, BindingTable, Draft, Published, ReceptionDays
from bot.services.identity import Identity

from . import cadre_keyboard, outgoing, requesting, schedule
from .context import AnyApp, LianxinContext, Unit
from .people import household_chooser

SCOPE = "an"
Refusal = rules.NotPublisher | rules.Empty | rules.TooLong


# --- views ------------------------------------------------------------------------------


def refusal(texts: Texts, refused: Refusal) -> str:
    if isinstance(refused, rules.TooLong):
        return texts("announce.too_long", length=refused.length, limit=refused.limit)
    if isinstance(refused, rules.Empty):
        return texts("announce.empty")
    return texts("announce.not_publisher")


def asked_text(texts: Texts, asked: Asked) -> str:
    return texts("announce.ask", region=asked.region_name)


def preview_calls(texts: Texts, chat: int, draft: Draft) -> list[Call]:
    """The announcement as it will look, then what it reaches, with 发布 / 取消."""
    found = draft.announcement
    buttons = [
        InlineKeyboardButton(
            texts("announce.button.publish"), callback_data=_data("pub", found.id)
        ),
        InlineKeyboardButton(texts("announce.button.cancel"), callback_data=_data("no", found.id)),
    ]
    reach = texts(
        "announce.preview",
        region=draft.region_name,
        households=draft.households,
        chats=draft.chats,
    )
    keyboard = InlineKeyboardMarkup([buttons])
    return [_body(chat, found.text, found.photo), outgoing.message(chat, reach, keyboard=keyboard)]


def _data(action: str, announcement_id: int) -> str:
    return callbacks.Callback(SCOPE, action, str(announcement_id)).encode()


def _body(chat: int, text: str, photo: str | None, **extra: object) -> Call:
    if photo is None:
        return Call(chat, "sendMessage", {"chat_id": chat, "text": text, **extra})
    return Call(chat, "sendPhoto", {"chat_id": chat, "photo": photo, "caption": text, **extra})


def heading(texts: Texts, published: Published) -> str:
    """Who publishes, for where: at most ``HEADROOM`` (the words were checked without it)."""
    rank = texts(f"people.rank.{published.cadre.rank}")
    head = texts(
        "announce.heading", region=published.region_name, name=published.cadre.name, rank=rank
    )
    return head if rules.length(head) <= rules.HEADROOM else head[: rules.HEADROOM // 2 - 1] + "…"


def announcement_call(texts: Texts, published: Published, to: Recipient) -> Call:
    """One recipient's copy: bulk, behind interactive answers; never twice (dedup key)."""
    found = published.announcement
    text = f"{heading(texts, published)}\n\n{found.text}".rstrip()
    extra: dict[str, object] = {}
    try:
        off = callbacks.Callback(schedule.SCOPE, "off", to.household_id).encode()
        button = InlineKeyboardButton(texts("announce.button.stop"), callback_data=off)
        extra["reply_markup"] = InlineKeyboardMarkup([[button]]).to_dict()
    except ValueError:  # an id too long for a button: /notices still switches it
        pass
    call = _body(to.chat, text, found.photo, **extra)
    return Call(to.chat, call.method, call.params, Priority.BULK, f"an:{found.id}:{to.chat}")


def published_calls(texts: Texts, chat: int, published: Published) -> list[Call]:
    done = texts(
        "announce.published",
        region=published.region_name,
        households=published.households,
        chats=len(published.recipients),
    )
    copies = [announcement_call(texts, published, to) for to in published.recipients]
    return [outgoing.message(chat, done), *copies]


def day_text(texts: Texts, day: date) -> str:
    weekday = texts(f"announce.weekday.{day.weekday()}")
    return texts("announce.date", month=day.month, day=day.day, weekday=weekday)


def receiving_line(texts: Texts, found: Receiving) -> str:
    cadre = found.cadre
    if found.rule is None or found.next_day is None:
        when = texts("announce.no_reception")
    else:
        when = texts(
            "announce.reception_when",
            rule=rule_text(texts, found.rule.every, found.rule.day),
            next=day_text(texts, found.next_day),
        )
    return texts(
        f"announce.receiving.{found.role}",
        name=cadre.name,
        rank=texts(f"people.rank.{cadre.rank}"),
        phone=cadre.phone,
        when=when,
    )


def rule_text(texts: Texts, every: str, day: int) -> str:
    """每周一 / 每月1日 (a reception rule is weekly or monthly)."""
    if every == "weekly":
        return texts("cards.reception.weekly", weekday=texts(f"announce.weekday.{day}"))
    return texts("cards.reception.monthly", day=day)


def reception_text(texts: Texts, found: ReceptionDays) -> str:
    days = texts("announce.separator").join(day_text(texts, d) for d in found.service_days)
    cadres = "\n".join(receiving_line(texts, c) for c in found.cadres)
    return texts(
        "announce.reception",
        head=found.household.head_name,
        service_days=days or texts("announce.no_service_days"),
        cadres=cadres or texts("people.no_cadres"),
    )


def binding_line(texts: Texts, line: Binding) -> str:
    return texts(
        "announce.binding_line",
        name=line.name,
        rate=_rate(texts, line),
        bound=line.bound,
        households=line.households,
    )


def binding_summary(texts: Texts, whole: Binding) -> str:
    """The /stats summary's 绑定率 line."""
    return texts(
        "announce.binding_summary",
        rate=_rate(texts, whole),
        bound=whole.bound,
        households=whole.households,
    )


def _rate(texts: Texts, line: Binding) -> str:
    if line.rate is None:
        return texts("stats.none")
    return texts("stats.percent", percent=f"{line.rate * 100:.1f}")


def binding_text(texts: Texts, table: BindingTable) -> str:
    """The 绑定率 button: the whole region, each township, each village."""
    parts = [texts("announce.binding_head", region=table.whole.name)]
    parts.append(binding_line(texts, table.whole))
    if table.townships:
        parts.append(texts("announce.binding_townships"))
        parts += [binding_line(texts, line) for line in table.townships]
    parts.append(texts("announce.binding_villages"))
    parts += [binding_line(texts, line) for line in table.villages] or [
        texts("announce.binding_empty")
    ]
    return "\n".join(parts)


def no_household(texts: Texts, who: Identity) -> Call:
    """Not bound: how to bind; several households: which one (as /cadres asks)."""
    if not who.households:
        return outgoing.message(who.user_id, texts("reply.not_bound"))
    keyboard = household_chooser(who.households)
    return outgoing.message(who.user_id, texts("villager.choose_household"), keyboard=keyboard)


# --- handlers ---------------------------------------------------------------------------


async def announce_command(update: Update, context: LianxinContext) -> None:
    """``/announce`` alone asks for the announcement; ``/announce <words>`` drafts it."""
    unit, message = context.unit, update.effective_message
    if message is None or unit.who is None:
        return
    words = (message.text or "").partition(" ")[2].strip()
    try:
        if words:
            draft = await announce.draft(unit.work, unit.who, words, None)
            unit.send(*preview_calls(unit.texts, unit.who.user_id, draft))
        else:
            asked = await announce.ask(unit.work, unit.who)
            unit.send(outgoing.message(unit.who.user_id, asked_text(unit.texts, asked)))
    except (rules.NotPublisher, rules.Empty, rules.TooLong) as refused:
        unit.send(outgoing.message(unit.who.user_id, refusal(unit.texts, refused)))


async def caught(unit: Unit, who: Identity, incoming: Message) -> bool:
    """A cadre's message after ``/announce``: the draft's preview (True); False when no
    ``/announce`` asked for it (the message is the cadre side's as usual)."""
    content = requesting.content_of(incoming)
    photo = content.file_id if content.media == "photo" else None
    idle = unit.setup.config.requests.conversation_idle
    try:
        draft = await announce.caught(unit.work, who, content.text, photo, idle)
    except (rules.NotPublisher, rules.Empty, rules.TooLong) as refused:
        unit.send(outgoing.message(who.user_id, refusal(unit.texts, refused)))
        return True
    if draft is not None:
        unit.send(*preview_calls(unit.texts, who.user_id, draft))
    return draft is not None


async def on_button(update: Update, context: LianxinContext) -> None:
    """``an:pub:<id>`` publishes the presser's own draft, ``an:no:<id>`` cancels it."""
    query, unit, who = update.callback_query, context.unit, context.unit.who
    if query is None or who is None:
        return
    pressed = callbacks.decode(query.data)
    found = callbacks.identifier(pressed.argument) if pressed else None
    answer = unit.texts("announce.refused")
    try:
        if pressed is not None and found is not None and pressed.action == "pub":
            published = await announce.publish(unit.work, who, found)
            unit.send(*published_calls(unit.texts, who.user_id, published))
            answer = unit.texts("announce.sent")
        elif pressed is not None and found is not None and pressed.action == "no":
            await announce.cancel(unit.work, who, found)
            answer = unit.texts("announce.cancelled")
    except NotAllowed:
        pass
    unit.send(outgoing.answer_button(who.user_id, query.id, answer))


async def reception(update: Update, context: LianxinContext) -> None:
    """「🏛 接待日」: the next service days and who receives the household's villagers."""
    message, unit, who = update.effective_message, context.unit, context.unit.who
    if message is None or who is None:
        return
    config = unit.setup.config
    try:
        found = await announce.reception(unit.work, who, config.schedule.rules(unit.zone))
    except NoHousehold:
        unit.send(no_household(unit.texts, who))
        return
    unit.send(outgoing.message(who.user_id, reception_text(unit.texts, found)))


def register(app: AnyApp) -> None:
    """Before villager.py (its messages) and common's fallbacks (unknown commands)."""
    private = filters.ChatType.PRIVATE
    fresh = private & filters.UpdateType.MESSAGE
    app.add_handler(CommandHandler("announce", announce_command, filters=private))
    app.add_handler(CommandHandler("notices", schedule.visits, filters=private))
    app.add_handler(
        MessageHandler(fresh & cadre_keyboard.pressed("announce.button.reception"), reception)
    )
    app.add_handler(CallbackQueryHandler(on_button, pattern=rf"^{SCOPE}:"))
