"""Feeds and sitemaps, read back by real parsers and checked against the protocols' rules.

feedparser reads every feed (no `bozo`); RSS and Atom are checked for their required elements,
RFC 822 / RFC 3339 dates and unique ids, JSON Feed for its version 1.1 fields. Plain sitemaps
validate with lxml against the protocol's `sitemap.xsd` (vendored, MIT) once the extension
elements are removed; the index, image and news parts are checked by the rules written below.
"""

import asyncio
import email.utils
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import feedparser
import httpx
import pytest
from bson import ObjectId
from hypothesis import given
from hypothesis import settings as examples
from hypothesis import strategies as st
from lxml import etree

from api.settings import Settings
from cms.articles import Article, Image
from cms.distribution.documents import build
from cms.distribution.sitemaps import months
from cms.distribution.text import element
from cms.fixtures.exporter import export_fixtures
from cms.fixtures.reader import read_fixtures
from cms.media import library
from cms.media.library import Limits
from cms.reading.catalog import Catalog, Entry
from cms.status import ArticleStatus
from cms.visibility import Audience
from cms.workflow.articles import update_article
from cms.workflow.authors import update_author
from tests import images
from tests.conftest import serving
from tests.factories import FACTORY, make_article, make_author, make_tag
from tests.graphql_client import GraphQLClient

SCHEMA = etree.XMLSchema(etree.parse(Path(__file__).parent / "sitemap_schema" / "sitemap.xsd"))
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
IMAGE_NS = "http://www.google.com/schemas/sitemap-image/1.1"
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"
FEED_FILES = ("rss.xml", "atom.xml", "feed.json")
# RFC 822 (as RSS 2.0 takes it, four-digit years) and RFC 3339 with an offset.
RFC_822 = re.compile(
    r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} [+-]\d{4}$"
)
RFC_3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
# What the sitemap protocol and Google allow.
MAX_URLS = 50_000
MAX_BYTES = 50 * 1024 * 1024
MAX_NEWS = 1_000
HOSTILE = "Q&A: \"Bonds\" & 'rates' < 5% 📈 עברית > العربية"


async def get(client: GraphQLClient, path: str, **headers: str) -> httpx.Response:
    await client.sync()
    return await client.http.get(path, headers=headers)


async def library_image(settings: Settings) -> str:
    added = await library.add_image(
        actor=FACTORY, data=images.jpeg(1600, 900), filename="desk.jpg", limits=Limits.of(settings)
    )
    return added.image.id


async def archive(settings: Settings) -> dict[str, Article]:
    """Two months of public articles, a hostile headline, a draft, one scheduled later."""
    now = datetime.now(UTC)
    await make_tag(slug="markets", name="Markets & Money <> 5%")
    image_id = await library_image(settings)
    made = {
        "old": await make_article(
            slug="old", published_at=datetime(2024, 1, 5, tzinfo=UTC), tags=["markets"]
        ),
        "hostile": await make_article(
            slug="hostile",
            headline=HOSTILE,
            excerpt="Fish & chips < 5 €",
            published_at=now - timedelta(hours=3),
            tags=["markets"],
            section="business",
            image=Image(id=image_id, alt="A desk"),
        ),
        "fresh": await make_article(slug="fresh", published_at=now - timedelta(hours=1)),
        "migrated": await make_article(
            slug="migrated",
            published_at=now - timedelta(days=3),
            original_guid="https://old.example/?p=123",
        ),
        "draft": await make_article(
            slug="draft", status=ArticleStatus.DRAFT, published_at=now - timedelta(hours=2)
        ),
        "later": await make_article(slug="later", published_at=now + timedelta(days=1)),
    }
    # Text from before the plain-text rule (or written around it) may hold control characters:
    # the store is changed under the write path, as such an archive would be.
    await Article.get_pymongo_collection().update_one(
        {"_id": made["hostile"].id}, {"$set": {"headline": HOSTILE + "\x01\x0b\ufffe"}}
    )
    return made


def parsed(response: httpx.Response) -> feedparser.FeedParserDict:
    result = feedparser.parse(response.content)
    assert not result.bozo, result.get("bozo_exception")
    return result


def xml(response: httpx.Response) -> etree._Element:
    return etree.fromstring(response.content)


def without_extensions(root: etree._Element) -> etree._Element:
    """The document with every element outside the sitemap namespace removed."""
    copy = etree.fromstring(etree.tostring(root))
    for node in list(copy.iter()):
        if isinstance(node.tag, str) and not node.tag.startswith("{" + SITEMAP_NS + "}"):
            node.getparent().remove(node)
    etree.cleanup_namespaces(copy)
    return copy


def sitemap_rules(response: httpx.Response) -> etree._Element:
    """What every sitemap must be: XML in the protocol's namespace, within 50 MB and 50,000
    URLs, absolute locations on the site, W3C dates; a set of URLs valid against the schema once
    its extensions are removed, an index (which the vendored schema leaves out) by its rules."""
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/xml; charset=utf-8"
    assert len(response.content) <= MAX_BYTES
    root = xml(response)
    locations = root.findall(f"{{{SITEMAP_NS}}}*/{{{SITEMAP_NS}}}loc")
    assert 0 < len(locations) <= MAX_URLS
    for location in locations:
        assert (location.text or "").startswith("http://localhost:3000/")
    for lastmod in root.iter(f"{{{SITEMAP_NS}}}lastmod"):
        assert RFC_3339.match(lastmod.text or ""), lastmod.text
    if root.tag == f"{{{SITEMAP_NS}}}sitemapindex":
        for entry in root:
            assert entry.tag == f"{{{SITEMAP_NS}}}sitemap"
            assert [child.tag for child in entry][:1] == [f"{{{SITEMAP_NS}}}loc"]
            assert {child.tag for child in entry} <= {
                f"{{{SITEMAP_NS}}}loc",
                f"{{{SITEMAP_NS}}}lastmod",
            }
    else:
        SCHEMA.assertValid(without_extensions(root))
    return root


async def follows_the_formats(
    client: GraphQLClient, settings: Settings, path: str, author: str
) -> None:
    """The RSS, Atom and JSON feeds at `path` parse, with what their formats require, each item
    by `author`."""
    rss, atom, as_json = [await get(client, path + name) for name in FEED_FILES]
    rss_feed, atom_feed = parsed(rss), parsed(atom)

    assert rss.headers["content-type"] == "application/rss+xml; charset=utf-8"
    assert rss_feed.version == "rss20"
    assert atom_feed.version == "atom10"
    for feed in (rss_feed, atom_feed):
        assert feed.feed.title
        assert feed.feed.link
        ids = [entry.id for entry in feed.entries]
        assert len(set(ids)) == len(ids)
        for entry in feed.entries:
            assert entry.title
            assert entry.link
            assert entry.id
            assert entry.author
    channel = xml(rss).find("channel")
    assert channel is not None
    for name in ("title", "link", "description"):
        assert channel.findtext(name)
    for date in channel.iter("pubDate"):
        assert RFC_822.match(date.text or ""), date.text
    atom_root = xml(atom)
    assert atom_root.findtext("{http://www.w3.org/2005/Atom}id")
    for name in ("updated", "published"):
        for date in atom_root.iter(f"{{http://www.w3.org/2005/Atom}}{name}"):
            assert RFC_3339.match(date.text or ""), date.text
    document = as_json.json()
    assert as_json.headers["content-type"] == "application/feed+json; charset=utf-8"
    assert document["version"] == "https://jsonfeed.org/version/1.1"
    assert document["title"]
    assert document["feed_url"].endswith(path + "feed.json")
    for item in document["items"]:
        assert item["id"]
        assert item["url"].startswith(settings.site_url)
        assert "content_html" in item or "content_text" in item
        assert RFC_3339.match(item["date_published"])
        assert item["authors"] == [{"name": author}]


@pytest.mark.slow
async def test_every_feed_parses_with_what_its_format_requires(
    client: GraphQLClient, settings: Settings
) -> None:
    articles = await archive(settings)
    public = ["fresh", "hostile", "migrated", "old"]  # newest first

    for path in ("/feeds/", "/feeds/tags/markets/", "/feeds/sections/business/"):
        await follows_the_formats(client, settings, path, "Test Writer")

    everything = parsed(await get(client, "/feeds/atom.xml"))
    assert [entry.link.rsplit("/", 1)[1] for entry in everything.entries] == public
    hostile = next(entry for entry in everything.entries if "hostile" in entry.link)
    assert hostile.title == HOSTILE
    assert hostile.summary == "Fish & chips < 5 €"
    assert [tag.label for tag in hostile.tags] == ["Markets & Money <> 5%"]
    assert hostile.link == f"{settings.site_url}/business/hostile"
    (media,) = hostile.media_content
    assert media["type"] == "image/jpeg"
    assert (media["width"], media["height"]) == ("1200", "675")
    assert media["url"].startswith(settings.media_url)
    migrated = next(entry for entry in everything.entries if "migrated" in entry.link)
    assert migrated.id == "https://old.example/?p=123"
    fresh = next(entry for entry in everything.entries if "fresh" in entry.link)
    fresh_id = articles["fresh"].id
    assert fresh_id is not None
    made = fresh_id.generation_time.date().isoformat()
    assert fresh.id == f"tag:localhost,{made}:article:{fresh_id}"
    tagged = parsed(await get(client, "/feeds/tags/markets/rss.xml"))
    assert [entry.link.rsplit("/", 1)[1] for entry in tagged.entries] == ["hostile", "old"]
    rss_ids = {entry.id for entry in parsed(await get(client, "/feeds/rss.xml")).entries}
    assert rss_ids == {entry.id for entry in everything.entries}  # the same ids in every format


async def test_the_hero_renditions_length_is_given_once_it_has_been_made(
    settings: Settings,
) -> None:
    async with serving(settings.model_copy(update={"response_cache": False})) as client:
        image_id = await library_image(settings)
        await make_article(slug="pictured", image=Image(id=image_id, alt="A desk"))
        (before,) = parsed(await get(client, "/feeds/rss.xml")).entries[0].media_content
        assert "filesize" not in before  # not made yet: no guess

        made = await client.http.get(before["url"].removeprefix(settings.media_url))
        assert made.status_code == 200
        assert made.headers["content-type"] == "image/jpeg"

        for name in ("rss.xml", "atom.xml"):
            (after,) = parsed(await get(client, "/feeds/" + name)).entries[0].media_content
            assert after["url"] == before["url"]
            assert int(after["filesize"]) == len(made.content)


async def test_full_content_carries_the_body_as_html(settings: Settings) -> None:
    async with serving(settings.model_copy(update={"feeds_full_content": True})) as client:
        await make_article(slug="whole", body="A *bold* claim & more.")
        rss = parsed(await get(client, "/feeds/rss.xml"))
        as_json = (await get(client, "/feeds/feed.json")).json()

    assert rss.entries[0].content[0].value == "<p>A <em>bold</em> claim &amp; more.</p>"
    assert as_json["items"][0]["content_html"] == "<p>A <em>bold</em> claim &amp; more.</p>\n"


@pytest.mark.slow
async def test_sitemaps_follow_the_protocol_and_googles_rules(
    client: GraphQLClient, settings: Settings
) -> None:
    await archive(settings)
    now = datetime.now(UTC)

    index = sitemap_rules(await get(client, "/sitemaps/sitemap.xml"))
    assert index.tag == f"{{{SITEMAP_NS}}}sitemapindex"
    listed = [loc.text or "" for loc in index.iter(f"{{{SITEMAP_NS}}}loc")]
    this_month = f"{now:%Y-%m}"
    months = sorted({"2024-01", this_month, f"{now - timedelta(days=3):%Y-%m}"})
    assert listed == [
        *(f"{settings.site_url}/sitemaps/articles/{month}.xml" for month in months),
        f"{settings.site_url}/sitemaps/news.xml",
    ]

    january = sitemap_rules(await get(client, "/sitemaps/articles/2024-01.xml"))
    assert [loc.text for loc in january.findall(f"{{{SITEMAP_NS}}}url/{{{SITEMAP_NS}}}loc")] == [
        f"{settings.site_url}/world/old"
    ]
    (image,) = january.iter(f"{{{IMAGE_NS}}}loc")
    assert image.text == "https://img.test/" + image.text.rsplit("/", 1)[1]
    current = sitemap_rules(await get(client, f"/sitemaps/articles/{this_month}.xml"))
    current_urls = [loc.text for loc in current.iter(f"{{{SITEMAP_NS}}}loc")]
    assert f"{settings.site_url}/world/draft" not in current_urls
    assert f"{settings.site_url}/world/later" not in current_urls

    news = sitemap_rules(await get(client, "/sitemaps/news.xml"))
    entries = news.findall(f"{{{SITEMAP_NS}}}url")
    assert 0 < len(entries) <= MAX_NEWS
    assert [entry.findtext(f"{{{SITEMAP_NS}}}loc") for entry in entries] == [
        f"{settings.site_url}/world/fresh",
        f"{settings.site_url}/business/hostile",
    ]
    for entry in entries:
        block = entry.find(f"{{{NEWS_NS}}}news")
        assert block is not None
        assert block.findtext(f"{{{NEWS_NS}}}publication/{{{NEWS_NS}}}name") == "Newsroom"
        assert block.findtext(f"{{{NEWS_NS}}}publication/{{{NEWS_NS}}}language") == "en"
        assert block.findtext(f"{{{NEWS_NS}}}title")
        published = datetime.fromisoformat(block.findtext(f"{{{NEWS_NS}}}publication_date") or "")
        assert now - timedelta(hours=48) < published <= now
    assert entries[1].findtext(f"{{{NEWS_NS}}}news/{{{NEWS_NS}}}title") == HOSTILE


async def test_a_month_past_its_page_size_is_split_into_pages(settings: Settings) -> None:
    async with serving(settings.model_copy(update={"sitemaps_page_size": 2})) as client:
        for day in range(1, 6):
            await make_article(slug=f"day-{day}", published_at=datetime(2024, 3, day, tzinfo=UTC))
        index = sitemap_rules(await get(client, "/sitemaps/sitemap.xml"))
        pages = [
            sitemap_rules(await get(client, f"/sitemaps/articles/2024-03.xml?page={page}"))
            for page in (1, 2, 3)
        ]
        past = await get(client, "/sitemaps/articles/2024-03.xml?page=4")

    base = f"{settings.site_url}/sitemaps/articles/2024-03.xml"
    assert [loc.text for loc in index.iter(f"{{{SITEMAP_NS}}}loc")][:3] == [
        base,
        f"{base}?page=2",
        f"{base}?page=3",
    ]
    shown = [
        loc.text.rsplit("/", 1)[1] for page in pages for loc in page.iter(f"{{{SITEMAP_NS}}}loc")
    ]
    assert shown == [f"day-{day}" for day in range(1, 6)]
    assert past.status_code == 404


async def test_tag_section_and_author_sitemaps_when_asked_for(settings: Settings) -> None:
    async with serving(settings.model_copy(update={"sitemaps_lists": True})) as client:
        await make_tag(slug="science", name="Science")
        await make_author(slug="ann", name="Ann Lee")
        await make_article(slug="found", section="world", tags=["science"], authors=["ann"])
        index = sitemap_rules(await get(client, "/sitemaps/sitemap.xml"))
        tags = sitemap_rules(await get(client, "/sitemaps/tags.xml"))
        sections = sitemap_rules(await get(client, "/sitemaps/sections.xml"))
        authors = sitemap_rules(await get(client, "/sitemaps/authors.xml"))
    async with serving(settings) as client:
        off = await get(client, "/sitemaps/tags.xml")

    assert [loc.text for loc in tags.iter(f"{{{SITEMAP_NS}}}loc")] == [
        f"{settings.site_url}/tags/science"
    ]
    assert [loc.text for loc in sections.iter(f"{{{SITEMAP_NS}}}loc")] == [
        f"{settings.site_url}/sections/world"
    ]
    assert [loc.text for loc in authors.iter(f"{{{SITEMAP_NS}}}loc")] == [
        f"{settings.site_url}/authors/ann"
    ]
    assert [loc.text for loc in index.iter(f"{{{SITEMAP_NS}}}loc")][-3:] == [
        f"{settings.site_url}/sitemaps/{kind}.xml" for kind in ("tags", "sections", "authors")
    ]
    assert off.status_code == 404


BAD_PATHS = (
    "/feeds/nothing.xml",
    "/feeds/tags/unknown/rss.xml",
    "/feeds/sections/nowhere/atom.xml",
    "/feeds/authors/someone/rss.xml",
    "/feeds/authors/Some_One/feed.json",
    "/feeds/tags/Bad_Slug/rss.xml",
    "/feeds/rss.xml?page=2",
    "/sitemaps/articles/2024-13.xml",
    "/sitemaps/articles/1999-01.xml",
    "/sitemaps/articles/2024-01.xml?page=abc",
    "/sitemaps/articles/2024-01.xml?page=-1",
    "/sitemaps/articles/2024-01.xml?page=1e3",
    "/sitemaps/articles/2024-01.xml?page=0",
    "/sitemaps/articles/2024-01.xml?page=99999999999999999999",
    "/sitemaps/articles/2024-01.xml?page=1&page=1",
    "/sitemaps/tags.xml",
    "/sitemaps/authors.xml",
    "/sitemaps/other.xml",
)


async def test_unknown_names_and_bad_pages_are_404_with_a_short_body(
    client: GraphQLClient,
) -> None:
    await make_article(slug="january", published_at=datetime(2024, 1, 5, tzinfo=UTC))
    await client.sync()

    answers = {path: await client.http.get(path) for path in BAD_PATHS}
    good = await client.http.get("/sitemaps/articles/2024-01.xml?page=1")

    assert {path: answer.status_code for path, answer in answers.items()} == dict.fromkeys(
        BAD_PATHS, 404
    )
    assert all(len(answer.content) < 100 for answer in answers.values())
    assert good.status_code == 200


async def test_the_query_string_changes_nothing_else(client: GraphQLClient) -> None:
    await make_article(slug="one")

    plain = await get(client, "/feeds/rss.xml")
    padded = await client.http.get("/feeds/rss.xml", params={"limit": "100000", "page": "1"})

    assert padded.content == plain.content
    assert padded.headers["x-cache"] == "HIT"


async def test_feeds_are_cached_with_validators_and_purged_by_what_changes(
    client: GraphQLClient,
) -> None:
    await make_tag(slug="science", name="Science")
    await make_article(slug="old", published_at=datetime(2024, 1, 5, tzinfo=UTC))
    await make_article(
        slug="tagged", tags=["science"], published_at=datetime(2024, 2, 5, tzinfo=UTC)
    )

    first = await get(client, "/feeds/rss.xml")
    again = await get(client, "/feeds/rss.xml")
    by_etag = await get(client, "/feeds/rss.xml", **{"if-none-match": first.headers["etag"]})
    by_date = await get(
        client, "/feeds/rss.xml", **{"if-modified-since": first.headers["last-modified"]}
    )
    head = await client.http.head("/feeds/rss.xml")
    january = await get(client, "/sitemaps/articles/2024-01.xml")
    tagged = await get(client, "/feeds/tags/science/rss.xml")

    assert first.headers["x-cache"] == "MISS"
    assert again.headers["x-cache"] == "HIT"
    assert again.content == first.content
    assert by_etag.status_code == 304
    assert by_etag.content == b""
    assert by_date.status_code == 304
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["content-length"] == str(len(first.content))
    assert email.utils.parsedate_to_datetime(first.headers["last-modified"]) == datetime(
        2024, 2, 5, tzinfo=UTC
    )
    keys = first.headers["surrogate-key"].split()
    assert {"feeds", "site"} <= set(keys)
    assert first.headers["cache-tag"] == ",".join(keys)
    assert "sitemap:2024-01" in january.headers["surrogate-key"].split()
    assert "feeds:tags:science" in tagged.headers["surrogate-key"].split()

    # A new article in February: the feeds it enters and February's sitemap go, January stays.
    await make_article(slug="new", published_at=datetime(2024, 2, 6, tzinfo=UTC))
    after = await get(client, "/feeds/rss.xml")
    january_after = await get(client, "/sitemaps/articles/2024-01.xml")
    tagged_after = await get(client, "/feeds/tags/science/rss.xml")

    assert after.headers["x-cache"] == "MISS"
    assert "/new</link>" in after.text
    assert january_after.headers["x-cache"] == "HIT"
    assert tagged_after.headers["x-cache"] == "HIT"


def slugs(feed: feedparser.FeedParserDict) -> list[str]:
    return [entry.link.rsplit("/", 1)[1] for entry in feed.entries]


async def test_an_authors_feeds_follow_the_byline_and_the_name(
    client: GraphQLClient, settings: Settings
) -> None:
    ann = await make_author(slug="ann", name="Ann Lee")
    await make_author(slug="bob", name="Bob Roe")
    await make_author(slug="cy", name="Cy Young")
    moved = await make_article(
        slug="moved", authors=["ann"], published_at=datetime(2024, 1, 5, tzinfo=UTC)
    )
    await make_article(slug="kept", authors=["ann"], published_at=datetime(2024, 1, 4, tzinfo=UTC))
    await make_article(slug="other", authors=["cy"], published_at=datetime(2024, 1, 3, tzinfo=UTC))

    await follows_the_formats(client, settings, "/feeds/authors/ann/", "Ann Lee")
    ann_before = await get(client, "/feeds/authors/ann/rss.xml")
    bob_before = await get(client, "/feeds/authors/bob/rss.xml")  # no article yet
    await get(client, "/feeds/authors/cy/atom.xml")

    feed = parsed(ann_before)
    assert feed.feed.title == "Newsroom: Ann Lee"
    assert feed.feed.link == f"{settings.site_url}/authors/ann"
    assert slugs(feed) == ["moved", "kept"]
    assert "feeds:authors:ann" in ann_before.headers["surrogate-key"].split()
    assert bob_before.status_code == 404

    # The article leaves Ann's feeds for Bob's: those two go, Cy's stays.
    await update_article(
        actor=FACTORY, article_id=str(moved.id), changes={"authors": ["bob"]}, base_version=1
    )
    ann_after = await get(client, "/feeds/authors/ann/rss.xml")
    bob_after = await get(client, "/feeds/authors/bob/rss.xml")
    cy_after = await get(client, "/feeds/authors/cy/atom.xml")

    assert ann_after.headers["x-cache"] == "MISS"
    assert slugs(parsed(ann_after)) == ["kept"]
    assert slugs(parsed(bob_after)) == ["moved"]
    assert cy_after.headers["x-cache"] == "HIT"

    # Renamed: her feeds' title says so, Cy's stays.
    await update_author(actor=FACTORY, author_id=str(ann.id), changes={"name": "Ann Roe"})
    renamed = await get(client, "/feeds/authors/ann/atom.xml")
    cy_again = await get(client, "/feeds/authors/cy/atom.xml")

    assert parsed(renamed).feed.title == "Newsroom: Ann Roe"
    assert cy_again.headers["x-cache"] == "HIT"


@pytest.mark.slow
async def test_a_scheduled_article_appears_at_its_time_without_a_restart(
    client: GraphQLClient,
) -> None:
    await make_article(slug="now", published_at=datetime.now(UTC) - timedelta(minutes=1))
    soon = datetime.now(UTC) + timedelta(seconds=5)
    await make_article(slug="soon", published_at=soon)

    before = await get(client, "/feeds/atom.xml")
    news_before = await get(client, "/sitemaps/news.xml")
    asked_before = datetime.now(UTC)
    await asyncio.sleep((soon - datetime.now(UTC)).total_seconds() + 0.3)
    after = await get(client, "/feeds/atom.xml")
    news_after = await get(client, "/sitemaps/news.xml")

    assert asked_before < soon, "the machine was too slow to ask before its time"
    assert "/soon" not in before.text
    assert "/soon" not in news_before.text
    assert "/soon" in after.text
    assert "/soon" in news_after.text


def _allowed(character: str) -> bool:
    """XML 1.0's Char production."""
    return (
        character in "\t\n\r"
        or " " <= character <= "\ud7ff"
        or "\ue000" <= character <= "\ufffd"
        or character >= "\U00010000"
    )


# No deadline: on a shared machine one example may wait for a core; the property is not timing.
@examples(deadline=None)
@given(st.text())
def test_any_text_comes_out_well_formed_without_what_xml_forbids(text: str) -> None:
    document = f"<r>{element('t', text, a=text)}</r>".encode("utf-8", "surrogatepass")

    parsed_back = etree.fromstring(document)

    kept = "".join(character for character in text if _allowed(character))
    # A parser reads a line break written as CR LF or CR as LF (XML 1.0, 2.11).
    assert (parsed_back[0].text or "") == kept.replace("\r\n", "\n").replace("\r", "\n")
    assert parsed_back[0].get("a") == kept


async def test_an_original_guid_is_kept_by_export_and_load(
    client: GraphQLClient, tmp_path: Path
) -> None:
    await make_article(slug="migrated", original_guid="https://old.example/?p=7")
    await make_article(slug="native")

    await export_fixtures(tmp_path)
    read_back = {article.content.slug: article for article in read_fixtures(tmp_path).articles}

    assert "guid: https://old.example/?p=7" in (tmp_path / "articles" / "migrated.md").read_text()
    assert "guid" not in (tmp_path / "articles" / "native.md").read_text()
    assert read_back["migrated"].content.original_guid == "https://old.example/?p=7"
    assert read_back["native"].content.original_guid == ""


async def test_the_news_sitemap_and_the_index_expire_with_its_oldest_entry_and_stay_valid(
    client: GraphQLClient, settings: Settings
) -> None:
    published = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    await make_article(slug="recent", published_at=published)
    await client.sync()
    assert client.app is not None
    catalog = client.app.state.catalog

    now, later = published + timedelta(hours=1), published + timedelta(hours=48)
    news_now = await build(catalog, settings, "/sitemaps/news.xml", 1, now)
    news_later = await build(catalog, settings, "/sitemaps/news.xml", 1, later)
    index_now = await build(catalog, settings, "/sitemaps/sitemap.xml", 1, now)
    index_later = await build(catalog, settings, "/sitemaps/sitemap.xml", 1, later)

    assert news_now is not None
    assert news_later is not None
    assert b"/world/recent" in news_now.body
    assert news_now.expires == published + timedelta(hours=48)
    assert b"/world/recent" not in news_later.body
    assert news_later.expires is None
    # Empty, it lists the home page alone, without a news part: valid for the schema (which
    # wants a URL) and for Google News (which passes over a URL without one).
    empty = etree.fromstring(news_later.body)
    SCHEMA.assertValid(without_extensions(empty))
    assert [loc.text for loc in empty.iter(f"{{{SITEMAP_NS}}}loc")] == [settings.site_url + "/"]
    assert empty.find(f".//{{{NEWS_NS}}}news") is None
    # The index lists the news sitemap's `lastmod`: it goes stale with it.
    assert index_now is not None
    assert index_later is not None
    assert index_now.expires == published + timedelta(hours=48)
    news_entry = f"<loc>{settings.site_url}/sitemaps/news.xml</loc>"
    assert news_entry + "<lastmod>" in index_now.body.decode()
    assert news_entry + "</sitemap>" in index_later.body.decode()


@examples(deadline=None, max_examples=50)
@given(st.lists(st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1))))
def test_the_index_counts_each_months_public_articles_and_their_last_change(
    dates: list[datetime],
) -> None:
    now = datetime(2026, 6, 1, tzinfo=UTC)
    catalog = Catalog()
    made = [
        Entry(
            id=ObjectId(),
            slug=f"a-{number}",
            version=1,
            status=ArticleStatus.PUBLISHED,
            published_at=date.replace(tzinfo=UTC),
            section="world",
            tags=(),
            headline="A",
            updated_at=date.replace(tzinfo=UTC) + timedelta(days=number % 3),
        )
        for number, date in enumerate(dates)
    ]
    catalog._put_all(made, now)

    expected: dict[str, tuple[int, datetime]] = {}
    for entry in made:
        if entry.published_at <= now:
            name = f"{entry.published_at:%Y-%m}"
            count, lastmod = expected.get(name, (0, entry.changed_at))
            expected[name] = (count + 1, max(lastmod, entry.changed_at))
    assert [(month.name, month.count, month.lastmod) for month in months(catalog, now)] == [
        (name, *expected[name]) for name in sorted(expected)
    ]


NOW = datetime(2026, 6, 1, tzinfo=UTC)
# Around `NOW`: months before it, its own (with articles due later in it) and the next.
moments = st.integers(min_value=-70, max_value=40).map(lambda days: NOW + timedelta(days=days))
changes = st.tuples(
    st.integers(min_value=0),
    st.sampled_from(list(ArticleStatus)),
    moments,
    st.none() | moments,
)


@examples(deadline=None, max_examples=150)
@given(
    dates=st.lists(st.tuples(moments, st.none() | moments), max_size=20),
    changed=st.lists(changes, max_size=10),
    dropped=st.lists(st.integers(min_value=0), max_size=3),
    put_at=moments.filter(lambda moment: moment <= NOW),
)
def test_each_months_count_and_last_change_follow_publications_moves_and_departures(
    dates: list[tuple[datetime, datetime | None]],
    changed: list[tuple[int, ArticleStatus, datetime, datetime | None]],
    dropped: list[int],
    put_at: datetime,
) -> None:
    # Given articles published, then some unpublished, republished or moved to another month,
    # some leaving public view at a time (heard of or not by `NOW`), and some deleted,
    catalog = Catalog()
    held = {
        entry.id: entry
        for number, (published, leaves) in enumerate(dates)
        if (
            entry := Entry(
                id=ObjectId(),
                slug=f"a-{number}",
                version=1,
                status=ArticleStatus.PUBLISHED,
                published_at=published,
                section="world",
                tags=(),
                headline="A",
                updated_at=published + timedelta(hours=number % 5),
                unpublish_at=leaves,
            )
        )
    }
    catalog._put_all(held.values(), put_at)
    for index, status, published, leaves in changed if held else ():
        entry = list(held.values())[index % len(held)]
        entry = replace(
            entry,
            version=entry.version + 1,
            status=status,
            published_at=published,
            updated_at=published + timedelta(hours=index % 7),
            unpublish_at=leaves,
        )
        catalog._put(entry, put_at)
        held[entry.id] = entry
    for index in dropped[: len(held)]:
        gone = list(held)[index % len(held)]
        catalog._drop(gone)
        del held[gone]

    # When the index asks for its months at `NOW`,
    found = months(catalog, NOW)

    # Then each month with an article the public may see is listed with how many and the
    # newest change among them, as the visibility rule gives them one by one.
    expected: dict[str, tuple[int, datetime]] = {}
    for entry in held.values():
        if entry.readable(Audience.PUBLIC, NOW):
            name = f"{entry.published_at:%Y-%m}"
            count, lastmod = expected.get(name, (0, entry.changed_at))
            expected[name] = (count + 1, max(lastmod, entry.changed_at))
    assert [(month.name, month.count, month.lastmod) for month in found] == [
        (name, *expected[name]) for name in sorted(expected)
    ]
