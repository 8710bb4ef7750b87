"""Properties over many generated cases, where a handful of examples cannot cover the space.

Pure logic (cursors, the catalog's pages, query cost) runs many cases fast; the end-to-end
properties (paging through the API, load -> export -> load) run fewer, each a real round trip.
"""

import string
import tempfile
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from bson import ObjectId
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cms.fixtures.exporter import export_fixtures
from cms.fixtures.loader import load_fixtures
from cms.fixtures.reader import read_fixtures
from cms.reading.catalog import Catalog, Entry
from cms.reading.listing import ArticleFilter, ArticleOrder, PageRequest
from cms.reading.lookups import _page
from cms.reading.pagination import Cursor
from cms.search.analysis import Posting, analyse, frequencies_of
from cms.search.text import tokens
from cms.status import ArticleStatus
from cms.visibility import Audience
from tests.catalogs import catalog_of
from tests.factories import FACTORY, make_article
from tests.graphql_client import GraphQLClient

NOW = datetime(2026, 1, 1, tzinfo=UTC)
moments = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2030, 1, 1), timezones=st.just(UTC)
).map(lambda moment: moment.replace(microsecond=moment.microsecond // 1000 * 1000))
object_ids = st.binary(min_size=12, max_size=12).map(ObjectId)


@given(
    key=st.text(min_size=1, max_size=40),
    value=st.one_of(moments, st.text(max_size=200)),
    object_id=object_ids,
)
def test_cursors_round_trip(key: str, value: datetime | str, object_id: ObjectId) -> None:
    cursor = Cursor(key, value, object_id)

    decoded = Cursor.decode(cursor.encode(), key=key, datetime_value=isinstance(value, datetime))

    assert decoded == cursor


# A small world where ties are common: few dates, few headlines, few tags.
entries = st.lists(
    st.builds(
        Entry,
        id=object_ids,
        slug=st.uuids().map(str),
        version=st.just(1),
        status=st.sampled_from(list(ArticleStatus)),
        published_at=st.sampled_from([NOW - timedelta(days=d) for d in (-1, 1, 2, 3)]),
        section=st.sampled_from(["world", "sport"]),
        tags=st.lists(st.sampled_from(["a", "b", "c"]), max_size=2, unique=True).map(tuple),
        headline=st.sampled_from(["Alpha", "Beta", "Gamma"]),
    ),
    max_size=40,
    unique_by=lambda entry: entry.id,
)
filters = st.builds(
    ArticleFilter,
    tag=st.none() | st.sampled_from(["a", "b", "c"]),
    section=st.none() | st.sampled_from(["world", "sport"]),
    status=st.none() | st.sampled_from(list(ArticleStatus)),
    published_after=st.none() | st.just(NOW - timedelta(days=2, hours=12)),
    published_before=st.none() | st.sampled_from([NOW - timedelta(days=d) for d in (1, -2)]),
)


def expected(found: list[Entry], request: PageRequest) -> list[Entry]:
    """The list the page walks, computed the naive way."""
    wanted = request.filter
    matching = [
        entry
        for entry in found
        if entry.readable(request.audience, NOW)
        and (wanted.tag is None or wanted.tag in entry.tags)
        and (wanted.section is None or wanted.section == entry.section)
        and (wanted.status is None or wanted.status is entry.status)
        and (wanted.published_after is None or entry.published_at > wanted.published_after)
        and (wanted.published_before is None or entry.published_at < wanted.published_before)
    ]
    if request.order is ArticleOrder.HEADLINE:
        return sorted(matching, key=lambda entry: (entry.headline, entry.id))
    ordered = sorted(matching, key=lambda entry: (entry.published_at, entry.id))
    return ordered[::-1] if request.order is ArticleOrder.NEWEST else ordered


@settings(max_examples=300, deadline=None)
@given(
    found=entries,
    changed=st.lists(st.tuples(st.integers(min_value=0), st.sampled_from(list(ArticleStatus)))),
    dropped=st.lists(st.integers(min_value=0)),
    wanted=filters,
    audience=st.sampled_from(list(Audience)),
)
@pytest.mark.slow
def test_catalog_counts_what_a_walk_counts_across_changes(
    found: list[Entry],
    changed: list[tuple[int, ArticleStatus]],
    dropped: list[int],
    wanted: ArticleFilter,
    audience: Audience,
) -> None:
    """`totalCount` and `Tag.articleCount` come from bisecting the catalog's lists: they equal
    the articles counted one by one, after articles change status or go."""
    catalog, held = catalog_of(found, changed, dropped)
    request = PageRequest(filter=wanted, order=ArticleOrder.NEWEST, first=5, audience=audience)

    assert _page(catalog, request, NOW).total == len(expected(held, request))
    for tag in ("a", "b", "c"):
        public = audience is Audience.PUBLIC
        readable = [entry for entry in held if entry.readable(audience, NOW)]
        assert catalog.count(public=public, now=NOW, tag=tag) == sum(
            1 for entry in readable if tag in entry.tags
        )


LISTS = (
    "entries",
    "slugs",
    "by_date",
    "by_headline",
    "by_tag",
    "by_section",
    "public_by_date",
    "public_by_tag",
    "public_by_section",
    "public_by_month",
    "by_change",
    "by_status",
    "by_author",
    "by_creator",
    "creator_counts",
    "public_by_status",
    "public_by_creator",
)


@settings(max_examples=200, deadline=None)
@given(
    found=entries,
    batch=entries,
    changed=st.lists(
        st.tuples(st.integers(min_value=0), st.sampled_from(list(ArticleStatus))), unique_by=str
    ),
    creator=st.sampled_from(["", "person:a", "person:b"]),
)
def test_a_batch_put_together_is_held_as_if_put_one_by_one(
    found: list[Entry],
    batch: list[Entry],
    changed: list[tuple[int, ArticleStatus]],
    creator: str,
) -> None:
    """A revealed load's articles go into the catalog's lists together (one sort per list):
    every list and count ends as putting them one at a time leaves it."""
    catalog, held = catalog_of(found, [], [])
    one_by_one, _ = catalog_of(found, [], [])
    changes = {
        held[index % len(held)].id: replace(
            held[index % len(held)], status=status, version=2, creator=creator
        )
        for index, status in (changed if held else ())
    }
    news = [replace(entry, creator=creator) for entry in batch if entry.id not in changes]
    putting = [*changes.values(), *(e for e in news if e.slug not in one_by_one.slugs)]

    catalog._put_all(putting)
    for entry in putting:
        one_by_one._put(entry)

    for name in LISTS:
        assert getattr(catalog, name) == getattr(one_by_one, name), name


@settings(max_examples=300, deadline=None)
@given(
    found=entries,
    wanted=filters,
    order=st.sampled_from(list(ArticleOrder)),
    audience=st.sampled_from(list(Audience)),
    size=st.integers(min_value=1, max_value=7),
)
def test_catalog_pages_walk_the_whole_list_once(
    found: list[Entry], wanted: ArticleFilter, order: ArticleOrder, audience: Audience, size: int
) -> None:
    catalog = Catalog()
    for entry in found:
        catalog._put(entry)
    request = PageRequest(filter=wanted, order=order, first=size, audience=audience)
    walked: list[Entry] = []
    totals = set()
    while True:
        page = _page(catalog, request, NOW)
        items, has_next, total = page.entries, page.has_next, page.total
        walked += items
        totals.add(total)
        if not has_next:
            break
        last = items[-1]
        value = last.headline if order is ArticleOrder.HEADLINE else last.published_at
        request = PageRequest(
            filter=wanted,
            order=order,
            first=size,
            audience=audience,
            after=Cursor("k", value, last.id),
        )

    truth = expected(found, request)
    assert walked == truth
    assert totals == {len(truth)}


@settings(max_examples=300, deadline=None)
@given(
    found=entries,
    wanted=filters,
    order=st.sampled_from(list(ArticleOrder)),
    audience=st.sampled_from(list(Audience)),
    size=st.integers(min_value=1, max_value=7),
)
def test_catalog_pages_walk_back_from_the_end_and_know_what_lies_either_side(
    found: list[Entry], wanted: ArticleFilter, order: ArticleOrder, audience: Audience, size: int
) -> None:
    catalog = Catalog()
    for entry in found:
        catalog._put(entry)
    truth = expected(found, PageRequest(filter=wanted, order=order, first=size, audience=audience))

    def cursor(entry: Entry) -> Cursor:
        value = entry.headline if order is ArticleOrder.HEADLINE else entry.published_at
        return Cursor("k", value, entry.id)

    request = PageRequest(filter=wanted, order=order, first=0, audience=audience, last=size)
    walked: list[Entry] = []
    while True:
        page = _page(catalog, request, NOW)
        walked = page.entries + walked
        start = len(truth) - len(walked)
        # Exact both ways, as Relay's loadPrevious and loadNext rely on.
        assert page.has_previous == (start > 0)
        assert page.has_next == (start + len(page.entries) < len(truth))
        if not page.has_previous:
            break
        request = PageRequest(
            filter=wanted,
            order=order,
            first=0,
            audience=audience,
            last=size,
            before=cursor(page.entries[0]),
        )
        # Forwards from the same place: the page just read, and what lies behind it.
        forwards = _page(
            catalog,
            PageRequest(
                filter=wanted,
                order=order,
                first=size,
                audience=audience,
                after=cursor(walked[0]),
            ),
            NOW,
        )
        assert forwards.has_previous
        assert forwards.entries == walked[1 : size + 1]

    assert walked == truth


PAGE = """
query ($first: Int!, $after: String, $orderBy: ArticleOrderBy!) {
  articles(first: $first, after: $after, orderBy: $orderBy) {
    pageInfo { hasNextPage endCursor }
    nodes { slug }
  }
}
"""


@pytest.fixture
async def tied_articles(client: GraphQLClient) -> list[str]:
    """Twelve articles over three dates and two headlines: ties everywhere."""
    slugs = []
    for index in range(12):
        article = await make_article(
            slug=f"tie-{index:02d}",
            headline=["Same", "Other"][index % 2],
            published_at=NOW - timedelta(days=index % 3),
        )
        slugs.append(article.slug)
    return slugs


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    sizes=st.lists(st.integers(min_value=1, max_value=5), min_size=12, max_size=12),
    order=st.sampled_from(["NEWEST", "OLDEST", "HEADLINE"]),
)
@pytest.mark.slow
async def test_paging_through_the_api_returns_each_article_once(
    client: GraphQLClient, tied_articles: list[str], sizes: list[int], order: str
) -> None:
    seen: list[str] = []
    after = None
    for size in sizes:
        page = (await client.data(PAGE, {"first": size, "after": after, "orderBy": order}))[
            "articles"
        ]
        seen += [node["slug"] for node in page["nodes"]]
        after = page["pageInfo"]["endCursor"]
        if not page["pageInfo"]["hasNextPage"]:
            break

    assert sorted(seen) == sorted(tied_articles)
    assert len(seen) == len(set(seen))


words = st.text(alphabet=string.ascii_letters + " ,.'éü-", min_size=1, max_size=40).filter(
    lambda text: text.strip() == text and text.strip()
)
article_files = st.lists(
    st.fixed_dictionaries(
        {
            "headline": words,
            "author": words,
            "excerpt": st.just("") | words,
            "body": st.text(alphabet=string.printable, max_size=300),
            "status": st.sampled_from(["draft", "published", "archived", "review"]),
            "date": moments,
            "tags": st.lists(st.sampled_from(["one", "two", "three"]), unique=True, max_size=3),
        }
    ),
    min_size=1,
    max_size=6,
)


def write_files(root: Path, articles: list[dict[str, Any]]) -> None:
    import yaml

    (root / "articles").mkdir(parents=True)
    tags = [{"slug": slug, "name": slug.title()} for slug in ("one", "two", "three")]
    (root / "tags.yaml").write_text(yaml.safe_dump(tags))
    for index, article in enumerate(articles):
        front = {key: value for key, value in article.items() if key != "body"}
        front |= {"slug": f"article-{index}", "section": "world"}
        front["date"] = front["date"].isoformat()
        text = f"---\n{yaml.safe_dump(front, allow_unicode=True)}---\n{article['body']}\n"
        (root / "articles" / f"article-{index}.md").write_text(text, encoding="utf-8")


@pytest.mark.slow
@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(articles=article_files)
async def test_load_export_load_changes_nothing(
    client: GraphQLClient, articles: list[dict[str, Any]]
) -> None:
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        write_files(root / "source", articles)
        source = read_fixtures(root / "source")
        assert not source.problems, source.problems
        await load_fixtures(source, actor=FACTORY, force=True)
        await export_fixtures(root / "exported")
        exported = read_fixtures(root / "exported")
        report = await load_fixtures(exported, actor=FACTORY)

    assert not exported.problems
    assert not report.changed
    assert not report.conflicts
    assert {item.content.slug for item in exported.articles} >= {
        item.content.slug for item in source.articles
    }


@given(
    st.lists(
        st.lists(st.integers(min_value=0, max_value=100_000), max_size=12), min_size=4, max_size=4
    ),
    st.lists(st.integers(min_value=0, max_value=10_000), min_size=4, max_size=4),
)
def test_a_postings_frequencies_are_counted_as_parsing_it_counts_them(
    positions: list[list[int]], lengths: list[int]
) -> None:
    encoded = Posting(tuple(lengths), tuple(tuple(field) for field in positions)).encode()

    assert frequencies_of(encoded) == Posting.parse(encoded).frequencies


words = st.sampled_from(["Quake", "quakes", "the", "of", "Korea's", "don't", "3,000", "café", "x"])
field_texts = st.lists(words, max_size=30).map(" ".join)


@given(st.lists(field_texts, min_size=4, max_size=4))
def test_analysis_writes_each_posting_as_its_posting_encodes(texts: list[str]) -> None:
    """`analyse` writes postings' text itself: the same as making each `Posting` from the
    fields' tokens and encoding it."""
    places: dict[str, list[list[int]]] = {}
    lengths = []
    for index, text in enumerate(texts):
        found = [token for token in tokens(text) if token.term is not None]
        for token in found:
            assert token.term is not None
            places.setdefault(token.term, [[], [], [], []])[index].append(token.position)
        lengths.append(len(found))
    expected = {
        term: Posting(tuple(lengths), tuple(map(tuple, fields))).encode()
        for term, fields in places.items()
    }

    assert analyse(texts) == expected
