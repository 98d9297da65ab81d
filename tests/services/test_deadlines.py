"""Due times as use cases over in-memory fakes: ``/extend`` within the caps (the household
and the supervisor told), each refusal with its reason and nothing changed; the deadline
sweep reminding once, and (with ``deadlines.escalate_after`` set, supervisors and admins
told at once) escalating one tier past the second deadline, stalling at the top with the
admins told, a batch a tick (the default, 督办 without moving, is tests/services/
test_supervise.py); the confirm timeout closing what the villager left unanswered."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.calls import Priority
from bot.domain.deadlines import Delivery, Due, ExtendLimits, Supervision
from bot.domain.lifecycle import Event, Outcome, Status
from bot.domain.requests import Audience
from bot.i18n import Texts
from bot.services import deadlines
from bot.services.deadlines import NotExtended
from bot.services.identity import Identity
from bot.services.notices import Notice
from handlers import deadlines as views
from handlers.context import View
from tests.services.fakes_deadlines import (
    GRANDMA,
    LI,
    NOW,
    SUN,
    TABLE,
    ZHAO,
    ZHENG,
    FakeWork,
    H,
    cadre,
    request,
)

ZONE = ZoneInfo("Asia/Shanghai")
LIMITS = ExtendLimits(normal=timedelta(days=30), urgent=timedelta(days=1))
ADMIN = 9001
BEFORE = 2 * H  # remind this long before a due time
# The old behaviour, configured: one tier up 48h past a missed due time, notices at once.
AFTER = Supervision(48 * H, Delivery.INSTANT, Delivery.INSTANT)
INSTANT = Supervision(None, Delivery.INSTANT, Delivery.INSTANT)
VILLAGER = Identity(GRANDMA, admin=False, cadre=None, households=(), current=None)


def work_with(*requests: object, now: datetime = NOW) -> FakeWork:
    work = FakeWork(now=now)
    work.deadlines.add(*requests)  # type: ignore[arg-type]
    return work


def told(notices: tuple[Notice, ...]) -> set[tuple[Audience, Event, int]]:
    """(audience, what, account) for each account a notice goes to (0: the admins)."""
    return {(n.tell.audience, n.tell.what, user) for n in notices for user in n.to or (0,)}


def view() -> View:
    return View(Texts("zh"), ZONE, NOW, (ADMIN,), "t0")


# --- /extend --------------------------------------------------------------------------


async def test_the_handler_extends_within_the_caps_and_household_and_supervisor_hear() -> None:
    work = work_with(request(status=Status.ACKNOWLEDGED))
    words = ["lx-2031-000001", "2031-03-20", "等", "配件"]

    done = await deadlines.extend(work, cadre(ZHENG), LIMITS, ZONE, words, INSTANT)

    until = datetime(2031, 3, 20, 23, 59, tzinfo=ZONE)
    assert done.request.resolve_by == until == work.deadlines.rows[1].resolve_by
    assert done.reason == "等 配件"
    assert told(done.notices) == {
        (Audience.HOUSEHOLD, Event.EXTENDED, GRANDMA),
        (Audience.SUPERVISOR, Event.EXTENDED, 3003),
    }
    [event] = work.deadlines.events
    assert (event.event, event.actor, event.detail["note"]) == (
        Event.EXTENDED,
        "cadre:K007",
        "等 配件",
    )
    # As the cadre, the villager and 督办 read it: the supervisor's at bulk, with a button.
    calls = views.extended_calls(view(), 3007, done)
    [to_sun] = [c for c in calls if c.lane == 3003]
    assert to_sun.priority is Priority.BULK
    assert "等 配件" in to_sun.params["text"]
    assert "郑小红" in to_sun.params["text"]
    assert any("等 配件" in c.params.get("text", "") for c in calls if c.lane == GRANDMA)
    assert "2031-03-20 23:59" in calls[-1].params["text"]
    assert calls[-1].lane == 3007


async def test_a_second_extension_is_refused_and_changes_nothing() -> None:
    work = work_with(request())
    await deadlines.extend(
        work, cadre(ZHENG), LIMITS, ZONE, ["LX-2031-000001", "2031-03-20", "等"]
    )
    before, events = work.deadlines.rows[1], len(work.deadlines.events)

    with pytest.raises(NotExtended) as refused:
        await deadlines.extend(
            work, cadre(ZHENG), LIMITS, ZONE, ["LX-2031-000001", "2031-03-25", "再等"]
        )

    assert refused.value.why == "already"
    assert (work.deadlines.rows[1], len(work.deadlines.events)) == (before, events)


@pytest.mark.parametrize(
    ("who", "words", "why"),
    [
        (cadre(ZHENG), ["LX-2031-000001", "2031-05-01", "等"], "too_far"),  # past the cap
        (cadre(ZHENG), ["LX-2031-000001", "2031-03-01", "等"], "not_later"),  # a past date
        (cadre(ZHENG), ["LX-2031-000001", "2031-03-20", " "], "no_reason"),
        (cadre(ZHENG), ["LX-2031-000001", "2031-03-20"], "no_reason"),
        (cadre(ZHENG), ["LX-2031-000001", "20.3.2031", "等"], "bad_date"),
        (cadre(ZHENG), ["LX-2031-000099", "2031-03-20", "等"], "not_found"),
        (cadre(LI), ["LX-2031-000001", "2031-03-20", "等"], "not_handler"),  # sees, holds not
        (cadre(SUN), ["LX-2031-000001", "2031-03-20", "等"], "not_found"),  # not theirs
        (VILLAGER, ["LX-2031-000001", "2031-03-20", "等"], "cadres_only"),
        (cadre(ZHENG), ["LX-2031-000001"], "usage"),
    ],
)
async def test_a_refused_extension_says_why_and_changes_nothing(
    who: Identity, words: list[str], why: str
) -> None:
    work = work_with(request())

    with pytest.raises(NotExtended) as refused:
        await deadlines.extend(work, who, LIMITS, ZONE, words)

    assert refused.value.why == why
    assert work.deadlines.rows[1] == request()
    assert work.deadlines.events == []
    assert views.refused_text(view(), refused.value)  # worded, never a traceback


async def test_past_the_cap_the_answer_names_the_latest_date() -> None:
    work = work_with(request())
    with pytest.raises(NotExtended) as refused:
        await deadlines.extend(
            work, cadre(ZHENG), LIMITS, ZONE, ["LX-2031-000001", "2031-05-01", "等"]
        )
    assert refused.value.latest == request().resolve_by + timedelta(days=30)
    assert "2031-04-10 08:00" in views.refused_text(view(), refused.value)


async def test_an_urgent_request_may_be_extended_a_day_at_most() -> None:
    urgent = request(urgent=True, resolve_by=NOW + 2 * H)
    work = work_with(urgent)
    with pytest.raises(NotExtended) as refused:
        await deadlines.extend(
            work, cadre(ZHENG), LIMITS, ZONE, ["LX-2031-000001", "2031-03-06", "等"]
        )
    assert refused.value.why == "too_far_urgent"
    done = await deadlines.extend(
        work, cadre(ZHENG), LIMITS, ZONE, ["LX-2031-000001", "2031-03-04", "等"]
    )
    assert done.request.resolve_by == datetime(2031, 3, 4, 23, 59, tzinfo=ZONE)


# --- the deadline sweep ---------------------------------------------------------------


async def test_a_reminder_comes_once_before_the_response_is_due() -> None:
    work = work_with(request())
    assert (await deadlines.watch(work, TABLE, BEFORE)).acted == 0

    work.now = NOW + 22 * H + timedelta(minutes=1)
    watched = await deadlines.watch(work, TABLE, BEFORE)
    [due] = watched.reminders
    assert (due.chat, due.reminder.due, due.head) == (3007, Due.RESPOND, "王秀英")
    assert "还没有受理" in views.reminder_call(view(), due).params["text"]

    work.now += H  # again, later: nothing more
    again = await deadlines.watch(work, TABLE, BEFORE)
    assert (again.reminders, again.acted) == ((), 0)


async def test_past_the_second_deadline_it_goes_one_tier_up_and_everyone_hears() -> None:
    work = work_with(request(), now=NOW + 72 * H)

    watched = await deadlines.watch(work, TABLE, BEFORE, AFTER)

    now = work.deadlines.rows[1]
    assert (now.handler_id, now.tier) == (LI.id, 2)
    assert now.respond_by == work.now + 24 * H  # the new tier's own due times
    assert (watched.escalated, watched.reminders) == (1, ())
    assert told(watched.notices) == {
        (Audience.HANDLER, Event.ESCALATED, 3004),
        (Audience.CADRE, Event.ESCALATED, 3007),
        (Audience.HOUSEHOLD, Event.ESCALATED, GRANDMA),
        (Audience.SUPERVISOR, Event.ESCALATED, 3003),
    }
    [to_li] = [n for n in watched.notices if n.tell.audience is Audience.HANDLER]
    assert to_li.trail
    assert to_li.tell.reason == "respond"


async def test_at_the_top_it_stalls_once_and_the_admins_hear() -> None:
    top = request(handler_id=ZHAO.id, tier=3)
    work = work_with(top, now=NOW + 72 * H)

    watched = await deadlines.watch(work, TABLE, BEFORE, AFTER)

    assert work.deadlines.rows[1].handler_id == ZHAO.id
    assert work.deadlines.rows[1].stalled_at == work.now
    assert told(watched.notices) == {
        (Audience.HANDLER, Event.OVERDUE, 3001),
        (Audience.SUPERVISOR, Event.OVERDUE, 3003),
        (Audience.ADMINS, Event.OVERDUE, 0),
    }
    work.now += 24 * H
    assert (await deadlines.watch(work, TABLE, BEFORE, AFTER)).acted == 0  # told once


async def test_a_tick_escalates_a_batch_and_the_next_tick_the_rest() -> None:
    work = work_with(request(1), request(2), request(3), now=NOW + 72 * H)

    first = await deadlines.watch(work, TABLE, BEFORE, AFTER, batch=2)
    second = await deadlines.watch(work, TABLE, BEFORE, AFTER, batch=2)

    assert (first.escalated, second.escalated) == (2, 1)
    assert {r.handler_id for r in work.deadlines.rows.values()} == {LI.id}


async def test_a_closed_request_is_never_reminded_or_escalated() -> None:
    work = work_with(request(status=Status.CLOSED), now=NOW + 10 * 24 * H)
    watched = await deadlines.watch(work, TABLE, BEFORE)
    assert (watched.acted, watched.notices) == (0, ())


# --- the confirm timeout --------------------------------------------------------------


async def test_a_resolved_request_closes_unanswered_after_confirm_within() -> None:
    work = work_with(request(status=Status.RESOLVED))
    work.deadlines.resolved_at[1] = NOW
    within = timedelta(days=7)

    work.now = NOW + within - timedelta(minutes=1)
    assert (await deadlines.close_unconfirmed(work, within)).closed == 0
    work.now = NOW + within
    closed = await deadlines.close_unconfirmed(work, within)

    assert closed.closed == 1
    assert work.deadlines.rows[1].status is Status.CLOSED
    assert work.deadlines.rows[1].outcome is Outcome.TIMEOUT
    assert told(closed.notices) == {
        (Audience.HOUSEHOLD, Event.CLOSED_BY_TIMEOUT, GRANDMA),
        (Audience.HANDLER, Event.CLOSED_BY_TIMEOUT, 3007),
    }
    assert (await deadlines.close_unconfirmed(work, within)).closed == 0  # once


async def test_a_request_still_waiting_for_its_handler_does_not_close() -> None:
    work = work_with(replace(request(), status=Status.ACKNOWLEDGED), now=NOW + 30 * 24 * H)
    assert (await deadlines.close_unconfirmed(work, timedelta(days=7))).closed == 0
    assert work.deadlines.rows[1].status is Status.ACKNOWLEDGED


async def test_the_household_is_reminded_once_a_day_before_the_automatic_close() -> None:
    work = work_with(request(status=Status.RESOLVED))
    work.deadlines.resolved_at[1] = NOW
    within = timedelta(days=7)

    work.now = NOW + within - timedelta(days=1, minutes=1)  # not yet a day before
    assert (await deadlines.close_unconfirmed(work, within)).reminders == ()
    work.now = NOW + within - timedelta(days=1)
    closing = await deadlines.close_unconfirmed(work, within)

    assert [(c.request.id, c.closes_at, c.to) for c in closing.reminders] == [
        (1, NOW + within, (GRANDMA,))
    ]
    assert closing.closed == 0
    assert work.deadlines.rows[1].status is Status.RESOLVED
    work.now += timedelta(hours=12)
    assert (await deadlines.close_unconfirmed(work, within)).reminders == ()  # once


async def test_a_short_confirm_time_is_reminded_of_halfway() -> None:
    work = work_with(request(status=Status.RESOLVED))
    work.deadlines.resolved_at[1] = NOW
    within = timedelta(hours=10)
    work.now = NOW + timedelta(hours=5)
    closing = await deadlines.close_unconfirmed(work, within)
    assert [c.closes_at for c in closing.reminders] == [NOW + within]


async def test_a_request_already_due_to_close_is_closed_not_reminded() -> None:
    work = work_with(request(status=Status.RESOLVED))
    work.deadlines.resolved_at[1] = NOW
    work.now = NOW + timedelta(days=8)
    closing = await deadlines.close_unconfirmed(work, timedelta(days=7))
    assert (closing.closed, closing.reminders) == (1, ())
