"""Telling the reroutes the command line made, as a use case over in-memory fakes: the
new handler, the household and the leaver hear once; a request that moved on since is
only listed; the administrators read one summary with a line per request."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.calls import Priority
from bot.domain.leavers import Reason, Untold
from bot.domain.lifecycle import Event
from bot.domain.requests import Audience
from bot.domain.routing import Route, Why
from bot.i18n import Texts
from bot.services import leavers
from handlers import leavers as views
from handlers.context import View
from tests.services.fakes_deadlines import GRANDMA, LI, NOW, WANG, ZHENG, FakeWork, request

ADMIN = 9001
TO_WANG = Route(WANG.id, 1, Why.CHAIN)


def view() -> View:
    return View(Texts("zh"), ZoneInfo("Asia/Shanghai"), NOW, (ADMIN,), "t0")


def rerouted(work: FakeWork, *rows: Untold) -> None:
    """What ``roster import --prune`` left: the requests moved, the reroutes to tell."""
    for row in rows:
        to = row.route.cadre_id if row.route else ZHENG.id
        work.deadlines.add(request(row.request_id, handler_id=to))
    work.reroutes.rows += rows


async def test_the_new_handler_the_household_and_the_leaver_hear_once() -> None:
    work = FakeWork()
    rerouted(work, Untold(1, 1, ZHENG.id, Reason.REMOVED, TO_WANG))

    told = await leavers.tell_reroutes(work)

    heard = {(n.tell.audience, n.tell.what, n.to) for n in told.notices}
    assert heard == {
        (Audience.HANDLER, Event.REASSIGNED, (3008,)),
        (Audience.HOUSEHOLD, Event.REASSIGNED, (GRANDMA,)),
        (Audience.CADRE, Event.REASSIGNED, (3007,)),
    }
    assert told.told == 1
    again = await leavers.tell_reroutes(work)
    assert (again.told, again.notices, again.lines) == (0, (), ())


async def test_a_request_moved_on_since_is_listed_but_not_told_again() -> None:
    work = FakeWork()
    rerouted(work, Untold(1, 1, ZHENG.id, Reason.UNLINKED, TO_WANG))
    work.deadlines.rows[1] = request(1, handler_id=LI.id, tier=2)  # escalated meanwhile

    told = await leavers.tell_reroutes(work)

    assert told.notices == ()
    assert [line.number for line in told.lines] == ["LX-2031-000001"]


async def test_the_admins_read_one_summary_with_a_line_per_request() -> None:
    work = FakeWork()
    rerouted(
        work,
        Untold(1, 1, ZHENG.id, Reason.REMOVED, TO_WANG),
        Untold(2, 2, ZHENG.id, Reason.UNBOUND, Route(LI.id, 2, Why.UNREACHABLE)),
        Untold(3, 3, "K099", Reason.UNLINKED, None),  # no one at all; K099 left the roster
    )
    work.directory.accounts.pop(LI.id)

    told = await leavers.tell_reroutes(work)
    [summary] = views.summary(view(), told.lines)

    assert (summary.lane, summary.priority) == (ADMIN, Priority.BULK)
    head, *lines = summary.params["text"].split("\n")
    assert "3" in head
    assert lines[0] == "LX-2031-000001（东村王秀英家）：郑小红 → 王磊（已从名册删除）"
    assert "李强" in lines[1]
    assert "13800000004" in lines[1]
    assert "K099" in lines[2]
    assert "LX-2031-000003" in lines[2]
    assert len(lines) == 3
