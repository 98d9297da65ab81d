"""The roster sent to the bot by an administrator (``bot.services.roster_upload``): a
document is checked after the update's commit (a dry run) and shown with 导入 / 取消; the
press imports it (or cancels), again after the commit, and the result replaces the
summary. Everyone else's documents go on to their usual handling (a villager's file is a
request), and so do an administrator's photos and files when they are also a villager or
a cadre, unless the file is named like a roster (.xlsx, .zip).
"""

from __future__ import annotations

import asyncio

from telegram import Message, Update
from telegram.ext import CallbackQueryHandler, MessageHandler, filters

from bot import callbacks, private
from bot.calls import Call
from bot.domain.roster_uploads import Upload
from bot.roster_cli import ImportOutcome
from bot.services import roster_upload as service
from bot.services.roster_upload import Offered, Pressed, Stale

from . import outgoing
from . import roster_upload_views as views
from .context import AnyApp, Job, LianxinContext, LongContext, Run, current_unit


class _RosterFile(filters.MessageFilter):
    """A file in a private chat that is an administrator's roster (see the module's
    docstring); decided with who is asking (``unit.who``, resolved in group -1)."""

    def filter(self, message: Message) -> bool:
        if message.chat.type != "private" or (message.document is None and not message.photo):
            return False
        unit = current_unit.get(None)
        who = unit.who if unit is not None else None
        if who is None or not who.admin:
            return False
        return _named_like_roster(message) or not (who.villager or who.cadre is not None)


def _named_like_roster(message: Message) -> bool:
    name = (message.document.file_name or "") if message.document else ""
    return name.lower().endswith(tuple(f".{suffix}" for suffix in service.SUFFIXES))


def offered(message: Message) -> Offered:
    if message.document is not None:
        file = message.document
        return Offered("document", file.file_id, file.file_name or "", file.file_size)
    photo = message.photo[-1]
    return Offered("photo", photo.file_id, "", photo.file_size)


async def received(update: Update, context: LianxinContext) -> None:
    message, unit = update.effective_message, context.unit
    if message is None or unit.who is None:
        return
    try:
        upload = await service.receive(unit.work, unit.who, offered(message))
    except (service.NotAdmin, service.NotRoster, service.TooLarge) as refused:
        unit.send(outgoing.message(message.chat_id, views.refusal(unit.texts, refused)))
        return
    unit.send(views.checking(unit.texts, upload))
    unit.after_commit(Job("roster check", _checked(upload), chat=upload.user_id))


async def pressed(update: Update, context: LianxinContext) -> None:
    """``ru:<go|prune|prunego|no>:<token>``: the sender's own buttons, once, in time."""
    unit, query = context.unit, update.callback_query
    if query is None or query.message is None or unit.who is None:
        return
    button = callbacks.decode(query.data) or callbacks.Callback(views.SCOPE, "")
    user, where = unit.who.user_id, query.message.message_id
    try:
        done = await service.press(unit.work, unit.who, button.argument, button.action)
    except Stale as refused:
        unit.send(outgoing.answer_button(user, query.id, views.stale(unit.texts, refused)))
        return
    unit.send(outgoing.answer_button(user, query.id), views.pressed(unit.texts, done, where))
    unit.after_commit(Job(f"roster {done.action}", _after(done, where), chat=user))


# --- after the commit -------------------------------------------------------------------


def _checked(upload: Upload, prune: bool = False) -> Run:
    async def run(work: LongContext) -> list[Call]:
        texts = work.setup.texts
        if prune:
            result = await service.preview_prune(work.roster, upload)
        else:
            result = await service.check(work.roster, upload)
        calls = views.checked(texts, result)
        verdict = result.verdict
        if verdict is not None and views.cut(texts, upload, verdict.outcome):
            calls.append(await _problems_file(work, upload, verdict.outcome))
        return calls

    return run


def _after(done: Pressed, where: int) -> Run:
    if done.action == service.PRUNE:
        return _checked(done.upload, prune=True)

    async def run(work: LongContext) -> list[Call]:
        if done.action in (service.CANCEL, service.EXPIRED):
            service.forget(work.roster, done.upload)
            return []
        verdict = await service.apply(work.roster, done)
        return [views.imported(work.setup.texts, done, verdict, where)]

    return run


async def _problems_file(work: LongContext, upload: Upload, outcome: ImportOutcome) -> Call:
    """Every problem, one a line, as a .txt beside the database (kept 0600)."""
    lines = views.problem_lines(work.setup.texts, outcome)
    path = work.file_path(f"roster-problems-{upload.user_id}", "txt")
    data = "\n".join(lines).encode("utf-8-sig")
    await asyncio.to_thread(private.write_bytes, path, data)
    return views.problems_file(work.setup.texts, upload, len(lines), path)


def register(app: AnyApp) -> None:
    """Before every other handler of files (a villager's document is a request)."""
    app.add_handler(MessageHandler(filters.UpdateType.MESSAGE & _RosterFile(), received))
    app.add_handler(CallbackQueryHandler(pressed, pattern=rf"^{views.SCOPE}:"))
