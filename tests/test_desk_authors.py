"""The desk's Authors page over HTTP: the list, creating an author with an avatar from the media
library, the refusals at their fields, and the editor's byline as authors and a credit."""

from collections.abc import AsyncIterator, Callable

import pytest

from api.settings import Settings
from cms.access import Role
from cms.articles import Article
from cms.authors import Author
from cms.media import library
from cms.media.library import Limits
from tests import images
from tests.desk_client import Desk, make_person
from tests.desk_forms import changed, form_fields
from tests.factories import FACTORY, make_article, make_author
from tests.test_desk_editor import logged_in, problems, send
from tests.test_desk_http import desk_app


@pytest.fixture
async def desk(settings: Settings) -> AsyncIterator[Callable[..., Desk]]:
    async with desk_app(settings) as browser:
        yield browser


@pytest.mark.slow
async def test_an_editor_creates_an_author_with_an_avatar_and_fixes_a_bad_link(
    desk: Callable[..., Desk], settings: Settings
) -> None:
    editor = await make_person("ed@example.com", role=Role.EDITOR)
    await make_author(slug="hana-seo", name="Hana Seo")
    added = await library.add_image(
        actor=FACTORY,
        data=images.jpeg(40, 40),
        filename="hana.jpg",
        limits=Limits.of(settings),
        values={"alt": "Hana Seo"},
    )
    portrait = added.image
    browser = await logged_in(desk, editor)

    listed = await browser.get("/desk/authors")
    blank = await browser.get("/desk/authors/new")
    found = await browser.get("/desk/pick/image?find_image=hana")
    fields = changed(
        form_fields(blank.text, "/desk/authors/new"),
        name="Hana Seo",
        title="Seoul correspondent",
        bio="Covers *both* Koreas.",
        website="javascript:alert(1)",
        image_id=portrait.id,
    )
    refused = await send(browser, "/desk/authors/new", fields)
    created = await send(
        browser,
        "/desk/authors/new",
        changed(form_fields(refused.text, "/desk/authors/new"), website="https://hana.example"),
    )
    saved = await Author.find_one({"slug": "hana-seo-2"})

    assert listed.status == 200
    assert "Hana Seo" in listed.text
    assert blank.status == 200
    assert f'value="{portrait.id}"' in found.text
    assert refused.status == 400
    assert set(problems(refused)) == {"website"}
    assert "Seoul correspondent" in refused.text  # what was typed is kept
    assert created.status == 303
    assert saved is not None
    assert saved.avatar == portrait.id
    assert saved.links.website == "https://hana.example"
    assert saved.title == "Seoul correspondent"


@pytest.mark.slow
async def test_the_editor_saves_a_byline_of_authors_in_order_and_a_credit(
    desk: Callable[..., Desk],
) -> None:
    editor = await make_person("ed@example.com", role=Role.EDITOR)
    await make_author(slug="ada", name="Ada")
    await make_author(slug="bo", name="Bo")
    article = await make_article(slug="story")
    browser = await logged_in(desk, editor)
    url = f"/desk/articles/{article.id}"

    opened = await browser.get(url)
    fields = [
        (name, value)
        for name, value in changed(form_fields(opened.text, url), credit="AFP")
        if name != "authors"
    ]
    saved = await send(browser, url, [*fields, ("authors", "bo"), ("authors", "ada")])
    stored = await Article.find_one({"slug": "story"})
    shown = await browser.get("/desk/articles")

    assert "<legend>Authors</legend>" in opened.text
    assert ">Byline credit</label>" in opened.text
    assert saved.status == 303
    assert stored is not None
    assert (stored.authors, stored.credit) == (["bo", "ada"], "AFP")
    assert "Bo and Ada" in shown.text
