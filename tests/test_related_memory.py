"""A writing process holds every article's related-items profile and list: each word, tag and
article id among them is held once, not once per profile or list that names it."""

from datetime import UTC, datetime

from bson import ObjectId

from cms.related.model import Listing, Model
from cms.related.score import Profile
from cms.related.store import profile_document, stored_profile
from cms.status import ArticleStatus


def stored(article_id: ObjectId, slug: str) -> dict[str, object]:
    """A profile document as the store returns it: every string and id an object of its own."""
    profile = Profile(
        article_id,
        slug,
        ArticleStatus.PUBLISHED,
        datetime(2025, 1, 1, tzinfo=UTC),
        "".join(["wor", "ld"]),
        {"".join(["troo", "ps"]): 1.0},
        {"".join(["russ", "ia"]): 1.0},
    )
    return profile_document(profile, 1, None)


def test_profiles_read_from_the_store_share_their_words_tags_and_sections() -> None:
    one, _, _ = stored_profile(stored(ObjectId(), "one"))
    other, _, _ = stored_profile(stored(ObjectId(), "other"))
    (term,), (same_term,) = one.terms, other.terms
    (tag,), (same_tag,) = one.tags, other.tags

    assert term is same_term
    assert tag is same_tag
    assert one.section is other.section


def test_lists_naming_one_article_hold_one_id_object() -> None:
    model = Model()
    member = ObjectId()
    model.put(stored_profile(stored(member, "member"))[0])

    for slug in ("one", "two"):
        article_id = ObjectId()
        model.put(stored_profile(stored(article_id, slug))[0])
        model.set_listing(article_id, Listing((ObjectId(str(member)),), None))

    first, second = (listing.members[0] for listing in model.listings.values())
    assert first == member
    assert first is second
