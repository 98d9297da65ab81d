"""What the administrator sees of a roster sent in Telegram (handlers.roster_upload_views):
a long list of problems is cut to one message with "…及其他 N 条" (the full list goes as a
file); the summary's buttons carry data Telegram keeps whole."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.callbacks import LIMIT
from bot.domain.roster_check import Problem
from bot.domain.roster_preview import Preview, TownshipCount
from bot.domain.roster_uploads import Upload
from bot.i18n import Texts
from bot.roster_cli import ImportOutcome
from bot.services import roster_upload as service
from bot.services.roster_upload import Checked, Verdict
from handlers import paging
from handlers import roster_upload_views as views
from storage.roster_import import ImportReport

UPLOAD = Upload(
    7,
    "A" * 12,
    9001,
    "f",
    "东坪镇干部联户名册.xlsx",
    "xlsx",
    datetime(2031, 3, 4, 1, 0, tzinfo=UTC),
    "ready",
)


def bad_phones(count: int) -> ImportOutcome:
    problem = Problem("households.csv", 12, "phone", "bad_phone", {"value": "1390000"})
    return ImportOutcome(problems=[problem] * count)


def test_many_problems_fit_one_message_and_say_how_many_more() -> None:
    texts = Texts("zh")
    outcome = bad_phones(500)
    text = views.problems_text(texts, UPLOAD, outcome)
    assert paging.fits(text, paging.TEXT_LIMIT)
    assert text.startswith("名册「东坪镇干部联户名册.xlsx」有 500 处问题")
    shown = len(text.splitlines()) - 2
    assert text.splitlines()[-1] == f"…及其他 {500 - shown} 条（完整清单见附件）"
    assert views.cut(texts, UPLOAD, outcome)
    (message,) = views.checked(texts, Checked(UPLOAD, Verdict(False, outcome)))
    assert message.params["text"] == text
    assert "reply_markup" not in message.params  # nothing to import


def test_a_few_problems_are_all_shown() -> None:
    texts = Texts("zh")
    text = views.problems_text(texts, UPLOAD, bad_phones(3))
    assert len(text.splitlines()) == 4
    assert not views.cut(texts, UPLOAD, bad_phones(3))


def test_the_buttons_data_fits_telegrams_64_bytes() -> None:
    for prune in (False, True):
        markup = views.buttons(Texts("zh"), UPLOAD, prune).to_dict()
        for row in markup["inline_keyboard"]:
            for button in row:
                assert len(button["callback_data"].encode()) <= LIMIT


def test_a_file_that_is_nearly_a_roster_says_what_to_do() -> None:
    texts = Texts("zh")
    assert "另存为” .xlsx" in views.refusal(texts, service.NotRoster("名册.xls"))
    assert "压缩成 .zip" in views.refusal(texts, service.NotRoster("households.csv"))
    assert "「通知.docx」不是名册文件" in views.refusal(texts, service.NotRoster("通知.docx"))
    assert "图片" in views.refusal(texts, service.NotRoster(""))
    assert "20 MB" in views.refusal(texts, service.TooLarge(25 * 1024 * 1024))


def sheet_outcome(townships: int) -> ImportOutcome:
    counts = tuple(
        TownshipCount(f"第{n}镇", villages=10, households=1000, cadres=40, links=2000)
        for n in range(townships)
    )
    return ImportOutcome(report=ImportReport(), preview=Preview(counts, ()))


def test_a_huamingce_is_shown_with_its_counts_per_township() -> None:
    texts = Texts("zh")
    result = Checked(UPLOAD, Verdict(True, sheet_outcome(3)))
    (message,) = views.checked(texts, result)
    text = message.params["text"]
    assert "第0镇" in text
    assert "第2镇" in text


def test_a_preview_too_long_for_one_message_leaves_the_counts_only() -> None:
    texts = Texts("zh")
    result = Checked(UPLOAD, Verdict(True, sheet_outcome(400)))
    (message,) = views.checked(texts, result)
    text = message.params["text"]
    assert paging.fits(text, paging.TEXT_LIMIT)
    assert "第0镇" not in text
    assert message.params["reply_markup"] is not None
