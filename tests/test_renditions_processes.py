"""One rendition asked fifty times at once on two API processes is made once (a claim in the
store), and every answer is the same file."""

import asyncio

import httpx
import pytest

from api.settings import Settings
from cms.media import addresses
from cms.media.model import LibraryImage
from cms.media.renditions import StoredRendition
from cms.media.sizes import Format
from tests import images
from tests.graphql_client import GraphQLClient
from tests.servers import newsroom_servers
from tests.test_renditions import add, local

pytestmark = pytest.mark.processes

REQUESTS = 50


async def test_fifty_requests_on_two_processes_make_one_rendition(
    client: GraphQLClient, settings: Settings, cli_env: dict[str, str]
) -> None:
    # A photo large enough that its rendition takes a while: the requests overlap it.
    image = await add(images.noise_jpeg(3000, 2000, quality=90))
    path = local(addresses.url(image, settings, width=1200, format=Format.WEBP))
    key = f"{image.id}/{path.rsplit('/', 1)[1]}"

    with newsroom_servers(2, cli_env) as urls:
        async with httpx.AsyncClient(
            timeout=120, limits=httpx.Limits(max_connections=None)
        ) as http:
            answers = await asyncio.gather(*(http.get(urls[n % 2] + path) for n in range(REQUESTS)))

    assert [answer.status_code for answer in answers] == [200] * REQUESTS
    assert len({answer.content for answer in answers}) == 1
    assert len({answer.headers["etag"] for answer in answers}) == 1
    record = await StoredRendition.get(key)
    assert record is not None
    assert (record.state, record.renders) == ("ready", 1)
    files = LibraryImage.get_pymongo_collection().database["media.files"]
    assert await files.count_documents({"metadata.rendition": key}) == 1
