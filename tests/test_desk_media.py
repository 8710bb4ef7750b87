"""The desk's Media page over HTTP, as a browser without JavaScript uses it: uploads (each file's
outcome, refusals with the library's coded reason and nothing stored), the original shown to
signed-in people only, describing an image and its focal point with problems at the field,
deleting (refused while an article uses it), the alt-text warning, and who may do what. (The same
in a real browser, with the file picker and a click on the picture: tests/test_desk_browser.py.)"""

import html
import re
from collections.abc import AsyncIterator, Callable

import pytest

from api.settings import Settings
from cms.access import Role
from cms.articles import Image
from cms.media.files import FILES
from cms.media.model import LibraryImage
from cms.status import ArticleStatus
from tests import images
from tests.desk_client import Desk, csrf_of, make_person
from tests.factories import make_article
from tests.test_desk_http import desk_app

PHOTO = ("harbour.jpg", images.jpeg(80, 60), "image/jpeg")
CHART = ("chart.png", images.png(40, 30), "image/png")
XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'
_IMAGE_LINK = re.compile(r'<p class="name"><a href="/desk/media/([0-9a-f]{64})">([^<]*)</a>')


@pytest.fixture
async def desk(settings: Settings) -> AsyncIterator[Callable[..., Desk]]:
    async with desk_app(settings) as browser:
        yield browser


async def editor(desk: Callable[..., Desk], role: Role = Role.EDITOR) -> Desk:
    email = f"{role.value}@example.com"
    await make_person(email, role=role, name=f"{role.value.title()} Person")
    browser = desk()
    await browser.log_in(email)
    return browser


async def upload(
    browser: Desk, *files: tuple[str, bytes, str], csrf: str | None = "page"
) -> tuple[int, str]:
    page = await browser.get("/desk/media")
    fields = {} if csrf is None else {"csrf": csrf_of(page.text) if csrf == "page" else csrf}
    response = await browser.http.post(
        "/desk/media",
        data=fields,
        files=[("file", (name, data, media_type)) for name, data, media_type in files],
    )
    return response.status_code, response.text


async def uploaded(browser: Desk, *files: tuple[str, bytes, str]) -> dict[str, str]:
    """Upload these files; their images' ids by file name."""
    status, text = await upload(browser, *files)
    assert status == 200, text
    return {name: image_id for image_id, name in listed(text)}


async def editor_with_photo(desk: Callable[..., Desk]) -> tuple[Desk, str, str]:
    """An editor's browser with PHOTO uploaded: the image's id, and its page's form token."""
    browser = await editor(desk)
    ids = await uploaded(browser, PHOTO)
    form = await browser.get(f"/desk/media/{ids[PHOTO[0]]}")
    return browser, ids[PHOTO[0]], csrf_of(form.text)


def listed(text: str) -> list[tuple[str, str]]:
    return [(image_id, html.unescape(name)) for image_id, name in _IMAGE_LINK.findall(text)]


async def stored_files() -> int:
    return await LibraryImage.get_pymongo_collection().database[FILES].count_documents({})


@pytest.mark.slow
async def test_an_editor_uploads_files_and_sees_each_outcome_and_the_library(
    desk: Callable[..., Desk],
) -> None:
    browser = await editor(desk)

    status, text = await upload(
        browser,
        ("harbour.jpg", images.jpeg(80, 60), "image/jpeg"),
        ("map.png", images.png(40, 30), "image/png"),
        ("notes.png", b"not a picture at all", "image/png"),
    )
    again, again_text = await upload(browser, ("copy.jpg", images.jpeg(80, 60), "image/jpeg"))

    assert status == 200
    assert "harbour.jpg</a>: added, 80 \N{MULTIPLICATION SIGN} 60 JPEG." in text
    assert "map.png</a>: added, 40 \N{MULTIPLICATION SIGN} 30 PNG." in text
    assert "<strong>notes.png</strong> was refused (<code>unsupported_format</code>)" in text
    assert [name for _, name in listed(text)] == ["map.png", "harbour.jpg"]
    assert again == 200
    assert "already in the library (nothing was stored)" in again_text
    assert await LibraryImage.count() == 2
    assert await stored_files() == 2
    assert "Uploaded by Editor Person" in text


@pytest.mark.slow
async def test_a_refused_file_says_why_with_its_code_and_stores_nothing(
    desk: Callable[..., Desk],
) -> None:
    browser = await editor(desk)

    bomb, bomb_text = await upload(
        browser, ("bomb.png", images.png_declaring(30_000, 30_000), "image/png")
    )
    svg, svg_text = await upload(
        browser, ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"/>', "image/svg+xml")
    )
    lying, lying_text = await upload(browser, ("photo.png", images.jpeg(), "image/png"))
    truncated, truncated_text = await upload(
        browser, ("cut.jpg", images.jpeg(200, 200)[:400], "image/jpeg")
    )

    assert (bomb, svg, lying, truncated) == (400, 400, 400, 400)
    assert "(<code>too_many_pixels</code>)" in bomb_text
    assert "(<code>unsupported_format</code>)" in svg_text
    assert "(<code>not_what_it_claims</code>)" in lying_text
    assert "(<code>corrupt</code>)" in truncated_text
    assert await LibraryImage.count() == 0
    assert await stored_files() == 0


async def test_an_upload_without_its_form_token_is_refused_and_stores_nothing(
    desk: Callable[..., Desk],
) -> None:
    browser = await editor(desk)

    missing, missing_text = await upload(browser, ("a.jpg", images.jpeg(), "image/jpeg"), csrf=None)
    forged, _ = await upload(browser, ("a.jpg", images.jpeg(), "image/jpeg"), csrf="forged")

    assert (missing, forged) == (403, 403)
    assert "security token is missing" in html.unescape(missing_text)
    assert await LibraryImage.count() == 0
    assert await stored_files() == 0


async def test_an_oversized_upload_is_refused_after_the_session_and_anonymous_ones_unread(
    settings: Settings,
) -> None:
    small = settings.model_copy(update={"upload_max_bytes": 2_000, "editor_max_body_bytes": 1_000})
    async with desk_app(small) as desk:
        browser = await editor(desk)
        stranger = desk()
        big = ("big.jpg", images.noise_jpeg(60, 60), "image/jpeg")

        too_large, text = await upload(browser, big, big, big, big, big, big, big, big, big, big)
        one_too_large, one_text = await upload(browser, big)
        anonymous = await stranger.http.post(
            "/desk/media", files=[("file", big)], data={"csrf": "x"}
        )
        stored = await LibraryImage.count()

    assert too_large == 413
    assert "larger than 30,000 bytes" in html.unescape(text)
    assert one_too_large == 400
    assert "(<code>too_large</code>)" in one_text
    assert anonymous.status_code == 303
    assert anonymous.headers["location"] == "/desk/login"
    assert stored == 0


@pytest.mark.slow
async def test_originals_are_shown_to_signed_in_people_only_and_never_kept(
    desk: Callable[..., Desk],
) -> None:
    browser = await editor(desk)
    photo = images.jpeg(80, 60)
    _, text = await upload(browser, ("harbour.jpg", photo, "image/jpeg"))
    [(image_id, _)] = listed(text)

    seen = await browser.http.get(f"/desk/media/{image_id}/original")
    anonymous = await desk().http.get(f"/desk/media/{image_id}/original")
    public = await desk().http.get(f"/media/{image_id}")

    assert seen.status_code == 200
    assert seen.content == photo
    assert seen.headers["content-type"] == "image/jpeg"
    assert seen.headers["cache-control"] == "private, no-store"
    assert seen.headers["x-content-type-options"] == "nosniff"
    assert anonymous.status_code == 303
    assert anonymous.headers["location"].startswith("/desk/login?next=")
    assert photo not in anonymous.content
    assert public.status_code == 404


@pytest.mark.slow
async def test_an_editor_describes_an_image_and_sets_its_focal_point(
    desk: Callable[..., Desk],
) -> None:
    browser, image_id, token = await editor_with_photo(desk)
    fields = {"csrf": token, "caption": "The harbour", "credit": "AP"}

    saved = await browser.post(
        f"/desk/media/{image_id}", {**fields, "alt": "Boats at dawn", "x": "0.25", "y": "0.75"}
    )
    outside = await browser.post(
        f"/desk/media/{image_id}", {**fields, "alt": "Changed", "x": "1.5", "y": "zero"}
    )
    image = await LibraryImage.get(image_id)

    assert saved.status == 303
    assert saved.location == f"/desk/media/{image_id}?saved=1"
    assert outside.status == 400
    assert 'id="x-problem">X is from 0 to 1 (from the left).' in outside.text
    assert 'id="y-problem">Y is a number from 0 to 1, such as 0.5.' in outside.text
    assert 'value="Changed"' in outside.text  # what was typed is kept
    assert image is not None
    assert (image.alt, image.caption, image.credit) == ("Boats at dawn", "The harbour", "AP")
    assert (image.focal.x, image.focal.y) == (0.25, 0.75)
    assert image.updated_by == "Editor Person"


@pytest.mark.slow
async def test_text_that_breaks_the_content_rules_is_refused_at_its_field(
    desk: Callable[..., Desk],
) -> None:
    browser, image_id, token = await editor_with_photo(desk)

    refused = await browser.post(
        f"/desk/media/{image_id}",
        {
            "csrf": token,
            "alt": "two\nlines",
            "caption": "",
            "credit": "",
            "x": "0.5",
            "y": "0.5",
        },
    )

    assert refused.status == 400
    assert 'id="alt-problem">' in refused.text
    assert 'aria-invalid="true" aria-describedby="alt-problem"' in refused.text
    assert (await LibraryImage.get(image_id)).alt == ""  # type: ignore[union-attr]


@pytest.mark.slow
async def test_what_people_wrote_is_shown_as_text_never_as_markup(
    desk: Callable[..., Desk],
) -> None:
    browser = await editor(desk)
    _, text = await upload(browser, (f"{XSS}.jpg", images.jpeg(80, 60), "image/jpeg"))
    [(image_id, _)] = listed(text)
    form = await browser.get(f"/desk/media/{image_id}")
    fields = {"csrf": csrf_of(form.text), "x": "0.5", "y": "0.5"}
    text_with_signs = 'Fish & "chips" <3'

    refused = await browser.post(
        f"/desk/media/{image_id}", {**fields, "alt": XSS, "caption": XSS, "credit": XSS}
    )
    saved = await browser.post(
        f"/desk/media/{image_id}",
        {**fields, "alt": text_with_signs, "caption": text_with_signs, "credit": ""},
    )
    library = await browser.get("/desk/media")
    one = await browser.get(f"/desk/media/{image_id}")

    assert refused.status == 400
    assert saved.status == 303
    assert "must be plain text, without HTML" in refused.text
    for page in (text, refused.text, library.text, one.text):
        assert "<script>alert" not in page
        assert "<img src=x" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in refused.text
    assert "&lt;img src=x onerror=alert(1)&gt;.jpg</a>" in library.text  # its file name
    assert "Alt text: Fish &amp; &#34;chips&#34; &lt;3" in library.text
    assert 'alt="Fish &amp; &#34;chips&#34; &lt;3"' in one.text


@pytest.mark.slow
async def test_an_image_in_use_cannot_be_deleted_and_the_page_names_its_articles(
    desk: Callable[..., Desk],
) -> None:
    browser = await editor(desk)
    ids = await uploaded(browser, PHOTO, CHART)
    await make_article(slug="kursk", image=Image(id=ids["harbour.jpg"], alt="The Kursk"))

    confirm = await browser.get(f"/desk/media/{ids['harbour.jpg']}/delete")
    refused = await browser.post(
        f"/desk/media/{ids['harbour.jpg']}/delete", {"csrf": csrf_of(confirm.text)}
    )
    deleted = await browser.post(
        f"/desk/media/{ids['chart.png']}/delete", {"csrf": csrf_of(confirm.text)}
    )
    after = await browser.get("/desk/media")

    used = r'Used by 1 article: <a href="/desk/articles/[0-9a-f]{24}">kursk</a>\.'
    assert re.search(used, confirm.text)
    assert refused.status == 409
    assert "1 article uses it (kursk)" in refused.alert
    assert deleted.status == 303
    assert deleted.location == "/desk/media?deleted=1"
    assert [name for _, name in listed(after.text)] == ["harbour.jpg"]
    assert await stored_files() == 1


@pytest.mark.slow
async def test_an_image_of_a_published_article_without_alt_text_is_flagged(
    desk: Callable[..., Desk],
) -> None:
    browser = await editor(desk)
    ids = await uploaded(browser, PHOTO, CHART)
    await make_article(slug="bare-news", image=Image(id=ids["harbour.jpg"]))
    await make_article(
        slug="bare-draft", status=ArticleStatus.DRAFT, image=Image(id=ids["chart.png"])
    )

    library = await browser.get("/desk/media")

    warnings = [
        re.sub(r"<[^>]+>", "", warning)
        for warning in re.findall(r'<strong class="warning">(.*?)</strong>', library.text)
    ]
    assert warnings == [
        "No alt text on published article bare-news: readers who cannot see the image are told "
        "nothing of it."
    ]


@pytest.mark.slow
async def test_searching_and_paging_the_library(desk: Callable[..., Desk]) -> None:
    browser = await editor(desk)
    files = [(f"photo-{n:02}.png", images.png(10 + n, 10), "image/png") for n in range(26)]
    await upload(browser, *files[:10])
    await upload(browser, *files[10:20])
    await upload(browser, *files[20:], ("harbour-dawn.jpg", images.jpeg(), "image/jpeg"))

    first = await browser.get("/desk/media")
    older_link = re.search(r'<a href="([^"]+)" rel="next">Older</a>', first.text)
    assert older_link
    older = await browser.get(html.unescape(older_link.group(1)))
    found = await browser.get("/desk/media?q=HARBOUR")
    nothing = await browser.get("/desk/media?q=%28unmatched")
    bad = await browser.get("/desk/media?after=nonsense")

    shown = [name for _, name in listed(first.text)] + [name for _, name in listed(older.text)]
    assert len(listed(first.text)) == 24
    assert len(shown) == 27 == len(set(shown))
    assert [name for _, name in listed(found.text)] == ["harbour-dawn.jpg"]
    assert found.summary == "1 image matches the search."
    assert listed(nothing.text) == []
    assert bad.status == 400


async def test_contributors_see_and_add_images_but_editors_describe_and_delete(
    desk: Callable[..., Desk],
) -> None:
    contributor = await editor(desk, Role.CONTRIBUTOR)

    status, text = await upload(contributor, ("mine.jpg", images.jpeg(80, 60), "image/jpeg"))
    [(image_id, _)] = listed(text)
    one = await contributor.get(f"/desk/media/{image_id}")
    describe = await contributor.post(
        f"/desk/media/{image_id}",
        {"csrf": csrf_of(one.text), "alt": "x", "caption": "", "credit": "", "x": "0", "y": "0"},
    )
    confirm = await contributor.get(f"/desk/media/{image_id}/delete")
    delete = await contributor.post(f"/desk/media/{image_id}/delete", {"csrf": csrf_of(one.text)})

    assert status == 200
    assert 'action="/desk/media/' not in one.text  # no form to describe or delete
    assert "Delete this image" not in one.text
    assert (describe.status, confirm.status, delete.status) == (403, 403, 403)
    assert (await LibraryImage.get(image_id)).alt == ""  # type: ignore[union-attr]
    assert await LibraryImage.count() == 1


async def test_the_media_page_is_for_signed_in_people_and_linked_from_every_page(
    desk: Callable[..., Desk],
) -> None:
    browser = await editor(desk)

    anonymous = await desk().get("/desk/media")
    articles = await browser.get("/desk/articles")
    media = await browser.get("/desk/media")

    assert anonymous.status == 303
    assert anonymous.location == "/desk/login?next=%2Fdesk%2Fmedia"
    assert '<a href="/desk/media">Media</a>' in articles.text
    assert '<a href="/desk/media" aria-current="page">Media</a>' in media.text
    assert media.response.headers["cache-control"] == "no-store"
