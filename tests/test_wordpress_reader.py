"""Reading WordPress exports: the real theme test export, and files that are not exports or
attack the XML parser."""

from collections import Counter
from pathlib import Path
from xml.etree import ElementTree

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cms.wordpress.synthetic import ExportPost, cdata
from cms.wordpress.wxr import Author, Item, NotAnExport, Site, Term, read_export
from tests.wordpress_exports import small_export, theme_test_export


def test_the_theme_test_export_reads_whole() -> None:
    records = list(read_export(theme_test_export()))
    site = records[0]
    assert isinstance(site, Site)
    assert (site.title, site.wxr_version) == ("Theme Unit Test Data", "1.2")
    items = Counter(record.post_type for record in records if isinstance(record, Item))
    assert items == {"post": 58, "page": 21, "attachment": 37, "nav_menu_item": 70}
    authors = {record.login: record for record in records if isinstance(record, Author)}
    assert authors["themereviewteam"].display_name == "Theme Reviewer"
    terms = Counter(record.kind for record in records if isinstance(record, Term))
    assert terms["category"] > 0
    assert terms["post_tag"] > 0


def test_an_item_keeps_its_fields_and_terms() -> None:
    posts = {
        record.name: record
        for record in read_export(theme_test_export())
        if isinstance(record, Item) and record.post_type == "post"
    }
    post = posts["media-category-blocks"]
    assert post.title == "WP 6.1 Media category blocks"
    assert post.date_gmt == "2023-01-13 18:02:28"
    assert [(term.domain, term.slug) for term in post.terms[:2]] == [
        ("category", "6-1"),
        ("category", "block"),
    ]
    assert post.content.startswith("<!-- wp:paragraph -->")
    assert post.post_id is not None


def test_bodies_keep_what_cdata_cannot_hold(tmp_path: Path) -> None:
    body = "<p>a ]]> b</p>\n\n<p>c</p>"
    path = small_export(tmp_path, [ExportPost(1, "T", "t", content=body)])
    (item,) = [record for record in read_export(path) if isinstance(record, Item)]
    assert item.content == body


# What XML can carry at all: no surrogates, no control characters, no U+FFFE or U+FFFF.
_XML_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufffe\uffff")
)


@given(_XML_TEXT)
def test_cdata_holds_any_text(text: str) -> None:
    assert (ElementTree.fromstring(f"<a>{cdata(text)}</a>").text or "") == text


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (
            '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
            '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>\n'
            "<rss><channel><title>&lol2;</title></channel></rss>",
            "declares entities",
        ),
        (
            '<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY ext SYSTEM "file:///etc/passwd">]>\n'
            "<rss><channel><title>&ext;</title></channel></rss>",
            "declares entities",
        ),
        ("<html><body>Not an export</body></html>", "not a WordPress export"),
        ('<feed xmlns="http://www.w3.org/2005/Atom"></feed>', "not a WordPress export"),
        ("<rss><channel><title>Just a feed</title></channel></rss>", "no <wp:wxr_version>"),
        ("this is not XML at all", "no XML document"),
        ("<rss><channel><title>x</channel></rss>", "line 1: not well-formed XML"),
        ("", "no XML document"),
    ],
)
def test_what_is_not_an_export_is_refused_with_a_reason(
    tmp_path: Path, document: str, message: str
) -> None:
    path = tmp_path / "export.xml"
    path.write_text(document)
    with pytest.raises(NotAnExport, match=message):
        list(read_export(path))


def test_a_cut_short_export_says_where(tmp_path: Path) -> None:
    whole = small_export(tmp_path, [ExportPost(n, f"Post {n}", f"post-{n}") for n in range(1, 4)])
    text = whole.read_text()
    cut = tmp_path / "cut.xml"
    cut.write_text(text[: text.index("<title>", text.index("<item>") + 400)])
    with pytest.raises(NotAnExport, match=r"^line \d+: .*cut short") as refused:
        list(read_export(cut))
    assert refused.value.line is not None
