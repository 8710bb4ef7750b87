"""How many numbers an event reader asks for next (pure logic: no store)."""

from hypothesis import given
from hypothesis import strategies as st

from cms.spine.events import next_window

LIMIT = 256


def test_a_reader_that_found_nothing_asks_for_one_number_next() -> None:
    assert next_window(LIMIT, LIMIT, 0) == 1
    assert next_window(1, LIMIT, 0) == 1


def test_a_reader_that_found_all_it_asked_for_doubles_up_to_the_limit() -> None:
    assert next_window(1, LIMIT, None) == 2
    assert next_window(64, LIMIT, None) == 128
    assert next_window(128, LIMIT, None) is None  # the limit: as many as it may
    assert next_window(LIMIT, LIMIT, None) is None


@given(window=st.integers(1, LIMIT), found=st.integers(0, LIMIT))
def test_after_a_stall_it_asks_for_at_most_one_more_than_twice_what_it_found(
    window: int, found: int
) -> None:
    following = next_window(window, LIMIT, min(found, window - 1))

    assert following is not None
    assert 1 <= following <= 2 * min(found, window - 1) + 1
