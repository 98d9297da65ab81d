"""The province bot's counties, read: ``bot.services.province.Counties`` over each
configured county's own database (``bot.province_read``), its failures told in one line."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.config import Config, ConfigError
from bot.domain.province import CountyFigures
from bot.domain.stats import Period
from bot.i18n import Texts
from bot.province_read import NotReady, gather
from bot.services.province import Unreadable
from storage.backend import Unreachable
from storage.faults import fault_of


class ProvinceCounties:
    """The counties of ``[province]``, each opened for each count and closed after it (a
    province bot holds no county's connection between two /stats)."""

    def __init__(self, configs: Sequence[Config], texts: Texts) -> None:
        self.configs = list(configs)
        self.texts = texts

    async def figures(self, period: Period, now: datetime) -> list[CountyFigures]:
        try:
            return await gather(self.configs, period, now, self.texts)
        except (NotReady, Unreachable) as problem:
            raise Unreadable(str(problem)) from None
        except ConfigError as problem:
            raise Unreadable("; ".join(problem.problems)) from None
        except Exception as trouble:
            fault = fault_of(trouble)
            if fault is None:
                raise
            raise Unreadable(str(fault)) from None
