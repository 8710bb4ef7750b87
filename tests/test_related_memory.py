"""A writing process holds every article's related-items profile and list: each word, tag and
article id among them is held once, not once per profile or list that names it."""

import gc
import pickle
import subprocess
import sys
import tracemalloc
from datetime import UTC, datetime

from bson import ObjectId

from cms.related.model import Listing, Model
from cms.related.score import SIGNATURE_TERMS, Profile, Weights
from cms.related.store import listing_of, profile_document, stored_profile
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


def test_a_profile_read_after_a_list_naming_it_holds_that_list_id_object() -> None:
    # Profiles are read in id order, so a list often names an article before its profile comes.
    model = Model()
    reader, member = ObjectId(), ObjectId()
    model.put(stored_profile(stored(reader, "reader"))[0])
    model.set_listing(reader, Listing((ObjectId(str(member)),), None))

    held = model.put(stored_profile(stored(ObjectId(str(member)), "member"))[0])

    named = model.listings[reader].members[0]
    assert held is named
    assert model.profiles[member].id is named


def test_a_signature_holds_its_words_as_numbers_beside_its_weights() -> None:
    words = [f"word{number}" for number in range(SIGNATURE_TERMS)]
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    signatures = [
        Weights((word, 1.0 / (rank + number + 1)) for rank, word in enumerate(words))
        for number in range(1000)
    ]
    held = (tracemalloc.get_traced_memory()[0] - before) / len(signatures)
    tracemalloc.stop()

    # 32 doubles and 32 four-byte numbers (384 bytes) in one object, and the mapping's own: a
    # tuple of the words and an array of the weights took 710.
    assert held < 520
    assert dict(signatures[5]) == {word: 1.0 / (rank + 6) for rank, word in enumerate(words)}


def test_weights_made_in_another_process_keep_their_keys() -> None:
    # Keys are numbered in the order a process first meets them: these numbers differ here.
    made = subprocess.run(
        [
            sys.executable,
            "-c",
            "import pickle, sys; from cms.related.score import Weights; "
            "Weights([('zebra', 1.0)]); "
            "sys.stdout.buffer.write(pickle.dumps(Weights([('troops', 0.6), ('zebra', 0.8)])))",
        ],
        capture_output=True,
        check=True,
    )
    Weights([("troops", 1.0)])

    assert dict(pickle.loads(made.stdout)) == {"troops": 0.6, "zebra": 0.8}


def test_a_stored_list_read_names_each_member_by_the_id_object_the_model_holds() -> None:
    model = Model()
    members = [ObjectId() for _ in range(3)]
    for number, member in enumerate(members):
        model.put(stored_profile(stored(member, f"member-{number}"))[0])
    reader, newcomer = ObjectId(), ObjectId()
    listing = Listing((*members, newcomer), (-0.5, 1.0, str(newcomer)))
    document = profile_document(stored_profile(stored(reader, "reader"))[0], 1, listing)

    model.set_stored_listing(reader, document["members"], stored_profile(document)[2])

    assert model.listings[reader] == listing_of(document) == listing
    held = model.listings[reader].members
    assert all(a is b for a, b in zip(held[:3], members, strict=True))
    # A member not held before is held from now on, as the same object wherever it is named.
    model.set_stored_listing(members[0], str(held[3]), None)
    assert model.listings[members[0]].members[0] is held[3]
