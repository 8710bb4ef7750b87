"""Bodies that take long to render never hold the event loop: writing and reading any body under
the size limit leaves the loop free within 100 ms (`tests/loop_lag.py` measures it)."""

from typing import Any

import hypothesis
import pytest
from hypothesis import HealthCheck, given
from hypothesis import strategies as st

from cms.content import MAX_BODY
from cms.text.body import BodyFormat, rendered
from tests.graphql_client import GraphQLClient
from tests.loop_lag import loop_lag
from tests.test_editing import CREATE, DRAFT

LIMIT = 0.1
PAGE = """
query ($slug: String!) {
  article(slug: $slug, preview: true) {
    html: body(format: HTML) text: body(format: TEXT) readingTime structuredData
  }
}
"""


def filled(unit: str, tail: str = "") -> str:
    """`unit` repeated up to the body limit (whole units), then `tail`."""
    return unit * ((MAX_BODY - len(tail)) // len(unit)) + tail


HOSTILE = {
    "image-brackets": filled("![["),  # the reported stall: 66,666 `![[`
    "nested-brackets": "[" * 99_000 + "a" + "]" * 99_000,
    "short-lines": filled("a\n"),
    "emphasis-runs": filled("**_"),
    "backticks": filled("`a"),
    "link-references": filled("[x][a] ", tail="\n\n[a]: http://x.test\n"),
}


@pytest.mark.slow
@pytest.mark.parametrize("shape", list(HOSTILE))
async def test_writing_and_reading_a_hostile_body_leaves_the_loop_free(
    editor: GraphQLClient, shape: str
) -> None:
    body = HOSTILE[shape]
    assert len(body) <= MAX_BODY

    async with loop_lag() as writing:
        saved = await editor.data(CREATE, {"input": DRAFT | {"slug": shape, "body": body}})
    async with loop_lag() as reading:
        page = (await editor.data(PAGE, {"slug": shape}))["article"]

    assert saved["createArticle"]["__typename"] == "ArticleSaved"
    assert page["html"]
    assert page["readingTime"] >= 1
    assert writing.worst < LIMIT, f"writing held the loop {writing.worst_ms:.0f} ms"
    assert reading.worst < LIMIT, f"reading held the loop {reading.worst_ms:.0f} ms"


pieces = st.sampled_from(
    ["[", "]", "![", "(", ")", "*", "_", "**", "`", "``", "<", "&#", "\\", "~~", "|", "\n", "a"]
)
shapes = st.builds(
    lambda unit, count: (unit * count)[:MAX_BODY],
    st.lists(pieces, min_size=1, max_size=6).map("".join),
    # Long enough to take far more than 100 ms (full-size bodies are written and read above).
    st.integers(min_value=10_000, max_value=60_000),
)


@pytest.mark.slow
@hypothesis.settings(
    max_examples=8,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(body=shapes, body_format=st.sampled_from([BodyFormat.HTML, BodyFormat.TEXT]))
async def test_no_run_of_markup_holds_the_loop(body: str, body_format: BodyFormat) -> None:
    results: list[Any] = []
    async with loop_lag() as lag:
        results.append(await rendered(body, body_format))

    assert lag.worst < LIMIT, f"{body[:12]!r}... held the loop {lag.worst_ms:.0f} ms"
    assert isinstance(results[0], str)
