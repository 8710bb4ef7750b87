"""Charts drawn on the server as SVG geometry: bars whose sizes are attributes, so a page needs
no chart script and the desk's policy (no inline styles) holds. Pure functions of the numbers.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

# The drawing's own units (its viewBox); the stylesheet scales it to the page.
WIDTH = 600
BAR_HEIGHT = 20
BAR_GAP = 8
# Left of the star bars: their label ("5 stars"); right: the count.
LABEL_WIDTH = 70
COUNT_WIDTH = 70
DAYS_HEIGHT = 120
AXIS_HEIGHT = 20


@dataclass(frozen=True, slots=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: int


@dataclass(frozen=True, slots=True)
class Chart:
    width: int
    height: int
    bars: tuple[Bar, ...]
    # The largest value, which a full bar stands for.
    top: int


def _share(value: int, top: int, room: float) -> float:
    return round(room * value / top, 2) if top else 0.0


def star_bars(distribution: Sequence[int]) -> Chart:
    """One horizontal bar per number of stars, 5 at the top, as long as its share of the
    largest."""
    top = max(distribution, default=0)
    room = WIDTH - LABEL_WIDTH - COUNT_WIDTH
    bars = []
    for row, stars in enumerate(range(len(distribution), 0, -1)):
        count = distribution[stars - 1]
        bars.append(
            Bar(
                x=LABEL_WIDTH,
                y=row * (BAR_HEIGHT + BAR_GAP),
                width=_share(count, top, room),
                height=BAR_HEIGHT,
                label=f"{stars} star{'' if stars == 1 else 's'}",
                value=count,
            )
        )
    height = len(distribution) * (BAR_HEIGHT + BAR_GAP) - BAR_GAP
    return Chart(WIDTH, max(height, 0), tuple(bars), top)


def daily_bars(days: Sequence[tuple[date, int]]) -> Chart:
    """One column per day, oldest at the left, as tall as its share of the busiest day."""
    top = max((count for _, count in days), default=0)
    slot = WIDTH / max(len(days), 1)
    bars = []
    for index, (day, count) in enumerate(days):
        height = _share(count, top, DAYS_HEIGHT)
        bars.append(
            Bar(
                x=round(index * slot + slot * 0.1, 2),
                y=round(DAYS_HEIGHT - height, 2),
                width=round(slot * 0.8, 2),
                height=height,
                label=day.isoformat(),
                value=count,
            )
        )
    return Chart(WIDTH, DAYS_HEIGHT + AXIS_HEIGHT, tuple(bars), top)
