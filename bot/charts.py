"""The /stats chart: requests filed per day (bars) and the median first-response time
(line, right axis), as a PNG.

matplotlib draws with its Agg backend (no display needed on a server), on a ``Figure``
made directly (not pyplot: no global state between the bot's charts). Chinese labels
need a Chinese font: the cards' font (``bot.cards.find_font``: the Noto Sans SC that
``pylopdf-fonts-zh-cn`` installs, else a well-known system font).
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.ticker import FuncFormatter, MaxNLocator

from bot.cards import find_font
from bot.domain.stats import Day

WIDTH, HEIGHT, DPI = 8.0, 4.5, 120  # 960 x 540 pixels: sharp in a phone's chat
BARS, LINE = "#4C72B0", "#DD8452"
HOUR = 3600.0


@dataclass(frozen=True)
class Labels:
    title: str
    filed: str
    response: str  # the response axis, in hours
    day: str
    response_minutes: str = ""  # the same in minutes (for data under an hour); else ``response``


@cache
def _font() -> FontProperties | None:
    found = find_font(None)
    return None if found.path is None else FontProperties(fname=str(found.path))


def date_ticks(shown: Sequence[date]) -> list[tuple[int, str]]:
    """The ticks (index, label) of a period's days: a handful whatever its length, so
    that their labels never touch: every day up to 10 days, every other day up to 20,
    each Monday up to 10 weeks, each month up to 10 months, then every 2nd, 3rd, 6th or
    12th month. Day ticks read 11-02, month ticks 2026-11."""
    count = len(shown)
    if count <= 20:
        step = 1 if count <= 10 else 2
        return [(i, d.strftime("%m-%d")) for i, d in enumerate(shown) if i % step == 0]
    if count <= 70:
        return [(i, d.strftime("%m-%d")) for i, d in enumerate(shown) if d.weekday() == 0]
    months = count / 30.4
    step = next(s for s in (1, 2, 3, 6, 12) if months / s <= 10)
    return [
        (i, d.strftime("%Y-%m"))
        for i, d in enumerate(shown)
        if d.day == 1 and (d.year * 12 + d.month - 1) % step == 0
    ]


def response_scale(medians: Sequence[float]) -> float:
    """Seconds per unit of the response axis: minutes when every median is under an
    hour, else hours."""
    return 60.0 if medians and max(medians) < HOUR else HOUR


def _number(value: float, _: object = None) -> str:
    """A tick of the response axis: 0, 1.5, 12, never 0.0025 nor an offset."""
    return f"{value:.6g}" if value else "0"


def requests_chart(days: Sequence[Day], labels: Labels) -> bytes:
    """The PNG: one bar per day, the line where a day had answered requests."""
    font = _font()
    figure = Figure(figsize=(WIDTH, HEIGHT), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)  # draws with Agg, whatever backend pyplot would pick
    draw(figure, days, labels, font)
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()


def draw(figure: Figure, days: Sequence[Day], labels: Labels, font: FontProperties | None) -> Axes:
    """The chart on ``figure``; the bars' axes (the response line's is its twin)."""
    bars = figure.add_subplot()
    x = list(range(len(days)))
    bars.bar(x, [d.filed for d in days], width=0.8, color=BARS, label=labels.filed)
    bars.set_ylabel(labels.filed, fontproperties=font, color=BARS)
    bars.set_xlabel(labels.day, fontproperties=font)
    bars.set_title(labels.title, fontproperties=font)
    bars.set_xlim(-0.6, len(days) - 0.4)
    ticks = date_ticks([d.day for d in days])
    bars.set_xticks([i for i, _ in ticks], [label for _, label in ticks])
    bars.yaxis.set_major_locator(MaxNLocator(integer=True))
    response = bars.twinx()
    answered = [
        (i, d.first_response_median)
        for i, d in zip(x, days, strict=True)
        if d.first_response_median is not None
    ]
    unit = response_scale([seconds for _, seconds in answered])
    if answered:
        response.plot(
            [i for i, _ in answered],
            [seconds / unit for _, seconds in answered],
            color=LINE,
            marker="o" if len(answered) <= 60 else "",
            label=labels.response,
        )
    top = max((seconds / unit for _, seconds in answered), default=1.0)
    response.set_ylim(0, max(1.0, math.ceil(top * 1.1 * 10) / 10))
    response.yaxis.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 2.5, 5, 10]))
    response.yaxis.set_major_formatter(FuncFormatter(_number))
    name = labels.response_minutes if unit == 60.0 and labels.response_minutes else labels.response
    response.set_ylabel(name, fontproperties=font, color=LINE)
    return bars
