"""No cursor, forged or not, shows what its reader may not see, or skips or repeats an item.

A cursor is base64 JSON anyone can write: a list's key, a position (a date, a headline or a
score) and an id. A well-formed one with an invented position is accepted, as it must be (a
position between two articles is a fine place to start). These properties keep that harmless:
from any position, a page holds only what the audience may read, exactly the items that follow
the position in the list's order, and walking on from it reaches the end without a gap or a
repeat. Anything that is not a position is refused as bad input, never an unexpected error.
"""

import base64
import json
from datetime import UTC, timedelta
from typing import Any

import pytest
from bson import ObjectId
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cms.errors import InvalidCursorError
from cms.reading.catalog import Catalog, Entry
from cms.reading.listing import ArticleFilter, ArticleOrder, PageRequest, _cursor_key, decode_cursor
from cms.reading.lookups import _page
from cms.reading.pagination import Cursor
from cms.status import ArticleStatus
from cms.visibility import Audience
from tests.factories import make_article
from tests.graphql_client import GraphQLClient
from tests.test_properties import NOW, entries, expected, filters, moments, object_ids

LISTED = [ArticleOrder.NEWEST, ArticleOrder.OLDEST, ArticleOrder.HEADLINE]


def raw_cursor(payload: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


def sort_key(order: ArticleOrder, entry: Entry) -> tuple[Any, ObjectId]:
    value = entry.headline if order is ArticleOrder.HEADLINE else entry.published_at
    return value, entry.id


def follows(order: ArticleOrder, key: tuple[Any, ObjectId], mark: tuple[Any, ObjectId]) -> bool:
    """Whether an item at `key` comes after the position `mark` in the list's reading order."""
    return key < mark if order is ArticleOrder.NEWEST else key > mark


positions = st.one_of(
    moments.map(lambda moment: moment.isoformat()),
    # Offsets other than UTC, and dates with no offset at all.
    moments.map(lambda moment: moment.astimezone(UTC).replace(tzinfo=None).isoformat()),
    st.sampled_from(["Alpha", "Beta", "Gamma", "Beta ", "", "zzz"]),
    st.text(max_size=30),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(),
    st.none(),
    st.lists(st.integers(), max_size=2),
)


@pytest.mark.slow
@settings(max_examples=400, deadline=None)
@given(
    found=entries,
    wanted=filters,
    order=st.sampled_from(LISTED),
    audience=st.sampled_from(list(Audience)),
    size=st.integers(min_value=1, max_value=7),
    position=positions,
    object_id=object_ids,
    backward=st.booleans(),
)
def test_from_any_position_a_page_is_what_follows_it_and_only_what_may_be_read(
    found: list[Entry],
    wanted: ArticleFilter,
    order: ArticleOrder,
    audience: Audience,
    size: int,
    position: Any,
    object_id: ObjectId,
    backward: bool,
) -> None:
    catalog = Catalog()
    for entry in found:
        catalog._put(entry)
    key = _cursor_key(wanted, order, audience)
    text = raw_cursor([key, position, str(object_id)])
    try:
        cursor = decode_cursor(text, filter=wanted, order=order, audience=audience)
    except InvalidCursorError:
        return  # not a position in this list: refused as bad input
    truth = expected(found, PageRequest(filter=wanted, order=order, first=1, audience=audience))
    mark = (cursor.value, cursor.id)
    after = [entry for entry in truth if follows(order, sort_key(order, entry), mark)]
    before = [entry for entry in truth if entry not in after and sort_key(order, entry) != mark]

    if backward:
        request = PageRequest(
            filter=wanted, order=order, first=0, audience=audience, last=size, before=cursor
        )
        page = _page(catalog, request, NOW)
        assert page.entries == before[-size:]
        assert page.has_previous == (len(before) > size)
        return
    walked: list[Entry] = []
    request = PageRequest(filter=wanted, order=order, first=size, audience=audience, after=cursor)
    while True:
        page = _page(catalog, request, NOW)
        assert all(entry.readable(audience, NOW) for entry in page.entries)
        walked += page.entries
        if not page.has_next:
            break
        request = PageRequest(
            filter=wanted,
            order=order,
            first=size,
            audience=audience,
            after=Cursor(key, *sort_key(order, page.entries[-1])),
        )
    assert walked == after


@settings(max_examples=300, deadline=None)
@given(
    payload=st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
        lambda children: st.lists(children, max_size=4),
        max_leaves=8,
    ),
    order=st.sampled_from(list(ArticleOrder)),
)
def test_anything_else_is_refused_as_bad_input(payload: Any, order: ArticleOrder) -> None:
    wanted = ArticleFilter(search="quake" if order is ArticleOrder.RELEVANCE else None)
    key = _cursor_key(wanted, order, Audience.PUBLIC)
    for text in (raw_cursor(payload), raw_cursor([key, payload, str(ObjectId())])):
        try:
            decode_cursor(text, filter=wanted, order=order, audience=Audience.PUBLIC)
        except InvalidCursorError:
            continue


PAGE = """
query ($after: String, $before: String, $last: Int, $orderBy: ArticleOrderBy, $search: String) {
  articles(first: 3, after: $after, last: $last, before: $before, orderBy: $orderBy,
           filter: {search: $search}) {
    nodes { slug }
    pageInfo { hasNextPage endCursor }
  }
}
"""


@pytest.fixture
async def mixed(client: GraphQLClient) -> dict[str, list[str]]:
    """Published articles and hidden ones (drafts, in review, archived, not yet due), ties in
    dates and headlines, all of them about quakes."""
    made: dict[str, list[str]] = {"public": [], "hidden": []}
    statuses = [ArticleStatus.PUBLISHED, ArticleStatus.DRAFT, ArticleStatus.REVIEW]
    for index in range(12):
        status = statuses[index % 3]
        future = index == 9
        article = await make_article(
            slug=f"quake-{index:02d}",
            headline=["Quake", "Aftershock"][index % 2] + " report",
            body="Quake quake." * (1 + index % 4),
            status=ArticleStatus.SCHEDULED if future else status,
            published_at=NOW + timedelta(days=400) if future else NOW - timedelta(days=index % 4),
        )
        public = status is ArticleStatus.PUBLISHED and not future
        made["public" if public else "hidden"].append(article.slug)
    return made


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    order=st.sampled_from(["NEWEST", "OLDEST", "HEADLINE", "RELEVANCE"]),
    position=positions,
    object_id=st.sampled_from([ObjectId("0" * 24), ObjectId("f" * 24)]) | object_ids,
    backward=st.booleans(),
)
@pytest.mark.slow
async def test_a_forged_cursor_through_the_api_never_shows_a_hidden_article(
    client: GraphQLClient,
    mixed: dict[str, list[str]],
    order: str,
    position: Any,
    object_id: ObjectId,
    backward: bool,
) -> None:
    # The list's key, as a real cursor of this list carries it.
    search = "quake" if order == "RELEVANCE" else None
    first = await client.data(PAGE, {"orderBy": order, "search": search})
    real = first["articles"]["pageInfo"]["endCursor"]
    key = json.loads(base64.urlsafe_b64decode(real + "=" * (-len(real) % 4)))[0]
    forged = raw_cursor([key, position, str(object_id)])
    variables: dict[str, Any] = {"orderBy": order, "search": search}
    variables |= {"before": forged, "last": 3} if backward else {"after": forged}

    body = await client.execute(PAGE, variables)

    if "errors" in body:
        assert [error["extensions"]["code"] for error in body["errors"]] == ["BAD_USER_INPUT"]
        return
    slugs = [node["slug"] for node in body["data"]["articles"]["nodes"]]
    assert not set(slugs) & set(mixed["hidden"])
    assert len(slugs) == len(set(slugs))
    assert set(slugs) <= set(mixed["public"])
