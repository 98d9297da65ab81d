"""Injected failures and latency, for tests of the bot's retries and timeouts."""

from __future__ import annotations

from dataclasses import dataclass
from http import HTTPStatus

from bot.sandbox.errors import ApiError, too_many_requests


@dataclass
class FaultRule:
    """Fail the next ``remaining`` calls (of ``method``, or of any method) with ``status``.

    With ``after_send`` the call takes effect and only its answer is lost: the case
    where a retrying sender would deliver a message twice.
    """

    remaining: int
    status: int
    method: str | None
    after_send: bool = False


@dataclass(frozen=True)
class Fault:
    """One injected failure: the error to answer and whether the call still takes effect."""

    error: ApiError
    after_send: bool


class FaultInjector:
    """Pending failure rules, consumed in the order they were added."""

    def __init__(self) -> None:
        self._rules: list[FaultRule] = []
        self.delay = 0.0

    def fail_next(self, n: int, status: int, method: str | None, after_send: bool = False) -> None:
        if n < 1:
            raise ValueError("fail_next needs n >= 1")
        if not 400 <= status <= 599:
            raise ValueError("an injected failure needs an HTTP error status (400-599)")
        name = method.lower() if method else None
        self._rules.append(FaultRule(n, status, name, after_send))

    def take(self, method: str) -> Fault | None:
        """The error for this call if a rule matches it (and use up one of its failures)."""
        for rule in self._rules:
            if rule.method is None or rule.method == method.lower():
                rule.remaining -= 1
                if rule.remaining == 0:
                    self._rules.remove(rule)
                return Fault(_error_for(rule.status), rule.after_send)
        return None


def _error_for(status: int) -> ApiError:
    """A Telegram-style body, so PTB maps the status as it would for real Telegram."""
    if status == HTTPStatus.TOO_MANY_REQUESTS:
        return too_many_requests(1)
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Error"
    if status in (HTTPStatus.BAD_REQUEST, HTTPStatus.FORBIDDEN, HTTPStatus.CONFLICT):
        return ApiError(status, f"{phrase}: injected failure")
    return ApiError(status, phrase)
