"""A simulated month of the sample county's townships (``benchmarks.township_month``): 300
requests over 30 days, a third ignored by their handlers. 督办 keeps the work where it
is: the county leader holds no request nobody moved up, no supervisor gets more than one
unsolicited message a day per 20 requests of their jurisdiction, and every ignored
request past its due time is urged to its handler. With ``deadlines.escalate_after``
set, the same month does move work up past the second deadline.

The sweeps run in this process over a real SQLite database, an hour of ManualClock at a
time, as the bot runs them (``run_tick``, ``schedules.sweep``); the messages are counted
from the outbox. Marked slow with the rest of this folder."""

from __future__ import annotations

from pathlib import Path

from benchmarks.township_month import Month, simulate


async def test_a_month_of_supervision_moves_no_work_up_and_keeps_supervisors_quiet(
    tmp_path: Path,
) -> None:
    month: Month = await simulate(tmp_path, requests=300, days=30)

    assert month.requests == 300
    assert month.escalations == 0
    assert month.county_leader == 0
    assert all(tier == 1 for tier, _, _, _ in month.handled)
    for cadre_id, days in month.per_day.items():
        assert max(days.values()) <= month.allowed(cadre_id), cadre_id
    # Ignored requests are urged (a few filed in the last day are not overdue yet).
    assert month.urged_ignored >= month.ignored - 5
    assert month.urges >= month.urged_ignored


async def test_with_escalate_after_the_same_month_moves_work_up_past_the_second_deadline(
    tmp_path: Path,
) -> None:
    month = await simulate(tmp_path, requests=60, days=10, escalate_after="48h")

    assert month.escalations > 0
    assert any(tier > 1 for tier, _, _, _ in month.handled)
