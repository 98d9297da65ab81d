"""The cadre's case card as a pure view: every status renders with its due line and the
last thing that happened, the buttons are the ones that apply now (none once closed),
the card stays one Telegram message and its buttons' data within 64 bytes whatever the
words and the roster's names; re-rendering edits the card in place. And /inbox's page:
eight lines with snippets, ◀ ▶, the filters, within Telegram's limits."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.calls import KEEP
from bot.domain.lifecycle import Category, Outcome, Resolution, Status
from bot.domain.requests import Content, InboxFilter, InboxLine, Request, TrailLine
from bot.domain.roster import HouseholdDetails
from bot.i18n import Language, Texts
from bot.services.inbox import InboxPage
from bot.services.notices import CaseCard
from handlers import inbox_pages, paging, tell_cadre
from handlers.context import View

NOW = datetime(2031, 3, 4, 0, 0, tzinfo=UTC)  # 08:00 in Asia/Shanghai
USER = 3007
WANG = HouseholdDetails("H0001", "王秀英", "柳树村3组12号", "13900000001", "柳树村")
REQUEST = Request(
    id=123456789012,  # the longest id a button may carry
    number="LX-2031-000123",
    household_id="H0001",
    category=Category.WATER,
    urgent=False,
    about_cadre=False,
    status=Status.OPEN,
    handler_id="K007",
    tier=1,
    filed_at=NOW,
    respond_by=NOW + timedelta(hours=24),
    resolve_by=NOW + timedelta(hours=24),
)
ACK = TrailLine(NOW, "acknowledged", "cadre:K007", "郑小红", "K007", "郑小红", {})
CONFIRMED = TrailLine(NOW, "confirmed", "villager:501", "秀英", "K007", "郑小红", {})
STATES = {
    Status.OPEN: REQUEST,
    Status.ACKNOWLEDGED: replace(REQUEST, status=Status.ACKNOWLEDGED, first_response_at=NOW),
    Status.RESOLVED: replace(
        REQUEST, status=Status.RESOLVED, first_response_at=NOW, resolution=Resolution.RESOLVED
    ),
    Status.CLOSED: replace(
        REQUEST, status=Status.CLOSED, first_response_at=NOW, outcome=Outcome.SATISFIED
    ),
}
BUTTONS = {
    Status.OPEN: ["受理", "回复", "办结", "政策解答", "转交", "上报"],
    Status.ACKNOWLEDGED: ["回复", "办结", "政策解答", "转交", "上报"],
    Status.RESOLVED: ["回复"],
    Status.CLOSED: ["🔁 回头看"],  # issue 12: a follow-up visit, once it is closed
}


def view(language: Language = "zh", now: datetime = NOW) -> View:
    return View(Texts(language), ZoneInfo("Asia/Shanghai"), now, (), "t")


def card(request: Request = REQUEST, words: str = "水管冻裂了", last: TrailLine = ACK) -> CaseCard:
    return CaseCard(request, WANG, Content(words), last, "郑小红")


def labels(call_params: dict[str, object]) -> list[str]:
    markup = call_params.get("reply_markup")
    if not isinstance(markup, dict):
        return []
    return [b["text"] for row in markup["inline_keyboard"] for b in row]


@pytest.mark.parametrize("status", list(Status))
@pytest.mark.parametrize("language", ["zh", "en"])
def test_every_status_renders_with_its_due_line_last_action_and_buttons(
    status: Status, language: Language
) -> None:
    request = STATES[status]
    [edit] = tell_cadre.card_edit(view(language), USER, card(request))
    text = str(edit.params["text"])
    assert request.number in text
    assert "水管冻裂了" in text
    assert "郑小红" in text  # the handler, and who acted last
    assert "08:00" in text  # when
    if language == "zh":
        assert Texts("zh")(f"requests.status.{status}") in text
        assert labels(edit.params) == BUTTONS[status]
    if status is Status.CLOSED:  # only 回头看 is left on a closed case
        assert "rq:" not in str(edit.params["reply_markup"])


def test_the_due_line_says_what_is_due_and_when_it_is_past() -> None:
    text = str(tell_cadre.card_edit(view(), USER, card())[0].params["text"])
    assert "请在 2031-03-05 08:00 前答复" in text
    assert "⏰" not in text
    late = view(now=NOW + timedelta(hours=25))
    assert "⏰ 已逾期" in str(tell_cadre.card_edit(late, USER, card())[0].params["text"])
    resolved = card(STATES[Status.RESOLVED])
    assert "⏰" not in str(tell_cadre.card_edit(late, USER, resolved)[0].params["text"])
    closed = str(tell_cadre.card_edit(view(), USER, card(STATES[Status.CLOSED]))[0].params["text"])
    assert "已销号：已解决，满意" in closed


def test_a_former_handler_keeps_only_reply_and_no_buttons_once_closed() -> None:
    [edit] = tell_cadre.card_edit(view(), USER, card(), handler=False)
    assert labels(edit.params) == ["回复"]
    [closed] = tell_cadre.card_edit(view(), USER, card(STATES[Status.CLOSED]), handler=False)
    assert labels(closed.params) == []
    assert "reply_markup" not in closed.params  # an edit without buttons removes them


def test_an_edit_goes_to_the_pressed_message_and_the_card_before_loses_its_buttons() -> None:
    aimed = tell_cadre.card_edit(view(), USER, card())
    assert [(c.method, c.topic, c.request_id) for c in aimed] == [
        ("editMessageText", "card", REQUEST.id)
    ]
    assert "message_id" not in aimed[0].params  # the sender finds the chat's card
    strip, edit = tell_cadre.card_edit(view(), USER, card(), at=77)
    assert (strip.method, strip.params[KEEP], strip.topic) == (
        "editMessageReplyMarkup",
        77,
        "card",
    )
    assert (edit.method, edit.params["message_id"]) == ("editMessageText", 77)


def test_a_card_sent_anew_strips_the_one_before_and_carries_the_only_buttons() -> None:
    trail = [ACK, CONFIRMED]
    strip, first, *rest = tell_cadre.card_calls(view(), USER, card(), trail=trail)
    assert strip.method == "editMessageReplyMarkup"
    assert KEEP not in strip.params
    assert (first.method, first.topic, first.request_id) == ("sendMessage", "card", REQUEST.id)
    assert labels(first.params) == BUTTONS[Status.OPEN]
    assert all("reply_markup" not in c.params and c.topic is None for c in rest)


def test_the_card_stays_one_message_and_its_buttons_fit_whatever_the_words() -> None:
    huge = replace(WANG, head_name="王" * 5000, village="村" * 5000, address="址" * 5000)
    words = "😀漏水" * 3000
    long = CaseCard(replace(REQUEST, urgent=True), huge, Content(words), ACK, "郑" * 5000)
    [edit] = tell_cadre.card_edit(view(), USER, long)
    assert paging.utf16_len(str(edit.params["text"])) <= paging.TEXT_LIMIT
    assert "（续）" in str(edit.params["text"])
    pages = tell_cadre.card_pages(view(), long, trail=[ACK] * 300)
    assert all(paging.utf16_len(p.text) <= paging.TEXT_LIMIT for p in pages)
    assert "".join(p.text for p in pages).count("漏") == 3000  # every word, somewhere
    markup = edit.params["reply_markup"]
    data = [b["callback_data"] for row in markup["inline_keyboard"] for b in row]
    assert len(data) == 6
    assert all(len(d.encode()) <= 64 for d in data)


def line(n: int, **changes: Any) -> InboxLine:
    base = InboxLine(
        n,
        f"LX-2031-{n:06d}",
        "H0001",
        "王秀英" * 30,
        "water",
        False,
        "open",
        NOW + timedelta(hours=n),
        "K007",
        "柳树村" * 30,
        "院墙裂了，下雨天怕塌，请尽快来看看" * 40,
        None,
    )
    return replace(base, **changes)


def test_an_inbox_page_shows_snippets_marks_paging_and_filters() -> None:
    lines = (
        line(1, due=NOW - timedelta(hours=1)),  # overdue
        line(2, urgent=True),
        line(3, text="", media="voice"),
        *(line(n) for n in range(4, 9)),
    )
    shown = InboxPage(InboxFilter.ALL, 1, 4, 30, lines, "K007")
    text = inbox_pages.page_text(view(), shown)
    rows = text.splitlines()
    assert rows[0] == "您的待办诉求（共 30 条，第 2/4 页）："
    assert rows[1].startswith("9. LX-2031-000001 ⏰柳树村")
    assert "🚨" in rows[2]
    assert "⏰" not in rows[2]
    assert "［语音］" in rows[3]
    assert "院墙裂了，下雨天怕塌，请尽快来看看院墙…" in rows[4]  # 20 characters and …
    assert len(rows) == 9
    keyboard = inbox_pages.page_keyboard(view(), shown).to_dict()["inline_keyboard"]
    buttons = [b for row in keyboard for b in row]
    assert [b["callback_data"] for b in buttons[:8]] == [f"rq:open:{n}" for n in range(1, 9)]
    assert [b["text"] for b in keyboard[4]] == ["◀ 上一页", "下一页 ▶"]
    assert [b["callback_data"] for b in keyboard[4]] == ["iq:all:0", "iq:all:2"]
    assert [b["text"] for b in buttons[-5:]] == ["✓全部", "逾期", "紧急", "我经办", "待群众确认"]
    assert all(len(b["callback_data"].encode()) <= 64 for b in buttons)
    assert paging.utf16_len(text) <= paging.TEXT_LIMIT


def test_an_empty_filter_says_so_and_keeps_the_filters() -> None:
    shown = InboxPage(InboxFilter.WAITING, 0, 1, 0, (), "K007")
    assert inbox_pages.page_text(view(), shown) == "等待群众确认的诉求：没有诉求。"
    keyboard = inbox_pages.page_keyboard(view(), shown).to_dict()["inline_keyboard"]
    assert [b["text"] for row in keyboard for b in row][-1] == "✓待群众确认"
