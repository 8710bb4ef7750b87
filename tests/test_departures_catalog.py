"""The catalog's counts with scheduled unpublications, against counting one by one: whatever
articles leave public view, and whether or not their departures were heard of yet, a count at any
later moment is what the visibility rule gives, and the next change of the public's view is
announced no later than the nearest arrival or departure."""

from datetime import UTC, datetime, timedelta

from bson import ObjectId
from hypothesis import given, settings
from hypothesis import strategies as st

from cms.reading.catalog import Catalog, Entry
from cms.status import ArticleStatus
from cms.visibility import Audience

START = datetime(2026, 1, 1, tzinfo=UTC)
minutes = st.integers(min_value=0, max_value=6).map(lambda n: START + timedelta(minutes=n))
entries = st.lists(
    st.builds(
        Entry,
        id=st.binary(min_size=12, max_size=12).map(ObjectId),
        slug=st.uuids().map(str),
        version=st.just(1),
        status=st.sampled_from(list(ArticleStatus)),
        published_at=minutes,
        section=st.sampled_from(["world", "sport"]),
        tags=st.lists(st.sampled_from(["a", "b"]), max_size=2, unique=True).map(tuple),
        headline=st.just("A headline"),
        creator=st.sampled_from(["", "person:me"]),
        unpublish_at=st.none() | minutes,
    ),
    max_size=25,
    unique_by=lambda entry: entry.id,
)


@settings(max_examples=300, deadline=None)
@given(
    found=entries,
    put_at=minutes,
    heard_until=minutes,
    later=st.integers(min_value=0, max_value=4),
)
def test_counts_follow_departures_heard_of_or_not(
    found: list[Entry], put_at: datetime, heard_until: datetime, later: int
) -> None:
    catalog = Catalog()
    for entry in found:
        catalog._put(entry, put_at)
    # The departures announced by `heard_until` reached this process (as `apply` takes them).
    for entry in found:
        if entry.unpublish_at is not None and entry.unpublish_at <= heard_until:
            catalog._put(entry, max(heard_until, entry.unpublish_at))
    now = max(put_at, heard_until) + timedelta(minutes=later)

    public = [entry for entry in found if entry.readable(Audience.PUBLIC, now)]
    for tag in (None, "a", "b"):
        assert catalog.count(public=True, now=now, tag=tag) == sum(
            1 for entry in public if tag is None or tag in entry.tags
        )
    assert catalog.count(public=True, now=now, section="world") == sum(
        1 for entry in public if entry.section == "world"
    )
    for status in (ArticleStatus.PUBLISHED, ArticleStatus.SCHEDULED):
        assert catalog.public_count(status, now) == sum(
            1 for entry in public if entry.status is status
        )
        assert catalog.public_count(status, now, creator="person:me") == sum(
            1 for entry in public if entry.status is status and entry.creator == "person:me"
        )
    changes = [
        moment
        for entry in found
        if entry.status in {ArticleStatus.PUBLISHED, ArticleStatus.SCHEDULED}
        and (entry.unpublish_at is None or entry.unpublish_at > entry.published_at)
        for moment in (entry.published_at, entry.unpublish_at)
        if moment is not None and moment > now
    ]
    next_change = catalog.next_arrival(now)
    # Waking early is harmless (caches are only kept until then); late would serve a stale page.
    if changes:
        assert next_change is not None
        assert now < next_change <= min(changes)
