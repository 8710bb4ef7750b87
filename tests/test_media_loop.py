"""Hashing, decoding and storing an upload never hold the event loop (`tests/loop_lag.py`)."""

import pytest

from tests import images
from tests.conftest import Tokens
from tests.graphql_client import GraphQLClient
from tests.loop_lag import loop_lag
from tests.test_media_api import upload

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
