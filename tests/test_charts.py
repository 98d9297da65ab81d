"""The /stats chart as a supervisor reads it: date labels that never collide, whatever the
period (a day, ten days, a quarter, more than a year, data on a few days only), and the
response axis in minutes or hours as the data calls for (never 0.0025 hours)."""

from __future__ import annotations

import io
import itertools
from datetime import date, timedelta

import numpy
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text

from bot import charts
from bot.domain.stats import Day

LABELS = charts.Labels(
    "东坪镇", "每天登记（件）", "首次答复用时中位数（小时）", "日期", "首次答复用时中位数（分钟）"
)
FIRST = date(2026, 10, 14)


def _days(count: int, every: int = 1, median: float | None = 5400.0) -> list[Day]:
    """``count`` days from FIRST; requests filed (and answered in ``median`` seconds) on
    every ``every``-th day only."""
    return [
        Day(
            FIRST + timedelta(days=n),
            3 if n % every == 0 else 0,
            median if n % every == 0 else None,
        )
        for n in range(count)
    ]


def _drawn(days: list[Day]) -> tuple[Figure, FigureCanvasAgg]:
    figure = Figure(figsize=(charts.WIDTH, charts.HEIGHT), dpi=charts.DPI, layout="constrained")
    canvas = FigureCanvasAgg(figure)
    charts.draw(figure, days, LABELS, charts._font())
    figure.savefig(io.BytesIO(), format="png")  # drawn with Agg, as the bot draws it
    return figure, canvas


def _shown(labels: list[Text]) -> list[Text]:
    return [t for t in labels if t.get_visible() and t.get_text()]


@pytest.mark.parametrize(
    ("count", "every"),
    [(1, 1), (7, 1), (10, 1), (19, 1), (31, 1), (90, 1), (90, 30), (366, 1), (400, 1)],
)
def test_the_date_labels_never_overlap(count: int, every: int) -> None:
    figure, canvas = _drawn(_days(count, every))
    renderer = canvas.get_renderer()  # type: ignore[no-untyped-call]
    bars = figure.axes[0]
    labels = _shown(bars.get_xticklabels())
    assert 1 <= len(labels) <= 12, [t.get_text() for t in labels]
    boxes = sorted((t.get_window_extent(renderer) for t in labels), key=lambda b: b.x0)
    for left, right in itertools.pairwise(boxes):
        assert left.x1 < right.x0, (count, [t.get_text() for t in labels])
    width = figure.bbox.width
    assert all(b.x0 >= 0 and b.x1 <= width for b in boxes)  # none cut off at the edges


def test_the_labels_read_as_dates_for_the_period() -> None:
    assert [label for _, label in charts.date_ticks([FIRST])] == ["10-14"]
    ten = [d.day for d in _days(10)]
    assert [label for _, label in charts.date_ticks(ten)][:3] == ["10-14", "10-15", "10-16"]
    month = [label for _, label in charts.date_ticks([d.day for d in _days(31)])]
    assert month == ["10-19", "10-26", "11-02", "11-09"]  # Mondays
    year = [label for _, label in charts.date_ticks([d.day for d in _days(400)])]
    assert year[:2] == ["2026-11", "2027-01"]


@pytest.mark.parametrize(
    ("median", "unit"),
    [(9.0, "分钟"), (12 * 60.0, "分钟"), (59 * 60.0, "分钟"), (90 * 60.0, "小时"), (None, "小时")],
)
def test_the_response_axis_is_in_minutes_under_an_hour(median: float | None, unit: str) -> None:
    figure, _ = _drawn(_days(10, median=median))
    response = figure.axes[1]
    assert unit in response.get_ylabel()
    ticks = [t.get_text() for t in _shown(response.get_yticklabels())]
    assert ticks
    assert all(len(t.split(".")[-1]) <= 2 for t in ticks if "." in t), ticks  # no 0.0025
    if median is not None:
        line = response.get_lines()[0]
        shown = numpy.asarray(line.get_ydata(), dtype=float)
        assert shown[0] == pytest.approx(median / (60 if unit == "分钟" else 3600))


def test_a_day_without_requests_still_draws() -> None:
    png = charts.requests_chart([Day(FIRST, 0, None)], LABELS)
    assert png.startswith(b"\x89PNG")
