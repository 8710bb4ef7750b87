"""A common word's leaders (its head's top, with the changes since) are exactly the head of its
ranking, whatever the top's size and whatever changed since it was laid out."""

from hypothesis import given, settings
from hypothesis import strategies as st

from cms.search import bm25
from cms.search.index import holding, leaders_of
from cms.search.reindex import head_document

NORMS = (5.0, 5.0, 1.0, 20.0)
ARTICLES = st.integers(0, 60).map(lambda number: f"{number:024x}")
# How often the word is in the body, and the body's length: its impact (often the same).
POSTINGS = st.tuples(st.integers(1, 3), st.sampled_from((10, 20)))


def posting(occurrences: int, length: int) -> str:
    return f"5,5,0,{length}||||" + " ".join(str(place) for place in range(occurrences))


@settings(max_examples=400)
@given(
    laid=st.dictionaries(ARTICLES, POSTINGS, min_size=1, max_size=40),
    size=st.integers(1, 12),
    changes=st.dictionaries(ARTICLES, st.none() | POSTINGS, max_size=10),
    moved=st.lists(st.tuples(st.integers(0, 39), st.none() | POSTINGS), max_size=8),
)
def test_leaders_are_the_head_of_the_exact_ranking(
    laid: dict[str, tuple[int, int]],
    size: int,
    changes: dict[str, tuple[int, int] | None],
    moved: list[tuple[int, tuple[int, int] | None]],
) -> None:
    postings = {article: posting(*found) for article, found in laid.items()}
    # Changes to articles laid out (edited or removed), and to new ones.
    known = sorted(postings)
    changes |= {known[index % len(known)]: change for index, change in moved}
    scales = bm25.scales(NORMS)
    impacts = {article: bm25.impact(found, scales) for article, found in postings.items()}
    head = head_document(impacts, size=size)
    head["p"] = {article: posting(*found) if found else "" for article, found in changes.items()}

    now = dict(postings)
    for article, found in changes.items():
        if found:
            now[article] = posting(*found)
        else:
            now.pop(article, None)
    exact = sorted(
        ((bm25.impact(found, scales), article) for article, found in now.items()), reverse=True
    )

    leaders = leaders_of(head, scales)
    assert leaders.impacts == exact[: len(leaders.impacts)]
    if len(postings) <= size:
        assert leaders.complete
        assert leaders.impacts == exact
    # Every change counts once: an addition, a removal (an edit counts as an addition).
    added = sum(1 for found in changes.values() if found)
    assert (
        leaders.articles == holding(head) == max(1, len(postings) + added - (len(changes) - added))
    )
