"""The one error handler: a handler that raised must leave nothing behind."""

from __future__ import annotations

from handlers.context import current_unit

from .context import LianxinContext


async def on_error(update: object, context: LianxinContext) -> None:
    """Mark the unit failed; the dispatcher rolls back, records the error, and apologises."""
    unit = current_unit.get(None)
    error = context.error or RuntimeError("unknown handler error")
    if unit is None:
        raise error  # outside the dispatcher (a job): let PTB log it
    unit.failure = error
