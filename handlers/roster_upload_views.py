"""What an administrator sees of a roster sent in Telegram (pure: results in, calls out).

One message per upload, edited in place: "正在检查名册…", then the dry run's summary with
导入 / 取消 (or its problems), then "正在导入…", then the result. The first message is
found again by its topic (the sender's topic messages, keyed by the upload's id made
negative: no request has such an id), as is the pruning dry run's; the other edits by
the pressed message's id.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import roster_cli
from bot.callbacks import Callback
from bot.calls import Call, Priority
from bot.domain.roster_uploads import Upload
from bot.i18n import Texts
from bot.roster_cli import ImportOutcome
from bot.services import roster_upload as service
from bot.services.roster_upload import Checked, Pressed, Stale, Verdict

from . import paging

SCOPE = "ru"
TOPIC = "roster"
MINUTES = int(service.TTL.total_seconds() // 60)
# Files that are nearly a roster: what to do with them.
HINTS = {"xls": "upload.old_xls", "csv": "upload.single_csv"}
Where = int | Upload  # the message to edit: by its id, or the upload's first message


def checking(texts: Texts, upload: Upload) -> Call:
    text = texts("upload.checking", name=upload.file_name)
    params = {"chat_id": upload.user_id, "text": text}
    return Call(upload.user_id, "sendMessage", params, request_id=-upload.id, topic=TOPIC)


def refusal(texts: Texts, refused: Exception) -> str:
    if isinstance(refused, service.TooLarge):
        return texts("upload.too_large", size=round(refused.size / 1024 / 1024, 1))
    if isinstance(refused, service.NotRoster) and refused.name:
        hint = HINTS.get(refused.name.rpartition(".")[2].lower(), "upload.not_roster")
        return texts(hint, name=refused.name)
    if isinstance(refused, service.NotRoster):
        return texts("upload.not_roster_photo")
    return texts("reply.admin_only")


def stale(texts: Texts, refused: Stale) -> str:
    known = (service.DONE, service.IMPORTING, service.CANCELLED, service.EXPIRED)
    return texts(f"upload.stale_{refused.state}" if refused.state in known else "upload.stale")


def report_lines(texts: Texts, outcome: ImportOutcome, *, prune: bool) -> list[str]:
    """What a run did or would do, table by table (add lines here: e.g. a preview)."""
    if outcome.report is None:
        return []
    shown = (
        []
        if outcome.preview is None
        else roster_cli.preview_lines(texts.language, outcome.preview)
    )
    return shown + roster_cli.summary(texts.language, outcome.report, prune=prune)


def checked(texts: Texts, result: Checked[ImportOutcome]) -> list[Call]:
    """The dry run's summary and buttons in place of "正在检查…" (or of the pruning
    question's message), or why it cannot be imported."""
    upload, verdict = result.upload, result.verdict
    if verdict is None:
        return [edit(texts("upload.not_fetched", name=upload.file_name), upload, upload)]
    if not verdict.clean:
        return [edit(problems_text(texts, upload, verdict.outcome), upload, upload)]
    head = "upload.prune_checked" if result.prune else "upload.checked"
    tail = texts("upload.prune_choose" if result.prune else "upload.choose", minutes=MINUTES)
    text = fitted(texts, texts(head, name=upload.file_name), verdict.outcome, result.prune, tail)
    return [edit(text, upload, upload, buttons(texts, upload, result.prune))]


def fitted(texts: Texts, head: str, outcome: ImportOutcome, prune: bool, tail: str) -> str:
    """The summary with the 花名册's preview, or without it when a county of many
    townships would pass Telegram's 4,096 characters."""
    text = "\n".join([head, *report_lines(texts, outcome, prune=prune), tail])
    if outcome.report is None or paging.fits(text, paging.TEXT_LIMIT):
        return text
    counts = roster_cli.summary(texts.language, outcome.report, prune=prune)
    return "\n".join([head, *counts, tail])


def buttons(texts: Texts, upload: Upload, prune: bool) -> InlineKeyboardMarkup:
    def button(key: str, action: str) -> InlineKeyboardButton:
        data = Callback(SCOPE, action, upload.token).encode()
        return InlineKeyboardButton(texts(key), callback_data=data)

    cancel = button("upload.button_cancel", service.CANCEL)
    if prune:
        confirm = button("upload.button_prune_confirm", service.PRUNE_IMPORT)
        return InlineKeyboardMarkup([[confirm], [cancel]])
    first = [button("upload.button_import", service.IMPORT), cancel]
    return InlineKeyboardMarkup([first, [button("upload.button_prune", service.PRUNE)]])


def problems_text(
    texts: Texts, upload: Upload, outcome: ImportOutcome, head: str = "upload.problems"
) -> str:
    return _capped(texts, upload, outcome, head)[0]


def cut(texts: Texts, upload: Upload, outcome: ImportOutcome) -> bool:
    """Whether the problems did not all fit the message (the full list goes as a file)."""
    return _capped(texts, upload, outcome, "upload.problems")[1]


def _capped(texts: Texts, upload: Upload, outcome: ImportOutcome, head: str) -> tuple[str, bool]:
    """The problems, one a line, as many as fit one message, then "…及其他 N 条"."""
    lines = problem_lines(texts, outcome)
    text = texts(head, name=upload.file_name, count=len(lines))
    for shown, line in enumerate(lines):
        more = texts("upload.more", count=len(lines) - shown)
        rest = f"\n{more}" if shown < len(lines) - 1 else ""
        if not paging.fits(f"{text}\n{line}{rest}", paging.TEXT_LIMIT):
            return f"{text}\n{more}", True
        text = f"{text}\n{line}"
    return text, False


def problem_lines(texts: Texts, outcome: ImportOutcome) -> list[str]:
    return [roster_cli.describe(texts.language, problem) for problem in outcome.problems]


def problems_file(texts: Texts, upload: Upload, count: int, path: Path) -> Call:
    caption = texts("upload.problems_file", name=upload.file_name, count=count)
    document = {"$file": str(path), "filename": f"{Path(upload.file_name).stem}-问题.txt"}
    params = {"chat_id": upload.user_id, "document": document, "caption": caption}
    return Call(upload.user_id, "sendDocument", params, Priority.INTERACTIVE)


def pressed(texts: Texts, done: Pressed, message_id: int) -> Call:
    """At once, in place of the summary: "正在导入…", cancelled, expired, or (pruning)
    "正在检查…" again."""
    name = done.upload.file_name
    keys = {
        service.CANCEL: "upload.cancelled",
        service.EXPIRED: "upload.expired",
        service.PRUNE: "upload.checking",
    }
    text = texts(keys.get(done.action, "upload.importing"), name=name, minutes=MINUTES)
    return edit(text, done.upload, message_id)


def imported(texts: Texts, done: Pressed, verdict: Verdict[ImportOutcome], where: int) -> Call:
    """The import's result in place of "正在导入…"."""
    upload = done.upload
    if not verdict.clean:
        failed = problems_text(texts, upload, verdict.outcome, "upload.import_failed")
        return edit(failed, upload, where)
    lines = [texts("upload.imported", name=upload.file_name)]
    lines += report_lines(texts, verdict.outcome, prune=done.prune)
    return edit("\n".join(lines), upload, where)


def edit(
    text: str, upload: Upload, where: Where, keyboard: InlineKeyboardMarkup | None = None
) -> Call:
    """The upload's message in the administrator's chat, now saying ``text``."""
    user = upload.user_id
    params: dict[str, Any] = {"chat_id": user, "text": text}
    if keyboard is not None:
        params["reply_markup"] = keyboard.to_dict()
    if isinstance(where, int):
        return Call(user, "editMessageText", {**params, "message_id": where})
    return Call(user, "editMessageText", params, request_id=-where.id, topic=TOPIC)
