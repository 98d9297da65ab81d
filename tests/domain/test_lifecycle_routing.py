"""The lifecycle table and routing, as pure functions: every transition allowed or
refused, and who handles a new request in each situation of the chain."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.lifecycle import TRANSITIONS, Event, InvalidTransition, Status, next_status
from bot.domain.routing import Candidate, Route, Why, route

NOW = datetime(2026, 5, 15, 9, 0, tzinfo=UTC)
LATER = NOW + timedelta(days=3)

ALLOWED = {
    (Status.OPEN, Event.MESSAGE): Status.OPEN,
    (Status.ACKNOWLEDGED, Event.MESSAGE): Status.ACKNOWLEDGED,
    (Status.RESOLVED, Event.MESSAGE): Status.RESOLVED,
    (Status.OPEN, Event.MARKED): Status.OPEN,
    (Status.ACKNOWLEDGED, Event.MARKED): Status.ACKNOWLEDGED,
    (Status.RESOLVED, Event.MARKED): Status.RESOLVED,
    (Status.OPEN, Event.ACKNOWLEDGED): Status.ACKNOWLEDGED,
    (Status.OPEN, Event.REPLIED): Status.ACKNOWLEDGED,
    (Status.ACKNOWLEDGED, Event.REPLIED): Status.ACKNOWLEDGED,
    (Status.OPEN, Event.HANDED_OVER): Status.OPEN,
    (Status.ACKNOWLEDGED, Event.HANDED_OVER): Status.ACKNOWLEDGED,
    (Status.OPEN, Event.ESCALATED): Status.OPEN,
    (Status.ACKNOWLEDGED, Event.ESCALATED): Status.ACKNOWLEDGED,
    (Status.OPEN, Event.RESOLVED): Status.RESOLVED,
    (Status.ACKNOWLEDGED, Event.RESOLVED): Status.RESOLVED,
    (Status.OPEN, Event.EXPLAINED): Status.RESOLVED,
    (Status.ACKNOWLEDGED, Event.EXPLAINED): Status.RESOLVED,
    (Status.RESOLVED, Event.CONFIRMED): Status.CLOSED,
    (Status.RESOLVED, Event.REOPENED): Status.OPEN,
    (Status.RESOLVED, Event.CLOSED_BY_TIMEOUT): Status.CLOSED,
    (Status.OPEN, Event.EXTENDED): Status.OPEN,
    (Status.ACKNOWLEDGED, Event.EXTENDED): Status.ACKNOWLEDGED,
    (Status.OPEN, Event.OVERDUE): Status.OPEN,
    (Status.ACKNOWLEDGED, Event.OVERDUE): Status.ACKNOWLEDGED,
    (Status.OPEN, Event.URGED_BY_SYSTEM): Status.OPEN,  # 督办: the request stays as it is
    (Status.ACKNOWLEDGED, Event.URGED_BY_SYSTEM): Status.ACKNOWLEDGED,
    (Status.OPEN, Event.REASSIGNED): Status.OPEN,  # its handler left: to the next one
    (Status.ACKNOWLEDGED, Event.REASSIGNED): Status.ACKNOWLEDGED,
    (Status.RESOLVED, Event.REASSIGNED): Status.RESOLVED,
    (Status.OPEN, Event.WITHDRAWN): Status.CLOSED,  # 撤回, before it is resolved
    (Status.ACKNOWLEDGED, Event.WITHDRAWN): Status.CLOSED,
    # 督办 while the case is worked on: 催办, 包案, 交办 change who or what, not the status.
    (Status.OPEN, Event.URGED): Status.OPEN,
    (Status.ACKNOWLEDGED, Event.URGED): Status.ACKNOWLEDGED,
    (Status.OPEN, Event.TAKEN): Status.OPEN,
    (Status.ACKNOWLEDGED, Event.TAKEN): Status.ACKNOWLEDGED,
    (Status.OPEN, Event.ASSIGNED): Status.OPEN,
    (Status.ACKNOWLEDGED, Event.ASSIGNED): Status.ACKNOWLEDGED,
    (Status.OPEN, Event.SPLIT): Status.OPEN,  # 另起一件事: a follow-up moved out
    (Status.ACKNOWLEDGED, Event.SPLIT): Status.ACKNOWLEDGED,
    (Status.RESOLVED, Event.SPLIT): Status.RESOLVED,
}
EVERY = [(status, event) for status in Status for event in Event]


@pytest.mark.parametrize(("status", "event"), list(ALLOWED))
def test_an_allowed_transition_leads_where_the_table_says(status: Status, event: Event) -> None:
    assert next_status(status, event) is ALLOWED[(status, event)]


@pytest.mark.parametrize(("status", "event"), [p for p in EVERY if p not in ALLOWED])
def test_every_other_transition_is_refused(status: Status, event: Event) -> None:
    with pytest.raises(InvalidTransition) as refused:
        next_status(status, event)
    assert (refused.value.status, refused.value.event) == (status, event)


def test_the_table_is_exactly_the_allowed_list() -> None:
    assert TRANSITIONS == ALLOWED


def test_a_closed_request_accepts_nothing() -> None:
    for event in Event:
        with pytest.raises(InvalidTransition):
            next_status(Status.CLOSED, event)


def test_resolving_twice_is_refused_the_second_time() -> None:
    resolved = next_status(Status.ACKNOWLEDGED, Event.RESOLVED)
    with pytest.raises(InvalidTransition):
        next_status(resolved, Event.RESOLVED)


# --- routing --------------------------------------------------------------------------


def cadre(
    cadre_id: str,
    tier: int,
    *,
    bound: bool = True,
    away: datetime | None = None,
    backup: Candidate | None = None,
) -> Candidate:
    return Candidate(cadre_id, tier, bound, away, backup)


def chain(
    *, k7_away: bool = False, k8_away: bool = False, k8_bound: bool = True
) -> list[Candidate]:
    k8 = cadre("K008", 1, bound=k8_bound, away=LATER if k8_away else None)
    k5 = cadre("K005", 2)
    return [
        cadre("K001", 3),
        cadre("K007", 1, away=LATER if k7_away else None, backup=k8),
        cadre("K004", 2, backup=k5),
    ]


SUPERVISOR = [cadre("K003", 0), cadre("K001", 0)]


def test_a_request_goes_to_the_tier_one_cadre() -> None:
    assert route(chain(), SUPERVISOR, NOW) == Route("K007", 1, Why.CHAIN)


def test_an_away_cadre_s_backup_stands_in() -> None:
    assert route(chain(k7_away=True), SUPERVISOR, NOW) == Route("K008", 1, Why.BACKUP, "K007")


def test_an_absence_that_has_ended_does_not_count() -> None:
    ended = [cadre("K007", 1, away=NOW - timedelta(minutes=1))]
    assert route(ended, SUPERVISOR, NOW) == Route("K007", 1, Why.CHAIN)


def test_when_the_backup_is_away_too_it_goes_to_the_next_tier() -> None:
    routed = route(chain(k7_away=True, k8_away=True), SUPERVISOR, NOW)
    assert routed == Route("K004", 2, Why.CHAIN)


def test_an_unbound_backup_does_not_stand_in() -> None:
    routed = route(chain(k7_away=True, k8_bound=False), SUPERVISOR, NOW)
    assert routed == Route("K004", 2, Why.CHAIN)


def test_about_my_cadre_goes_one_tier_up() -> None:
    assert route(chain(), SUPERVISOR, NOW, about_cadre=True) == Route("K004", 2, Why.ABOUT_CADRE)


def test_escalation_skips_the_tiers_up_to_the_current_one() -> None:
    assert route(chain(), SUPERVISOR, NOW, above_tier=1) == Route("K004", 2, Why.CHAIN)
    assert route(chain(), SUPERVISOR, NOW, above_tier=2) == Route("K001", 3, Why.CHAIN)


def test_nobody_bound_in_the_chain_goes_to_the_supervisor() -> None:
    unbound = [cadre("K007", 1, bound=False), cadre("K004", 2, bound=False)]
    assert route(unbound, SUPERVISOR, NOW) == Route("K003", 1, Why.SUPERVISOR)


def test_an_unbound_supervisor_is_passed_for_the_next_one_up() -> None:
    unbound = [cadre("K007", 1, bound=False)]
    supervisors = [cadre("K003", 0, bound=False), cadre("K001", 0)]
    assert route(unbound, supervisors, NOW) == Route("K001", 1, Why.SUPERVISOR)


def test_nobody_at_all_keeps_the_tier_one_cadre_marked_unreachable() -> None:
    unbound = [cadre("K004", 2, bound=False), cadre("K007", 1, bound=False)]
    nobody = [cadre("K003", 0, bound=False)]
    assert route(unbound, nobody, NOW) == Route("K007", 1, Why.UNREACHABLE)


def test_a_household_without_a_chain_falls_to_its_supervisor() -> None:
    assert route([], [cadre("K003", 0, bound=False)], NOW) == Route("K003", 1, Why.UNREACHABLE)


def test_nothing_at_all_is_an_error_not_a_request_to_nobody() -> None:
    with pytest.raises(LookupError):
        route([], [], NOW)
