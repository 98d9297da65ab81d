"""The /stats chart: requests filed per day (bars) and the median first-response time
(line, right axis), as a PNG.

matplotlib draws with its Agg backend (no display needed on a server), on a ``Figure``
made directly (not pyplot: no global state between the bot's charts). Chinese labels
need a Chinese font: the cards' font (``bot.cards.find_font``: the Noto Sans SC that
``pylopdf-fonts-zh-cn`` installs, else a well-known system font).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.ticker import MaxNLocator

from bot.cards import find_font
from bot.domain.stats import Day

WIDTH, HEIGHT, DPI = 8.0, 4.5, 120  # 960 x 540 pixels: sharp in a phone's chat
BARS, LINE = "#4C72B0", "#DD8452"


@dataclass(frozen=True)
class Labels:
    title: str
    filed: str
    response: str
    day: str


@cache
def _font() -> FontProperties | None:
    found = find_font(None)
    return None if found.path is None else FontProperties(fname=str(found.path))


def requests_chart(days: Sequence[Day], labels: Labels) -> bytes:
    """The PNG: one bar per day, the line where a day had answered requests."""
    font = _font()
    figure = Figure(figsize=(WIDTH, HEIGHT), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)  # draws with Agg, whatever backend pyplot would pick
    bars = figure.add_subplot()
    x = list(range(len(days)))
    bars.bar(x, [d.filed for d in days], color=BARS, label=labels.filed)
    bars.set_ylabel(labels.filed, fontproperties=font, color=BARS)
    bars.set_xlabel(labels.day, fontproperties=font)
    bars.set_title(labels.title, fontproperties=font)
    step = max(1, len(days) // 10)
    bars.set_xticks(x[::step], [d.day.strftime("%m-%d") for d in days[::step]])
    bars.yaxis.set_major_locator(MaxNLocator(integer=True))
    hours = bars.twinx()
    answered = [
        (i, d.first_response_median / 3600)
        for i, d in zip(x, days, strict=True)
        if d.first_response_median is not None
    ]
    if answered:
        hours.plot(*zip(*answered, strict=True), color=LINE, marker="o", label=labels.response)
    hours.set_ylim(bottom=0)
    hours.set_ylabel(labels.response, fontproperties=font, color=LINE)
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()
