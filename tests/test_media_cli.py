"""`newsroom media ...` as an editor types it: add, list, show, delete."""

import json
from pathlib import Path

import pytest

from cms.articles import Image
from cms.media.model import LibraryImage
from tests import images
from tests.cli import newsroom
from tests.conftest import Tokens
from tests.factories import global_id, make_article
from tests.graphql_client import GraphQLClient

REVISIONS = """
query ($id: ID!) {
  node(id: $id) { ... on Article { revisions { nodes { version content { image {
    id caption deleted width } } } } } }
}
"""


def write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


@pytest.mark.slow
async def test_an_editor_adds_lists_shows_and_deletes_images(
    client: GraphQLClient, cli_env: dict[str, str], tmp_path: Path
) -> None:
    photo = write(tmp_path, "kursk.jpg", images.jpeg(300, 200))
    chart = write(tmp_path, "chart.png", images.png(40, 30))
    logo = write(tmp_path, "logo.svg", images.SVG)

    added = newsroom(
        "media", "add", str(photo), str(logo), str(chart),
        "--alt", "A submarine", "--credit", "AP", "--focal", "0.4,0.3",
        env=cli_env,
    )  # fmt: skip
    again = newsroom("media", "add", str(photo), env=cli_env)
    listed = newsroom("media", "list", "--json", env=cli_env)

    # The refused file is said why, and the others are added all the same.
    assert added.returncode == 1
    assert "logo.svg" in added.stderr
    assert "SVG images are not accepted" in added.stderr
    lines = added.stdout.splitlines()
    assert [line.split()[1:] for line in lines] == [
        ["kursk.jpg", "300x200", "JPEG", "added"],
        ["chart.png", "40x30", "PNG", "added"],
    ]
    photo_id = lines[0].split()[0]
    assert again.returncode == 0
    assert again.stdout.split() == [
        photo_id,
        "kursk.jpg",
        "300x200",
        "JPEG",
        "already",
        "in",
        "the",
        "library",
    ]
    rows = json.loads(listed.stdout)
    assert [(row["filename"], row["alt"]) for row in rows] == [
        ("chart.png", "A submarine"),
        ("kursk.jpg", "A submarine"),
    ]
    assert rows[1]["id"] == photo_id

    shown = newsroom("media", "show", photo_id, env=cli_env)
    deleted = newsroom("media", "delete", photo_id, env=cli_env)
    gone = newsroom("media", "show", photo_id, env=cli_env)

    assert "focal: 0.4, 0.3" in shown.stdout
    assert "used by: no article" in shown.stdout
    assert deleted.returncode == 0, deleted.stderr
    assert gone.returncode == 1
    assert "No image of the library has the ID" in gone.stderr
    assert await LibraryImage.get_pymongo_collection().count_documents({}) == 1


@pytest.mark.slow
async def test_an_image_in_use_is_kept_and_revisions_show_it_deleted_afterwards(
    client: GraphQLClient, cli_env: dict[str, str], tmp_path: Path, tokens: Tokens
) -> None:
    photo = write(tmp_path, "kursk.jpg", images.jpeg(300, 200))
    image_id = newsroom("media", "add", str(photo), env=cli_env).stdout.split()[0]
    article = await make_article(image=Image(id=image_id, caption="The Kursk"))
    editor = client.as_token(tokens.editor)

    refused = newsroom("media", "delete", image_id, env=cli_env)
    await editor.data(
        "mutation ($id: ID!) { updateArticle(id: $id, version: 1, "
        'input: {image: {url: "https://img.test/other.jpg"}}) { __typename } }',
        {"id": global_id(article)},
    )
    deleted = newsroom("media", "delete", image_id, env=cli_env)
    history = await editor.data(REVISIONS, {"id": global_id(article)})

    assert refused.returncode == 1
    assert f"1 article uses it ({article.slug})" in refused.stderr
    assert deleted.returncode == 0, deleted.stderr
    first = history["node"]["revisions"]["nodes"][-1]
    assert first["version"] == 1
    assert first["content"]["image"]["caption"] == "The Kursk"
    assert first["content"]["image"]["deleted"] is True
    assert first["content"]["image"]["width"] is None
    assert first["content"]["image"]["id"] is not None


@pytest.mark.slow
def test_a_focal_point_outside_the_picture_is_refused_before_any_file_is_read(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    result = newsroom(
        "media", "add", str(tmp_path / "absent.jpg"), "--focal", "1.5,0.2", env=cli_env
    )

    assert result.returncode == 1
    assert "A focal point's x and y are each from 0 to 1" in result.stderr
