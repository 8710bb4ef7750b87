"""Whether the search index and the stored related lists are exactly what the articles give."""

from cms import discovery


async def assert_exact() -> None:
    """Rebuild both from the articles: an exact store has nothing to fix and no difference."""
    report = await discovery.rebuild()
    assert not report.search.fixed, report.search
    assert report.related.differed == [], report.related
    assert report.related.removed == 0, report.related
