"""A body of blocks over GraphQL: `Article.blocks` as a union of typed blocks, the same blocks
as `body(format: HTML)`, library images resolved with their renditions, related cards left out
for readers who may not see their article, bad bodies refused field by field with their lines,
and an image shown in a body kept from deletion."""

from typing import Any

import pytest

from api.settings import Settings
from cms.errors import ImageInUseError
from cms.media import library
from cms.media.library import Limits
from cms.status import ArticleStatus
from cms.text.urls import HOSTS_VARIABLE
from tests import images
from tests.factories import FACTORY, make_article
from tests.graphql_client import GraphQLClient
from tests.test_blocks_logic import assert_allowed, tags_of
from tests.test_editing import CREATE, DRAFT

# Every field of every block type (`bench/blocks.py` asks for the same).
BLOCK_FIELDS = """
__typename
... on ParagraphBlock { content { html text } }
... on HeadingBlock { level content { text } }
... on ListBlock { ordered start items { html text } }
... on QuoteBlock { content { text } }
... on PullQuoteBlock { content { html text } attribution }
... on ImageBlock { image { id url width caption alt credit srcset } }
... on GalleryBlock { caption images { image { alt width } } }
... on EmbedBlock { provider providerName kind url providerId frameUrl aspectRatio height title }
... on FactBoxBlock { title content { text } }
... on CodeBlock { language code }
... on TableBlock { header { text } rows { text } }
... on RelatedCardBlock { article { slug headline } }
... on RuleBlock { markdown }
"""
BLOCKS = f"""
query ($slug: String!) {{
  article(slug: $slug) {{
    html: body(format: HTML)
    text: body(format: TEXT)
    readingTime
    blocks {{ {BLOCK_FIELDS} }}
  }}
}}
"""


async def photo(settings: Settings, colour: str, **described: str) -> str:
    added = await library.add_image(
        actor=FACTORY,
        data=images.jpeg(colour=colour),
        filename=f"{colour}.jpg",
        values=described,
        limits=Limits.of(settings),
    )
    return added.image.id


def every_block(image: str, other: str, public: str, draft: str) -> str:
    return f"""## Heading

A *paragraph* with <b>raw</b> HTML.

1. one
2. two

> A quote.

::image{{id={image} caption="Our caption"}}

:::gallery{{caption="Both"}}
::image{{id={image}}}
::image{{id={other} alt="Blue"}}
:::

https://www.youtube.com/watch?v=dQw4w9WgXcQ

https://x.com/NASA/status/1234567890

::iframe{{url="https://charts.example.org/c/1" title="A chart" ratio="4:3"}}

:::pullquote{{cite="Ada"}}
We *fight*.
:::

:::factbox{{title="Facts"}}
- fact one
:::

```py
print(1)
```

| a | b |
|---|---|
| 1 | 2 |

::related{{slug={public}}}

::related{{slug={draft}}}

---
"""


async def test_blocks_and_html_show_every_block_type_for_the_reader(
    settings: Settings, client: GraphQLClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(HOSTS_VARIABLE, "charts.example.org")
    red = await photo(settings, "red", alt="Red", caption="Library caption", credit="AP")
    blue = await photo(settings, "blue")
    public = await make_article(slug="public-one", headline="Public one")
    draft = await make_article(slug="draft-one", status=ArticleStatus.DRAFT)
    await make_article(slug="blocks", body=every_block(red, blue, public.slug, draft.slug))

    found = (await client.data(BLOCKS, {"slug": "blocks"}))["article"]

    blocks: list[dict[str, Any]] = found["blocks"]
    assert [block["__typename"] for block in blocks] == [
        "HeadingBlock",
        "ParagraphBlock",
        "ListBlock",
        "QuoteBlock",
        "ImageBlock",
        "GalleryBlock",
        "EmbedBlock",
        "EmbedBlock",
        "EmbedBlock",
        "PullQuoteBlock",
        "FactBoxBlock",
        "CodeBlock",
        "TableBlock",
        "RelatedCardBlock",  # the draft's card is left out for the public
        "RuleBlock",
    ]
    assert blocks[1]["content"] == {
        "html": "A <em>paragraph</em> with &lt;b&gt;raw&lt;/b&gt; HTML.",
        "text": "A paragraph with <b>raw</b> HTML.",
    }
    assert blocks[2] == {
        "__typename": "ListBlock",
        "ordered": True,
        "start": 1,
        "items": [{"html": "one", "text": "one"}, {"html": "two", "text": "two"}],
    }
    image = blocks[4]["image"]
    assert (image["caption"], image["alt"], image["credit"]) == ("Our caption", "Red", "AP")
    assert image["url"].startswith(settings.media_url + "/media/")
    assert image["width"] == 64
    assert blocks[5]["images"] == [
        {"image": {"alt": "Red", "width": 64}},
        {"image": {"alt": "Blue", "width": 64}},
    ]
    assert blocks[6] == {
        "__typename": "EmbedBlock",
        "provider": "youtube",
        "providerName": "YouTube",
        "kind": "VIDEO",
        "url": "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
        "providerId": "dQw4w9WgXcQ",
        "frameUrl": "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ",
        "aspectRatio": pytest.approx(16 / 9),
        "height": None,
        "title": "Video on YouTube",
    }
    assert (blocks[7]["kind"], blocks[7]["frameUrl"]) == ("POST", None)
    assert (blocks[8]["provider"], blocks[8]["aspectRatio"]) == ("iframe", pytest.approx(4 / 3))
    assert blocks[9]["attribution"] == "Ada"
    assert blocks[13]["article"] == {"slug": "public-one", "headline": "Public one"}

    html = found["html"]
    assert_allowed(html)
    shown = tags_of(html)
    sources = [dict(attrs).get("src") or "" for tag, attrs in shown if tag == "img"]
    assert len(sources) == 3
    assert all(source.startswith(settings.media_url + "/media/") for source in sources)
    assert "data-library-image" not in html
    assert 'href="' in html
    assert "public-one" in html
    assert "draft-one" not in html
    assert "youtube-nocookie.com/embed/dQw4w9WgXcQ" in html
    assert not any(tag == "script" for tag, _ in shown)
    assert "youtube" not in found["text"]
    assert "We fight." in found["text"]
    assert found["readingTime"] == 1


async def test_a_preview_sees_the_card_of_a_draft(
    settings: Settings, previewer: GraphQLClient
) -> None:
    await make_article(slug="draft-two", status=ArticleStatus.DRAFT)
    await make_article(slug="pointing", body="Text.\n\n::related{slug=draft-two}")

    found = await previewer.data(
        'query { article(slug: "pointing", preview: true) { blocks { __typename } html: body } }'
    )

    assert [block["__typename"] for block in found["article"]["blocks"]] == [
        "ParagraphBlock",
        "RelatedCardBlock",
    ]
    assert "draft-two" in found["article"]["html"]


async def test_a_bad_body_is_refused_with_each_problem_on_its_line(
    editor: GraphQLClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(HOSTS_VARIABLE, "allowed.example")
    body = (
        "Fine.\n\n::video{url=x}\n\n"
        '::iframe{url="https://allowed.example@evil.example/" title="t"}\n\n'
        f"::image{{id={'c' * 64}}}\n\n"
        '::iframe{url="javascript:alert(1)" title="t"}'
    )

    result = (await editor.data(CREATE, {"input": DRAFT | {"body": body}}))["createArticle"]

    assert result["code"] == "INVALID_INPUT"
    messages = [(p["field"], p["message"]) for p in result["problems"]]
    assert [field for field, _ in messages] == ["body"] * 4
    assert messages[0][1].startswith("line 3: unknown directive `video`")
    assert messages[1][1].startswith("line 5: the address names a user")
    assert messages[2][1].startswith("line 9: only http and https")
    assert messages[3][1].startswith("line 7: no image of the media library")


async def test_an_image_shown_in_a_body_cannot_be_deleted(
    settings: Settings, editor: GraphQLClient
) -> None:
    shown = await photo(settings, "green")
    gallery = await photo(settings, "yellow")
    mentioned = await photo(settings, "white")
    body = (
        f"::image{{id={shown}}}\n\n:::gallery\n::image{{id={gallery}}}\n:::\n\n"
        f"```\n::image{{id={mentioned}}}\n```"
    )
    saved = await editor.data(CREATE, {"input": DRAFT | {"body": body}})
    assert saved["createArticle"]["__typename"] == "ArticleSaved"

    for image_id in (shown, gallery):
        with pytest.raises(ImageInUseError) as refused:
            await library.delete_image(actor=FACTORY, image_id=image_id)
        assert "a-draft" in str(refused.value)
    # Written in a code block, the directive is text: not a use.
    await library.delete_image(actor=FACTORY, image_id=mentioned)
