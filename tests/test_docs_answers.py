"""How a docs page's shown answers and blocks are read (tests/docs_answers.py, docs_blocks.py)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import REPO
from tests.docs_answers import Mismatch, fill, match_json, match_text
from tests.docs_blocks import Command, Operation, PageError, Serve, steps

# A value a placeholder stands for: a token, an id, a date (no spaces: a word of text).
VALUES = st.text(st.characters(categories=["L", "N"]) | st.sampled_from("_-:+=/."), min_size=1)


@given(token=VALUES, other=VALUES)
def test_a_placeholder_is_remembered_and_must_match_again(token: str, other: str) -> None:
    captures: dict[str, str] = {}

    match_json(
        {"token": "{{token}}", "again": "{{token}}"}, {"token": token, "again": token}, captures
    )

    assert captures == {"token": token}
    assert fill('{"authorization": "Bearer {{token}}"}', captures) == (
        f'{{"authorization": "Bearer {token}"}}'
    )
    if other != token:
        with pytest.raises(Mismatch):
            match_json("{{token}}", other, captures)


def test_a_wrong_value_anywhere_in_an_answer_is_a_mismatch() -> None:
    shown = {"data": {"vote": {"__typename": "VoteSuccess", "count": 1, "ok": True}}}

    match_json(shown, {"data": {"vote": {"__typename": "VoteSuccess", "count": 1, "ok": True}}}, {})
    for actual in (
        {"data": {"vote": {"__typename": "VoteSuccess", "count": 2, "ok": True}}},
        {"data": {"vote": {"__typename": "VoteSuccess", "count": 1, "ok": 1}}},
        {"data": {"vote": {"__typename": "VoteSuccess", "count": 1}}},
        {"data": {"vote": {"__typename": "VoteSuccess", "count": 1, "ok": True, "more": 0}}},
        {"data": None},
    ):
        with pytest.raises(Mismatch):
            match_json(shown, actual, {})


def test_a_part_left_out_matches_anything_there_and_only_there() -> None:
    shown = {"body": "<p>North Korea ...", "items": [1, 2, "..."], "id": "..."}

    match_json(shown, {"body": "<p>North Korea sent", "items": [1, 2, 3, 4], "id": {"a": 1}}, {})
    match_json(shown, {"body": "<p>North Korea ", "items": [1, 2], "id": None}, {})
    with pytest.raises(Mismatch):
        match_json(shown, {"body": "<p>South Korea", "items": [1, 2], "id": 1}, {})
    with pytest.raises(Mismatch):
        match_json(shown, {"body": "<p>North Korea", "items": [1, 3, 2], "id": 1}, {})


def test_text_is_compared_word_by_word_whatever_the_table_width() -> None:
    shown = """\
1 token(s)
┏━━━━━━┳━━━━━━━━┳━━━━━━━━━━━━━┓
┃ name ┃ role   ┃ created     ┃
┡━━━━━━╇━━━━━━━━╇━━━━━━━━━━━━━┩
│ me   │ editor │ {{created}} │
└──────┴────────┴─────────────┘"""
    printed = """\
1 token(s)
┏━━━━━━┳━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━┓
┃ name ┃ role   ┃ created                   ┃
┡━━━━━━╇━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━┩
│ me   │ editor │ 2026-12-02T07:53:32+00:00 │
└──────┴────────┴───────────────────────────┘
"""
    captures: dict[str, str] = {}

    match_text(shown, printed, captures)

    assert captures == {"created": "2026-12-02T07:53:32+00:00"}
    with pytest.raises(Mismatch):
        match_text(shown.replace("editor", "admin"), printed, {})
    with pytest.raises(Mismatch):
        match_text(shown, printed + "one more line", {})


def test_a_word_left_out_stands_for_any_run_of_words() -> None:
    match_text("Added ...\nsecret: {{secret}}", "Added the endpoint wh_1 (all)\nsecret: s3", {})
    match_text("Added ... done", "Added done", {})
    with pytest.raises(Mismatch):
        match_text("Added ... done", "Added it, not finished", {})


def test_a_page_is_read_into_steps() -> None:
    page = """\
```console
$ NEWSROOM_WEBHOOKS_ALLOW_PRIVATE=true make serve
```

<!-- docs-test: eventually -->
```console
$ curl -s http://127.0.0.1:8000/graphql \\
  -d '{"query":
  "{ x }"}'
{"data": {}}
$ echo done
done
```

```graphql
--8<-- "examples/operations/vote.graphql"
```

```json title="Variables"
{"articleId": "{{id}}", "stars": 5}
```

```json title="Answer"
{"data": "..."}
```

```python
print("an illustration: not run")
```
"""
    found = steps(page, REPO)

    assert found[0] == Serve(2, {"NEWSROOM_WEBHOOKS_ALLOW_PRIVATE": "true"})
    assert found[1] == Command(
        7,
        'curl -s http://127.0.0.1:8000/graphql \\\n  -d \'{"query":\n  "{ x }"}\'',
        '{"data": {}}',
        eventually=True,
    )
    assert found[2] == Command(11, "echo done", "done", eventually=True)
    assert isinstance(found[3], Operation)
    assert found[3].document == (REPO / "examples/operations/vote.graphql").read_text()
    assert set(found[3].panes) == {"Variables", "Answer"}
    assert len(found) == 4


@pytest.mark.parametrize(
    ("page", "why"),
    [
        ("```sh\nnewsroom serve\n```\n", "cannot be run"),
        ("```\nnewsroom serve\n```\n", "cannot be run"),
        ("```console\nnewsroom serve\n```\n", "output before any"),
        ("```graphql\n{ x }\n```\n\nNo answer.\n", "no Answer block"),
        ("```graphql\n{ x }\n```\n\n```graphql\n{ y }\n```\n", "no Answer block"),
        ('```json title="Answer"\n{}\n```\n', "follows no operation"),
        ("```json\n{}\n```\n", "cannot be run"),
        ("```console\n$ make serve\nServing\n```\n", "shows no output"),
        ('```graphql\n--8<-- "no/such/file.graphql"\n```\n', "not a file"),
    ],
)
def test_a_block_the_runner_cannot_run_fails_the_page(page: str, why: str) -> None:
    with pytest.raises(PageError, match=why):
        steps(page, REPO)
