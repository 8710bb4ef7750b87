"""The desk's list of articles (`cms.reading.editorial`), against the list computed the naive way:
for any articles, changes, filters, orders, readers and page sizes, paging forward and back walks
exactly what the reader may see, in order, and the counts are what counting one by one gives."""

from datetime import UTC, datetime, timedelta

from bson import ObjectId
from hypothesis import given, settings
from hypothesis import strategies as st

from cms.access import Actor, Role
from cms.authors import slug_for
from cms.reading.catalog import Entry, author_key
from cms.reading.editorial import ListFilter, ListOrder, ListRequest, find_page
from cms.status import ArticleStatus
from cms.visibility import Audience
from tests.catalogs import catalog_of

NOW = datetime(2026, 1, 1, tzinfo=UTC)
ME = "person:aaaaaaaaaaaaaaaaaaaaaaaa"
OTHER = "person:bbbbbbbbbbbbbbbbbbbbbbbb"
# Few distinct dates, so that ties (broken by id) are common; some still to come.
moments = st.integers(min_value=-3, max_value=2).map(lambda days: NOW + timedelta(days=days))
object_ids = st.binary(min_size=12, max_size=12).map(ObjectId)
entries = st.lists(
    st.builds(
        Entry,
        id=object_ids,
        slug=st.uuids().map(str),
        version=st.just(1),
        status=st.sampled_from(list(ArticleStatus)),
        published_at=moments,
        section=st.sampled_from(["world", "sport"]),
        tags=st.lists(st.sampled_from(["a", "b"]), max_size=2, unique=True).map(tuple),
        headline=st.just("A headline"),
        author=st.sampled_from(["Ada Byron", "ada  BYRON", "Grace Hopper", ""]),
        authors=st.lists(st.sampled_from(["ada-byron", "bo-kim"]), max_size=2, unique=True).map(
            tuple
        ),
        updated_at=moments,
        creator=st.sampled_from(["", ME, OTHER]),
    ),
    max_size=30,
    unique_by=lambda entry: entry.id,
)
filters = st.builds(
    ListFilter,
    status=st.none() | st.sampled_from(list(ArticleStatus)),
    section=st.none() | st.just("world"),
    tag=st.none() | st.sampled_from(["a", "b"]),
    author=st.none() | st.sampled_from(["ADA BYRON", "Grace Hopper", "Nobody", "Bo Kim"]),
    mine=st.booleans(),
)
readers = st.sampled_from(
    [Actor("Me", Role.EDITOR, ME), Actor("Me", Role.CONTRIBUTOR, ME), Actor("Me", Role.ADMIN, ME)]
)


def visible(entry: Entry, reader: Actor) -> bool:
    if reader.role is not Role.CONTRIBUTOR:
        return True
    return entry.creator == ME or entry.readable(Audience.PUBLIC, NOW)


def by_author(held: list[Entry], entry: Entry, name: str) -> bool:
    """An author's bylines where any article names the author the name's slug is; else the
    credit (or old byline text) by name."""
    slug = slug_for(name)
    if any(slug in other.authors for other in held):
        return slug in entry.authors
    return author_key(entry.author) == author_key(name)


def expected(held: list[Entry], wanted: ListFilter, order: ListOrder, reader: Actor) -> list[Entry]:
    matching = [
        entry
        for entry in held
        if visible(entry, reader)
        and (wanted.status is None or entry.status is wanted.status)
        and (wanted.section is None or entry.section == wanted.section)
        and (wanted.tag is None or wanted.tag in entry.tags)
        and (wanted.author is None or by_author(held, entry, wanted.author))
        and (not wanted.mine or entry.creator == ME)
    ]
    if order is ListOrder.PUBLISHED:
        return sorted(matching, key=lambda entry: (entry.published_at, entry.id), reverse=True)
    return sorted(matching, key=lambda entry: (entry.changed_at, entry.id), reverse=True)


@settings(max_examples=300, deadline=None)
@given(
    found=entries,
    changed=st.lists(st.tuples(st.integers(min_value=0), st.sampled_from(list(ArticleStatus)))),
    dropped=st.lists(st.integers(min_value=0), max_size=5),
    wanted=filters,
    order=st.sampled_from([ListOrder.CHANGED, ListOrder.PUBLISHED]),
    reader=readers,
    size=st.integers(min_value=1, max_value=4),
)
def test_paging_forward_and_back_walks_exactly_what_the_reader_may_see(
    found: list[Entry],
    changed: list[tuple[int, ArticleStatus]],
    dropped: list[int],
    wanted: ListFilter,
    order: ListOrder,
    reader: Actor,
    size: int,
) -> None:
    catalog, held = catalog_of(found, changed, dropped)
    truth = expected(held, wanted, order, reader)

    walked: list[Entry] = []
    page = find_page(catalog, reader=reader, request=ListRequest(wanted, order, size=size), now=NOW)
    pages = [page]
    assert page.previous_cursor is None
    while True:
        walked += page.entries
        assert page.total is None or page.total == len(truth)
        if page.next_cursor is None:
            break
        page = find_page(
            catalog,
            reader=reader,
            request=ListRequest(wanted, order, after=page.next_cursor, size=size),
            now=NOW,
        )
        pages.append(page)
    back: list[Entry] = []
    while page.previous_cursor is not None:
        page = find_page(
            catalog,
            reader=reader,
            request=ListRequest(wanted, order, before=page.previous_cursor, size=size),
            now=NOW,
        )
        back = page.entries + back

    assert walked == truth
    assert all(len(page.entries) == size for page in pages[:-1])
    # Back from the last page to the first: every page before it, in order.
    assert back == truth[: len(truth) - len(pages[-1].entries)]


@settings(max_examples=300, deadline=None)
@given(
    found=entries,
    changed=st.lists(st.tuples(st.integers(min_value=0), st.sampled_from(list(ArticleStatus)))),
    dropped=st.lists(st.integers(min_value=0), max_size=5),
    reader=readers,
)
def test_counts_per_status_and_mine_are_what_counting_one_by_one_gives(
    found: list[Entry],
    changed: list[tuple[int, ArticleStatus]],
    dropped: list[int],
    reader: Actor,
) -> None:
    catalog, held = catalog_of(found, changed, dropped)

    page = find_page(catalog, reader=reader, request=ListRequest(size=5), now=NOW)

    seen = [entry for entry in held if visible(entry, reader)]
    assert page.counts == {
        status: sum(1 for entry in seen if entry.status is status) for status in ArticleStatus
    }
    assert page.mine == sum(1 for entry in held if entry.creator == ME)


def test_a_contributor_never_sees_anothers_article_that_is_not_public() -> None:
    others = [
        Entry(
            ObjectId(), f"s{n}", 1, status, NOW - timedelta(days=1), "world", (), "H", creator=OTHER
        )
        for n, status in enumerate(ArticleStatus)
    ]
    waiting = Entry(
        ObjectId(),
        "later",
        1,
        ArticleStatus.SCHEDULED,
        NOW + timedelta(days=1),
        "world",
        (),
        "H",
        creator=OTHER,
    )
    catalog, _ = catalog_of([*others, waiting], [], [])
    contributor = Actor("Me", Role.CONTRIBUTOR, ME)

    page = find_page(catalog, reader=contributor, request=ListRequest(), now=NOW)

    # A scheduled article whose time came is public; one still waiting, a draft, one in review
    # and an archived one are not.
    assert {entry.slug for entry in page.entries} == {"s2", "s3"}
    assert page.counts[ArticleStatus.SCHEDULED] == 1
    assert page.counts[ArticleStatus.DRAFT] == 0
