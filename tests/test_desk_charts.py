"""The desk's charts as geometry (`desk.charts`): every bar inside the drawing, as long as its
share of the largest, and the largest full; the same for any number of votes."""

from datetime import date, timedelta

from beanie import PydanticObjectId
from hypothesis import given
from hypothesis import strategies as st

from cms.engagement.vote_days import day_id
from desk.charts import COUNT_WIDTH, DAYS_HEIGHT, LABEL_WIDTH, WIDTH, daily_bars, star_bars

COUNTS = st.integers(min_value=0, max_value=10**9)


@given(st.lists(COUNTS, min_size=5, max_size=5))
def test_star_bars_fit_the_drawing_and_keep_their_proportions(counts: list[int]) -> None:
    chart = star_bars(counts)
    room = WIDTH - LABEL_WIDTH - COUNT_WIDTH

    assert [bar.label for bar in chart.bars] == [
        "5 stars",
        "4 stars",
        "3 stars",
        "2 stars",
        "1 star",
    ]
    assert [bar.value for bar in chart.bars] == counts[::-1]
    assert chart.top == max(counts)
    for bar in chart.bars:
        assert 0 <= bar.width <= room
        assert bar.y + bar.height <= chart.height
        assert abs(bar.width - (room * bar.value / chart.top if chart.top else 0)) <= 0.01
    if chart.top:
        assert max(bar.width for bar in chart.bars) == room


@given(st.lists(COUNTS, min_size=1, max_size=60))
def test_day_columns_fit_the_drawing_in_order_without_overlap(counts: list[int]) -> None:
    first = date(2026, 11, 1)
    days = [(first + timedelta(days=n), count) for n, count in enumerate(counts)]
    chart = daily_bars(days)

    assert [bar.label for bar in chart.bars] == [day.isoformat() for day, _ in days]
    for before, after in zip(chart.bars, chart.bars[1:], strict=False):
        assert before.x + before.width <= after.x
    for bar in chart.bars:
        assert bar.x >= 0
        assert bar.x + bar.width <= WIDTH
        assert 0 <= bar.height <= DAYS_HEIGHT
        assert abs(bar.y + bar.height - DAYS_HEIGHT) <= 0.02  # standing on the axis
    if chart.top:
        assert max(bar.height for bar in chart.bars) == DAYS_HEIGHT


def test_no_votes_draw_empty_bars() -> None:
    assert all(bar.width == 0 for bar in star_bars([0] * 5).bars)
    assert all(bar.height == 0 for bar in daily_bars([(date(2026, 1, 1), 0)]).bars)


def test_a_day_is_named_by_its_article_and_utc_date() -> None:
    article = PydanticObjectId("0123456789abcdef01234567")
    assert day_id(article, date(2026, 12, 2)) == "0123456789abcdef01234567:2026-12-02"
