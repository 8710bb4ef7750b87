"""The related-items model kept up with each change ranks exactly as one made afresh from the same
profiles: the arrays it keeps between changes (rows scored one by one until they are made again)
never change a list, a cut or which lists a new article enters."""

import pickle
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from bson import ObjectId
from hypothesis import given, settings
from hypothesis import strategies as st

from cms.related import model as related_model
from cms.related.model import Model
from cms.related.score import Profile, Statistics, Weights, dot, order, score, scorer
from cms.status import ArticleStatus

IDS = [ObjectId(f"{number:024x}") for number in range(1, 41)]
WORDS = [f"w{number}" for number in range(12)]
TAGS = [f"t{number}" for number in range(5)]
BASE = datetime(2025, 1, 1, tzinfo=UTC)


def weights(keys: list[str], values: list[float]) -> Weights:
    norm = sum(value * value for value in values[: len(keys)]) ** 0.5 or 1.0
    return Weights((key, value / norm) for key, value in zip(keys, values, strict=False))


PROFILES = st.builds(
    lambda number, words, word_values, tags, section, days, status: Profile(
        IDS[number],
        f"slug-{number}",
        status,
        BASE + timedelta(days=days),
        section,
        weights(words, word_values),
        weights(tags, [1.0] * len(tags)),
    ),
    st.integers(0, len(IDS) - 1),
    st.lists(st.sampled_from(WORDS), max_size=5, unique=True),
    st.lists(st.floats(0.1, 3.0), min_size=5, max_size=5),
    st.lists(st.sampled_from(TAGS), max_size=3, unique=True),
    st.sampled_from(("world", "sport")),
    # Over two years and more: some pairs are further apart than the window (a year).
    st.integers(0, 800),
    st.sampled_from((ArticleStatus.PUBLISHED, ArticleStatus.PUBLISHED, ArticleStatus.DRAFT)),
)
# A put (a profile) or a drop (an index into IDS).
CHANGES = st.lists(PROFILES | st.integers(0, len(IDS) - 1), max_size=40)


def afresh(model: Model) -> Model:
    made = Model(model.statistics)
    for profile in model.profiles.values():
        made.put(profile)
    for article_id, listing in model.listings.items():
        made.set_listing(article_id, listing)
    return made


def relist(model: Model) -> None:
    for article_id, profile in list(model.profiles.items()):
        model.set_listing(article_id, model.listing(profile) if profile.listed else None)
    for article_id in list(model.listings):
        if article_id not in model.profiles:
            model.set_listing(article_id, None)


@pytest.mark.parametrize("fresh_rows", [0, 3, 1000])
@settings(max_examples=60, deadline=None)
@given(first=st.lists(PROFILES, max_size=30), changes=CHANGES, newcomer=PROFILES)
def test_a_kept_model_ranks_as_one_made_afresh(
    fresh_rows: int, first: list[Profile], changes: list[Profile | int], newcomer: Profile
) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(related_model, "FRESH_ROWS", fresh_rows)
        # Short lists, so that most are full and have a cut that a newcomer must beat.
        patch.setattr(related_model, "STORED", 3)
        check_kept_model(first, changes, newcomer)


def check_kept_model(first: list[Profile], changes: list[Profile | int], newcomer: Profile) -> None:
    kept = Model()
    for profile in first:
        kept.put(profile)
    relist(kept)
    for change in changes:
        if isinstance(change, Profile):
            kept.put(change)
        else:
            kept.drop(IDS[change])
        # The arrays are in use between changes, as when a process saves one article at a time.
        relist(kept)
    made = afresh(kept)

    for profile in kept.profiles.values():
        assert kept.listing(profile) == made.listing(profile)
        if profile.listed:
            assert kept.listings[profile.id] == made.listing(profile)
    assert kept.entered(newcomer) == made.entered(newcomer)
    assert kept.touched([(None, newcomer)]) == made.touched([(None, newcomer)])
    # Who lists whom, read from the lists' arrays.
    for article_id in IDS:
        holding = {
            other for other, listing in kept.listings.items() if article_id in listing.members
        }
        assert kept.holders([article_id]) == holding
    assert_a_change_moves_only_what_it_names(kept, newcomer)
    assert all(len(listing.members) <= related_model.STORED for listing in kept.listings.values())


# Pruning on from the first others (`_Vectors.best_first`), and `_floor`'s sample either the
# whole or a part; as in production.
PRUNINGS = [(0, 1), (1, 3), (related_model.PRUNED, related_model.SAMPLED)]


@pytest.mark.parametrize(("pruned", "sampled"), PRUNINGS)
@settings(max_examples=60, deadline=None)
@given(profiles=st.lists(PROFILES, max_size=40), wanted=st.integers(1, 3))
def test_the_others_come_best_first_each_within_the_margin_of_its_score(
    pruned: int, sampled: int, profiles: list[Profile], wanted: int
) -> None:
    with pytest.MonkeyPatch.context() as patch:
        model = pruning(patch, pruned, sampled, profiles)
        vectors = model._vectors()
        for profile in model.profiles.values():
            found = list(vectors.best_first(profile, wanted))
            sharing = {
                model.slots[other.id.binary]: other
                for other in model.profiles.values()
                if shares(profile, other)
            }
            assert sorted(row for row, _ in found) == sorted(sharing)
            values = [value for _, value in found]
            assert values == sorted(values, reverse=True)
            for row, value in found:
                assert abs(value - score(profile, sharing[row])) < related_model.MARGIN / 10


@pytest.mark.parametrize(("pruned", "sampled"), PRUNINGS)
@settings(max_examples=60, deadline=None)
@given(profiles=st.lists(PROFILES, max_size=40), newcomer=PROFILES)
def test_lists_are_the_best_by_the_exact_score_of_all_the_others(
    pruned: int, sampled: int, profiles: list[Profile], newcomer: Profile
) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(related_model, "STORED", 3)
        model = pruning(patch, pruned, sampled, profiles)
        relist(model)
        for profile in model.profiles.values():
            if profile.listed:
                assert model.listings[profile.id].members == best_by_exact_score(model, profile)
        # The lists a newcomer enters are those whose last item it outscores, or that are short.
        model.drop(newcomer.id)
        relist(model)
        entering = {
            profile.id
            for profile in model.profiles.values()
            if profile.listed
            and newcomer.listed
            and shares(profile, newcomer)
            and (
                (cut := model.listings[profile.id].cut) is None
                or order(score(profile, newcomer), newcomer) < cut
            )
        }
        model.put(newcomer)
        assert (model.entered(newcomer) if newcomer.listed else set()) == entering


def pruning(patch: pytest.MonkeyPatch, pruned: int, sampled: int, profiles: list[Profile]) -> Model:
    """A model of `profiles` that ranks with these prunings."""
    patch.setattr(related_model, "PRUNED", pruned)
    patch.setattr(related_model, "SAMPLED", sampled)
    model = Model()
    for profile in profiles:
        model.put(profile)
    return model


def shares(one: Profile, other: Profile) -> bool:
    """Whether `other` is another article sharing a word or a tag with `one`, within the window
    of it."""
    return (
        other.id != one.id
        and Statistics().within(one.published_at, other.published_at)
        and bool(dot(one.terms, other.terms) or dot(one.tags, other.tags))
    )


def best_by_exact_score(model: Model, profile: Profile) -> tuple[ObjectId, ...]:
    """The `STORED` listed others sharing a word or a tag with `profile`, by `score` alone."""
    ranked = sorted(
        (order(score(profile, other), other), other.id)
        for other in model.profiles.values()
        if other.listed and shares(profile, other)
    )
    return tuple(article_id for _, article_id in ranked[: related_model.STORED])


@settings(max_examples=200)
@given(one=PROFILES, other=PROFILES)
def test_weights_score_as_plain_mappings_do(one: Profile, other: Profile) -> None:
    plain = Profile(
        other.id,
        other.slug,
        other.status,
        other.published_at,
        other.section,
        dict(other.terms),
        dict(other.tags),
    )
    assert dot(one.terms, other.terms) == dot(one.terms, plain.terms)
    assert score(one, other) == score(one, plain) == score(other, one)
    assert scorer(one)(other) == scorer(one)(plain) == scorer(plain)(one) == score(one, other)
    assert dict(Weights(one.terms.items())) == dict(one.terms)
    assert pickle.loads(pickle.dumps(one.terms)).dot(other.terms) == dot(one.terms, other.terms)


@settings(max_examples=100, deadline=None)
@given(profiles=st.lists(PROFILES, max_size=40), change=PROFILES)
def test_the_profiles_within_two_windows_of_a_change_move_every_list_as_all_of_them_do(
    profiles: list[Profile], change: Profile
) -> None:
    """What `cms.related.state` holds for a change (every profile published since two windows
    before the changed article, then or now) re-ranks the same lists, the same way, as a model
    holding every profile."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(related_model, "STORED", 3)
        whole = Model()
        for profile in profiles:
            whole.put(profile)
        relist(whole)
        before = whole.profiles.get(change.id)
        times = [change.published_at] + ([before.published_at] if before else [])
        since = min(times) - 2 * timedelta(days=Statistics().window or 0)
        held = Model()
        for profile in whole.profiles.values():
            if profile.published_at >= since:
                held.put(profile)
        for article_id, listing in whole.listings.items():
            if article_id in held.profiles:
                held.set_listing(article_id, listing)

        moved = []
        for model in (whole, held):
            named = model.touched([(model.profiles.get(change.id), change)])
            model.put(change)
            if change.listed:
                named |= model.entered(change)
            moved.append(
                {
                    article_id: model.listing(model.profiles[article_id])
                    if model.profiles[article_id].listed
                    else None
                    for article_id in named
                    if article_id in model.profiles
                }
            )
        assert moved[0] == moved[1]


def assert_a_change_moves_only_what_it_names(model: Model, change: Profile) -> None:
    """Every list that ranks differently once `change` is applied is one that `touched` (before
    it) or `entered` (after it) names: a write re-ranks no other list."""
    named = model.touched([(model.profiles.get(change.id), change)])
    model.put(change)
    if change.listed:
        named |= model.entered(change)
    for profile in model.profiles.values():
        stored = model.listings.get(profile.id)
        now = model.listing(profile) if profile.listed else None
        if now != stored:
            assert profile.id in named, (profile.slug, stored, now)


def test_a_difference_the_arrays_round_away_is_ranked_by_the_exact_score() -> None:
    """The arrays hold weights in single precision: here they put `behind` first by 4e-8, where
    the exact score puts `ahead` first by 8e-9. Both are within `MARGIN`, so both are scored
    exactly, and the list, its cut and the lists a newcomer enters follow the exact score."""
    half = 0.5
    # 0.5 + 2.9e-8 rounds down to 0.5 in single precision; 0.5 + 3.5e-8 rounds up to 0.5 + 2**-24.
    ahead = profile(IDS[1], terms={"w0": half + 2.9e-8}, tags={"t0": half})
    behind = profile(IDS[2], terms={"w0": half}, tags={"t0": half + 3.5e-8})
    reader = profile(IDS[0], terms={"w0": 1.0}, tags={"t0": 1.0})
    assert score(reader, ahead) > score(reader, behind)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(related_model, "STORED", 1)
        model = Model()
        for each in (reader, behind, ahead):
            model.put(each)
        relist(model)
        assert model.listings[reader.id].members == (ahead.id,)

        # A newcomer that scores between the two enters the list that holds `behind` only.
        model.set_listing(reader.id, related_model.Listing((behind.id,), order_key(reader, behind)))
        newcomer = profile(IDS[3], terms={"w0": half + 2.5e-8}, tags={"t0": half})
        assert score(reader, behind) < score(reader, newcomer) < score(reader, ahead)
        assert reader.id in model.entered(newcomer)
        model.set_listing(reader.id, related_model.Listing((ahead.id,), order_key(reader, ahead)))
        assert reader.id not in model.entered(newcomer)


def profile(article_id: ObjectId, *, terms: dict[str, float], tags: dict[str, float]) -> Profile:
    return Profile(
        article_id,
        f"slug-{article_id}",
        ArticleStatus.PUBLISHED,
        BASE,
        "world",
        Weights(terms.items()),
        Weights(tags.items()),
    )


def order_key(reader: Profile, other: Profile) -> related_model.OrderKey:
    return order(score(reader, other), other)


@pytest.mark.parametrize("sampled", [1, 3, related_model.SAMPLED])
@settings(max_examples=200)
@given(
    values=st.lists(st.floats(0, 2, allow_nan=False), min_size=1, max_size=300),
    count=st.integers(1, 120),
)
def test_a_floor_is_reached_by_at_least_as_many_as_asked(
    sampled: int, values: list[float], count: int
) -> None:
    """What lets ranking score only the others related enough: at least `count` of them (all,
    if fewer) are related at least the floor."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(related_model, "SAMPLED", sampled)
        array = np.array(values)
        floor = related_model._floor(array, count)
        assert np.count_nonzero(array >= floor) >= min(count, len(values))
        assert floor in values
