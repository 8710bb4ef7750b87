"""Unit and property tests of the editor's pure rules: the conflict diff and merge, the form's
round trip, who may make which move, and where an article stands for the public by the clock."""

from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from starlette.datastructures import ImmutableMultiDict

from cms.access import Actor, Role
from cms.content import ArticleContent, FieldProblem
from cms.status import ArticleStatus
from cms.visibility import awaits_unpublication, is_readable
from cms.workflow.conflicts import Side, differences, merged
from cms.workflow.rights import move_word, moves_for
from cms.workflow.transitions import TRANSITIONS
from desk.editor_form import (
    CONTROLS,
    content_of_form,
    form_values,
    problems_by_control,
    suggested_slug,
)
from tests.desk_forms import EDITOR_LABELS

FIELDS = ("headline", "body", "tags")
values = st.one_of(st.text(max_size=5), st.lists(st.sampled_from("abc"), max_size=3))
contents = st.fixed_dictionaries(dict.fromkeys(FIELDS, values))


@given(base=contents, theirs=contents, yours=contents)
def test_a_conflict_lists_exactly_the_fields_that_differ(
    base: dict[str, Any], theirs: dict[str, Any], yours: dict[str, Any]
) -> None:
    found = differences(base=base, theirs=theirs, yours=yours, fields=FIELDS)

    assert [c.field for c in found] == [n for n in FIELDS if theirs[n] != yours[n]]
    for conflict in found:
        assert (conflict.theirs, conflict.yours) == (theirs[conflict.field], yours[conflict.field])
        changed_by_them = base[conflict.field] != theirs[conflict.field]
        changed_by_you = base[conflict.field] != yours[conflict.field]
        expected = (
            None
            if changed_by_them and changed_by_you
            else Side.THEIRS
            if changed_by_them
            else Side.YOURS
        )
        assert conflict.suggested is expected


@given(base=contents, theirs=contents, yours=contents)
def test_taking_every_suggestion_keeps_each_sides_own_changes(
    base: dict[str, Any], theirs: dict[str, Any], yours: dict[str, Any]
) -> None:
    found = differences(base=base, theirs=theirs, yours=yours, fields=FIELDS)
    choices = {c.field: c.suggested or Side.YOURS for c in found}

    result = merged(theirs=theirs, yours=yours, choices=choices)

    for name in FIELDS:
        if base[name] == yours[name]:
            assert result[name] == theirs[name]  # only they changed it (or nobody did)
        elif base[name] == theirs[name]:
            assert result[name] == yours[name]  # only you did


def test_without_the_common_version_nothing_is_suggested() -> None:
    found = differences(base=None, theirs={"headline": "A"}, yours={"headline": "B"}, fields=FIELDS)

    assert [(c.field, c.suggested) for c in found] == [("headline", None)]


def test_every_content_field_has_a_labelled_control() -> None:
    labels = [control.label for control in CONTROLS]

    assert labels == list(EDITOR_LABELS)


slugs = st.lists(st.from_regex(r"[a-z]{1,6}", fullmatch=True), max_size=4, unique=True)
plain = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Zl", "Zp")),
    max_size=20,
).map(str.strip)
moments = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
).map(lambda moment: moment.replace(second=0, microsecond=0))


@given(
    text=st.fixed_dictionaries(
        dict.fromkeys(("headline", "excerpt", "body", "section", "credit"), plain)
    ),
    slug=st.from_regex(r"[a-z]{1,8}", fullmatch=True),
    tags=slugs,
    authors=slugs,
    related=slugs,
    image=st.none() | st.fixed_dictionaries({"url": st.just("https://img.test/a.jpg")}),
    published_at=moments,
    unpublish_at=st.none() | moments,
)
def test_what_the_form_shows_it_sends_back_unchanged(
    text: dict[str, str],
    slug: str,
    tags: list[str],
    authors: list[str],
    related: list[str],
    image: dict[str, str] | None,
    published_at: datetime,
    unpublish_at: datetime | None,
) -> None:
    content: dict[str, Any] = {
        **text,
        "slug": slug,
        "tags": tags,
        "authors": authors,
        "related": related,
        "not_related": [],
        "image": {**image, "caption": "", "credit": "", "alt": ""} if image else None,
        "published_at": published_at,
        "unpublish_at": unpublish_at,
    }
    shown = form_values(content)
    pairs = [
        (name, item)
        for name, value in shown.items()
        for item in (value if isinstance(value, list) else [value])
    ]

    sent = content_of_form(ImmutableMultiDict(pairs))

    parsed = {
        name: datetime.fromisoformat(sent[name]) if sent[name] else None
        for name in ("published_at", "unpublish_at")
    }
    assert parsed == {"published_at": published_at, "unpublish_at": unpublish_at}
    assert {k: v for k, v in sent.items() if k not in parsed} == {
        k: v for k, v in content.items() if k not in parsed
    }


def test_a_blank_slug_is_suggested_from_the_headline_by_the_slug_rule() -> None:
    sent = content_of_form(ImmutableMultiDict([("headline", "Élan: 3 More Troops, Déjà-vu!")]))

    assert sent["slug"] == "elan-3-more-troops-deja-vu"
    assert suggested_slug("") == ""
    ArticleContent.model_validate(
        {"headline": "x", "slug": sent["slug"], "published_at": datetime.now(UTC)}
        | {"credit": "a", "section": "s"}
    )


def test_problems_go_to_the_control_their_field_names() -> None:
    found = problems_by_control(
        [
            FieldProblem("image.url", "bad address"),
            FieldProblem("image.id", "not in the library"),
            FieldProblem("image", "not an image"),
            FieldProblem("tags.2", "unknown tag 'x'"),
            FieldProblem("headline", "required"),
            FieldProblem("", "whole"),
        ]
    )

    assert found == {
        "image_url": ["bad address"],
        "image": ["not in the library", "not an image"],
        "tags": ["unknown tag 'x'"],
        "headline": ["required"],
        "": ["whole"],
    }


CONTRIBUTOR = Actor("Wri", role=Role.CONTRIBUTOR, id="person:w")
EDITOR = Actor("Edi", role=Role.EDITOR, id="person:e")


def test_a_contributor_only_submits_their_own_drafts_an_editor_makes_every_move() -> None:
    for status in ArticleStatus:
        own = moves_for(CONTRIBUTOR, status=status, created_by="person:w")
        others = moves_for(CONTRIBUTOR, status=status, created_by="person:e")
        every = moves_for(EDITOR, status=status, created_by="person:w")

        assert own == ([ArticleStatus.REVIEW] if status is ArticleStatus.DRAFT else [])
        assert others == []
        assert set(every) == TRANSITIONS[status]


def test_each_move_has_the_issues_word() -> None:
    words = {
        (current, target): move_word(current, target)
        for current, targets in TRANSITIONS.items()
        for target in targets
    }

    assert set(words.values()) == {
        "Submit for review",
        "Publish",
        "Schedule",
        "Unpublish",
        "Archive",
        "Back to draft",
    }
    assert words[ArticleStatus.PUBLISHED, ArticleStatus.DRAFT] == "Unpublish"
    assert words[ArticleStatus.REVIEW, ArticleStatus.DRAFT] == "Back to draft"


@given(
    published=st.integers(-100, 100),
    leaves=st.none() | st.integers(-100, 100),
    status=st.sampled_from(ArticleStatus),
)
def test_an_article_is_public_from_its_publication_until_it_leaves(
    published: int, leaves: int | None, status: ArticleStatus
) -> None:
    from cms.visibility import Audience

    now = datetime(2026, 1, 1, tzinfo=UTC)
    published_at = now + timedelta(minutes=published)
    unpublish_at = None if leaves is None else now + timedelta(minutes=leaves)

    public = is_readable(Audience.PUBLIC, status, published_at, now, unpublish_at)
    waiting = awaits_unpublication(status, published_at, unpublish_at, now)

    in_public_status = status in {ArticleStatus.PUBLISHED, ArticleStatus.SCHEDULED}
    assert public == (in_public_status and published <= 0 and (leaves is None or leaves > 0))
    assert waiting == (
        in_public_status and leaves is not None and leaves > 0 and leaves > published
    )
