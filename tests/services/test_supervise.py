"""督办, not moving the work, over in-memory fakes: past a due time the request stays with
its handler, who is urged once (with the case's buttons); the supervisor reads one line
in their digest instead of a message (unless the request is urgent, or notices are
"instant"); only ``deadlines.escalate_after`` moves it up by itself; the configuration
is checked; the digest shows each line's content and stays within Telegram's limit."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.config import ConfigError, load_config
from bot.domain.deadlines import Delivery, ExtendLimits, Supervision
from bot.domain.lifecycle import Event, Status
from bot.domain.requests import Audience
from bot.domain.roster import Rank
from bot.domain.schedule import BoundCadre, Digest, Kind, Line, Noted, Occasion, Rules
from bot.i18n import Texts
from bot.services import deadlines, reminders
from bot.services.reminders import AdminDigest, DigestNote
from handlers import deadlines as views
from handlers import reminders as digest_views
from handlers.context import View
from tests.services.fakes_deadlines import NOW, SUN, TABLE, ZHENG, FakeWork, H, cadre, request
from tests.services.fakes_field import FakeWork as ScheduleWork

ZONE = ZoneInfo("Asia/Shanghai")
BEFORE = 2 * H
ADMIN = 9001
DEFAULT = Supervision()


def work_with(*requests: object, now: datetime = NOW) -> FakeWork:
    work = FakeWork(now=now)
    work.deadlines.add(*requests)  # type: ignore[arg-type]
    return work


def view() -> View:
    return View(Texts("zh"), ZONE, NOW, (ADMIN,), "t0")


async def test_past_the_response_time_it_stays_and_the_handler_is_urged_once() -> None:
    work = work_with(request(), now=NOW + 24 * H + H)

    watched = await deadlines.watch(work, TABLE, BEFORE, DEFAULT)

    now = work.deadlines.rows[1]
    assert (now.handler_id, now.tier) == (ZHENG.id, 1)  # no move up by default
    assert (watched.urged, watched.escalated) == (1, 0)
    [urge] = watched.notices
    assert (urge.tell.audience, urge.tell.what, urge.to) == (
        Audience.HANDLER,
        Event.URGED_BY_SYSTEM,
        (3007,),
    )
    call, *card = views.urged_calls(view(), watched.notices)
    text = call.params["text"]
    assert "LX-2031-000001" in text
    assert "超过受理时限" in text
    assert "2031-03-05 08:00" in text  # since when: the response time missed
    assert "reply_markup" not in call.params  # the buttons stay on the case card…
    assert [c.topic for c in card] == (["card"] if urge.card else [])  # …re-rendered
    [event] = work.deadlines.events
    assert (event.event, event.actor, event.detail["reason"]) == (
        Event.URGED_BY_SYSTEM,
        "system",
        "respond",
    )
    for hours in (1, 24, 24 * 30):  # later sweeps, or after a restart: nothing again
        work.now = NOW + 25 * H + hours * H
        again = await deadlines.watch(work, TABLE, BEFORE, DEFAULT)
        assert again.urged in (0, 1)
        assert all(n.tell.reason != "respond" for n in again.notices)
    assert {r.handler_id for r in work.deadlines.rows.values()} == {ZHENG.id}
    urges = [e.detail["reason"] for e in work.deadlines.events]
    assert urges == ["respond", "resolve"]  # each fact once: the response, the solution


async def test_the_supervisor_gets_a_digest_line_not_a_message() -> None:
    work = work_with(request(), now=NOW + 25 * H)

    watched = await deadlines.watch(work, TABLE, BEFORE, DEFAULT)

    assert all(n.tell.audience is not Audience.SUPERVISOR for n in watched.notices)
    assert work.deadlines.digest_lines == [(SUN.id, 1, "urged_by_system", "respond")]
    assert watched.digested == 1


async def test_an_urgent_request_tells_the_supervisor_at_once_too() -> None:
    urgent = request(urgent=True, respond_by=NOW + H, resolve_by=NOW + 2 * H)
    work = work_with(urgent, now=NOW + H)

    watched = await deadlines.watch(work, TABLE, BEFORE, DEFAULT)

    to = {(n.tell.audience, user) for n in watched.notices for user in n.to}
    assert to == {(Audience.HANDLER, 3007), (Audience.SUPERVISOR, 3003)}
    calls = views.urged_calls(view(), watched.notices)
    [to_sun] = [c for c in calls if c.lane == 3003]
    assert "郑小红" in to_sun.params["text"]
    assert "紧急" in to_sun.params["text"]


async def test_instant_notices_send_the_supervisor_a_message_and_no_line() -> None:
    instant = Supervision(None, Delivery.INSTANT, Delivery.INSTANT)
    work = work_with(request(), now=NOW + 25 * H)

    watched = await deadlines.watch(work, TABLE, BEFORE, instant)

    assert {n.tell.audience for n in watched.notices} == {Audience.HANDLER, Audience.SUPERVISOR}
    assert work.deadlines.digest_lines == []


async def test_the_second_deadline_moves_it_one_tier_up() -> None:
    after = Supervision(escalate_after=48 * H)
    work = work_with(request(), now=NOW + 24 * H)
    await deadlines.watch(work, TABLE, BEFORE, after)  # urged
    work.now = NOW + 72 * H - timedelta(minutes=1)
    assert (await deadlines.watch(work, TABLE, BEFORE, after)).escalated == 0
    work.now = NOW + 72 * H

    watched = await deadlines.watch(work, TABLE, BEFORE, after)

    assert watched.escalated == 1
    assert work.deadlines.rows[1].tier == 2
    assert work.deadlines.events[-1].detail["reason"] == "respond"


async def test_reopened_twice_stays_and_the_supervisor_reads_a_line() -> None:
    twice = request(status=Status.OPEN, reopened=2, first_response_at=NOW)
    work = work_with(twice, now=NOW + H)

    watched = await deadlines.watch(work, TABLE, BEFORE, DEFAULT)

    assert work.deadlines.rows[1].handler_id == ZHENG.id
    assert watched.notices == ()  # the handler heard of the reopen already
    assert work.deadlines.digest_lines == [(SUN.id, 1, "urged_by_system", "reopened")]
    assert (await deadlines.watch(work, TABLE, BEFORE, DEFAULT)).urged == 0


async def test_an_extension_is_a_digest_line_with_its_reason() -> None:
    work = work_with(request(status=Status.ACKNOWLEDGED))
    words = ["LX-2031-000001", "2031-03-20", "等配件"]
    limits = ExtendLimits(normal=30 * 24 * H, urgent=24 * H)

    done = await deadlines.extend(work, cadre(ZHENG), limits, ZONE, words)

    assert done.for_supervisors == ()
    assert work.deadlines.digest_lines == [(SUN.id, 1, "extended", "等配件")]


@pytest.mark.parametrize(
    ("value", "expected"), [("", None), ("0", None), ("48h", 48 * H), ("3d", 72 * H)]
)
def test_escalate_after_is_read_with_empty_and_zero_meaning_never(
    tmp_path: Path, value: str, expected: timedelta | None
) -> None:
    path = tmp_path / "config.toml"
    path.write_text(f'[deadlines]\nescalate_after = "{value}"\n', encoding="utf-8")
    assert load_config(path, {}).deadlines.escalate_after == expected
    assert load_config(None, {}).deadlines.escalate_after is None  # the default: never


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ('[deadlines]\nescalate_after = "2 days"\n', "deadlines.escalate_after:"),
        ('[notices]\nsupervisors = "hourly"\n', "notices.supervisors:"),
        ('[notices]\nadmins = "loud"\n', "notices.admins:"),
    ],
)
def test_a_bad_supervision_setting_stops_start_up_with_one_line(
    tmp_path: Path, text: str, line: str
) -> None:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as stopped:
        load_config(path, {})
    [problem] = stopped.value.problems
    assert line in problem


# --- the digest -----------------------------------------------------------------------

DAY = date(2031, 3, 5)
ROUND = Occasion(
    Kind.DIGEST,
    DAY,
    datetime.combine(DAY, time(8, 0), tzinfo=ZONE),
    datetime.combine(DAY, time(23, 59), tzinfo=ZONE),
)
LINE = Line("LX-2031-000001", "王秀英", "东村", "村口的水管坏了好几天了，一直在漏水")


async def test_the_digest_drains_the_lines_with_their_content_and_admins_get_theirs() -> None:
    work = ScheduleWork(ROUND.starts)
    store = work.schedule
    store.cadres = [BoundCadre(SUN.id, SUN.name, Rank.TOWNSHIP_CADRE, "T01", 3003)]
    store.noted = {
        SUN.id: [Noted(LINE, "urged_by_system", "respond")],
        "*admins": [Noted(LINE, "overdue", "resolve")],
    }
    rules = Rules(ZONE, admins=(ADMIN,))

    found = await reminders.remind(work, rules, ROUND, ZONE)

    assert found is not None
    [note, admin] = found
    assert isinstance(note, DigestNote)
    assert isinstance(admin, AdminDigest)
    text = digest_views.text(Texts("zh"), note)
    assert "LX-2031-000001 东村王秀英家「村口的水管坏了好几天了，…」" in text
    assert "超过受理时限未答复，已催办经办人" in text
    assert admin.chat == ADMIN
    assert "已无上级可上报" in digest_views.text(Texts("zh"), admin)
    assert store.noted == {}  # drained: the next digest does not repeat them


def test_a_long_digest_stays_within_telegrams_limit_and_points_to_stats() -> None:
    many = [Noted(LINE, "urged_by_system", "resolve")] * 400
    note = DigestNote(3003, SUN.id, DAY, Digest([LINE] * 400, [LINE] * 400, [], many))

    text = digest_views.text(Texts("zh"), note)

    assert len(text.encode("utf-16-le")) // 2 <= 4096
    assert "…及其他 380 件，发 /stats" in text


def test_a_digest_of_very_long_lines_is_cut_within_the_limit() -> None:
    long = Line("LX-2031-000001", "王" * 300, "东" * 300, "水")
    many = [Noted(long, "extended", "等" * 200)] * 20
    note = DigestNote(3003, SUN.id, DAY, Digest([], [], [], many))

    text = digest_views.text(Texts("zh"), note)

    assert len(text.encode("utf-16-le")) // 2 <= 4096
    assert "/stats" in text
