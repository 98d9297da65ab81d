"""The definitions of the supervisors' figures, on rows made by hand (through the Python
reference, tests/reference_stats.py, that the SQL is checked against): each cohort, the
rates, timeout never satisfied, overdue, medians and nearest-rank 90th percentiles; the
periods one may ask for."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain import stats
from bot.domain.province import combined
from bot.domain.stats import Place
from tests import reference_stats as reference
from tests.reference_stats import RequestRow

ZONE = ZoneInfo("Asia/Shanghai")
NOV = stats.days(date(2026, 11, 1), date(2026, 11, 30), ZONE)
NOW = datetime(2026, 11, 20, tzinfo=UTC)
H = timedelta(hours=1)


def row(n: int, filed: datetime, **changes: object) -> RequestRow:
    base: dict[str, object] = {
        "id": n,
        "number": f"LX-2026-{n:06d}",
        "household_id": "H0001",
        "region_id": "G011",
        "handler_id": "K007",
        "category": "water",
        "status": "open",
        "filed_at": filed,
        "respond_by": filed + 24 * H,
        "resolve_by": filed + 7 * 24 * H,
    }
    base.update(changes)
    return RequestRow(**base)  # type: ignore[arg-type]


def test_periods_in_the_local_zone() -> None:
    now = datetime(2026, 11, 18, 20, tzinfo=UTC)  # 19 November 04:00 in Shanghai
    today = stats.period(["today"], now, ZONE)
    assert (today.first, today.last) == (date(2026, 11, 19), date(2026, 11, 19))
    assert today.start == datetime(2026, 11, 18, 16, tzinfo=UTC)
    week = stats.period(["week"], now, ZONE)
    assert (week.first, week.last) == (date(2026, 11, 16), date(2026, 11, 19))
    month = stats.period([], now, ZONE)
    assert (month.first, month.last) == (date(2026, 11, 1), date(2026, 11, 19))
    last = stats.period(["上月"], now, ZONE)
    assert (last.first, last.last) == (date(2026, 10, 1), date(2026, 10, 31))
    dates = stats.period(["2026-01-01", "2026-01-31"], now, ZONE)
    assert dates.end == datetime(2026, 1, 31, 16, tzinfo=UTC)
    assert stats.month_of(date(2026, 2, 10), ZONE).last == date(2026, 2, 28)
    for bad in (["yesterday"], ["2026-02-01", "2026-01-01"], ["2026-13-01", "2026-12-01"]):
        with pytest.raises(stats.BadPeriod):
            stats.period(bad, now, ZONE)


def test_every_figure_of_a_known_set_of_rows() -> None:
    d = datetime(2026, 11, 2, 2, tzinfo=UTC)
    rows = [
        # answered in 2 h, resolved after 30 h, confirmed satisfied
        row(
            1,
            d,
            status="closed",
            first_response_at=d + 2 * H,
            resolved_at=d + 30 * H,
            closed_at=d + 40 * H,
            outcome="satisfied",
        ),
        # answered late (30 h), reopened, resolved again at 200 h (late), partly
        row(
            2,
            d,
            status="closed",
            first_response_at=d + 30 * H,
            resolved_at=d + 200 * H,
            closed_at=d + 210 * H,
            outcome="partly",
            reopened=1,
            escalations=2,
        ),
        # answered in 1 h, explained, closed by timeout: not a rating, never satisfied
        row(
            3,
            d,
            status="closed",
            first_response_at=d + H,
            resolved_at=d + 5 * H,
            closed_at=d + 100 * H,
            outcome="timeout",
            explained=True,
        ),
        # never answered, past its resolution due time: overdue
        row(4, d),
        # filed in October, due on 3 November, still acknowledged: in the due cohort only
        row(
            5,
            datetime(2026, 10, 27, tzinfo=UTC),
            status="acknowledged",
            first_response_at=datetime(2026, 10, 27, 1, tzinfo=UTC),
        ),
        # filed 18 November, due after now: not yet in the due cohort
        row(
            6,
            datetime(2026, 11, 18, tzinfo=UTC),
            status="resolved",
            first_response_at=datetime(2026, 11, 18, 3, tzinfo=UTC),
            resolved_at=datetime(2026, 11, 18, 4, tzinfo=UTC),
        ),
    ]
    f = reference.figures(rows, NOV, NOW)
    assert (f.filed, f.open, f.overdue) == (5, 2, 2)  # 1, 2, 3, 4, 6; open 4, 6; late 2, 4
    assert (f.escalated, f.explained, f.reopened) == (1, 1, 1)
    assert (f.responded_in_time, f.response_rate) == (3, 3 / 5)
    assert (f.due, f.solved_of_due, f.resolution_rate) == (5, 2, 2 / 5)  # 1-5
    assert (f.satisfied, f.partly, f.by_timeout, f.rated) == (1, 1, 1, 2)
    assert f.satisfaction_rate == 1 / 2
    assert sorted(f.first_response) == [3600, 7200, 3 * 3600, 30 * 3600]
    assert f.first_response_median == 2.5 * 3600
    assert f.first_response_p90 == 30 * 3600
    assert sorted(f.resolution) == [30 * 3600, 200 * 3600]
    assert f.resolution_median == 115 * 3600
    assert f.resolution_p90 == 200 * 3600


def test_no_rows_gives_no_rates() -> None:
    f = reference.figures([], NOV, NOW)
    assert f.filed == 0
    assert f.response_rate is None
    assert f.satisfaction_rate is None
    assert f.first_response_median is None
    assert stats.p90([5.0]) == 5.0
    assert stats.p90([float(n) for n in range(1, 11)]) == 9.0
    assert stats.p90([float(n) for n in range(1, 12)]) == 10.0


def test_breakdowns_by_place_and_the_chart_series() -> None:
    places = {
        "C01": Place("C01", "和平县", "county", None),
        "T01": Place("T01", "东坪镇", "township", "C01"),
        "V01": Place("V01", "柳树村", "village", "T01"),
        "G011": Place("G011", "一组", "group", "V01"),
    }
    assert reference.ancestor("G011", "village", places) == "V01"
    assert reference.ancestor("G011", "township", places) == "T01"
    assert reference.ancestor("C01", "village", places) == "C01"
    d = datetime(2026, 11, 2, 2, tzinfo=UTC)
    rows = [row(1, d, first_response_at=d + H), row(2, d, category="road"), row(3, d + 24 * H)]
    table = reference.breakdown(rows, NOV, NOW, lambda r: r.category)
    assert {k: v.filed for k, v in table.items()} == {"road": 1, "water": 2}
    days = reference.per_day(rows, NOV, ZONE)
    assert len(days) == 30
    assert (days[1].filed, days[1].first_response_median) == (2, 3600.0)
    assert (days[2].filed, days[2].first_response_median) == (1, None)
    ranked = stats.ranking(reference.breakdown(rows, NOV, NOW, lambda r: r.number))
    assert ranked[0][0] == "LX-2026-000001"  # the only one answered in time


def test_the_chart_is_a_png_of_a_sensible_size() -> None:
    import struct

    from bot.charts import Labels, requests_chart

    d = datetime(2026, 11, 2, 2, tzinfo=UTC)
    rows = [row(n, d + n * 7 * H, first_response_at=d + n * 7 * H + n * H) for n in range(40)]
    labels = Labels(
        "东坪镇 2026-11-01 至 2026-11-30", "每天登记（件）", "首次答复（小时）", "日期"
    )
    png = requests_chart(reference.per_day(rows, NOV, ZONE), labels)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = struct.unpack(">II", png[16:24])
    assert (width, height) == (960, 540)
    assert 10_000 < len(png) < 500_000


BOUNDS = stats.Bounds(earliest=date(2000, 1, 1), max_days=366)


@pytest.mark.parametrize(
    ("words", "days"),
    [
        (["2000-01-01", "2026-11-19"], 9_820),
        (["2025-01-01", "2026-11-19"], 688),
        (["2025-11-18", "2026-11-19"], 367),
    ],
)
def test_a_period_longer_than_allowed_is_refused(words: list[str], days: int) -> None:
    now = datetime(2026, 11, 19, 4, tzinfo=UTC)
    with pytest.raises(stats.PeriodTooLong) as refused:
        stats.period(words, now, ZONE, BOUNDS)
    assert (refused.value.days, refused.value.max_days) == (days, 366)


@pytest.mark.parametrize(
    "words",
    [
        ["1900-01-01", "2100-12-31"],  # froze every villager for 48 s
        ["0100-01-01", "0100-01-02"],  # held the database for 504 s
        ["0001-01-01", "0001-01-01"],  # not even an instant east of UTC
        ["1999-12-31", "2000-01-01"],
        ["9999-12-30", "9999-12-31"],
        ["2027-11-20", "2027-11-21"],  # more than 366 days ahead
    ],
)
def test_dates_before_2000_or_far_ahead_are_refused(words: list[str]) -> None:
    now = datetime(2026, 11, 19, 4, tzinfo=UTC)
    with pytest.raises(stats.PeriodOutOfRange) as refused:
        stats.period(words, now, ZONE, BOUNDS)
    assert refused.value.earliest == date(2000, 1, 1)
    assert refused.value.latest == date(2027, 11, 20)


def test_the_widest_allowed_period_and_named_ones_pass() -> None:
    now = datetime(2026, 11, 19, 4, tzinfo=UTC)
    year = stats.period(["2025-11-19", "2026-11-19"], now, ZONE, BOUNDS)
    assert len(year.days()) == 366
    assert stats.period(["2000-01-01", "2000-01-01"], now, ZONE, BOUNDS).first.year == 2000
    assert stats.period(["lastmonth"], now, ZONE, BOUNDS).last == date(2026, 10, 31)
    with pytest.raises(stats.PeriodTooLong):  # a named period is held to the bounds too
        stats.period(["month"], now, ZONE, stats.Bounds(max_days=7))


@pytest.mark.parametrize(
    "argument",
    ["1900-01-01.2100-12-31", "0100-01-01.0100-01-02", "2026-11-01", "²", "2026-11-30.2026-11-01"],
)
def test_a_forged_button_period_is_held_to_the_same_bounds(argument: str) -> None:
    now = datetime(2026, 11, 19, 4, tzinfo=UTC)
    with pytest.raises(stats.BadPeriod):
        stats.span(argument, now, ZONE, BOUNDS)
    assert stats.span("2026-11-01.2026-11-19", now, ZONE, BOUNDS).last == date(2026, 11, 19)


def test_condensed_figures_keep_what_is_shown_and_cannot_be_pooled() -> None:
    whole = stats.Figures(
        filed=5, first_response=(60.0, 120.0, 180.0, 7200.0), resolution=(3600.0,)
    )
    kept = whole.condensed()
    assert (kept.filed, kept.first_response, kept.resolution) == (5, (), ())
    assert (kept.first_response_median, kept.first_response_p90) == (150.0, 7200.0)
    assert (kept.resolution_median, kept.resolution_p90) == (3600.0, 3600.0)
    assert stats.Figures().condensed().first_response_median is None
    with pytest.raises(ValueError, match="no durations left to pool"):
        combined([whole, kept])
