"""The media library over GraphQL: editors upload (the multipart request spec) and describe
images, articles show them, and nothing else gets through."""

from typing import Any

import httpx
import pytest
from gridfs import AsyncGridFSBucket
from strawberry import relay

from api.settings import Settings
from cms.articles import Article
from cms.media.model import LibraryImage
from tests import images
from tests.conftest import REPO, Tokens
from tests.graphql_client import GraphQLClient, app_serving

UPLOAD = """
mutation Upload($file: Upload!, $details: ImageDetailsInput) {
  uploadImage(file: $file, details: $details) {
    __typename
    ... on ImageUploaded {
      existed
      image { id sha256 filename format width height byteSize alt caption credit
              focalPoint { x y } uploadedBy }
    }
    ... on UserError { code message field }
    ... on ImageRefused { reason }
  }
}
"""

UPDATE = """
mutation Update($id: ID!, $details: ImageDetailsInput!) {
  updateImage(id: $id, details: $details) {
    __typename
    ... on ImageSaved { image { alt caption focalPoint { x y } } }
    ... on UserError { code message field }
    ... on ImageRefused { reason }
  }
}
"""

CREATE = """
mutation Create($input: ArticleInput!) {
  createArticle(input: $input) {
    __typename
    ... on ArticleSaved { article { id image { ...Shown } } }
    ... on InvalidInput { problems { field message } }
  }
}
fragment Shown on Image { id url caption credit alt width height focalPoint { x y } deleted }
"""

VOTE = 'mutation { vote(articleId: "QXJ0aWNsZTox", stars: 5) { __typename } }'


def multipart(
    query: str,
    variables: dict[str, Any],
    files: dict[str, tuple[str, bytes, str]],
    places: dict[str, list[str]],
) -> dict[str, Any]:
    """httpx's arguments for a GraphQL multipart request, as Apollo Upload Client sends one."""
    import json

    return {
        "data": {
            "operations": json.dumps({"query": query, "variables": variables}),
            "map": json.dumps(places),
        },
        "files": files,
    }


async def upload(
    http: httpx.AsyncClient,
    token: str | None,
    data: bytes,
    *,
    name: str = "photo.jpg",
    media_type: str = "image/jpeg",
    details: dict[str, Any] | None = None,
) -> httpx.Response:
    headers = {"authorization": f"Bearer {token}"} if token else {}
    return await http.post(
        "/graphql",
        headers=headers,
        **multipart(
            UPLOAD,
            {"file": None, "details": details},
            {"0": (name, data, media_type)},
            {"0": ["variables.file"]},
        ),
    )


async def uploaded(client: GraphQLClient, token: str, data: bytes, **kwargs: Any) -> dict[str, Any]:
    response = await upload(client.http, token, data, **kwargs)
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    result: dict[str, Any] = body["data"]["uploadImage"]
    return result


async def nothing_stored(client: GraphQLClient) -> None:
    database = LibraryImage.get_pymongo_collection().database
    for name in ("images", "media.files", "media.chunks", "media_pending"):
        assert await database[name].count_documents({}) == 0, name


async def test_an_editor_uploads_an_image_once_and_describes_it(
    client: GraphQLClient, tokens: Tokens
) -> None:
    photo = images.jpeg(640, 480)
    details = {"alt": "A submarine", "credit": "AP", "focalPoint": {"x": 0.4, "y": 0.3}}

    first = await uploaded(client, tokens.editor, photo, name="kursk.jpg", details=details)
    again = await uploaded(client, tokens.editor, photo, name="copy.jpg", details={"alt": "x"})

    assert first["__typename"] == "ImageUploaded"
    assert first["existed"] is False
    image = first["image"]
    assert (image["filename"], image["format"], image["width"], image["height"]) == (
        "kursk.jpg",
        "JPEG",
        640,
        480,
    )
    assert image["byteSize"] == len(photo)
    assert (image["alt"], image["credit"], image["focalPoint"]) == (
        "A submarine",
        "AP",
        {"x": 0.4, "y": 0.3},
    )
    assert image["uploadedBy"] == "editor-token"
    # The same bytes are the same image: nothing stored twice, its details kept.
    assert again["existed"] is True
    assert again["image"] == image
    assert await LibraryImage.get_pymongo_collection().count_documents({}) == 1

    editor = client.as_token(tokens.editor)
    saved = await editor.data(
        UPDATE, {"id": image["id"], "details": {"caption": "Kursk", "focalPoint": {"x": 1, "y": 0}}}
    )
    assert saved["updateImage"] == {
        "__typename": "ImageSaved",
        "image": {"alt": "A submarine", "caption": "Kursk", "focalPoint": {"x": 1.0, "y": 0.0}},
    }


async def test_mongodbs_own_gridfs_reader_reads_what_newsroom_stored(
    client: GraphQLClient, tokens: Tokens
) -> None:
    photo = images.noise_jpeg(1300, 1000)  # several chunks
    sha256 = (await uploaded(client, tokens.editor, photo))["image"]["sha256"]
    stored = await LibraryImage.get(sha256)
    assert stored is not None

    bucket = AsyncGridFSBucket(LibraryImage.get_pymongo_collection().database, bucket_name="media")
    stream = await bucket.open_download_stream(stored.file_id)

    assert await stream.read() == photo
    assert stream.filename == "photo.jpg"
    assert stream.metadata == {"contentType": "image/jpeg", "image": sha256, "kind": "original"}


REFUSED = [
    pytest.param(
        images.png_declaring(30_000, 30_000), "bomb.png", "image/png", "TOO_MANY_PIXELS", id="bomb"
    ),
    pytest.param(images.SVG, "logo.svg", "image/svg+xml", "UNSUPPORTED_FORMAT", id="svg"),
    pytest.param(images.SVG, "logo.png", "image/png", "UNSUPPORTED_FORMAT", id="svg-as-png"),
    pytest.param(images.HEIC, "IMG_0001.HEIC", "image/heic", "UNSUPPORTED_FORMAT", id="heic"),
    pytest.param(images.jpeg(), "photo.png", "image/png", "NOT_WHAT_IT_CLAIMS", id="jpeg-as-png"),
    pytest.param(images.jpeg(), "photo.jpg", "image/gif", "NOT_WHAT_IT_CLAIMS", id="typed-gif"),
    pytest.param(images.jpeg(200, 200)[:-400], "cut.jpg", "image/jpeg", "CORRUPT", id="truncated"),
    pytest.param(
        b"not an image at all", "notes.txt", "text/plain", "UNSUPPORTED_FORMAT", id="text"
    ),
    pytest.param(b"", "empty.jpg", "image/jpeg", "CORRUPT", id="empty"),
]


@pytest.mark.parametrize(("data", "name", "media_type", "reason"), REFUSED)
@pytest.mark.slow
async def test_bad_files_are_refused_with_their_reason_and_nothing_is_stored(
    client: GraphQLClient, tokens: Tokens, data: bytes, name: str, media_type: str, reason: str
) -> None:
    result = await uploaded(client, tokens.editor, data, name=name, media_type=media_type)

    assert result["__typename"] == "ImageRefused"
    assert (result["code"], result["reason"], result["field"]) == ("IMAGE_REFUSED", reason, "file")
    await nothing_stored(client)


async def test_a_focal_point_outside_the_picture_is_refused(
    client: GraphQLClient, tokens: Tokens
) -> None:
    result = await uploaded(
        client, tokens.editor, images.jpeg(), details={"focalPoint": {"x": 1.5, "y": 0.5}}
    )

    assert result["__typename"] == "ImageRefused"
    assert result["reason"] == "INVALID_FOCAL_POINT"
    assert "1.5" in result["message"]
    await nothing_stored(client)


async def test_a_file_over_the_upload_limit_is_refused(settings: Settings, tokens: Tokens) -> None:
    small = settings.model_copy(update={"upload_max_bytes": 4096, "editor_max_body_bytes": 65536})
    async with app_serving(small) as http:
        over = await upload(http, tokens.editor, images.noise_jpeg(200, 200))
        far_over = await upload(http, tokens.editor, images.noise_jpeg(1200, 1200))
        stored = await LibraryImage.get_pymongo_collection().count_documents({})

    assert over.json()["data"]["uploadImage"]["reason"] == "TOO_LARGE"
    # Past the body's limit for an upload (the file's limit and an editor's body): not read.
    assert far_over.status_code == 413
    assert stored == 0


@pytest.mark.parametrize(
    "token",
    [
        pytest.param(None, id="anonymous"),
        pytest.param("nr_" + "A" * 43, id="unknown-token"),
        pytest.param("previewer", id="previewer"),
    ],
)
async def test_multipart_is_only_for_verified_editors(
    client: GraphQLClient, tokens: Tokens, token: str | None
) -> None:
    if token == "previewer":
        token = tokens.previewer

    response = await upload(client.http, token, images.jpeg())

    assert response.status_code == 415
    assert response.json()["errors"][0]["extensions"]["code"] == "UNSUPPORTED_MEDIA_TYPE"
    await nothing_stored(client)


NOT_UPLOADS = [
    pytest.param("{ __typename }", {}, {}, id="no-file"),
    pytest.param(
        "mutation ($id: ID!) { vote(articleId: $id, stars: 5) { __typename } }",
        {"id": None},
        {"0": ["variables.id"]},
        id="file-in-an-id",
    ),
    pytest.param(
        "mutation ($file: Upload!, $id: ID) { uploadImage(file: $file) { __typename } }",
        {"file": None, "id": None},
        {"0": ["variables.file", "variables.id"]},
        id="file-also-in-an-id",
    ),
]


@pytest.mark.parametrize(("query", "variables", "places"), NOT_UPLOADS)
async def test_an_editor_sends_every_other_operation_as_json(
    client: GraphQLClient,
    tokens: Tokens,
    query: str,
    variables: dict[str, Any],
    places: dict[str, list[str]],
) -> None:
    files = {"0": ("photo.jpg", images.jpeg(), "image/jpeg")} if places else {}

    response = await client.http.post(
        "/graphql",
        headers={"authorization": f"Bearer {tokens.editor}"},
        **multipart(query, variables, files, places),
    )

    assert response.status_code == 415
    assert response.json()["errors"][0]["extensions"]["code"] == "UNSUPPORTED_MEDIA_TYPE"
    await nothing_stored(client)


async def test_a_form_on_another_site_cannot_post_a_vote(client: GraphQLClient) -> None:
    # What an HTML form can send cross-site without a preflight: no token, a simple type.
    as_multipart = await client.http.post(
        "/graphql",
        headers={"origin": "https://evil.example"},
        data={"operations": '{"query": "' + VOTE.replace('"', '\\"') + '"}', "map": "{}"},
        files={"0": ("x.txt", b"x", "text/plain")},
    )
    as_form = await client.http.post(
        "/graphql", headers={"origin": "https://evil.example"}, data={"query": VOTE}
    )
    as_text = await client.http.post(
        "/graphql",
        headers={"origin": "https://evil.example", "content-type": "text/plain"},
        content='{"query": "' + VOTE.replace('"', '\\"') + '"}',
    )

    assert [r.status_code for r in (as_multipart, as_form, as_text)] == [415, 415, 415]


@pytest.mark.slow
async def test_an_article_shows_a_library_image_with_its_own_words(
    client: GraphQLClient, tokens: Tokens
) -> None:
    editor = client.as_token(tokens.editor)
    details = {
        "alt": "A submarine",
        "caption": "The Kursk",
        "credit": "AP",
        "focalPoint": {"x": 0.25, "y": 0.75},
    }
    image = (await uploaded(client, tokens.editor, images.jpeg(300, 200), details=details))["image"]
    base = {"headline": "H", "author": "A", "section": "world"}

    own = await editor.data(
        CREATE,
        {
            "input": {
                **base,
                "slug": "one",
                "image": {"id": image["id"], "caption": "Raised in 2001"},
            }
        },
    )
    again = await editor.data(
        CREATE,
        {"input": {**base, "slug": "four", "image": {"id": image["id"], "credit": "Navy"}}},
    )
    external = await editor.data(
        CREATE, {"input": {**base, "slug": "two", "image": {"url": "https://img.test/a.jpg"}}}
    )
    missing = await editor.data(
        CREATE, {"input": {**base, "slug": "three", "image": {"id": image["id"][:-4] + "AAAA"}}}
    )

    shown = own["createArticle"]["article"]["image"]
    assert shown.pop("url").startswith(f"http://localhost:8000/media/{image['sha256']}/")
    assert shown == {
        "id": image["id"],
        "caption": "Raised in 2001",
        "credit": "AP",
        "alt": "A submarine",
        "width": 300,
        "height": 200,
        "focalPoint": {"x": 0.25, "y": 0.75},
        "deleted": False,
    }
    # The same photo in another article, with its own credit and the library's caption.
    second = again["createArticle"]["article"]["image"]
    assert (second["id"], second["caption"], second["credit"], second["alt"]) == (
        image["id"],
        "The Kursk",
        "Navy",
        "A submarine",
    )
    assert external["createArticle"]["article"]["image"] == {
        "id": None,
        "url": "https://img.test/a.jpg",
        "caption": "",
        "credit": "",
        "alt": "",
        "width": None,
        "height": None,
        "focalPoint": None,
        "deleted": False,
    }
    assert missing["createArticle"]["__typename"] == "InvalidInput"
    assert missing["createArticle"]["problems"][0]["field"] == "image.id"


@pytest.mark.slow
async def test_the_original_is_not_served_to_the_public(
    client: GraphQLClient, tokens: Tokens
) -> None:
    image = (await uploaded(client, tokens.editor, images.jpeg()))["image"]
    sha256 = image["sha256"]

    paths = [f"/media/{sha256}", f"/media.files/{sha256}", f"/graphql/media/{sha256}"]
    answers = [await client.http.get(path) for path in paths]
    by_id = await client.data("query ($id: ID!) { node(id: $id) { id } }", {"id": image["id"]})
    library = await client.error_code(
        "query ($id: ID!) { libraryImage(id: $id) { id } }", {"id": image["id"]}
    )

    assert [answer.status_code for answer in answers] == [404, 404, 404]
    assert by_id == {"node": None}
    assert library == "UNAUTHENTICATED"
    assert relay.GlobalID.from_id(image["id"]).type_name == "LibraryImage"
    assert await Article.get_pymongo_collection().count_documents({}) == 0


@pytest.mark.slow
async def test_the_documented_upload_operation_runs(client: GraphQLClient, tokens: Tokens) -> None:
    document = (REPO / "examples/operations/upload-image.graphql").read_text()

    response = await client.http.post(
        "/graphql",
        headers={"authorization": f"Bearer {tokens.editor}"},
        **multipart(
            document,
            {"file": None, "details": {"alt": "A red square"}},
            {"1": ("red.png", images.png(20, 10, "red"), "image/png")},
            {"1": ["variables.file"]},
        ),
    )

    result = response.json()["data"]["uploadImage"]
    assert result["__typename"] == "ImageUploaded"
    assert (result["image"]["width"], result["image"]["height"]) == (20, 10)
