"""Confidential complaints over a real database with the sample county: the complaint
goes to the supervisor strictly above the accused, and every read path that lists or
opens requests for a cadre leaves out the ones about that cadre (may_see, /inbox,
/stats' overdue list and workbook rows, the digest, the service-day reminder); the
accused's copies in the outbox are found to withdraw."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from bot.calls import Call
from bot.clock import ManualClock
from bot.domain import confidential
from bot.domain import requests as service
from bot.domain.lifecycle import Event
from bot.domain.requests import Request
from bot.domain.stats import Period
from storage import cadre_views, outbox, schedule, stats
from storage.confidential import Complaints
from storage.db import Database
from storage.requests import Requests
from tests.storage.test_requests import DEADLINES, GRANDMA, VOICE
from tests.storage.test_requests import county as county  # the fixture

LATER = timedelta(days=30)
MARK_SENT = "UPDATE outbox SET status = 'sent', result_message_id = ? WHERE id = ?"


async def complain(db: Database, clock: ManualClock, accused: str) -> Request:
    async with db.transaction() as tx:
        done = await confidential.file_complaint(
            Requests(tx), clock.now(), "H0001", accused, VOICE, DEADLINES, by_user=GRANDMA
        )
    return done.request


async def test_a_complaint_goes_strictly_above_the_accused(
    county: Database, clock: ManualClock
) -> None:
    about_zheng = await complain(county, clock, "K007")  # 柳树村 -> 东坪镇's 孙丽
    about_li = await complain(county, clock, "K004")  # 东坪镇 -> 和平县's 赵建国
    assert (about_zheng.handler_id, about_li.handler_id) == ("K003", "K001")
    async with county.read() as tx:
        assert not await cadre_views.may_see(tx, "K007", about_zheng.id)
        assert await cadre_views.may_see(tx, "K003", about_zheng.id)
        assert not await cadre_views.may_see(tx, "K004", about_li.id)
        assert await cadre_views.may_see(tx, "K007", about_li.id)  # linked, not accused
        assert [line.number for line in await cadre_views.inbox(tx, "K003", 50)] == [
            about_zheng.number
        ]


async def test_lists_and_digests_leave_out_a_complaint_about_the_reader(
    county: Database, clock: ManualClock
) -> None:
    """A complaint about 孙丽 (who supervises 东坪镇), held by 赵建国 (the county); and
    one about 郑小红, whose service-day reminder does not count it."""
    async with county.transaction() as tx:
        store = Requests(tx)
        filed = (await service.file(store, clock.now(), "H0001", VOICE, DEADLINES)).request
        about_sun = replace(filed, accused_id="K003", handler_id="K001", about_cadre=True)
        await store.record(about_sun, clock.now(), Event.HANDED_OVER, "system", {})
    now = clock.now() + LATER
    period = Period(date(2000, 1, 1), date(2100, 1, 1), clock.now() - LATER, now)
    async with county.read() as tx:
        assert [o.number for o in await stats.overdue(tx, "T01", now)] == []
        assert [o.number for o in await stats.overdue(tx, "C01", now)] == [filed.number]
        assert await stats.report_lines(tx, "T01", period, now) == []
        assert len(await stats.report_lines(tx, "C01", period, now)) == 1
        township = await schedule.digest(tx, "T01", clock.now() - LATER, now)
        whole = await schedule.digest(tx, "C01", clock.now() - LATER, now)
        before = await schedule.open_households(tx)
    assert (township.new, township.overdue) == ([], [])
    assert [line.number for line in whole.new] == [filed.number]
    assert "H0001" in [h.id for h in before["K007"]]

    await complain(county, clock, "K007")
    async with county.transaction() as tx:  # the ordinary one closes: only hers is open
        await tx.execute("UPDATE requests SET status = 'closed' WHERE id = ?", (filed.id,))
    async with county.read() as tx:
        after = await schedule.open_households(tx)
    assert "H0001" not in [h.id for h in after.get("K007", [])]
    assert "H0001" in [h.id for h in after["K004"]]


async def test_the_accused_copies_are_found_to_withdraw(
    county: Database, clock: ManualClock
) -> None:
    async with county.transaction() as tx:
        filed = (await service.file(Requests(tx), clock.now(), "H0001", VOICE, DEADLINES)).request
    card = Call(3000, "sendMessage", {"chat_id": 3000, "text": f"诉求 {filed.number}：…"})
    other = Call(3000, "sendMessage", {"chat_id": 3000, "text": "LX-2000-000001"})
    owed = Call(3000, "sendMessage", {"chat_id": 3000, "text": f"补充 {filed.number}"})
    async with county.transaction() as tx:
        await outbox.enqueue(tx, [card, other, owed], clock.now())
        ids = [r[0] for r in await tx.fetchall("SELECT id FROM outbox ORDER BY id")]
        await tx.execute(MARK_SENT, (77, ids[-3]))
        await tx.execute(MARK_SENT, (78, ids[-2]))
        assert await Complaints(tx).withdraw(3000, filed.id, filed.number) == [77]
        statuses = await tx.fetchall("SELECT status FROM outbox ORDER BY id")
    assert [r[0] for r in statuses][-1] == "failed"  # what was still owed is not sent


async def test_copies_are_found_after_the_outbox_forgot_them(
    county: Database, clock: ManualClock
) -> None:
    """A relay that does not name the number, and a card whose outbox row retention
    purged: both are remembered as being about the request, and withdrawn."""
    async with county.transaction() as tx:
        filed = (await service.file(Requests(tx), clock.now(), "H0001", VOICE, DEADLINES)).request
    relay = Call(3000, "copyMessage", {"chat_id": 3000, "message_id": 5}, request_id=filed.id)
    card = Call(3000, "sendMessage", {"chat_id": 3000, "text": "…"}, request_id=filed.id)
    async with county.transaction() as tx:
        await outbox.enqueue(tx, [relay, card], clock.now())
        first, second = [r[0] for r in await tx.fetchall("SELECT id FROM outbox ORDER BY id")][-2:]
    await outbox.mark_sent(county, first, 81, clock.now())
    await outbox.mark_sent(county, second, 82, clock.now())
    async with county.transaction() as tx:
        await tx.execute("DELETE FROM outbox WHERE id = ?", (second,))
        assert await Complaints(tx).withdraw(3000, filed.id, filed.number) == [81, 82]
