"""The pure logic behind the limits: fragments measured once count as if opened every time, and
a subscriber's queue never holds more bytes than it may."""

import asyncio

from graphql import parse, validate
from hypothesis import given
from hypothesis import strategies as st

from api.extensions.shape import MAX_ALIASES, DocumentShape
from api.live.hub import PUBLISHED, Subscriber, TooSlow
from api.schema import schema


def aliases_reported(levels: int, width: int) -> str | None:
    """The alias refusal for a chain where each fragment spreads the next `width` times."""
    spreads = " ".join(
        f"fragment F{level} on Query {{ {' '.join([f'...F{level + 1}'] * width)} }}"
        for level in range(levels - 1)
    )
    document = f"{{ ...F0 }} {spreads} fragment F{levels - 1} on Query {{ a: __typename }}"
    errors = validate(schema._schema, parse(document), [DocumentShape])
    return errors[0].message if errors else None


@given(levels=st.integers(1, 120), width=st.integers(1, 3))
def test_aliases_count_every_spread_as_opened(levels: int, width: int) -> None:
    opened = width ** (levels - 1)

    reported = aliases_reported(levels, width)

    if opened > MAX_ALIASES:
        assert reported == f"{opened} aliases found. Allowed: {MAX_ALIASES}"
    else:
        assert reported is None


@given(
    limit=st.integers(1, 10_000),
    sizes=st.lists(st.integers(0, 5_000), max_size=50),
)
def test_a_queue_holds_at_most_its_bytes_or_one_update(limit: int, sizes: list[int]) -> None:
    subscriber = Subscriber(PUBLISHED, "192.0.2.1", queue_size=1000, queue_bytes=limit)
    offered = []
    for size in sizes:
        if not subscriber.offer(object(), size):
            break
        offered.append(size)
        assert subscriber.waiting_bytes == sum(offered)
        assert subscriber.waiting_bytes <= limit or len(offered) == 1

    dropped = len(offered) < len(sizes)
    if dropped:
        # Told once, and nothing else waits.
        assert subscriber.waiting_bytes == 0
        assert asyncio.run(_first_error(subscriber)) == "TOO_SLOW"


async def _first_error(subscriber: Subscriber) -> str | None:
    try:
        async for _ in subscriber.updates():
            return None
    except TooSlow as error:
        return str((error.extensions or {})["code"])
    return None
