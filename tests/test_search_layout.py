"""A load that lays the index out anew writes in place, before its reveal, only the term
documents that no search or save following the live layout asks for (`Stats.reaches`)."""

from hypothesis import given
from hypothesis import strategies as st

from cms.search.index import Stats, is_bucket

WORDS = st.text("abcde", min_size=1, max_size=3)
LAYOUTS = st.dictionaries(WORDS, st.integers(1, 4), max_size=8)
BUCKETS = st.integers(16, 40)


@given(
    live_layout=LAYOUTS,
    live_buckets=BUCKETS,
    new_layout=LAYOUTS,
    new_buckets=BUCKETS,
    words=st.lists(WORDS, min_size=1, max_size=20),
)
def test_a_layout_reaches_every_document_its_readers_ask_for_and_no_other_of_a_new_one(
    live_layout: dict[str, int],
    live_buckets: int,
    new_layout: dict[str, int],
    new_buckets: int,
    words: list[str],
) -> None:
    live = Stats(layout=live_layout, buckets=live_buckets)
    new = Stats(layout=new_layout, buckets=new_buckets)
    asked = {doc_id for word in words for doc_id in live.documents(word)}
    assert all(live.reaches(doc_id) for doc_id in asked)
    for word in words:
        for doc_id in new.documents(word):
            if is_bucket(doc_id):
                assert live.reaches(doc_id) == (int(doc_id[1:]) < live_buckets)
            else:
                assert live.reaches(doc_id) == (doc_id in live.documents(word))
