"""Hashing, decoding and storing an upload, and making a rendition, never hold the event loop
(`tests/loop_lag.py`)."""

import pytest

from api.settings import Settings
from cms.media import addresses
from cms.media.sizes import Format
from tests import images
from tests.conftest import Tokens
from tests.graphql_client import GraphQLClient
from tests.loop_lag import loop_lag
from tests.test_media_api import upload
from tests.test_renditions import add, local

LIMIT = 0.1


@pytest.mark.slow
async def test_a_large_upload_leaves_the_loop_free(client: GraphQLClient, tokens: Tokens) -> None:
    # 24 megapixels of noise: about 13 MB that decode as a camera's JPEG would.
    photo = images.noise_jpeg(6000, 4000, quality=90)
    warm = await upload(client.http, tokens.editor, images.jpeg())  # the worker is started
    assert warm.json()["data"]["uploadImage"]["__typename"] == "ImageUploaded"

    async with loop_lag() as lag:
        response = await upload(client.http, tokens.editor, photo)

    result = response.json()["data"]["uploadImage"]
    assert result["__typename"] == "ImageUploaded", result
    assert (result["image"]["width"], result["image"]["height"]) == (6000, 4000)
    print(f"\n{len(photo) / 1e6:.1f} MB upload: loop held at most {lag.worst_ms:.0f} ms")
    assert lag.worst < LIMIT, f"the upload held the loop {lag.worst_ms:.0f} ms"


@pytest.mark.slow
async def test_rendering_from_a_large_photo_leaves_the_loop_free(
    client: GraphQLClient, settings: Settings
) -> None:
    image = await add(images.noise_jpeg(6000, 4000, quality=90))
    # The worker is started by another image's rendition: this one's original is read from the
    # store (its chunks handed to the worker as they arrive) within the measured request.
    small = await add(images.jpeg(400, 300))
    warm = addresses.url(small, settings, width=320, format=Format.JPEG)
    assert (await client.http.get(local(warm))).status_code == 200
    url = addresses.url(image, settings, width=2048, height=1152, format=Format.WEBP)

    async with loop_lag() as lag:
        response = await client.http.get(local(url))

    assert response.status_code == 200
    assert response.headers["content-type"] == "image/webp"
    print(f"\n2048-px WebP from 24 megapixels read from the store: loop held {lag.worst_ms:.0f} ms")
    assert lag.worst < LIMIT, f"rendering held the loop {lag.worst_ms:.0f} ms"
