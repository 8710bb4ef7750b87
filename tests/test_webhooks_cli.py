"""Webhooks from the command line, and deliveries that outlive the API process."""

import asyncio
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
from asgi_lifespan import LifespanManager

from api.settings import Settings
from cms.access import Role
from cms.status import ArticleStatus
from cms.tokens import create_token
from cms.webhooks.models import Delivery, DeliveryState
from newsroom.app import create_app
from tests.cli import newsroom
from tests.factories import FACTORY, make_article
from tests.graphql_client import GraphQLClient
from tests.receiver import Receiver, eventually

ADD = """
mutation ($url: String!) {
  addWebhookEndpoint(url: $url, events: [ARTICLE_PUBLISHED]) {
    ... on WebhookEndpointAdded { endpoint { id } }
  }
}
"""


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={"webhooks_allow_private": True, "webhooks_poll_interval": 0.05}
    )


@pytest.fixture
def cli_env(cli_env: dict[str, str]) -> dict[str, str]:
    return {**cli_env, "NEWSROOM_WEBHOOKS_ALLOW_PRIVATE": "true"}


async def cli(*args: str, env: dict[str, str]) -> tuple[int, str, str]:
    """Run `newsroom` beside the event loop, so receivers keep answering meanwhile."""
    done = await asyncio.to_thread(newsroom, *args, env=env)
    return done.returncode, done.stdout, done.stderr


@pytest.mark.slow
async def test_endpoints_are_added_listed_inspected_and_removed_from_the_cli(
    client: GraphQLClient, cli_env: dict[str, str]
) -> None:
    async with Receiver(script=[500]) as receiver:
        added = await cli(
            "webhooks",
            "add",
            receiver.url,
            "--events",
            "article.published,tag.updated",
            env=cli_env,
        )
        again = await cli("webhooks", "add", receiver.url, env=cli_env)
        unknown = await cli(
            "webhooks", "add", receiver.url, "--events", "article.read", env=cli_env
        )
        await make_article(slug="from-the-cli")
        await receiver.wait_for(2)

        async def sent() -> bool:
            return await Delivery.find({"state": DeliveryState.SENT}).count() == 1

        await eventually(sent)
        listed = await cli("webhooks", "list", env=cli_env)
        deliveries = await cli("webhooks", "deliveries", receiver.url, env=cli_env)
        removed = await cli("webhooks", "remove", receiver.url, env=cli_env)
        after = await cli("webhooks", "list", env=cli_env)
        missing = await cli("webhooks", "deliveries", receiver.url, env=cli_env)

    code, out, err = added
    assert code == 0, err
    secret = out.strip().splitlines()[-1]
    # Shown once, on its own line: 32 random bytes, URL-safe, after a prefix
    assert re.fullmatch(r"whsec_[A-Za-z0-9_-]{43}", secret)
    assert again[0] == 1
    assert "exists already" in again[2]
    assert unknown[0] == 1
    assert "Unknown event(s): article.read" in unknown[2]
    code, out, _ = listed
    assert code == 0
    assert receiver.url in out
    assert "article.published, tag.updated" in out
    assert "enabled" in out
    assert secret not in out
    code, out, _ = deliveries
    assert code == 0
    assert "from-the-cli" in out
    assert "sent" in out
    assert removed[0] == 0
    assert "0 webhook endpoints" in after[1]
    assert missing[0] == 1
    assert "No webhook endpoint has the ID or URL" in missing[2]


@pytest.mark.slow
async def test_a_disabled_endpoint_is_shown_with_its_reason_and_enabled_again(
    client: GraphQLClient, cli_env: dict[str, str], settings: Settings
) -> None:
    # The running app reads these as it goes.
    settings.webhooks_max_attempts = 1
    settings.webhooks_disable_after = 1
    async with Receiver(otherwise=410) as receiver:
        await cli("webhooks", "add", receiver.url, env=cli_env)
        await make_article(slug="gone")

        async def disabled() -> str:
            code, out, _ = await cli("webhooks", "list", env=cli_env)
            return out if code == 0 and "was disabled at" in out else ""

        listed = await eventually(disabled)
        failed = await cli("webhooks", "deliveries", receiver.url, "--state", "failed", env=cli_env)
        enabled = await cli("webhooks", "enable", receiver.url, env=cli_env)
        after = await cli("webhooks", "list", env=cli_env)

    assert f"{receiver.url} was disabled at " in listed
    assert ": a delivery failed: HTTP 410, not retried" in listed
    assert "gone" in failed[1]
    assert "HTTP 410" in failed[1]
    assert enabled[0] == 0
    assert "was disabled" not in after[1]


@asynccontextmanager
async def running_api(settings: Settings) -> AsyncIterator[GraphQLClient]:
    """An API process's app, from start to stop (its lifespan), with an admin token."""
    app = create_app(settings)
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://newsroom.test") as http:
            client = GraphQLClient(http, app=app)
            _, token = await create_token(actor=FACTORY, name=f"admin-{id(app)}", role=Role.ADMIN)
            yield client.as_token(token)


@pytest.mark.slow
async def test_deliveries_waiting_while_the_api_is_stopped_are_sent_after_it_restarts(
    settings: Settings, cli_env: dict[str, str]
) -> None:
    # Retries a second apart, and never given up, while the receiver is away
    settings = settings.model_copy(
        update={"webhooks_retry_delays": [1.0], "webhooks_max_attempts": 100}
    )
    async with Receiver() as receiver:
        port = receiver.port
    # Given a receiver that is down, and an API that tried to deliver to it
    async with running_api(settings) as admin:
        endpoint = (await admin.data(ADD, {"url": receiver.url}))["addWebhookEndpoint"]
        await make_article(slug="written-later", status=ArticleStatus.DRAFT)
        await make_article(slug="tried-before")

        async def tried() -> bool:
            found = await Delivery.find_one({"slug": "tried-before"})
            return found is not None and found.attempts >= 1

        await eventually(tried)
    # And an article published while no API runs
    published = await cli("articles", "publish", "written-later", env=cli_env)

    # When the receiver is back and the API starts again
    async with Receiver(port=port) as back, running_api(settings):
        received = await back.wait_for(2)

        async def all_sent() -> bool:
            return await Delivery.find({"state": DeliveryState.SENT}).count() == 2

        await eventually(all_sent)

    # Then both are delivered, once each
    assert endpoint
    assert published[0] == 0, published[2]
    assert sorted(r.json["article"]["slug"] for r in received) == ["tried-before", "written-later"]
    assert len(back.received) == 2
    assert receiver.received == []
