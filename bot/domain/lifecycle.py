"""The request lifecycle as data: states, trail events, and which event may happen when.

Every change to a request passes ``next_status``, so a button pressed twice, a stale
button or a forged one meets the same table and changes nothing it should not.
"""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    OPEN = "open"  # 挂号: filed, waiting for the handler
    ACKNOWLEDGED = "acknowledged"  # 受理: the handler took it up (or answered)
    RESOLVED = "resolved"  # 办结 or 政策解答: waiting for the villager to confirm
    CLOSED = "closed"  # 销号: confirmed by the villager, or by the timeout


class Event(StrEnum):
    FILED = "filed"
    ROUTED = "routed"  # to whom, and why (tier 1, backup of an away cadre, one tier up …)
    MESSAGE = "message"  # the villager said more
    MARKED = "marked"  # the villager set the category or the urgent mark
    ACKNOWLEDGED = "acknowledged"
    REPLIED = "replied"
    HANDED_OVER = "handed_over"
    ESCALATED = "escalated"
    RESOLVED = "resolved"
    EXPLAINED = "explained"
    CONFIRMED = "confirmed"
    REOPENED = "reopened"
    CLOSED_BY_TIMEOUT = "closed_by_timeout"
    EXTENDED = "extended"  # the handler set a later resolution date (once, with a reason)
    OVERDUE = "overdue"  # past due with no one above to escalate to: supervisors told
    REASSIGNED = "reassigned"  # its handler left (pruned, unbound, moved): to the next one
    WITHDRAWN = "withdrawn"  # 撤回: the household took it back before it was resolved
    # 督办: past a due time (or reopened twice) the handler is urged, the request stays
    URGED_BY_SYSTEM = "urged_by_system"
    URGED = "urged"  # 催办: a supervisor urged the handler (with a note, or none)
    TAKEN = "taken"  # 包案: a leader took the case personally (requests.leader_id)
    ASSIGNED = "assigned"  # 交办: a supervisor assigned it to a department's contact
    SPLIT = "split"  # 另起一件事: a follow-up went to a request of its own (state unchanged)


class Resolution(StrEnum):
    RESOLVED = "resolved"
    EXPLAINED = "explained"  # not actionable: a policy explanation was given


class Outcome(StrEnum):
    SATISFIED = "satisfied"
    PARTLY = "partly"
    TIMEOUT = "timeout"  # the villager did not answer in time: never counted as satisfied
    # 撤回 before any resolution: neither solved nor unsolved (the statistics leave it out
    # of the resolution rate and the ratings; README "Statistics").
    WITHDRAWN = "withdrawn"


class Category(StrEnum):
    ROAD = "road"
    WATER = "water"
    POWER = "power"
    HEALTH = "health"
    HOUSING = "housing"
    POLICY = "policy"  # subsidies and policy
    DISPUTE = "dispute"
    OTHER = "other"


class InvalidTransition(Exception):
    """The event cannot happen in the request's current state (stale or repeated)."""

    def __init__(self, status: Status, event: Event) -> None:
        super().__init__(f"{event} is not possible when a request is {status}")
        self.status = status
        self.event = event


_WORKING = (Status.OPEN, Status.ACKNOWLEDGED)
_NOT_CLOSED = (Status.OPEN, Status.ACKNOWLEDGED, Status.RESOLVED)

TRANSITIONS: dict[tuple[Status, Event], Status] = {
    **{(s, Event.MESSAGE): s for s in _NOT_CLOSED},
    **{(s, Event.MARKED): s for s in _NOT_CLOSED},
    (Status.OPEN, Event.ACKNOWLEDGED): Status.ACKNOWLEDGED,
    **{(s, Event.REPLIED): Status.ACKNOWLEDGED for s in _WORKING},
    **{(s, Event.HANDED_OVER): s for s in _WORKING},
    **{(s, Event.ESCALATED): s for s in _WORKING},
    **{(s, Event.EXTENDED): s for s in _WORKING},
    **{(s, Event.OVERDUE): s for s in _WORKING},
    **{(s, Event.URGED_BY_SYSTEM): s for s in _WORKING},
    **{(s, Event.REASSIGNED): s for s in _NOT_CLOSED},
    **{(s, Event.RESOLVED): Status.RESOLVED for s in _WORKING},
    **{(s, Event.EXPLAINED): Status.RESOLVED for s in _WORKING},
    (Status.RESOLVED, Event.CONFIRMED): Status.CLOSED,
    (Status.RESOLVED, Event.REOPENED): Status.OPEN,
    (Status.RESOLVED, Event.CLOSED_BY_TIMEOUT): Status.CLOSED,
    **{(s, Event.WITHDRAWN): Status.CLOSED for s in _WORKING},
    **{(s, Event.URGED): s for s in _WORKING},
    **{(s, Event.TAKEN): s for s in _WORKING},
    **{(s, Event.ASSIGNED): s for s in _WORKING},
    **{(s, Event.SPLIT): s for s in _NOT_CLOSED},  # 另起一件事: the state is unchanged
}

# A response (for the response time and rate): the handler's first of these.
RESPONSES = frozenset({Event.ACKNOWLEDGED, Event.REPLIED, Event.RESOLVED, Event.EXPLAINED})


def next_status(status: Status, event: Event) -> Status:
    """The status after ``event``; raises InvalidTransition if it cannot happen now."""
    try:
        return TRANSITIONS[(status, event)]
    except KeyError:
        raise InvalidTransition(status, event) from None
