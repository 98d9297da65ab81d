"""A province: the region above its counties, each county a tenant of its own (its own
schema or file). Its figures are its counties' put together: counts added, and the
durations pooled, so that the province's medians and 90th percentiles are those of every
request in it, never an average of the counties' medians."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields, replace
from itertools import chain
from typing import Any

from bot.domain.stats import Figures, Place, Refused

_DURATIONS = ("first_response", "resolution", "summarised")  # pooled, not added


@dataclass(frozen=True)
class CountyFigures:
    county: str  # the configuration's id ([counties.<id>])
    place: Place  # its root region, as its own roster names it
    figures: Figures


def combined(parts: Iterable[Figures]) -> Figures:
    """The figures of the union of ``parts``' requests (each request in one county)."""
    found = list(parts)
    if any(p.summarised is not None for p in found):
        raise ValueError("condensed figures have no durations left to pool")
    counts: dict[str, Any] = {  # every count: added
        f.name: sum(getattr(p, f.name) for p in found)
        for f in fields(Figures)
        if f.name not in _DURATIONS
    }
    return replace(
        replace(Figures(), **counts),
        first_response=tuple(sorted(chain.from_iterable(p.first_response for p in found))),
        resolution=tuple(sorted(chain.from_iterable(p.resolution for p in found))),
    )


class NotProvincial(Refused):
    """The province's figures are for its supervisors (``[province] supervisors``) only."""
