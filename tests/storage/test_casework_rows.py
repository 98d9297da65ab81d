"""Repositories the bot reaches through its handlers, over both backends with the sample
county: what is written comes back the same from SQLite and PostgreSQL (the 住夜 rota's
swaps and reminders, announcements, being away and filing for a household, follow-ups
waiting for their relay, uploads and remembered values; a visiting round's on-the-spot
solutions and 回头看; cards and phones; leavers; closing reminders; stays' points)."""

from __future__ import annotations

from datetime import date, timedelta

from bot.clock import ManualClock
from bot.config import Config
from bot.domain import requests as service
from bot.domain.lifecycle import Event
from bot.domain.requests import Content
from bot.domain.rota import Night
from bot.domain.rounds import Draft, Place
from bot.domain.schedule import DayKind
from bot.domain.stays import Point
from bot.domain.talking import Purpose
from storage import cadre_views, codes, conversations, joins, leavers, meta, schedule, stays
from storage.announce import Notices
from storage.confidential import Complaints
from storage.db import Database
from storage.deadlines import Deadlines
from storage.people import People
from storage.pickers import HouseholdPicks
from storage.requests import Requests
from storage.roster_uploads import Uploads
from storage.rota import Rotas
from storage.rounds import Rounds
from tests.sample import card_code, load_sample

DEADLINES = Config().deadlines.table()
MONDAY = date(2026, 11, 16)
TUESDAY = MONDAY + timedelta(days=1)


async def test_a_rota_night_is_swapped_reminded_and_volunteered_for(
    db: Database, clock: ManualClock
) -> None:
    await load_sample(db)
    now = clock.now()
    async with db.transaction() as tx:
        rotas = Rotas(tx)
        nights = [Night(MONDAY, ("K007",)), Night(TUESDAY, ("K008",), frozenset({"K008"}))]
        await rotas.save_week("V01", MONDAY, nights, now)
        monday, tuesday = await rotas.duties("V01", MONDAY, TUESDAY)
        assert (monday.person.id, tuesday.person.id, tuesday.volunteer) == ("K007", "K008", True)
        asked = await rotas.ask_swap(monday.id, "K007", "K008", now)
        swap = await rotas.swap(asked)
        assert swap is not None
        assert (swap.to.name, swap.answer) == ("王磊", None)
        assert await rotas.answer_swap(asked, "accepted", now)
        assert not await rotas.answer_swap(asked, "declined", now)  # pressed twice
        assert await rotas.reassign(monday.id, "K007", "K008")
        assert not await rotas.reassign(monday.id, "K007", "K008")
        moved = await rotas.duty(monday.id)
        assert moved is not None
        assert (moved.person.id, moved.volunteer) == ("K008", False)
        assert await rotas.on_night("V01", MONDAY, "K008")
        assert not await rotas.on_night("V01", MONDAY, "K007")
        assert [d.id for d in await rotas.unreminded(MONDAY)] == [monday.id]
        assert await rotas.mark_reminded(monday.id, now)
        assert not await rotas.mark_reminded(monday.id, now)
        assert await rotas.unreminded(MONDAY) == []
        assert await rotas.next_night("V01", TUESDAY) == TUESDAY
        assert await rotas.next_night("V01", TUESDAY + timedelta(days=1)) is None
        wednesday = TUESDAY + timedelta(days=1)
        await rotas.set_volunteer("K007", wednesday, True, now)
        await rotas.set_volunteer("K007", wednesday, True, now)  # twice: still one
        assert await rotas.volunteered("K007", MONDAY, wednesday) == {wednesday}
        await rotas.set_volunteer("K007", wednesday, False, now)
        assert await rotas.volunteered("K007", MONDAY, wednesday) == set()
    async with db.read() as tx:
        rotas = Rotas(tx)
        assert [r.id for r in await rotas.regions("T01")] == ["T01", "V01", "V02"]
        assert await rotas.region("G011") is None  # a group keeps no rota
        assert [p.id for p in await rotas.colleagues("V01")] == ["K007", "K008"]
        person = await rotas.person("K007")
        assert person is not None
        assert (person.name, person.user_id) == ("郑小红", None)


async def test_an_announcement_is_drafted_published_once_and_reaches_the_members(
    db: Database, clock: ManualClock
) -> None:
    await load_sample(db)
    now = clock.now()
    code = await card_code(db, now, household="H0001")
    async with db.transaction() as tx:
        await People(tx).add_member(501, "H0001", code, now)
        await People(tx).add_member(502, "H0001", code, now)
        notices = Notices(tx)
        await notices.ask("K007", now)
        assert await notices.asked("K007") == now
        await notices.forget_ask("K007")
        assert await notices.asked("K007") is None
        first = await notices.draft("K007", "V01", "周五停水", None, now)
        second = await notices.draft("K007", "V01", "周六开会", "photo-1", now)
        assert await notices.publish(first, 2, now)
        assert not await notices.publish(first, 2, now)  # pressed twice
        assert await notices.cancel(second, now)
        assert not await notices.publish(second, 2, now)
        published = await notices.announcement(first)
        cancelled = await notices.announcement(second)
        assert published is not None
        assert (published.published, published.cancelled) == (
            True,
            False,
        )
        assert cancelled is not None
        assert (cancelled.photo, cancelled.cancelled) == (
            "photo-1",
            True,
        )
        assert await notices.village_of("G011") == "V01"
        assert await notices.region_name("V01") == "柳树村"
        assert [(r.chat, r.household_id) for r in await notices.recipients("V01")] == [
            (501, "H0001"),
            (502, "H0001"),
        ]
        assert await notices.recipients("V02") == []
        assert [c.id for c in await notices.leaders("H0001")] == ["K003"]


async def test_away_filing_talking_and_a_complaint_being_written(
    db: Database, clock: ManualClock
) -> None:
    await load_sample(db)
    now = clock.now()
    code = await card_code(db, now, cadre="K003")
    async with db.transaction() as tx:
        await People(tx).bind_cadre("K003", 903, code, now)
        filed = await service.file(Requests(tx), now, "H0001", Content("路灯坏了"), DEADLINES)
        request_id = filed.request.id
        until = now + timedelta(days=3)
        await cadre_views.set_away(tx, "K007", until)
        assert await cadre_views.away_until(tx, "K007") == until
        assert await cadre_views.nearest_supervisor_users(tx, "K007") == [903]
        assert await cadre_views.nearest_supervisor_users(tx, "K003") == []  # none above
        assert await cadre_views.clear_away(tx, "K007")
        assert not await cadre_views.clear_away(tx, "K007")
        await cadre_views.start_filing(tx, 907, "K007", "H0002", now)
        assert await cadre_views.filing_for(tx, 907, "K007") == "H0002"
        assert await cadre_views.filing_for(tx, 907, "K008") is None
        await cadre_views.stop_filing(tx, 907)
        assert await cadre_views.filing_for(tx, 907, "K007") is None
        number = filed.request.number
        assert await cadre_views.request_id_by_number(tx, f" {number.lower()} ") == request_id
        await conversations.set_(tx, 501, request_id, Purpose.TALKING, now)
        talk = await conversations.get(tx, 501)
        assert talk is not None
        assert (talk.request_id, talk.purpose) == (
            request_id,
            Purpose.TALKING,
        )
        await conversations.clear(tx, 501)
        assert await conversations.get(tx, 501) is None
        complaints = Complaints(tx)
        await complaints.ask(501, "H0001", "K007", now)
        assert await complaints.asked(501) == ("H0001", "K007", now)
        await complaints.clear(501)
        assert await complaints.asked(501) is None


async def test_follow_ups_wait_for_their_relay_and_a_flood_is_counted(
    db: Database, clock: ManualClock
) -> None:
    await load_sample(db)
    now = clock.now()
    async with db.transaction() as tx:
        filed = await service.file(Requests(tx), now, "H0001", Content("院墙裂了"), DEADLINES)
        request_id = filed.request.id
        assert not await joins.any_waiting(tx)
        first = await joins.add(tx, request_id, 501, Content("还有一张照片"), now)
        second = await joins.add(tx, request_id, 501, Content(media="photo", file_id="p"), now)
        assert await joins.any_waiting(tx)
        assert await joins.requests_waiting(tx, 10) == [request_id]
        waiting = await joins.waiting(tx, request_id, 10)
        assert [(j.id, j.content.media) for j in waiting] == [(first, None), (second, "photo")]
        await joins.relayed(tx, request_id, first)
        assert [j.id for j in await joins.waiting(tx, request_id, 10)] == [second]
        assert await joins.lane_backlog(tx, 501) == 0
        window = timedelta(minutes=10)
        assert await joins.count_message(tx, 501, now, window) == 1
        assert await joins.count_message(tx, 501, now + timedelta(minutes=1), window) == 2
        assert await joins.count_message(tx, 501, now + window, window) == 1  # a new window


async def test_an_upload_moves_once_and_a_value_is_remembered(
    db: Database, clock: ManualClock
) -> None:
    now = clock.now()
    async with db.transaction() as tx:
        uploads = Uploads(tx)
        added = await uploads.add("tok1", 42, "file-1", "花名册.xlsx", "xlsx", now)
        assert (added.user_id, added.state, added.received_at) == (42, "checking", now)
        assert await uploads.move("tok1", "checking", "ready")
        assert not await uploads.move("tok1", "checking", "ready")  # two presses, one move
        found = await uploads.get("tok1")
        assert found is not None
        assert found.state == "ready"
        assert await uploads.get("tok2") is None
        assert await meta.get(tx, meta.BOT_USERNAME) is None
        await meta.put(tx, meta.BOT_USERNAME, "lianxin_bot")
        await meta.put(tx, meta.BOT_USERNAME, "heping_bot")
        assert await meta.get(tx, meta.BOT_USERNAME) == "heping_bot"


async def test_a_round_s_on_the_spot_solution_and_its_revisit(
    db: Database, clock: ManualClock
) -> None:
    await load_sample(db)
    now = clock.now()
    later = now + timedelta(days=1)
    async with db.transaction() as tx:
        store = Rounds(tx)
        draft = Draft("K003", Place("V01", "柳树村"), ("K007", "K008"))
        await store.set_draft(903, draft, now)
        assert await store.draft(903) == draft
        await store.drop_draft(903)
        assert await store.draft(903) is None
        round_id = await store.start(draft, now, later.date())
        assert await store.in_round(round_id, "H0003")
        assert not await store.in_round(round_id, "H0005")
        assert [r.id for r in await store.rounds_in("T01", now.date(), later)] == [round_id]
        assert await store.rounds_in("T02", now.date(), later) == []
        filed = await service.file(
            Requests(tx), now, "H0001", Content("水管漏了"), DEADLINES, by_cadre="K007"
        )
        request_id = filed.request.id
        await store.add_on_spot(request_id, round_id, "K007", now)
        assert await store.on_spot(request_id) == (round_id, "K007", False)
        await store.confirm_on_spot(request_id, "villager:501", now)
        assert await store.on_spot(request_id) == (round_id, "K007", True)
        found = await store.findings(round_id, now, later)
        assert [(f.number, f.on_spot, f.confirmed) for f in found] == [
            (filed.request.number, True, True)
        ]
        assert [c.id for c in await store.cadres_in("V01")] == ["K007", "K008"]
        assert await store.household_count("V01") == 4
        assert [h for h, _ in await store.households_in("G012")] == ["H0003", "H0004"]
        meeting_id = await store.add_meeting("V01", "K007", now, "水管", 12, ["换管"])
        await store.decision_filed(meeting_id, 1, request_id)
        assert await store.decision(meeting_id, 1) == ("换管", request_id, "K007", "V01")
        revisit_id = await store.add_revisit(request_id, "K003", now, later.date())
        opened = await store.open_revisit(request_id)
        assert opened is not None
        assert (opened.id, opened.due_on, opened.done) == (revisit_id, later.date(), False)
        await store.finish_revisit(revisit_id, now, "again", "还是漏")
        assert await store.open_revisit(request_id) is None
        done = await store.revisit(revisit_id)
        assert done is not None
        assert done.done
        assert await store.revisits_in("V01", now, later, later.date()) == (1, 1, 1, 0)
        assert await store.place("V02") == Place("V02", "石桥村")


async def test_cards_phones_leavers_and_closing_reminders(
    db: Database, clock: ManualClock
) -> None:
    await load_sample(db)
    now = clock.now()
    code = await card_code(db, now, household="H0002")
    async with db.transaction() as tx:
        await People(tx).add_member(501, "H0002", code, now)
        await People(tx).focus(501, "H0002")
        assert await codes.member_since(tx, 501, "H0002") is not None
        assert await codes.unbind_member(tx, 501, "H0002")
        assert not await codes.unbind_member(tx, 501, "H0002")
        assert await codes.member_since(tx, 501, "H0002") is None
        assert await People(tx).focused(501) is None
        assert await codes.region_exists(tx, "V01")
        assert not await codes.region_exists(tx, "V09")
        place = await codes.CardStore(tx, now).place("V01")
        assert place is not None
        assert (place.name, place.households) == ("柳树村", 4)
        filed = await service.file(Requests(tx), now, "H0001", Content("路灯"), DEADLINES)
        request = filed.request
        await service.act(Requests(tx), now, request.id, "K007", Event.RESOLVED)
        assert await Requests(tx).by_number(f" {request.number.lower()} ") is not None
        deadlines = Deadlines(tx)
        assert await deadlines.resolved_before(now, 10) == [request.id]
        assert await deadlines.resolved_before(now - timedelta(seconds=1), 10) == []
        soon = await deadlines.closing_soon(now, now - timedelta(days=1), 10)
        assert soon == [(request.id, now)]
        assert await deadlines.mark_close_reminded(request.id, now, now)
        assert not await deadlines.mark_close_reminded(request.id, now, now)
        assert await deadlines.closing_soon(now, now - timedelta(days=1), 10) == []
        assert await leavers.household_has_history(tx, "H0001")
        assert not await leavers.household_has_history(tx, "H0004")
        await leavers.retire_household(tx, "H0001", now)
        assert [h.household.id for h in await HouseholdPicks(tx).linked_households("K007")] == [
            "H0002"
        ]
        assert await leavers.regions_to_keep(tx, {"G011", "V01"}) == {"G011", "V01"}
        await leavers.retire_region(tx, "V04", now)
        assert await codes.region_exists(tx, "V03")
        assert not await codes.region_exists(tx, "V04")


async def test_a_stay_s_points_come_back_in_order(db: Database, clock: ManualClock) -> None:
    await load_sample(db)
    now = clock.now()
    async with db.transaction() as tx:
        day_id = await schedule.log_day(tx, "K007", DayKind.STAY, now.date(), now, None, "")
        visit = await schedule.log_day(tx, "K007", DayKind.VISIT, now.date(), now, "H0001", "")
        assert visit > day_id
        assert await stays.visit_unplaced_since(tx, "K007", now)
        assert not await stays.visit_unplaced_since(tx, "K007", now + timedelta(seconds=1))
        evening = Point(now, 25.03, 102.71, live=True)
        morning = Point(now + timedelta(hours=10), 25.04, 102.72)
        await stays.add_point(tx, day_id, morning, inside=False, message_id=None)
        await stays.add_point(tx, day_id, evening, inside=True, message_id=77)
        assert await stays.points(tx, day_id) == [evening, morning]
