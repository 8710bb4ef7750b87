"""What a frontend renders around an article: url, reading time and its JSON-LD."""

import json
from html.parser import HTMLParser

import pytest
from pydantic import ValidationError

from api.settings import Settings
from cms.articles import Image
from tests.conftest import serving
from tests.factories import global_id, make_article
from tests.operations import VOTE

PAGE = """
query ($slug: String!) {
  article(slug: $slug) { url readingTime excerpt structuredData }
}
"""
# What Google requires or recommends of a NewsArticle, and what a page links it by.
REQUIRED = {
    "headline",
    "image",
    "datePublished",
    "dateModified",
    "author",
    "publisher",
    "mainEntityOfPage",
    "url",
}


class ScriptText(HTMLParser):
    """The text of the page's JSON-LD script element, as a browser's parser finds it."""

    def __init__(self) -> None:
        super().__init__()
        self.inside = False
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.inside = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self.inside = False

    def handle_data(self, data: str) -> None:
        if self.inside:
            self.found.append(data)


def site(settings: Settings) -> Settings:
    return settings.model_copy(
        update={
            "site_url": "https://news.example",
            "article_path": "/{section}/{year}/{month}/{slug}",
            "publisher_name": "The Daily Test",
            "publisher_logo_url": "https://news.example/logo.png",
        }
    )


async def test_an_article_has_news_article_json_ld_and_a_rating_once_voted(
    settings: Settings,
) -> None:
    async with serving(site(settings)) as client:
        article = await make_article(slug="budget-vote", section="politics")
        before = (await client.data(PAGE, {"slug": "budget-vote"}))["article"]
        for stars in (5, 4):
            # Two readers: each vote from a client without the other's voter cookie.
            client.http.cookies.clear()
            await client.data(VOTE, {"articleId": global_id(article), "stars": stars})
        after = (await client.data(PAGE, {"slug": "budget-vote"}))["article"]

    data = json.loads(before["structuredData"])
    rated = json.loads(after["structuredData"])
    url = f"https://news.example/politics/{article.published_at:%Y/%m}/budget-vote"
    assert before["url"] == url
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "NewsArticle"
    assert set(data) >= REQUIRED
    assert data["url"] == data["mainEntityOfPage"]["@id"] == url
    assert data["headline"] == article.headline
    assert data["description"] == before["excerpt"]
    # The factory's byline is a credit (agency or staff copy): the organisation it names.
    assert data["author"] == [{"@type": "Organization", "name": "Test Writer"}]
    assert data["publisher"] == {
        "@type": "Organization",
        "name": "The Daily Test",
        "logo": {"@type": "ImageObject", "url": "https://news.example/logo.png"},
    }
    assert data["datePublished"] == article.published_at.isoformat()
    assert "aggregateRating" not in data
    assert rated["aggregateRating"] == {
        "@type": "AggregateRating",
        "ratingValue": 4.5,
        "ratingCount": 2,
        "bestRating": 5,
        "worstRating": 1,
    }


async def test_the_json_ld_cannot_close_or_derail_its_script_element(settings: Settings) -> None:
    image = "https://img.test/a.jpg?x=</script><script>alert(1)</script><!--"
    async with serving(settings) as client:
        await make_article(
            slug="tricky",
            headline="Q&A: why 3 > 2 matters",
            image=Image(url=image),
        )
        text = (await client.data(PAGE, {"slug": "tricky"}))["article"]["structuredData"]

    page = f'<html><script type="application/ld+json">{text}</script><p>after</p></html>'
    parser = ScriptText()
    parser.feed(page)

    assert "<" not in text
    assert ">" not in text
    assert "&" not in text
    assert parser.found == [text]  # the element held all of it, and nothing more
    data = json.loads(text)
    assert data["image"] == [image]
    assert data["headline"] == "Q&A: why 3 > 2 matters"


async def test_reading_time_counts_the_words_of_the_body(settings: Settings) -> None:
    async with serving(settings) as client:
        await make_article(slug="short", body="Just a few words.")
        await make_article(slug="long", body="\n\n".join(["word " * 100] * 5))
        short = (await client.data(PAGE, {"slug": "short"}))["article"]
        long = (await client.data(PAGE, {"slug": "long"}))["article"]

    assert short["readingTime"] == 1
    assert long["readingTime"] == 3  # 500 words at 230 a minute
    assert short["url"] == "http://localhost:3000/world/short"


def test_an_article_path_names_only_what_an_article_has() -> None:
    with pytest.raises(ValidationError, match="article_path"):
        Settings(article_path="/{section}/{author}")
    with pytest.raises(ValidationError, match="site_url"):
        Settings(site_url="news.example")

    assert Settings(site_url="https://news.example/").site_url == "https://news.example"
