"""Due times as pure rules: by category and urgency, the reminder moment, the overdue
facts and the second deadline, and the date of an extension (month ends and leap days
included)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.config import ConfigError, DeadlinesConfig, load_config
from bot.domain.deadlines import (
    BadDate,
    Due,
    Missed,
    end_of_day,
    escalation_due,
    missed,
    remind_at,
    to_remind,
)
from bot.domain.lifecycle import Category, Status
from bot.domain.requests import Request

SHANGHAI = ZoneInfo("Asia/Shanghai")
FILED = datetime(2026, 1, 31, 14, 0, tzinfo=UTC)  # 22:00 on 31 January in Shanghai
TABLE = DeadlinesConfig().table()
H, D = timedelta(hours=1), timedelta(days=1)


def request(**changes: object) -> Request:
    respond_by, resolve_by = TABLE.due_times(FILED, Category.OTHER, urgent=False)
    base = Request(
        id=1,
        number="LX-2026-000001",
        household_id="H0001",
        category=Category.OTHER,
        urgent=False,
        about_cadre=False,
        status=Status.OPEN,
        handler_id="K007",
        tier=1,
        filed_at=FILED,
        respond_by=respond_by,
        resolve_by=resolve_by,
        due_from=FILED,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("category", "resolve"),
    [
        (Category.ROAD, 24 * H),
        (Category.WATER, 24 * H),
        (Category.POWER, 24 * H),
        (Category.HEALTH, 7 * D),
        (Category.POLICY, 7 * D),
        (Category.OTHER, 7 * D),
        (Category.HOUSING, 15 * D),
        (Category.DISPUTE, 15 * D),
    ],
)
def test_the_default_due_times_follow_the_category(category: Category, resolve: timedelta) -> None:
    respond_by, resolve_by = TABLE.due_times(FILED, category, urgent=False)
    assert resolve_by == FILED + resolve
    assert respond_by == FILED + 24 * H


def test_an_urgent_matter_is_due_within_two_hours_whatever_its_category() -> None:
    for category in Category:
        assert TABLE.due_times(FILED, category, urgent=True) == (FILED + 2 * H, FILED + 2 * H)


def test_configured_durations_replace_the_defaults_and_keep_the_rest() -> None:
    table = DeadlinesConfig.model_validate(
        {"acknowledge": "3s", "urgent": "1m", "resolve": {"water": "10s"}}
    ).table()
    start = FILED
    assert table.due_times(start, Category.WATER, urgent=False) == (
        start + timedelta(seconds=3),
        start + timedelta(seconds=10),
    )
    assert table.due_times(start, Category.DISPUTE, urgent=False)[1] == start + 15 * D
    # The response is never due after the solution.
    short = DeadlinesConfig.model_validate({"resolve": {"road": "1h"}}).table()
    assert short.due_times(start, Category.ROAD, urgent=False) == (start + H, start + H)


def test_due_times_cross_month_ends_and_leap_days_by_the_clock() -> None:
    leap = datetime(2028, 2, 28, 20, 0, tzinfo=SHANGHAI)
    assert TABLE.due_times(leap, Category.ROAD, urgent=False)[1].day == 29
    _, housing = TABLE.due_times(FILED, Category.HOUSING, urgent=False)
    assert housing.astimezone(SHANGHAI) == datetime(2026, 2, 15, 22, 0, tzinfo=SHANGHAI)


def test_a_reminder_comes_before_the_due_time_or_halfway_to_a_short_one() -> None:
    due = FILED + 7 * D
    assert remind_at(due, FILED, 2 * H) == due - 2 * H
    assert remind_at(FILED + 2 * H, FILED, 2 * H) == FILED + H
    assert remind_at(FILED + timedelta(seconds=4), FILED, 2 * H) == FILED + timedelta(seconds=2)


def test_what_to_remind_of_now() -> None:
    fresh = request()
    assert to_remind(fresh, FILED + H, 2 * H) == []
    near_response = FILED + 23 * H
    assert to_remind(fresh, near_response, 2 * H) == [(Due.RESPOND, fresh.respond_by)]
    answered = replace(fresh, first_response_at=FILED + H, status=Status.ACKNOWLEDGED)
    assert to_remind(answered, near_response, 2 * H) == []
    assert to_remind(answered, fresh.resolve_by - H, 2 * H) == [(Due.RESOLVE, fresh.resolve_by)]
    # Past the due time a reminder no longer matters; a resolved request has none.
    assert to_remind(answered, fresh.resolve_by, 2 * H) == []
    done = replace(answered, status=Status.RESOLVED)
    assert to_remind(done, fresh.resolve_by - H, 2 * H) == []


def test_missed_facts_are_the_due_times_passed_and_two_reopens() -> None:
    fresh = request()
    assert missed(fresh, FILED + H) == []
    assert missed(fresh, fresh.respond_by) == [Missed(Due.RESPOND, fresh.respond_by)]
    answered = replace(fresh, first_response_at=FILED + H, status=Status.ACKNOWLEDGED)
    assert missed(answered, fresh.respond_by) == []
    assert missed(answered, fresh.resolve_by) == [Missed(Due.RESOLVE, fresh.resolve_by)]
    once = replace(answered, status=Status.OPEN, reopened=1)
    assert missed(once, FILED + 2 * H) == []
    twice = replace(once, reopened=2)
    assert missed(twice, FILED + 2 * H) == [Missed(Due.REOPENED, reopens=2)]
    assert missed(replace(twice, reopen_escalated=2), FILED + 2 * H) == []
    # Stalled at the top of the chain: the sweep leaves it alone.
    assert missed(replace(fresh, stalled_at=FILED), fresh.resolve_by) == []
    assert missed(replace(fresh, status=Status.RESOLVED), fresh.resolve_by) == []


def test_the_second_deadline_is_off_by_default_and_counts_from_the_missed_due_time() -> None:
    fresh = request()
    years_later = fresh.resolve_by + 1000 * 24 * H
    assert escalation_due(fresh, years_later, None, None) is None  # never, unless set
    after = 48 * H
    assert escalation_due(fresh, fresh.respond_by + after - H, after, None) is None
    assert escalation_due(fresh, fresh.respond_by + after, after, None) is Due.RESPOND
    twice = replace(fresh, first_response_at=FILED, reopened=2, resolve_by=years_later)
    assert escalation_due(twice, FILED + 3 * H, after, None) is None  # not yet urged
    assert escalation_due(twice, FILED + 50 * H, after, FILED + H) is Due.REOPENED
    assert escalation_due(replace(fresh, stalled_at=FILED), years_later, after, None) is None


def test_an_extension_date_is_the_end_of_that_local_day() -> None:
    assert end_of_day("2026-12-05", SHANGHAI) == datetime(2026, 12, 5, 23, 59, tzinfo=SHANGHAI)
    assert end_of_day("2028-02-29", SHANGHAI).day == 29
    for wrong in ("2026-02-30", "tomorrow", "05.12.2026"):
        with pytest.raises(BadDate):
            end_of_day(wrong, SHANGHAI)


def test_configuration_mistakes_are_one_clear_line_each(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        '[requests]\nresolve_within = "7d"\n'
        '[deadlines]\nurgent = "0s"\n[deadlines.resolve]\nroads = "1d"\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as refused:
        load_config(path, environ={})
    problems = [p.removeprefix(f"{path}: ") for p in refused.value.problems]
    assert problems == [
        "requests: resolve_within moved to [deadlines]: acknowledge, urgent, and "
        "[deadlines.resolve] with one duration per category",
        "deadlines.urgent: must be longer than 0s",
        "deadlines.resolve: unknown category 'roads'; the categories are dispute, health, "
        "housing, other, policy, power, road, water",
    ]
