"""A body's blocks (`cms/text`): every provider and directive to blocks and to HTML, addresses
that must be refused, the HTML checked tag by tag against the allow-list after parsing, and the
properties: any Markdown renders within the allow-list, and blocks -> Markdown -> blocks is the
identity."""

import itertools
from html.parser import HTMLParser

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from cms.text import blocks as b
from cms.text.body import BodyFormat, render_body
from cms.text.embeds import EmbedKind, provider_embed
from cms.text.html import ALLOWED, render_html
from cms.text.parse import parse
from cms.text.urls import HOSTS_VARIABLE, UnsafeAddress, parse_address

IMAGE = "a" * 64
OTHER = "b" * 64

PROVIDERS = [
    # (link, provider, id, kind, frame address)
    (
        "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
        "youtube",
        "dQw4w9WgXcQ",
        EmbedKind.VIDEO,
        "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ",
    ),
    (
        "https://youtu.be/dQw4w9WgXcQ",
        "youtube",
        "dQw4w9WgXcQ",
        EmbedKind.VIDEO,
        "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ",
    ),
    (
        "https://vimeo.com/76979871",
        "vimeo",
        "76979871",
        EmbedKind.VIDEO,
        "https://player.vimeo.com/video/76979871?dnt=1",
    ),
    ("https://x.com/NASA/status/1234567890", "x", "1234567890", EmbedKind.POST, None),
    ("https://twitter.com/NASA/status/1234567890", "x", "1234567890", EmbedKind.POST, None),
    ("https://www.instagram.com/p/C1a2B3c4D5e/", "instagram", "C1a2B3c4D5e", EmbedKind.POST, None),
    (
        "https://www.tiktok.com/@scout2015/video/6718335390845095173",
        "tiktok",
        "6718335390845095173",
        EmbedKind.POST,
        None,
    ),
    (
        "https://bsky.app/profile/bsky.app/post/3l6oveex3ii2l",
        "bluesky",
        "3l6oveex3ii2l",
        EmbedKind.POST,
        None,
    ),
    (
        "https://mastodon.social/@Gargron/109361452834000000",
        "mastodon",
        "109361452834000000",
        EmbedKind.POST,
        None,
    ),
    (
        "https://soundcloud.com/forss/flickermood",
        "soundcloud",
        None,
        EmbedKind.AUDIO,
        "https://w.soundcloud.com/player/?url=https%3A%2F%2Fsoundcloud.com%2Fforss%2Fflickermood"
        "&visual=false",
    ),
    (
        "https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC",
        "spotify",
        "4uLU6hMCjMI75M1A2tKUQC",
        EmbedKind.AUDIO,
        "https://open.spotify.com/embed/track/4uLU6hMCjMI75M1A2tKUQC",
    ),
    (
        "https://datawrapper.dwcdn.net/dxHr4/3/",
        "datawrapper",
        "dxHr4",
        EmbedKind.CHART,
        "https://datawrapper.dwcdn.net/dxHr4/",
    ),
    (
        "https://public.flourish.studio/visualisation/1234567/",
        "flourish",
        "1234567",
        EmbedKind.CHART,
        "https://flo.uri.sh/visualisation/1234567/embed",
    ),
    (
        "https://www.google.com/maps/embed?pb=!1m18!1m12!1m3!1d3024",
        "google-maps",
        "!1m18!1m12!1m3!1d3024",
        EmbedKind.MAP,
        "https://www.google.com/maps/embed?pb=!1m18!1m12!1m3!1d3024",
    ),
]


class _Checker(HTMLParser):
    """Every start tag and attribute of an HTML text, to compare with the allow-list."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, attrs))

    handle_startendtag = handle_starttag


def tags_of(text: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    checker = _Checker()
    checker.feed(text)
    checker.close()
    return checker.found


def assert_allowed(text: str) -> None:
    for tag, attrs in tags_of(text):
        assert tag in ALLOWED, (tag, text)
        for name, value in attrs:
            assert name in ALLOWED[tag], (tag, name, text)
            if name in {"href", "src", "cite"}:
                assert value is not None
                assert value.lower().startswith(("http://", "https://", "mailto:", "#", "/")) or (
                    ":" not in value.split("/", 1)[0]
                ), value


@pytest.mark.parametrize(("link", "provider", "item", "kind", "frame"), PROVIDERS)
def test_a_providers_link_alone_on_its_line_is_an_embed_rendered_safely(
    link: str, provider: str, item: str | None, kind: EmbedKind, frame: str | None
) -> None:
    parsed = parse(f"Before.\n\n{link}\n\nAfter.")

    assert parsed.problems == []
    embed = parsed.blocks[1]
    assert isinstance(embed, b.EmbedBlock)
    assert (embed.embed.provider, embed.embed.id, embed.embed.kind) == (provider, item, kind)
    assert embed.embed.frame == frame
    assert embed.title
    html = render_html([embed])
    assert_allowed(html)
    (tag, _attrs), *_ = tags_of(html)
    if kind is EmbedKind.POST:
        assert tag == "blockquote"
        assert ("a", [("href", link)]) in tags_of(html)
    else:
        frames = [dict(found) for name, found in tags_of(html) if name == "iframe"]
        assert len(frames) == 1
        shown = frames[0]
        assert shown["src"] == frame
        assert shown["loading"] == "lazy"
        assert shown["sandbox"]
        assert "allow-top-navigation" not in (shown["sandbox"] or "")
        assert shown["title"] == embed.title
    assert "youtube.com/embed" not in html


def test_a_link_inside_a_sentence_or_of_an_unknown_site_stays_text() -> None:
    for text in (
        "See https://youtu.be/dQw4w9WgXcQ now.",
        "https://example.com/watch?v=dQw4w9WgXcQ",
        "https://youtube.com.evil.example/watch?v=dQw4w9WgXcQ",
        "https://youtube.com@evil.example/watch?v=dQw4w9WgXcQ",
        "https://youtube.com:8443/watch?v=dQw4w9WgXcQ",
    ):
        parsed = parse(text)
        assert [type(block) for block in parsed.blocks] == [b.Paragraph], text
        assert provider_embed(text) is None


def test_every_directive_becomes_its_block_and_safe_html(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(HOSTS_VARIABLE, "charts.example.org, .maps.example")
    body = f"""Intro.

::image{{id={IMAGE} caption="A &quot;big&quot; cat" alt="A cat" credit="AP"}}

:::gallery{{caption="Two"}}
::image{{id={IMAGE}}}
::image{{id={OTHER} alt="Other"}}
:::

:::pullquote{{cite="Ada Lovelace"}}
We *fight*.
:::

:::factbox{{title="Facts"}}
- one
- two
:::

::related{{slug=other-story}}

::embed{{url="https://youtu.be/dQw4w9WgXcQ" title="The interview"}}

::iframe{{url="https://charts.example.org/c/1" title="Chart" ratio="4:3"}}

::iframe{{url="https://a.maps.example/m" title="Map"}}
"""
    parsed = parse(body)

    assert parsed.problems == []
    kinds = [type(block) for block in parsed.blocks]
    assert kinds == [
        b.Paragraph,
        b.ImageBlock,
        b.Gallery,
        b.PullQuote,
        b.FactBox,
        b.RelatedCard,
        b.EmbedBlock,
        b.EmbedBlock,
        b.EmbedBlock,
    ]
    image = parsed.blocks[1]
    assert image == b.ImageBlock(IMAGE, caption='A "big" cat', alt="A cat", credit="AP")
    quote = parsed.blocks[3]
    assert isinstance(quote, b.PullQuote)
    assert (quote.cite, quote.content.text) == ("Ada Lovelace", "We fight.")
    assert [block.line for block in parsed.blocks] == [1, 3, 5, 10, 14, 19, 21, 23, 25]
    html = render_html(parsed.blocks)
    assert_allowed(html)
    assert "<script" not in html
    assert 'alt="A cat"' in html
    assert "<figcaption>A &quot;big&quot; cat <span" in html
    assert b.to_markdown(parsed.blocks).count("::") == body.count("::")


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("::video{url=x}", "unknown directive `video`"),
        ("::image{id=123}", "64 hex digits"),
        ("::image", "needs `id`"),
        (f"::image{{id={IMAGE} size=big}}", "no attribute 'size'"),
        (f'::image{{id={IMAGE} caption="<b>x</b>"}}', "without HTML"),
        ("::image{id=", "cannot read the directive"),
        ('::iframe{url="javascript:alert(1)" title="t"}', "`javascript:` scheme"),
        ('::iframe{url="data:text/html,x" title="t"}', "`data:` scheme"),
        ('::iframe{url="https://allowed.example@evil.example/" title="t"}', "names a user"),
        ('::iframe{url="https://allowed.example:444/" title="t"}', "names a port"),
        ('::iframe{url="https://allowed.example.evil.example/" title="t"}', "allow-list"),
        ('::iframe{url="https://xn--allowd-exmple-1ob.example/" title="t"}', "punycode"),
        ('::iframe{url="https://allowéd.example/" title="t"}', "not a plain web address"),
        ('::iframe{url="https://allowed.example/"}', "needs a `title`"),
        ('::embed{url="https://example.com/x" title="t"}', "known provider"),
        ("::related{slug=Not_A_Slug}", "an article's slug"),
        (":::pullquote\nno end", "is not closed"),
        (":::gallery\nsome text\n:::", "only ::image lines"),
        (":::factbox\n::related{slug=a}\n:::", "cannot be inside"),
        ("- item\n  ::related{slug=a}", "outside lists and quotes"),
    ],
)
def test_a_bad_directive_is_a_problem_on_its_line(
    monkeypatch: pytest.MonkeyPatch, line: str, expected: str
) -> None:
    monkeypatch.setenv(HOSTS_VARIABLE, "allowed.example")
    parsed = parse(f"First paragraph.\n\n{line}\n")

    assert len(parsed.problems) == 1, parsed.problems
    problem = parsed.problems[0]
    assert expected in problem.message
    assert problem.line in {3, 4}
    assert [type(block) for block in parsed.blocks] == [b.Paragraph]


@pytest.mark.parametrize(
    "address",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "data:text/html;base64,PHNjcmlwdD4=",
        "https://user:pass@allowed.example/",
        "https://allowed.example:443/",
        "https://[::1]/",
        "https://allowed.example\\@evil.example/",
        "//allowed.example/",
        "https://xn--e1afmkfd.example/",
        "https://allowed.example/\x00",
        "https://allowed.example/ path",
    ],
)
def test_unsafe_addresses_are_refused(address: str) -> None:
    with pytest.raises(UnsafeAddress):
        parse_address(address)


def test_text_and_reading_ignore_embed_markup() -> None:
    body = (
        "One two three.\n\nhttps://youtu.be/dQw4w9WgXcQ\n\n"
        f"::image{{id={IMAGE} caption=Cap}}\n\n::related{{slug=x}}\n\n"
        ":::pullquote{cite=Me}\nFour five.\n:::"
    )

    text = render_body(body, BodyFormat.TEXT)

    assert text == "One two three.\n\nFour five."


MARKDOWN_CHARACTERS = st.text(alphabet=st.sampled_from(list('ab *_`#>-[]():!{}="\n<&1.|\\')))


@settings(max_examples=150, deadline=None)
@given(MARKDOWN_CHARACTERS)
@example("<a1:>")  # an autolink of any scheme was a link (found by this test in CI)
@example("[x](a1:y)")
def test_any_markdown_renders_within_the_allow_list(text: str) -> None:
    html = render_body(text, BodyFormat.HTML)
    assert_allowed(html)
    render_body(text, BodyFormat.TEXT)


PLAIN = st.text(alphabet=st.sampled_from(list("abc XYZ.,'\"&")), max_size=20).map(str.strip)
WORD = st.text(alphabet="abcdefgh", min_size=1, max_size=8)
SLUG = st.lists(WORD, min_size=1, max_size=3).map("-".join)
IMAGE_ID = st.sampled_from([IMAGE, OTHER])


def _native(source: str) -> b.Block:
    (block,) = parse(source).blocks
    return block


IMAGES = st.builds(b.ImageBlock, IMAGE_ID, PLAIN, PLAIN, PLAIN)
BLOCKS = st.one_of(
    st.lists(WORD, min_size=1, max_size=5).map(" ".join).map(_native),
    st.builds(lambda level, words: _native(f"{'#' * level} {words}"), st.integers(1, 6), WORD),
    st.lists(WORD, min_size=1, max_size=3).map(
        lambda items: _native("\n".join(f"- {i}" for i in items))
    ),
    WORD.map(lambda word: _native(f"> {word}")),
    WORD.map(lambda word: _native(f"```py\n{word}\n```")),
    st.just("---").map(_native),
    IMAGES,
    st.builds(b.Gallery, st.lists(IMAGES, min_size=1, max_size=3).map(tuple), PLAIN),
    st.builds(lambda w, c: parse(f":::pullquote{{cite={_q(c)}}}\n{w}\n:::").blocks[0], WORD, PLAIN),
    st.builds(
        lambda w, t: parse(f":::factbox{{title={_q(t)}}}\n- {w}\n:::").blocks[0], WORD, PLAIN
    ),
    SLUG.map(b.RelatedCard),
    st.sampled_from([link for link, *_ in PROVIDERS]).map(lambda link: parse(link).blocks[0]),
)


def _q(value: str) -> str:
    return '"' + value.replace("&", "&amp;").replace('"', "&quot;") + '"'


def _separate_lists(found: list[b.Block]) -> bool:
    """Two lists one after the other are one list in Markdown: no body parses into them."""
    return not any(
        isinstance(one, b.ListBlock) and isinstance(two, b.ListBlock)
        for one, two in itertools.pairwise(found)
    )


@settings(max_examples=150, deadline=None)
@given(st.lists(BLOCKS, max_size=8).filter(_separate_lists))
def test_blocks_to_markdown_to_blocks_is_the_identity(found: list[b.Block]) -> None:
    markdown = b.to_markdown(found)

    parsed = parse(markdown)

    assert parsed.problems == []
    assert parsed.blocks == found
