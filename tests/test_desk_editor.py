"""The desk's editor over HTTP, as a browser without JavaScript uses it: writing an article with
messages at its fields, saving through the write path, the workflow's buttons by role, edit
conflicts (409 and a choice per field), deleting, the preview and the pickers; and every value
escaped on every page. (The same story in a real browser is tests/test_desk_browser.py.)"""

import html
import re
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import pytest

from api.media.types import library_image_id
from api.settings import Settings
from cms.access import Role
from cms.articles import Article, Image
from cms.clock import utcnow
from cms.media import library
from cms.media.library import Limits
from cms.media.model import LibraryImage
from cms.people.accounts import Person
from cms.revisions import Revision
from cms.spine.events import EventReader, EventType
from cms.status import ArticleStatus
from cms.tags import Tag
from cms.workflow.articles import create_article, update_article
from cms.workflow.tags import delete_tag
from desk.forms import FORM_TYPE
from tests import images
from tests.desk_client import Desk, Page, csrf_of, make_person
from tests.desk_forms import EDITOR_LABELS, Fields, changed, form_fields
from tests.factories import BASE_DATE, FACTORY, make_article, make_author, make_tag
from tests.test_desk_http import desk_app

PUBLIC = """query ($slug: String!) {
  article(slug: $slug) { headline excerpt body(format: MARKDOWN) tags { slug } }
}"""
_PROBLEM = re.compile(r'<p class="field-problem" id="([a-z_]+)-problem">(.*?)</p>', re.DOTALL)
# The buttons a person sees (not the editor's hidden default Save that Enter presses).
_BUTTONS = re.compile(r'<button type="submit"(?![^>]*aria-hidden)[^>]*>([^<]*)</button>')


@pytest.fixture
async def desk(settings: Settings) -> AsyncIterator[Callable[..., Desk]]:
    async with desk_app(settings) as browser:
        yield browser


async def send(browser: Desk, path: str, fields: Fields) -> Page:
    return Page(
        await browser.http.post(
            path, content=urlencode(fields), headers={"content-type": FORM_TYPE}
        )
    )


def problems(page: Page) -> dict[str, str]:
    return {name: html.unescape(text) for name, text in _PROBLEM.findall(page.text)}


def buttons(page: Page) -> list[str]:
    return [html.unescape(word) for word in _BUTTONS.findall(page.text)]


async def logged_in(desk: Callable[..., Desk], person: Person) -> Desk:
    browser = desk()
    await browser.log_in(person.email)
    return browser


async def draft_by(person: Person, slug: str, **values: Any) -> Article:
    content = {
        "headline": f"Draft {slug}",
        "slug": slug,
        "author": "Ada Lovelace",
        "section": "world",
    }
    return await create_article(actor=person.actor, content=content | values)


async def public(browser: Desk, slug: str) -> dict[str, Any] | None:
    answer = await browser.http.post(
        "/graphql", json={"query": PUBLIC, "variables": {"slug": slug}}
    )
    found: dict[str, Any] | None = answer.json()["data"]["article"]
    return found


@pytest.mark.slow
async def test_a_contributor_writes_a_draft_with_a_mistake_fixes_it_and_submits_it(
    desk: Callable[..., Desk],
) -> None:
    writer = await make_person("writer@example.com", role=Role.CONTRIBUTOR, name="Wri Ter")
    await make_tag(slug="climate", name="Climate")
    browser = await logged_in(desk, writer)

    blank = await browser.get("/desk/articles/new")
    fields = changed(
        form_fields(blank.text, "/desk/articles/new"),
        headline="Sea ice hits a record low",
        slug="",
        body="The **ice** is thin.",
        section="science",
        credit="",  # the mistake: a byline is required (no authors, no credit)
        image_url="javascript:alert(1)",  # and so is a web address for the image
        tags=["climate"],
    )
    refused = await send(browser, "/desk/articles/new", fields)
    fixed = changed(
        form_fields(refused.text, "/desk/articles/new"),
        credit="Wri Ter",
        image_url="https://img.test/ice.jpg",
    )
    created = await send(browser, "/desk/articles/new", fixed)
    opened = await browser.get(created.location)
    submitted = await send(
        browser,
        f"{created.location.split('?')[0]}/move",
        changed(form_fields(opened.text, f"{created.location.split('?')[0]}/move"), to="review"),
    )
    after = await browser.get(created.location.split("?")[0])
    saved = await Article.find_one({"slug": "sea-ice-hits-a-record-low"})

    assert blank.status == 200
    for label in EDITOR_LABELS:
        assert f">{label}</label>" in blank.text or f"<legend>{label}</legend>" in blank.text
    assert refused.status == 400
    assert set(problems(refused)) == {"credit", "image_url"}
    assert "http:// or https://" in problems(refused)["image_url"]
    assert 'aria-invalid="true"' in refused.text
    assert "Sea ice hits a record low" in refused.text  # what was typed is kept
    assert created.status == 303
    assert opened.status == 200
    assert "Created as a draft." in opened.text
    assert buttons(opened) == ["Log out", "Find", "Save", "Submit for review"]
    assert "<strong>ice</strong>" in opened.text  # the preview, by the API's renderer
    assert submitted.status == 303
    assert saved is not None
    assert saved.status is ArticleStatus.REVIEW
    assert saved.tags == ["climate"]
    assert saved.created_by_id == writer.actor.id
    # In review it is no longer theirs to change: the page reads, with no buttons.
    assert after.status == 200
    assert buttons(after) == ["Log out"]


@pytest.mark.slow
async def test_a_contributors_forged_publish_and_edit_are_refused(
    desk: Callable[..., Desk],
) -> None:
    writer = await make_person("writer@example.com", role=Role.CONTRIBUTOR, name="Wri Ter")
    editor = await make_person("editor@example.com", role=Role.EDITOR, name="Edi Tor")
    own = await draft_by(writer, "own-draft")
    others = await draft_by(editor, "editors-draft")
    browser = await logged_in(desk, writer)
    page = await browser.get(f"/desk/articles/{own.id}")
    token = csrf_of(page.text)

    publish = await send(
        browser,
        f"/desk/articles/{own.id}/move",
        [("csrf", token), ("version", "1"), ("to", "published")],
    )
    edit_others = await send(
        browser,
        f"/desk/articles/{others.id}",
        [("csrf", token), ("version", "1"), ("headline", "Mine now")],
    )
    delete = await send(
        browser, f"/desk/articles/{own.id}/delete", [("csrf", token), ("version", "1")]
    )
    no_token = await send(
        browser, f"/desk/articles/{own.id}/move", [("version", "1"), ("to", "review")]
    )

    assert publish.status == 403
    assert "nothing was done" in publish.alert
    assert edit_others.status == 403
    assert delete.status == 403
    assert no_token.status == 403
    assert (await Article.get(own.id)).status is ArticleStatus.DRAFT  # type: ignore[union-attr]
    assert (await Article.get(others.id)).headline == "Draft editors-draft"  # type: ignore[union-attr]
    assert await Revision.find({"article_id": own.id}).count() == 1


@pytest.mark.slow
async def test_an_editor_sees_the_moves_the_table_allows_and_publishes(
    desk: Callable[..., Desk],
) -> None:
    editor = await make_person("editor@example.com", role=Role.EDITOR, name="Edi Tor")
    article = await draft_by(editor, "to-publish", excerpt="Soon.")
    browser = await logged_in(desk, editor)
    url = f"/desk/articles/{article.id}"

    as_draft = await browser.get(url)
    scheduled_too_early = await send(
        browser, f"{url}/move", changed(form_fields(as_draft.text, f"{url}/move"), to="scheduled")
    )
    published = await send(
        browser, f"{url}/move", changed(form_fields(as_draft.text, f"{url}/move"), to="published")
    )
    as_published = await browser.get(url)
    read = await public(browser, "to-publish")
    events = list(await EventReader(0).read(limit=1000))

    assert buttons(as_draft) == [
        "Log out",
        "Find",
        "Save",
        "Submit for review",
        "Publish",
        "Schedule",
    ]
    assert "Delete" in as_draft.text
    assert scheduled_too_early.status == 400
    assert "set Publish at to a time in the future" in scheduled_too_early.alert
    assert published.status == 303
    assert buttons(as_published) == ["Log out", "Find", "Save", "Archive", "Unpublish"]
    assert read is not None
    assert read["excerpt"] == "Soon."
    published_events = [e for e in events if e.type is EventType.ARTICLE_PUBLISHED]
    assert [(e.actor, e.actor_id) for e in published_events] == [("Edi Tor", editor.actor.id)]


async def test_a_save_of_a_published_article_changes_what_the_public_reads_at_once(
    desk: Callable[..., Desk],
) -> None:
    editor = await make_person("editor@example.com", role=Role.EDITOR, name="Edi Tor")
    # Published at a time finer than the editor's minutes.
    article = await make_article(
        slug="live", headline="Live story", published_at=BASE_DATE + timedelta(seconds=61.234)
    )
    browser = await logged_in(desk, editor)
    url = f"/desk/articles/{article.id}"
    before = await public(browser, "live")

    page = await browser.get(url)
    saved = await send(
        browser, url, changed(form_fields(page.text, url), headline="Live story, updated")
    )
    after = await public(browser, "live")
    stored = await Article.get(article.id)

    assert before is not None
    assert before["headline"] == "Live story"
    assert saved.status == 303
    assert after is not None
    assert after["headline"] == "Live story, updated"
    assert stored is not None
    # The form shows times to the minute; an untouched time keeps its stored precision.
    assert stored.published_at == article.published_at
    assert stored.version == 2
    revision = await Revision.get(f"{article.id}:{2:010d}")
    assert revision is not None
    assert revision.changed == ["headline"]
    assert revision.actor == "Edi Tor"


@pytest.mark.slow
async def test_a_stale_save_answers_409_with_each_differing_field_to_choose_from(
    desk: Callable[..., Desk],
) -> None:
    one = await make_person("one@example.com", role=Role.EDITOR, name="Edi One")
    two = await make_person("two@example.com", role=Role.EDITOR, name="Edi Two")
    article = await make_article(slug="contested", headline="Original", excerpt="Original.")
    first, second = await logged_in(desk, one), await logged_in(desk, two)
    url = f"/desk/articles/{article.id}"
    first_page, second_page = await first.get(url), await second.get(url)

    theirs = await send(
        first,
        url,
        changed(form_fields(first_page.text, url), headline="Their headline", body="Their body."),
    )
    conflict = await send(
        second,
        url,
        changed(form_fields(second_page.text, url), headline="My headline", excerpt="My excerpt."),
    )
    unchanged = await Article.get(article.id)
    # Keep their headline (and body, suggested: only they changed it) and my excerpt.
    choice = changed(form_fields(conflict.text, url), keep_headline="theirs")
    resolved = await send(second, url, choice)
    final = await Article.get(article.id)

    assert theirs.status == 303
    assert conflict.status == 409
    assert "Nothing was saved" in conflict.alert
    rows = re.findall(r'<th scope="row">([^<]*)</th>', conflict.text)
    assert rows == ["Headline", "Excerpt", "Body"]
    assert "saved by Edi One" in conflict.text
    assert "Their headline" in conflict.text
    assert "My headline" in conflict.text
    # Only one side changed the excerpt and the body: that side is suggested; the headline,
    # changed by both, waits for a choice.
    assert 'id="keep-excerpt-yours" name="keep_excerpt" value="yours" required checked' in (
        conflict.text
    )
    assert 'id="keep-body-theirs" name="keep_body" value="theirs" required checked' in (
        conflict.text
    )
    assert (
        'value="theirs" required checked' not in conflict.text.split("keep-headline-theirs")[1][:80]
    )
    assert unchanged is not None
    assert unchanged.headline == "Their headline"  # nothing overwritten
    assert resolved.status == 303
    assert final is not None
    assert (final.headline, final.excerpt, final.body) == (
        "Their headline",
        "My excerpt.",
        "Their body.",
    )
    assert final.version == 3


@pytest.mark.slow
async def test_a_slug_taken_or_a_tag_deleted_meanwhile_is_a_message_at_the_field(
    desk: Callable[..., Desk],
) -> None:
    editor = await make_person("editor@example.com", role=Role.EDITOR, name="Edi Tor")
    going = await make_tag(slug="going", name="Going")
    article = await make_article(slug="mine", tags=["going"])
    browser = await logged_in(desk, editor)
    url = f"/desk/articles/{article.id}"
    page = await browser.get(url)
    await make_article(slug="taken")
    await update_article(
        actor=FACTORY, article_id=str(article.id), changes={"tags": []}, base_version=1
    )
    await delete_tag(actor=FACTORY, tag_id=str(going.id))
    page = await browser.get(url)

    taken = await send(browser, url, changed(form_fields(page.text, url), slug="taken"))
    gone = await send(browser, url, changed(form_fields(page.text, url), tags=["going"]))

    assert taken.status == 400
    assert "taken" in problems(taken)["slug"]
    assert gone.status == 400
    assert "unknown tag 'going'" in problems(gone)["tags"]
    assert (await Article.get(article.id)).slug == "mine"  # type: ignore[union-attr]


async def test_delete_asks_first_then_deletes_through_the_write_path(
    desk: Callable[..., Desk],
) -> None:
    editor = await make_person("editor@example.com", role=Role.EDITOR, name="Edi Tor")
    article = await make_article(slug="doomed", headline="Doomed")
    browser = await logged_in(desk, editor)
    url = f"/desk/articles/{article.id}"

    asked = await browser.get(f"{url}/delete")
    deleted = await send(browser, f"{url}/delete", form_fields(asked.text, f"{url}/delete"))
    gone = await browser.get(url)
    events = [e.type for e in await EventReader(0).read(limit=1000) if e.subject == str(article.id)]

    assert asked.status == 200
    assert "Delete “Doomed”?" in html.unescape(asked.title)
    assert deleted.status == 303
    assert deleted.location == "/desk/articles"
    assert await Article.get(article.id) is None
    assert gone.status == 404
    assert events[-1] is EventType.ARTICLE_DELETED


async def test_the_preview_renders_as_the_api_does_with_embeds_as_cards(
    desk: Callable[..., Desk],
) -> None:
    editor = await make_person("editor@example.com", role=Role.EDITOR)
    browser = await logged_in(desk, editor)
    page = await browser.get("/desk/articles/new")
    token = csrf_of(page.text)
    body = "# Title\n\n<script>alert(1)</script>\n\nhttps://www.youtube.com/watch?v=dQw4w9WgXcQ\n\n![A](https://img.test/a.jpg)"

    shown = await send(browser, "/desk/preview", [("csrf", token), ("body", body)])
    forged = await send(browser, "/desk/preview", [("body", body)])

    assert shown.status == 200
    assert "<h1>Title</h1>" in shown.text
    assert "&lt;script&gt;" in shown.text
    assert "<script>" not in shown.text
    assert "Embed from www.youtube.com" in shown.text
    assert "<iframe" not in shown.text
    assert '<img src="https://img.test/a.jpg" alt="A"' in shown.text
    assert "img-src 'self' https:" in shown.response.headers["content-security-policy"]
    assert "frame-src" not in shown.response.headers["content-security-policy"]
    assert forged.status == 403


async def test_the_toolbar_inserts_directives_and_the_preview_shows_blocks_and_problems(
    desk: Callable[..., Desk], settings: Settings
) -> None:
    editor = await make_person("editor@example.com", role=Role.EDITOR)
    browser = await logged_in(desk, editor)
    photo = await library_photo(settings, alt="Harbour")
    page = await browser.get("/desk/articles/new")
    token = csrf_of(page.text)
    body = (
        f"::image{{id={photo} caption=Boats}}\n\n:::pullquote{{cite=Ada}}\nWe *fight*.\n:::"
        "\n\n::related{slug=elsewhere}\n\n::video{url=x}"
    )

    shown = await send(browser, "/desk/preview", [("csrf", token), ("body", body)])

    buttons = re.findall(r'<button type="button" data-insert="([^"]*)">([^<]+)</button>', page.text)
    assert [label for _, label in buttons] == [
        "Image",
        "Gallery",
        "Pull quote",
        "Fact box",
        "Related article",
        "Embed",
        "Frame",
    ]
    assert all(html.unescape(snippet).startswith("::") for snippet, _ in buttons)
    assert f'<img src="/desk/media/{photo}/original" alt="">' in shown.text
    assert "<figcaption>Boats</figcaption>" in shown.text
    assert '<figure class="pullquote"><blockquote>' in shown.text
    assert "<strong>Related article</strong><span>elsewhere</span>" in shown.text
    assert "line 9: unknown directive `video`" in shown.text


async def test_tags_authors_and_pins_are_found_by_name(desk: Callable[..., Desk]) -> None:
    editor = await make_person("editor@example.com", role=Role.EDITOR)
    await make_author(slug="hana-seo", name="Hana Seo")
    await make_author(slug="hana-seo-2", name="Hana Seo")
    await make_author(slug="lucas", name="Lucas Ferreira")
    await make_tag(slug="climate-change", name="Climate change")
    await make_tag(slug="elections", name="Elections")
    await make_article(slug="glaciers", headline="Glaciers retreat faster")
    browser = await logged_in(desk, editor)

    tags = await browser.get("/desk/pick/tags?find_tags=clim")
    pins = await browser.get("/desk/pick/related?find_related=glaciers")
    nothing = await browser.get("/desk/pick/not_related?find_not_related=zzzz")
    unknown = await browser.get("/desk/pick/credit?find_credit=x")
    people = await browser.get("/desk/pick/authors?find_authors=hana")

    assert 'name="tags" value="climate-change"' in tags.text
    assert "Climate change" in tags.text
    assert "Elections" not in tags.text
    assert 'name="related" value="glaciers"' in pins.text
    assert "Glaciers retreat faster" in pins.text
    assert "Nothing matches" in nothing.text
    assert unknown.status == 404
    assert 'name="authors" value="hana-seo"' in people.text
    assert 'name="authors" value="hana-seo-2"' in people.text
    assert "Lucas" not in people.text


XSS = '"><script>alert(1)</script><img src=x onerror=alert(2)>'


@pytest.mark.slow
async def test_markup_in_every_field_is_shown_escaped_on_every_desk_page(
    settings: Settings,
) -> None:
    # Today's rules refuse markup in plain-text fields, but the store may hold older content:
    # it is written here as it might have been, and every page must still show it as text.
    async with desk_app(settings):  # the store, to write in
        editor = await make_person("editor@example.com", role=Role.EDITOR, name="Edi Tor")
        tag = await make_tag(slug="tagged")
        other = await make_article(slug="other")
        article = await make_article(slug="marked", tags=[tag.slug], related=["other"])
        marked = {
            "headline": f"Headline {XSS}",
            "excerpt": f"Excerpt {XSS}",
            "body": f"Body {XSS}\n\nhttps://evil.test/{XSS}",
            "credit": f"Author {XSS}",
            "image": {
                "url": f"https://img.test/a.jpg?{XSS}",
                "caption": f"Caption {XSS}",
                "credit": f"Credit {XSS}",
                "alt": f"Alt {XSS}",
            },
            "updated_by": f"Someone {XSS}",
        }
        await Article.get_pymongo_collection().update_one({"_id": article.id}, {"$set": marked})
        await Article.get_pymongo_collection().update_one(
            {"_id": other.id}, {"$set": {"headline": f"Other {XSS}"}}
        )
        await Tag.get_pymongo_collection().update_one(
            {"_id": tag.id}, {"$set": {"name": f"Tag {XSS}"}}
        )
        await Person.get_pymongo_collection().update_one(
            {"_id": editor.id}, {"$set": {"name": f"Edi {XSS}"}}
        )
    url = f"/desk/articles/{article.id}"

    async with desk_app(settings) as desk:
        browser = await logged_in(desk, editor)
        opened = await browser.get(url)
        token = csrf_of(opened.text)
        clean = changed(
            form_fields(opened.text, url),
            headline="Clean",
            excerpt="Clean.",
            credit="Clean",
            section="world",
            image_url="https://img.test/a.jpg",
            image_caption="",
            image_credit="",
            image_alt="",
        )
        refused = await send(browser, url, changed(clean, excerpt=f"Mine {XSS}"))
        # Someone saves meanwhile (as an older version of Newsroom might have).
        await Article.get_pymongo_collection().update_one(
            {"_id": article.id}, {"$inc": {"version": 1}}
        )
        pages = [
            opened,
            refused,
            await send(browser, url, clean),  # the conflict page, theirs marked up
            await browser.get("/desk/articles"),
            await browser.get(f"/desk/articles?q={XSS}&author={XSS}"),
            await browser.get(f"{url}/delete"),
            await browser.get("/desk/articles/new"),
            await send(browser, "/desk/preview", [("csrf", token), ("body", str(marked["body"]))]),
            await browser.get("/desk/pick/tags?find_tags=tag"),
            await browser.get(f"/desk/pick/tags?find_tags={XSS}"),
            await browser.get("/desk/pick/related?find_related=other"),
            await browser.get(f"/desk/articles/{other.id}"),
        ]

    assert [page.status for page in pages] == [200, 400, 409, *[200] * 9]
    for page in pages:
        assert "<script>alert" not in page.text
        assert "<img src=x" not in page.text
    assert "Headline &#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in pages[0].text
    assert "Caption &#34;&gt;&lt;script&gt;" in pages[0].text
    assert "Tag &#34;&gt;&lt;script&gt;" in pages[0].text
    assert "Other &#34;&gt;&lt;script&gt;" in pages[0].text
    assert "Headline &#34;&gt;&lt;script&gt;" in pages[2].text


async def test_scheduled_unpublication_from_the_editor(desk: Callable[..., Desk]) -> None:
    editor = await make_person("editor@example.com", role=Role.EDITOR)
    article = await make_article(slug="brief")
    browser = await logged_in(desk, editor)
    url = f"/desk/articles/{article.id}"
    page = await browser.get(url)
    soon = (utcnow() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    before_publication = "2000-01-01T00:00"

    refused = await send(
        browser, url, changed(form_fields(page.text, url), unpublish_at=before_publication)
    )
    saved = await send(browser, url, changed(form_fields(page.text, url), unpublish_at=soon))
    stored = await Article.get(article.id)

    assert refused.status == 400
    assert "must be later than the publication time" in problems(refused)["unpublish_at"]
    assert saved.status == 303
    assert stored is not None
    assert stored.unpublish_at is not None
    assert stored.unpublish_at.strftime("%Y-%m-%dT%H:%M") == soon


PICTURED = """query ($slug: String!) {
  article(slug: $slug) { image { id url caption credit alt width } }
}"""
_CHOICE = re.compile(
    r'<input type="radio" id="image-found-\d+" name="image_id" value="([0-9a-f]{64})">'
)


async def library_photo(settings: Settings, **described: str) -> str:
    added = await library.add_image(
        actor=FACTORY, data=images.jpeg(), filename="harbour.jpg", limits=Limits.of(settings)
    )
    if described:
        await library.update_image(actor=FACTORY, image_id=added.image.id, changes=described)
    return added.image.id


async def pictured(browser: Desk, slug: str) -> dict[str, Any] | None:
    answer = await browser.http.post(
        "/graphql", json={"query": PICTURED, "variables": {"slug": slug}}
    )
    image: dict[str, Any] | None = answer.json()["data"]["article"]["image"]
    return image


async def test_an_editor_finds_a_library_image_with_the_picker_and_gives_it_a_caption_of_its_own(
    desk: Callable[..., Desk], settings: Settings
) -> None:
    editor = await make_person("editor@example.com", role=Role.EDITOR)
    image_id = await library_photo(settings, alt="Boats at dawn", caption="The library's words")
    article = await make_article(slug="harbour", status=ArticleStatus.PUBLISHED)
    browser = await logged_in(desk, editor)
    url = f"/desk/articles/{article.id}"
    page = await browser.get(url)

    typed = await browser.get("/desk/pick/image?find_image=BOATS")
    nothing = await browser.get("/desk/pick/image?find_image=whales")
    # Without JavaScript: the Find button sends the form back with what was typed, unsaved.
    searched = await send(
        browser,
        url,
        changed(
            form_fields(page.text, url), headline="Typed, unsaved", find_image="boats", find="image"
        ),
    )
    unsaved = await Article.get(article.id)
    chosen = await send(
        browser,
        url,
        changed(
            form_fields(searched.text, url),
            image_id=_CHOICE.findall(searched.text),
            image_url="",
            image_caption="Our own words",
        ),
    )
    served = await pictured(browser, "harbour")
    reopened = await browser.get(url)

    # Enter in a field presses the form's first button: Save, not the picker's Find.
    first_button = re.search(r'id="editor".*?<button([^>]*)>([^<]*)<', page.text, re.DOTALL)
    assert first_button is not None
    assert first_button.group(2) == "Save"
    assert 'name="find"' not in first_button.group(1)
    assert _CHOICE.findall(typed.text) == [image_id]
    assert f'src="/desk/media/{image_id}/original"' in typed.text
    assert "No library image matches “whales”." in nothing.text
    assert searched.status == 200
    assert 'value="Typed, unsaved"' in searched.text
    assert _CHOICE.findall(searched.text) == [image_id]
    assert unsaved is not None
    assert unsaved.version == article.version
    assert chosen.status == 303, problems(chosen)
    assert served is not None
    assert served["id"] == library_image_id(image_id)
    assert (served["caption"], served["alt"], served["width"]) == (
        "Our own words",
        "Boats at dawn",
        64,
    )
    assert served["url"].startswith(settings.media_url)
    assert f'name="image_id" value="{image_id}" checked' in reopened.text
    assert f'src="/desk/media/{image_id}/original"' in reopened.text


async def test_an_external_url_replaces_a_library_image_once_no_library_image_is_picked(
    desk: Callable[..., Desk], settings: Settings
) -> None:
    editor = await make_person("editor@example.com", role=Role.EDITOR)
    image_id = await library_photo(settings)
    article = await make_article(slug="pictured", image=Image(id=image_id, alt="Kim"))
    browser = await logged_in(desk, editor)
    url = f"/desk/articles/{article.id}"
    page = await browser.get(url)

    kept = await send(browser, url, changed(form_fields(page.text, url), headline="Retitled"))
    after_keeping = await Article.get(article.id)
    page = await browser.get(url)
    replaced = await send(
        browser,
        url,
        changed(form_fields(page.text, url), image_id="", image_url="https://img.test/other.jpg"),
    )
    after_replacing = await Article.get(article.id)

    assert "Keep the media library" not in page.text
    assert kept.status == 303
    assert after_keeping is not None
    assert after_keeping.image is not None
    assert (after_keeping.image.id, after_keeping.image.alt) == (image_id, "Kim")
    assert replaced.status == 303
    assert after_replacing is not None
    assert after_replacing.image is not None
    assert (after_replacing.image.id, after_replacing.image.url) == (
        None,
        "https://img.test/other.jpg",
    )


async def test_an_unknown_image_both_sources_or_neither_are_messages_at_the_picker(
    desk: Callable[..., Desk], settings: Settings
) -> None:
    editor = await make_person("editor@example.com", role=Role.EDITOR)
    image_id = await library_photo(settings)
    article = await make_article(slug="pictured")
    browser = await logged_in(desk, editor)
    url = f"/desk/articles/{article.id}"
    fields = form_fields((await browser.get(url)).text, url)

    unknown = await send(browser, url, changed(fields, image_id="ab" * 32, image_url=""))
    malformed = await send(browser, url, changed(fields, image_id="not-an-id", image_url=""))
    both = await send(
        browser, url, changed(fields, image_id=image_id, image_url="https://img.test/a.jpg")
    )
    neither = await send(
        browser, url, changed(fields, image_id="", image_url="", image_caption="Words")
    )

    for refused in (unknown, malformed, both, neither):
        assert refused.status == 400
        assert 'aria-invalid="true"' in refused.text
    assert "no image of the media library" in problems(unknown)["image"]
    assert "image" in problems(malformed)
    assert "not both" in problems(both)["image_url"]
    assert "Field required" in problems(neither)["image_url"]
    assert (await Article.get(article.id)).version == article.version  # type: ignore[union-attr]


async def test_markup_in_a_library_image_is_shown_escaped_by_the_picker(
    desk: Callable[..., Desk], settings: Settings
) -> None:
    editor = await make_person("editor@example.com", role=Role.EDITOR)
    image_id = await library_photo(settings)
    # Older or hostile text in the store: each place the picker shows must keep it as text.
    await LibraryImage.get_pymongo_collection().update_one(
        {"_id": image_id},
        {
            "$set": {
                "filename": f"boats{XSS}.jpg",
                "alt": f"Alt {XSS}",
                "caption": f"Caption {XSS}",
                "credit": f"Credit {XSS}",
            }
        },
    )
    article = await make_article(slug="pictured", image=Image(id=image_id))
    browser = await logged_in(desk, editor)
    url = f"/desk/articles/{article.id}"

    opened = await browser.get(url)
    found = await browser.get("/desk/pick/image?find_image=boats")
    typed = await browser.get(f"/desk/pick/image?find_image={XSS}")
    searched = await send(
        browser, url, changed(form_fields(opened.text, url), find_image=XSS, find="image")
    )

    for shown in (opened, found, typed, searched):
        assert shown.status == 200
        assert "<script>" not in shown.text
        assert "onerror=alert" not in shown.text.replace("&lt;img src=x onerror=alert", "")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in opened.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in found.text
    assert _CHOICE.findall(found.text) == [image_id]
