"""Geometry of the funder report's chart: one vertical bar per month for sessions held.

A hidden number gets no bar of its real height: a count under 5 is drawn as a dashed box
reaching up to 5 on the scale (it is somewhere below), and a number hidden to protect another
gets no bar at all.
"""

import math
from dataclasses import dataclass

from .funder import FEWER_THAN_5, SMALL_COUNT, Month

STEP = 34  # horizontal space per month, in SVG user units
BAR = 22
AXIS = 30  # room for the scale's numbers, left of the bars
PLOT_TOP = 18  # room for the value above the tallest bar
PLOT_HEIGHT = 140
LABELS = 30  # month and year under each bar
# The scale reaches at least this far, so that a "fewer than 5" box never looks like a full bar.
LOWEST_TOP = 2 * SMALL_COUNT
MOST_TICKS = 5


@dataclass(frozen=True)
class Bar:
    month: Month
    x: int
    centre: int
    y: int
    height: int
    value_y: int
    value_label: str
    is_small: bool
    is_hidden: bool


@dataclass(frozen=True)
class Tick:
    value: int
    y: int


@dataclass(frozen=True)
class Chart:
    bars: list[Bar]
    ticks: list[Tick]
    width: int
    height: int
    bar_width: int
    axis_x: int
    baseline: int
    month_y: int
    year_y: int


def _label(value) -> str:
    if value == FEWER_THAN_5:
        return "<5"
    if isinstance(value, str):
        return "–"
    return str(value)


def _scale_step(highest: int) -> int:
    """The smallest of 5, 10, 20, 25, 50, 100, 200, 250, 500... giving at most five steps."""
    magnitude = 1
    while True:
        for step in (5, 10, 20, 25, 50):
            if math.ceil(highest / (step * magnitude)) <= MOST_TICKS:
                return step * magnitude
        magnitude *= 10


def monthly_chart(months: list[Month]) -> Chart:
    highest = max([month.held for month in months if isinstance(month.held, int)] + [LOWEST_TOP])
    step = _scale_step(highest)
    top = math.ceil(highest / step) * step
    baseline = PLOT_TOP + PLOT_HEIGHT

    def y_of(value: int) -> int:
        return baseline - round(PLOT_HEIGHT * value / top)

    bars = []
    for index, month in enumerate(months):
        is_small = month.held == FEWER_THAN_5
        is_hidden = isinstance(month.held, str) and not is_small
        reach = SMALL_COUNT if is_small else 0 if is_hidden else month.held
        x = AXIS + index * STEP + (STEP - BAR) // 2
        bars.append(
            Bar(
                month=month,
                x=x,
                centre=x + BAR // 2,
                y=y_of(reach),
                height=baseline - y_of(reach),
                value_y=y_of(reach) - 4,
                value_label=_label(month.held),
                is_small=is_small,
                is_hidden=is_hidden,
            )
        )
    return Chart(
        bars=bars,
        ticks=[Tick(value, y_of(value)) for value in range(0, top + 1, step)],
        width=AXIS + STEP * len(months) + 4,
        height=baseline + LABELS,
        bar_width=BAR,
        axis_x=AXIS,
        baseline=baseline,
        month_y=baseline + 13,
        year_y=baseline + 26,
    )
