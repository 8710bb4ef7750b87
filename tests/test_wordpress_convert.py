"""WordPress markup as Newsroom Markdown: classic HTML, shortcodes and block-editor markup, each
construct with a hand-written expectation; hostile markup never raises nor leaves raw HTML."""

import re
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cms.config import get_settings
from cms.text.parse import parse as parse_body
from cms.wordpress.attachments import Images
from cms.wordpress.convert import LibraryImage, Media, convert
from cms.wordpress.posts import Converted, Skipped, Vocabulary, convert_all
from cms.wordpress.posts import convert as convert_post
from cms.wordpress.synthetic import ExportPost
from cms.wordpress.wxr import Item, read_export
from tests.wordpress_exports import small_export

PHOTO = LibraryImage(id="a" * 64, caption="Library caption", alt="Library alt")
OTHER = LibraryImage(id="b" * 64)
ADDRESSES = {"2013/03/photo.jpg": PHOTO, "2013/03/plan-580x300.jpg": OTHER}
ATTACHMENTS = {5: PHOTO, 6: OTHER}
MEDIA = Media(by_attachment=ATTACHMENTS.get, by_address=ADDRESSES.get)


def md(markup: str) -> str:
    return convert(markup, MEDIA).markdown


@pytest.mark.parametrize(
    ("markup", "markdown"),
    [
        # The classic editor: blank lines are paragraphs, single line ends are line breaks.
        (
            "First <strong>bold</strong> & <em>it</em>.\n\nSecond line\nand more.",
            "First **bold** \\& *it*.\n\nSecond line\\\nand more.",
        ),
        (
            "<p>One</p><p>Two <a href='https://x.example/a'>link</a></p>",
            "One\n\nTwo [link](https://x.example/a)",
        ),
        ("<h2>A heading</h2><h3>Another</h3>", "## A heading\n\n### Another"),
        ("<ul><li>a</li><li>b<ul><li>c</li></ul></li></ul>", "- a\n- b\n    - c"),
        ('<ol start="3"><li>x</li><li>y</li></ol>', "3. x\n4. y"),
        ("<blockquote><p>Said.</p><p>Again.</p></blockquote>", "> Said.\n>\n> Again."),
        ("<pre>if a < b:\n    go()</pre>", "```\nif a < b:\n    go()\n```"),
        ("<p>a</p><hr /><p>b</p>", "a\n\n---\n\nb"),
        (
            "<table><thead><tr><th>Name</th><th>Age</th></tr></thead>"
            "<tbody><tr><td>Ann | B</td><td>4</td></tr></tbody></table>",
            "| Name | Age |\n| --- | --- |\n| Ann \\| B | 4 |",
        ),
        ("<p># not a heading</p><p>1. not a list</p>", "\\# not a heading\n\n1\\. not a list"),
        ("<p>a * b _c_ [d] <code>x</code></p>", "a \\* b \\_c\\_ \\[d\\] `x`"),
        ('<p><a href="javascript:alert(1)">click</a></p>', "click"),
        # The schemes a body's links may have, whatever their case; not the old site's relative
        # links or fragments.
        ('<p><a href="HTTPS://x.example/">x</a></p>', "[x](HTTPS://x.example/)"),
        ('<p><a href="mailto:ed@x.example">ed</a></p>', "[ed](mailto:ed@x.example)"),
        ('<p><a href="page.html">a</a> <a href="#top">b</a></p>', "a b"),
        ("<p>x<script>alert(1)</script>y</p>", "xy"),
    ],
)
def test_classic_html(markup: str, markdown: str) -> None:
    assert md(markup) == markdown


def test_a_captioned_image_of_a_sized_copy_is_the_library_original() -> None:
    markup = (
        '[caption id="attachment_5" align="alignnone" width="300"]'
        '<img src="https://old.example/wp-content/uploads/2013/03/photo-300x200.jpg" alt="Ann" />'
        " The harbour at dawn[/caption]"
    )
    assert md(markup) == f'::image{{id="{"a" * 64}" caption="The harbour at dawn" alt="Ann"}}'


def test_a_gallery_shortcode_names_attachments() -> None:
    conversion = convert('[gallery ids="5,6,7"]', MEDIA)

    assert conversion.markdown == (
        ":::gallery\n"
        f'::image{{id="{"a" * 64}" caption="Library caption" alt="Library alt"}}\n'
        f'::image{{id="{"b" * 64}"}}\n'
        ":::"
    )
    assert conversion.missing == ["attachment 7"]


@pytest.mark.parametrize(
    "markup",
    [
        '<!-- wp:embed {"url":"https://www.youtube.com/watch?v=SQEQr7c0-dw","type":"video"} -->\n'
        '<figure class="wp-block-embed"><div class="wp-block-embed__wrapper">\n'
        "https://www.youtube.com/watch?v=SQEQr7c0-dw\n</div></figure>\n<!-- /wp:embed -->",
        '<!-- wp:core-embed/youtube {"url":"https://www.youtube.com/watch?v=SQEQr7c0-dw"} -->\n'
        "<figure><div>https://www.youtube.com/watch?v=SQEQr7c0-dw</div></figure>\n"
        "<!-- /wp:core-embed/youtube -->",
        "[embed]https://www.youtube.com/watch?v=SQEQr7c0-dw[/embed]",
    ],
)
def test_embeds_of_every_vintage_are_the_link_alone_on_its_line(markup: str) -> None:
    assert md(markup) == "https://www.youtube.com/watch?v=SQEQr7c0-dw"


def test_blocks_of_the_block_editor() -> None:
    markup = """<!-- wp:heading -->
<h2 class="wp-block-heading">Results</h2>
<!-- /wp:heading -->

<!-- wp:columns -->
<div class="wp-block-columns"><!-- wp:column -->
<div class="wp-block-column"><!-- wp:paragraph -->
<p>Left <em>column</em>.</p>
<!-- /wp:paragraph --></div>
<!-- /wp:column --></div>
<!-- /wp:columns -->

<!-- wp:pullquote -->
<figure class="wp-block-pullquote"><blockquote><p>We will build it.</p>
<cite>The Mayor</cite></blockquote></figure>
<!-- /wp:pullquote -->

<!-- wp:image {"id":5,"sizeSlug":"large"} -->
<figure class="wp-block-image size-large"><img src="https://cdn.example/x.jpg" alt=""
class="wp-image-5"/><figcaption>At dawn</figcaption></figure>
<!-- /wp:image -->

<!-- wp:separator -->
<hr class="wp-block-separator"/>
<!-- /wp:separator -->

<!-- wp:spacer {"height":40} -->
<div style="height:40px" aria-hidden="true" class="wp-block-spacer"></div>
<!-- /wp:spacer -->"""

    assert md(markup) == (
        "## Results\n\n"
        "Left *column*.\n\n"
        ':::pullquote{cite="The Mayor"}\nWe will build it.\n:::\n\n'
        f'::image{{id="{"a" * 64}" caption="At dawn" alt="Library alt"}}\n\n'
        "---"
    )


def test_what_it_does_not_know_is_text_and_named() -> None:
    markup = (
        '<!-- wp:acme/countdown {"to":"2030"} --><div class="countdown">Soon <b>now</b></div>'
        "<!-- /wp:acme/countdown --><!-- wp:html --><marquee>Hi</marquee><!-- /wp:html -->"
        '[video src="https://old.example/clip.mp4"]'
    )

    conversion = convert(markup, MEDIA)

    assert conversion.unknown == ["acme/countdown", "core/html"]
    assert conversion.linked == ["[video]"]
    assert "[https://old.example/clip.mp4](https://old.example/clip.mp4)" in conversion.markdown
    assert "Soon now" in conversion.markdown
    assert "Hi" in conversion.markdown
    assert re.search(r"<[A-Za-z/!?]", conversion.markdown) is None


@pytest.mark.parametrize(
    "markup",
    [
        "<p>unclosed <b>bold <i>and",
        "<!-- wp:paragraph --><p>no closing comment",
        "[caption][caption]nested[/caption][/caption]",
        "</p></div></b>stray closers",
        '<!-- wp:image {"id": not json} --><img src="x"><!-- /wp:image -->',
        "<" * 50 + "&" * 50 + "]]>" * 10,
    ],
)
def test_malformed_markup_converts_without_raw_html(markup: str) -> None:
    markdown = convert(markup, MEDIA).markdown

    assert re.search(r"(?<!\\)<[A-Za-z/!?]", markdown) is None


@given(st.text(max_size=300))
def test_any_markup_converts(markup: str) -> None:
    convert(markup, MEDIA)


@pytest.mark.parametrize(
    ("address", "image"),
    [
        ("https://old.example/wp-content/uploads/2013/03/photo-1024x768.jpg?w=2", PHOTO),
        ("https://cdn.example/wp-content/uploads/2013/03/photo.jpg", PHOTO),
        ("https://site.files.wordpress.com/2013/03/photo-300x200.jpg", PHOTO),
        # An original whose own name looks like a sized copy's.
        ("https://old.example/wp-content/uploads/2013/03/plan-580x300.jpg", OTHER),
        ("https://old.example/elsewhere/photo.jpg", None),
    ],
)
def test_an_address_of_the_uploads_is_its_file_or_the_original_of_a_sized_copy(
    address: str, image: LibraryImage | None
) -> None:
    assert MEDIA.address(address) == image


def test_a_gallery_without_ids_shows_the_images_attached_to_the_post() -> None:
    media = Media(attached=[OTHER, PHOTO])

    assert convert('[gallery columns="2"]', media).markdown == (
        f':::gallery\n::image{{id="{"b" * 64}"}}\n'
        f'::image{{id="{"a" * 64}" caption="Library caption" alt="Library alt"}}\n:::'
    )


SAMPLES = Path(__file__).with_name("wordpress_blocks")
# Each sample of the block editor's markup (tests/wordpress_blocks/NAME.html, written from
# WordPress's block reference as the editor saves it; the expected Markdown in NAME.md): the
# kinds of blocks it must become, and what the report names (kept as text, linked, repaired).
BLOCK_SAMPLES: dict[str, tuple[list[str], dict[str, list[str]]]] = {
    "paragraph": (["Paragraph", "Paragraph"], {}),
    "heading": (["Heading", "Heading", "Heading"], {}),
    "list": (
        ["ListBlock", "ListBlock", "ListBlock"],
        {"repairs": ["a list numbered downwards: its numbers written in its items"]},
    ),
    "list-classic": (["ListBlock"], {}),
    "quote": (["Quote"], {}),
    "pullquote": (["PullQuote"], {}),
    "image": (
        ["ImageBlock", "ImageBlock", "Paragraph"],
        {"missing": ["https://news.example/wp-content/uploads/2013/03/lost.jpg"]},
    ),
    "gallery-nested": (["Gallery"], {}),
    "gallery-ids": (["Gallery"], {}),
    "embed": (
        ["EmbedBlock", "Paragraph", "EmbedBlock", "EmbedBlock", "EmbedBlock", "Paragraph"],
        {"unknown": ["core/embed"]},
    ),
    "table": (["Table", "Paragraph"], {}),
    "code": (["Code", "Code"], {}),
    "verse": (["Paragraph"], {}),
    "separator-spacer": (["Paragraph", "Rule", "Paragraph"], {}),
    "columns": (["Heading", "Paragraph", "ImageBlock"], {}),
    "group": (["Paragraph", "Paragraph"], {}),
    "cover": (["ImageBlock", "Paragraph"], {}),
    "media-text": (["ImageBlock", "Paragraph"], {}),
    "buttons": (["Paragraph", "Paragraph"], {}),
    "files": (
        ["Paragraph", "Paragraph", "Paragraph"],
        {"linked": ["core/audio", "core/video", "core/file"]},
    ),
    "html": (["Paragraph"], {"unknown": ["core/html"]}),
    "shortcode": (["Gallery", "Paragraph"], {"unknown": ["core/shortcode"]}),
    "more-nextpage": (["Paragraph", "Paragraph", "Paragraph"], {}),
}


def test_every_block_sample_has_its_expectation() -> None:
    assert sorted(path.stem for path in SAMPLES.glob("*.html")) == sorted(BLOCK_SAMPLES)
    assert sorted(path.stem for path in SAMPLES.glob("*.md")) == sorted(BLOCK_SAMPLES)


@pytest.mark.parametrize("name", sorted(BLOCK_SAMPLES))
def test_block_editor_samples_become_their_markdown_and_blocks(name: str) -> None:
    kinds, named = BLOCK_SAMPLES[name]

    conversion = convert((SAMPLES / f"{name}.html").read_text(encoding="utf-8"), MEDIA)

    assert conversion.markdown + "\n" == (SAMPLES / f"{name}.md").read_text(encoding="utf-8")
    parsed = parse_body(conversion.markdown, html=False)
    assert parsed.problems == []
    assert [type(block).__name__ for block in parsed.blocks] == kinds
    for report in ("unknown", "missing", "linked", "repairs"):
        assert getattr(conversion, report) == named.get(report, [])


# Pieces of WordPress markup, in any order and any number: the tree builder and the converter
# must make Markdown the blocks parser accepts whole, whatever is left open or closed twice.
_PIECES = st.sampled_from(
    [
        *("<p>", "</p>", "<b>", "</b>", "<em>", "<ul>", "<ol reversed>", "<li>", "</li>"),
        *("</ul>", "<blockquote>", "</blockquote>", "<table>", "<tr>", "<td>", "<th>"),
        *("</table>", "<pre>", "</pre>", "<h2>", "</h2>", "<figure>", "<figcaption>"),
        *("</figure>", "<br>", "<hr>", "<dl><dt>", "<dd>", "<code>", "</code>", "<div>"),
        '<a href="https://x.example/">',
        "</a>",
        '<img src="https://news.example/wp-content/uploads/2013/03/photo.jpg" alt="A &lt;b&gt;">',
        "<!-- wp:paragraph -->",
        "<!-- /wp:paragraph -->",
        '<!-- wp:gallery {"ids":[5,6,5]} -->',
        "<!-- /wp:gallery -->",
        '<!-- wp:image {"id":5} -->',
        "<!-- /wp:image -->",
        "<!-- wp:pullquote -->",
        "<!-- /wp:pullquote -->",
        "<!-- wp:list -->",
        "<!-- wp:list-item -->",
        "<!-- wp:verse -->",
        '<!-- wp:embed {"url":"https://vimeo.com/22439234"} -->',
        "<!-- /wp:embed -->",
        "<!-- wp:acme/widget -->",
        '[caption id="attachment_5"]',
        "[/caption]",
        '[gallery ids="6,5"]',
        "[embed]",
        "[/embed]",
        "[video]",
        "<cite>",
        "::image",
        ":::gallery",
        "\n",
        "\n\n",
        "    ",
        "# ",
        "1. ",
        "- ",
        "> ",
        "```",
        "|",
        "&lt;script&gt;",
        "\x01",
    ]
)
_MARKUP = st.lists(st.one_of(_PIECES, st.text(max_size=8)), max_size=40).map("".join)


@given(_MARKUP)
def test_any_markup_becomes_a_body_the_blocks_parser_accepts(markup: str) -> None:
    markdown = convert(markup, MEDIA).markdown

    assert parse_body(markdown, html=False).problems == []
    assert re.search(r"(?<!\\)<[A-Za-z/!?]", _outside_code(markdown)) is None


def _outside_code(markdown: str) -> str:
    return re.sub(r"`[^`\n]*`", "", re.sub(r"(`{3,})[\s\S]*?\1", "", markdown))


@pytest.mark.parametrize(
    ("markup", "repair"),
    [
        # Each of these nested deeply enough to exhaust Python's stack without the limit.
        ("<div>" * 1000 + "deep" + "</div>" * 1000, "nested more than 64 deep"),
        ("<b><i>" * 500 + "deep", "nested more than 64 deep"),
        ("<!-- wp:group -->" * 1000 + "<p>deep</p>", "nested more than 64 deep"),
        ("<ul><li>" * 300 + "deep", "nested more than 64 deep"),
        ("[caption]" * 500 + "deep" + "[/caption]" * 500, "nested more than 64 deep"),
        ("<!-- wp:paragraph --><p>deep</p>", "<!-- wp:paragraph --> never closed"),
        ("<p>deep <b>bold</p>", "<b> never closed"),
        ("<p>deep</p></div>", "</div> closes nothing"),
        ("<p>deep</p><!-- /wp:quote -->", "<!-- /wp:quote --> closes nothing"),
        ('<!-- wp:image {"id":' + "[" * 100_000 + " } --><p>deep</p>", "not JSON"),
    ],
)
def test_malformed_and_deep_markup_is_repaired_and_said(markup: str, repair: str) -> None:
    conversion = convert(markup, MEDIA)

    assert "deep" in conversion.markdown
    assert any(repair in line for line in conversion.repairs), conversion.repairs
    assert parse_body(conversion.markdown, html=False).problems == []


def test_a_gallery_over_the_blocks_limit_is_split_not_cut() -> None:
    images = [LibraryImage(id=f"{number:064x}") for number in range(1, 121)]
    conversion = convert("[gallery]", Media(attached=images))

    parsed = parse_body(conversion.markdown, html=False)
    assert parsed.problems == []
    assert [len(block.images) for block in parsed.blocks] == [50, 50, 20]  # type: ignore[union-attr]
    assert [image.image_id for block in parsed.blocks for image in block.images] == [  # type: ignore[union-attr]
        image.id for image in images
    ]
    assert conversion.repairs == ["a gallery of 120 images split in 3 (a gallery holds at most 50)"]


def test_huge_attributes_and_captions_are_plain_text() -> None:
    markup = (
        '[caption]<img src="https://news.example/wp-content/uploads/2013/03/photo.jpg" alt="'
        + "a\x02&lt;b&gt;" * 20_000
        + '"> A &lt;script&gt; caption[/caption]'
    )
    conversion = convert(markup, MEDIA)

    assert parse_body(conversion.markdown, html=False).problems == []
    assert 'caption="A script> caption"' in conversion.markdown


def test_a_converted_body_the_blocks_parser_refuses_skips_its_post(tmp_path: Path) -> None:
    # An image the media library could never hold (ids are SHA-256 digests): the check the
    # editors' saves make finds it before the load, and the post is reported, not loaded.
    export = small_export(
        tmp_path, [ExportPost(12, "Odd image", "odd", content='[gallery ids="5"]')]
    )
    item = next(record for record in read_export(export) if isinstance(record, Item))
    images = Images(by_attachment={5: LibraryImage(id="not-a-library-id")})

    result = convert_post(
        item, Vocabulary(), ZoneInfo("UTC"), datetime.now(UTC), get_settings(), images
    )

    assert result == Skipped(
        12,
        "Odd image",
        "the converted body: line 1: `id` is a media library image's ID (64 hex digits), "
        "not 'not-a-library-id'",
    )


def test_a_post_the_converter_fails_on_is_reported_and_the_others_of_its_batch_kept(
    tmp_path: Path,
) -> None:
    # A caption that is not text (no import makes one: it stands for a converter bug) makes the
    # second post's conversion raise, in the batch the importer hands its worker process.
    export = small_export(
        tmp_path,
        [
            ExportPost(1, "Before", "before", content="<p>One</p>"),
            ExportPost(2, "Broken", "broken", content='[gallery ids="5"]'),
            ExportPost(3, "After", "after", content="<p>Three</p>"),
        ],
    )
    items = [record for record in read_export(export) if isinstance(record, Item)]
    broken = LibraryImage(id="a" * 64, caption=7)  # type: ignore[arg-type]
    images = Images(by_attachment={5: broken})

    results = convert_all(
        items, Vocabulary(), ZoneInfo("UTC"), datetime.now(UTC), get_settings(), images
    )

    assert [type(result) for result in results] == [Converted, Skipped, Converted]
    assert [result.post_id for result in results] == [1, 2, 3]
    assert results[1] == Skipped(
        2,
        "Broken",
        "could not be converted (AttributeError: 'int' object has no attribute 'replace')",
    )
