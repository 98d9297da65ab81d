"""Bot API errors, shaped exactly as Telegram answers them.

Every method handler raises :class:`ApiError`; the server turns it into the
``{"ok": false, "error_code": ..., "description": ...}`` body that
python-telegram-bot maps to its own exceptions (``BadRequest``, ``Forbidden``,
``RetryAfter``, ``Conflict``...). Keeping the wording identical to Telegram's
means code that inspects ``str(exc)`` behaves the same against the sandbox.
"""

from __future__ import annotations

from typing import Any

NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"
WEBHOOK_ACTIVE = (
    "can't use getUpdates method while webhook is active; use deleteWebhook to delete the "
    "webhook first"
)
TERMINATED_BY_OTHER = (
    "terminated by other getUpdates request; make sure that only one bot instance is running"
)


class ApiError(Exception):
    """A Bot API call that Telegram would refuse, with the status and body it would send."""

    def __init__(
        self, status: int, description: str, parameters: dict[str, Any] | None = None
    ) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def body(self) -> dict[str, Any]:
        """The JSON body Telegram sends with this error."""
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.status,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(reason: str) -> ApiError:
    """400, the answer to everything the caller got wrong."""
    return ApiError(400, f"Bad Request: {reason}")


def forbidden(reason: str) -> ApiError:
    """403, e.g. when the user blocked the bot."""
    return ApiError(403, f"Forbidden: {reason}")


def conflict(reason: str) -> ApiError:
    """409, two pollers or polling while a webhook is set."""
    return ApiError(409, f"Conflict: {reason}")


def too_many_requests(retry_after: int) -> ApiError:
    """429 with ``retry_after``, which PTB raises as ``telegram.error.RetryAfter``."""
    return ApiError(
        429,
        f"Too Many Requests: retry after {retry_after}",
        {"retry_after": retry_after},
    )


def unauthorized() -> ApiError:
    """401, a token the sandbox does not know."""
    return ApiError(401, "Unauthorized")


def not_found() -> ApiError:
    """404, a method the sandbox does not know."""
    return ApiError(404, "Not Found")
