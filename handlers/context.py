"""The typed context every handler receives: ``context.unit`` is the update's unit of work."""

from __future__ import annotations

from typing import Any

from telegram.ext import Application, CallbackContext, ExtBot

from bot.edge.unit import Unit, current_unit

AnyApp = Application[Any, Any, Any, Any, Any, Any]


class LianxinContext(
    CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]
):
    @property
    def unit(self) -> Unit:
        """The transaction and outgoing calls of the update being handled."""
        try:
            return current_unit.get()
        except LookupError:
            raise RuntimeError("handlers run only inside the dispatcher's unit of work") from None
