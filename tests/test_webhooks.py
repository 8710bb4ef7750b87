"""Webhooks through the admin API: signed, retried, given up, disabled, pruned, admins only."""

import asyncio
import json
import threading
from datetime import UTC, datetime, timedelta
from http.server import ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from strawberry import relay

from api.settings import Settings
from cms import maintenance
from cms.spine import arrivals, events
from cms.spine import reader_positions as readers
from cms.status import ArticleStatus
from cms.webhooks import endpoints, payload
from cms.webhooks.endpoints import READER
from cms.webhooks.models import Attempt, Delivery, Endpoint, WebhookEvent
from cms.workflow.articles import delete_article, transition_article, update_article
from cms.workflow.tags import update_tag
from examples.webhook_receiver import TOLERANCE, verify
from examples.webhook_receiver import Receiver as ExampleReceiver
from tests.conftest import Tokens
from tests.factories import FACTORY, global_id, make_article, make_author, make_tag
from tests.graphql_client import GraphQLClient
from tests.receiver import Receiver, eventually

ADD = """
mutation ($url: String!, $events: [WebhookEvent!]!) {
  addWebhookEndpoint(url: $url, events: $events) {
    __typename
    ... on WebhookEndpointAdded { secret endpoint { id url events enabled } }
    ... on UserError { code message field }
  }
}
"""
ENDPOINT = """
query ($id: ID!) {
  webhookEndpoint(id: $id) {
    url enabled disabledAt disabledReason consecutiveFailures
    stats { pending sent failed attempts latency { samples averageMs p50Ms p95Ms maxMs } }
    deliveries(first: 50) {
      id event eventId seq slug state attemptCount lastStatusCode lastError body
      attempts { number statusCode outcome error durationMs }
    }
  }
}
"""
ENABLE = """
mutation ($id: ID!) {
  enableWebhookEndpoint(id: $id) {
    __typename ... on WebhookEndpointEnabled { endpoint { enabled disabledReason } }
  }
}
"""
REMOVE = """
mutation ($id: ID!) {
  removeWebhookEndpoint(id: $id) {
    __typename ... on WebhookEndpointRemoved { url } ... on UserError { code }
  }
}
"""
JANUARY = datetime(2024, 1, 5, tzinfo=UTC)
LIST = "{ webhookEndpoints { id url enabled } }"
STATS = "{ webhookStats { pending sent failed attempts latency { samples } } }"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Receivers on 127.0.0.1, retries after milliseconds, and quick polls."""
    return settings.model_copy(
        update={
            "webhooks_allow_private": True,
            "webhooks_retry_delays": [0.05],
            "webhooks_poll_interval": 0.05,
        }
    )


@pytest.fixture
def admin(client: GraphQLClient, tokens: Tokens) -> GraphQLClient:
    return client.as_token(tokens.admin)


async def add_endpoint(
    admin: GraphQLClient, url: str, events: list[str] | None = None
) -> tuple[str, str]:
    """A new endpoint's ID and secret."""
    added = (await admin.data(ADD, {"url": url, "events": events or ["ALL"]}))["addWebhookEndpoint"]
    assert added["__typename"] == "WebhookEndpointAdded", added
    return added["endpoint"]["id"], added["secret"]


async def endpoint_state(admin: GraphQLClient, endpoint_id: str) -> dict[str, Any]:
    found: dict[str, Any] = (await admin.data(ENDPOINT, {"id": endpoint_id}))["webhookEndpoint"]
    return found


async def finished(admin: GraphQLClient, endpoint_id: str, count: int) -> dict[str, Any] | None:
    """The endpoint once `count` deliveries are made and all are done with; None before."""
    state = await endpoint_state(admin, endpoint_id)
    deliveries = state["deliveries"]
    if len(deliveries) < count or any(d["state"] == "PENDING" for d in deliveries):
        return None
    # Dequeued last, after the endpoint's totals are counted.
    return state if state["stats"]["pending"] == 0 else None


async def dispatched() -> bool:
    """Whether the dispatcher has read the whole event log."""
    return await readers.position(READER) == await events.head()


@pytest.mark.slow
async def test_a_delivery_is_signed_as_the_example_receiver_checks(admin: GraphQLClient) -> None:
    # Given the example receiver, and a plain one that keeps what it gets
    server = ThreadingHTTPServer(
        ("127.0.0.1", 0), type("Site", (ExampleReceiver,), {"seen": set()})
    )
    handler: Any = server.RequestHandlerClass
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        async with Receiver() as capture:
            site_url = f"http://127.0.0.1:{server.server_address[1]}/newsroom"
            site, handler.secret = await add_endpoint(admin, site_url, ["ARTICLE_PUBLISHED"])
            _, capture_secret = await add_endpoint(admin, capture.url, ["ARTICLE_PUBLISHED"])

            # When an article is published
            article = await make_article(slug="signed")
            state = await eventually(lambda: finished(admin, site, 1))
            received = (await capture.wait_for(1))[0]

            # A forged delivery to the example receiver
            async with httpx.AsyncClient() as http:
                forged = await http.post(
                    site_url,
                    content=received.body.replace(b"signed", b"forged"),
                    headers={"Newsroom-Signature": received.headers["newsroom-signature"]},
                )
    finally:
        server.shutdown()
        server.server_close()

    # Then the example receiver took the real one (2xx only when the signature checks out)...
    delivery = state["deliveries"][0]
    assert delivery["state"] == "SENT"
    assert delivery["attempts"][0]["statusCode"] == 204
    assert handler.seen == {delivery["id"]}
    # ...and refused the forged one
    assert forged.status_code == 400
    # The receiver got the delivery's id, event and a signature, and a body that says what changed
    header = received.headers["newsroom-signature"]
    body = received.json
    assert received.headers["content-type"] == "application/json"
    assert received.headers["newsroom-event"] == "article.published"
    assert received.headers["newsroom-delivery"] == body["id"]
    assert body["type"] == "article.published"
    assert body["article"] == {"id": global_id(article), "slug": "signed"}
    assert isinstance(body["event"]["seq"], int)
    assert body["event"]["id"]
    assert datetime.fromisoformat(body["occurred_at"]).tzinfo is not None
    # The example receiver's check: this secret, this body, signed just now
    timestamp = int(dict(part.split("=", 1) for part in header.split(","))["t"])
    assert verify(capture_secret, header, received.body)
    assert not verify(capture_secret, header, received.body.replace(b"signed", b"Signed"))
    assert not verify(capture_secret, header.replace("v1=", "v1=0"), received.body)
    assert not verify(handler.secret, header, received.body)
    assert not verify(capture_secret, header, received.body, now=timestamp + TOLERANCE + 1)
    assert verify(capture_secret, header, received.body, now=timestamp + TOLERANCE - 1)
    assert not verify(capture_secret, "", received.body)


@pytest.mark.slow
async def test_a_receiver_that_fails_twice_gets_the_delivery_on_the_third_attempt(
    admin: GraphQLClient,
) -> None:
    async with Receiver(script=[500, 503]) as receiver:
        endpoint, _ = await add_endpoint(admin, receiver.url)

        await make_article(slug="retried")
        state = await eventually(lambda: finished(admin, endpoint, 1))
        stats = (await admin.data(STATS))["webhookStats"]

    delivery = state["deliveries"][0]
    assert delivery["state"] == "SENT"
    assert delivery["attemptCount"] == 3
    assert [(a["number"], a["statusCode"], a["outcome"]) for a in delivery["attempts"]] == [
        (3, 204, "SENT"),
        (2, 503, "RETRY"),
        (1, 500, "RETRY"),
    ]
    assert all(attempt["durationMs"] > 0 for attempt in delivery["attempts"])
    # The same delivery each time: one id, the same bytes
    assert len(receiver.received) == 3
    assert {r.headers["newsroom-delivery"] for r in receiver.received} == {delivery["id"]}
    assert {r.body for r in receiver.received} == {delivery["body"].encode()}
    assert state["consecutiveFailures"] == 0
    assert state["stats"]["sent"] == 1
    assert state["stats"]["attempts"] == 3
    assert state["stats"]["latency"]["samples"] == 3
    assert stats["pending"] == 0
    assert stats["sent"] == 1
    assert stats["failed"] == 0
    assert stats["attempts"] == 3


async def test_an_endpoint_is_read_after_its_queue_so_a_delivery_gone_from_it_shows(
    admin: GraphQLClient,
) -> None:
    async with Receiver() as receiver:
        endpoint_id, _ = await add_endpoint(admin, receiver.url, ["ARTICLE_PUBLISHED"])
    held = await endpoints.find_endpoint(endpoint_id)  # as a caller holds it

    # A delivery fails meanwhile: its endpoint counts it and is disabled, then it leaves the queue.
    await Endpoint.get_pymongo_collection().update_one(
        {"_id": endpoint_id},
        {"$inc": {"failed": 1, "consecutive_failures": 1}, "$set": {"enabled": False}},
    )
    observed = await endpoints.observe(held)
    answer = (await admin.data(ENDPOINT, {"id": endpoint_id}))["webhookEndpoint"]

    assert (observed.stats.pending, observed.stats.failed) == (0, 1)
    assert (observed.endpoint.enabled, observed.endpoint.consecutive_failures) == (False, 1)
    assert (answer["stats"]["failed"], answer["enabled"], answer["consecutiveFailures"]) == (
        1,
        False,
        1,
    )


@pytest.mark.slow
async def test_a_refusal_fails_at_once_but_408_and_429_are_retried(admin: GraphQLClient) -> None:
    async with Receiver(script=[429, 408], otherwise=404) as receiver:
        endpoint, _ = await add_endpoint(admin, receiver.url)

        await make_article(slug="refused")
        state = await eventually(lambda: finished(admin, endpoint, 1))

    delivery = state["deliveries"][0]
    assert delivery["state"] == "FAILED"
    assert [a["statusCode"] for a in delivery["attempts"]] == [404, 408, 429]
    assert [a["outcome"] for a in delivery["attempts"]] == ["FAILED", "RETRY", "RETRY"]
    assert delivery["lastError"] == "HTTP 404, not retried"
    assert len(receiver.received) == 3
    assert state["stats"]["failed"] == 1


@pytest.mark.slow
async def test_a_redirect_is_not_followed(admin: GraphQLClient) -> None:
    async with Receiver(otherwise=302) as receiver:
        endpoint, _ = await add_endpoint(admin, receiver.url)

        await make_article(slug="redirected")
        state = await eventually(lambda: finished(admin, endpoint, 1))

    delivery = state["deliveries"][0]
    assert delivery["state"] == "FAILED"
    assert delivery["attemptCount"] == 1
    assert "redirects are not followed" in delivery["lastError"]
    assert len(receiver.received) == 1


@pytest.mark.slow
async def test_an_endpoint_that_keeps_failing_is_disabled_until_enabled(
    admin: GraphQLClient, settings: Settings
) -> None:
    # The running app reads these as it goes.
    settings.webhooks_max_attempts = 2
    settings.webhooks_disable_after = 2
    async with Receiver(otherwise=500) as receiver:
        endpoint, _ = await add_endpoint(admin, receiver.url, ["ARTICLE_PUBLISHED"])

        # Two deliveries, each out of attempts, in a row
        await make_article(slug="first-failure")
        await eventually(lambda: finished(admin, endpoint, 1))
        await make_article(slug="second-failure")
        disabled = await eventually(lambda: finished(admin, endpoint, 2))
        # While disabled, nothing is queued for it
        await make_article(slug="while-disabled")
        await eventually(dispatched)
        while_disabled = await endpoint_state(admin, endpoint)
        # Enabled again, it gets what happens next
        receiver.otherwise = 204
        enabled = (await admin.data(ENABLE, {"id": endpoint}))["enableWebhookEndpoint"]
        await make_article(slug="after-enabling")
        after = await eventually(lambda: finished(admin, endpoint, 3))

    assert disabled["enabled"] is False
    assert disabled["disabledAt"] is not None
    assert disabled["disabledReason"].startswith("2 deliveries in a row failed; the last: HTTP 500")
    assert disabled["consecutiveFailures"] == 2
    assert [d["state"] for d in disabled["deliveries"]] == ["FAILED", "FAILED"]
    assert len(while_disabled["deliveries"]) == 2
    assert enabled["endpoint"] == {"enabled": True, "disabledReason": None}
    assert [(d["slug"], d["state"]) for d in after["deliveries"]] == [
        ("after-enabling", "SENT"),
        ("second-failure", "FAILED"),
        ("first-failure", "FAILED"),
    ]
    assert [r.json["article"]["slug"] for r in receiver.received].count("while-disabled") == 0
    assert after["stats"]["failed"] == 2
    assert after["stats"]["sent"] == 1


@pytest.mark.slow
async def test_each_public_change_is_delivered_to_the_endpoints_that_want_it(
    admin: GraphQLClient,
) -> None:
    async with Receiver() as everything, Receiver() as published_only:
        await add_endpoint(admin, everything.url)
        await add_endpoint(admin, published_only.url, ["ARTICLE_PUBLISHED"])
        story = await make_article(slug="story")
        draft = await make_article(slug="draft", status=ArticleStatus.DRAFT)
        tag = await make_tag(slug="topic")

        await update_article(
            actor=FACTORY, article_id=str(story.id), changes={"body": "Fixed."}, base_version=1
        )
        await update_article(
            actor=FACTORY, article_id=str(draft.id), changes={"body": "Unseen."}, base_version=1
        )
        await update_tag(actor=FACTORY, tag_id=str(tag.id), changes={"name": "Topic"})
        await transition_article(actor=FACTORY, article_id=str(story.id), to=ArticleStatus.DRAFT)
        await transition_article(
            actor=FACTORY, article_id=str(story.id), to=ArticleStatus.PUBLISHED
        )
        await delete_article(actor=FACTORY, article_id=str(draft.id))
        await delete_article(actor=FACTORY, article_id=str(story.id))
        await everything.wait_for(6)
        await published_only.wait_for(2)
        await eventually(dispatched)

    got = sorted(
        (r.json["event"]["seq"], r.json["type"], (r.json.get("article") or r.json["tag"])["slug"])
        for r in everything.received
    )
    assert [(kind, slug) for _, kind, slug in got] == [
        ("article.published", "story"),
        ("article.updated", "story"),
        ("tag.updated", "topic"),
        ("article.unpublished", "story"),
        ("article.published", "story"),
        ("article.deleted", "story"),
    ]
    tag_body = next(r.json for r in everything.received if r.json["type"] == "tag.updated")
    assert tag_body["tag"]["id"] == str(relay.GlobalID("Tag", str(tag.id)))
    assert [r.json["type"] for r in published_only.received] == ["article.published"] * 2


@pytest.mark.slow
async def test_a_scheduled_article_is_delivered_once_when_its_time_comes(
    admin: GraphQLClient,
) -> None:
    async with Receiver() as receiver:
        endpoint, _ = await add_endpoint(admin, receiver.url, ["ARTICLE_PUBLISHED"])
        at = datetime.now(UTC) + timedelta(seconds=1.5)
        article = await make_article(slug="later", status=ArticleStatus.SCHEDULED, published_at=at)
        assert receiver.received == []

        await receiver.wait_for(1)
        # Every process's upkeep may try to announce it: it is still one event, one delivery
        await asyncio.gather(*(arrivals.announce_due() for _ in range(3)))
        await eventually(dispatched)
        state = await eventually(lambda: finished(admin, endpoint, 1))

    assert len(receiver.received) == 1
    body = receiver.received[0].json
    assert body["type"] == "article.published"
    assert body["article"] == {"id": global_id(article), "slug": "later"}
    assert datetime.fromisoformat(body["occurred_at"]) == at.replace(
        microsecond=at.microsecond // 1000 * 1000
    )
    assert [d["state"] for d in state["deliveries"]] == ["SENT"]
    # The scheduler's event does not say where the article is listed: the store did.
    assert {"feeds", "feeds:sections:world", f"sitemap:{at:%Y-%m}", "sitemap:news"} <= set(
        body["cache_tags"]
    )
    assert "/feeds/sections/world/atom.xml" in body["paths"]


@pytest.mark.slow
async def test_a_body_names_the_cache_tags_and_paths_its_change_made_stale(
    admin: GraphQLClient, client: GraphQLClient
) -> None:
    await make_tag(slug="science", name="Science")
    await make_author(slug="ann", name="Ann Lee")
    await make_author(slug="bob", name="Bob Roe")
    article = await make_article(
        slug="moved",
        section="world",
        tags=["science"],
        authors=["ann"],
        published_at=datetime(2024, 1, 5, tzinfo=UTC),
    )
    await client.sync()
    shown = {
        path: set((await client.http.get(path)).headers["surrogate-key"].split())
        for path in (
            "/feeds/tags/science/rss.xml",
            "/feeds/authors/ann/atom.xml",
            "/sitemaps/articles/2024-01.xml",
        )
    }
    async with Receiver() as receiver:
        await add_endpoint(admin, receiver.url, ["ARTICLE_UPDATED"])
        await update_article(
            actor=FACTORY,
            article_id=str(article.id),
            changes={
                "section": "business",
                "tags": [],
                "published_at": datetime(2024, 2, 1, tzinfo=UTC),
                "authors": ["bob"],
            },
            base_version=1,
        )
        (received,) = await receiver.wait_for(1)

    body = received.json
    assert {
        f"article:{article.id}",
        "feeds",
        "feeds:tags:science",
        "feeds:sections:world",
        "feeds:sections:business",
        "feeds:authors:ann",
        "feeds:authors:bob",
        "sitemap:2024-01",
        "sitemap:2024-02",
        "sitemaps",
    } <= set(body["cache_tags"])
    assert "sitemap:news" not in body["cache_tags"]  # two years old: never in the news sitemap
    assert body["cache_tags"] == sorted(body["cache_tags"])
    # Each answer the change made stale carries a tag the body names (besides `site`).
    for path, keys in shown.items():
        assert keys & set(body["cache_tags"]) - {"site"}, path
    assert {
        "/feeds/rss.xml",
        "/feeds/tags/science/feed.json",
        "/feeds/sections/world/atom.xml",
        "/feeds/sections/business/rss.xml",
        "/feeds/authors/ann/rss.xml",
        "/feeds/authors/bob/feed.json",
        "/sitemaps/articles/2024-01.xml",
        "/sitemaps/articles/2024-02.xml",
        "/sitemaps/sitemap.xml",
    } <= set(body["paths"])
    # Past the bound, one site-wide tag.
    event = await events.StoredEvent.get(events.key(body["event"]["seq"]))
    assert event is not None
    bounded = json.loads(
        payload.body(delivery="d", kind=WebhookEvent.ARTICLE_UPDATED, event=event, max_tags=3)
    )
    assert (bounded["cache_tags"], bounded["paths"]) == (["site"], [])


@pytest.mark.slow
async def test_old_deliveries_and_their_attempts_are_pruned(
    admin: GraphQLClient, settings: Settings
) -> None:
    async with Receiver() as receiver:
        endpoint, _ = await add_endpoint(admin, receiver.url)
        await make_article(slug="old-news")
        await make_article(slug="fresh-news")
        state = await eventually(lambda: finished(admin, endpoint, 2))
    old = next(d["id"] for d in state["deliveries"] if d["slug"] == "old-news")
    # Given a delivery finished (and attempted) longer ago than the retention period
    long_ago = datetime.now(UTC) - timedelta(days=settings.webhooks_retention_days + 1)
    await Delivery.get_pymongo_collection().update_one(
        {"_id": old}, {"$set": {"finished_at": long_ago}}
    )
    await Attempt.get_pymongo_collection().update_many(
        {"delivery": old}, {"$set": {"at": long_ago}}
    )

    await maintenance.run_once(settings, sweep=False, prune=True)

    after = await endpoint_state(admin, endpoint)
    assert [d["slug"] for d in after["deliveries"]] == ["fresh-news"]
    assert await Attempt.get_pymongo_collection().count_documents({"delivery": old}) == 0
    assert await Attempt.get_pymongo_collection().count_documents({}) == 1


@pytest.mark.slow
async def test_a_removed_endpoint_gets_nothing_more(admin: GraphQLClient) -> None:
    async with Receiver() as receiver:
        endpoint, _ = await add_endpoint(admin, receiver.url)
        await make_article(slug="before-removal")
        await eventually(lambda: finished(admin, endpoint, 1))

        removed = (await admin.data(REMOVE, {"id": endpoint}))["removeWebhookEndpoint"]
        again = (await admin.data(REMOVE, {"id": endpoint}))["removeWebhookEndpoint"]
        await make_article(slug="after-removal")
        await eventually(dispatched)
        listed = (await admin.data(LIST))["webhookEndpoints"]
        lookup = (await admin.data(ENDPOINT, {"id": endpoint}))["webhookEndpoint"]

    assert removed == {"__typename": "WebhookEndpointRemoved", "url": receiver.url}
    assert again == {"__typename": "WebhookNotFound", "code": "WEBHOOK_NOT_FOUND"}
    assert listed == []
    assert lookup is None
    assert [r.json["article"]["slug"] for r in receiver.received] == ["before-removal"]
    assert await Delivery.get_pymongo_collection().count_documents({}) == 0


async def test_the_same_url_is_added_once_and_events_must_be_chosen(admin: GraphQLClient) -> None:
    url = "http://127.0.0.1:9/hook"
    first = (await admin.data(ADD, {"url": url, "events": ["ALL"]}))["addWebhookEndpoint"]
    second = (await admin.data(ADD, {"url": url, "events": ["TAG_UPDATED"]}))["addWebhookEndpoint"]
    none = (await admin.data(ADD, {"url": "http://127.0.0.1:9/other", "events": []}))[
        "addWebhookEndpoint"
    ]

    assert first["endpoint"]["events"] == ["ALL"]
    assert first["endpoint"]["enabled"] is True
    # 32 random bytes, URL-safe, after a prefix
    assert first["secret"].startswith("whsec_")
    assert len(first["secret"]) == len("whsec_") + 43
    assert second["code"] == "WEBHOOK_EXISTS"
    assert second["field"] == "url"
    assert none["__typename"] == "InvalidInput"
    assert none["code"] == "INVALID_INPUT"


@pytest.mark.parametrize(
    "operation",
    [
        (ADD, {"url": "https://example.com/hook", "events": ["ALL"]}),
        (REMOVE, {"id": "wh_000000000000"}),
        (ENABLE, {"id": "wh_000000000000"}),
        (LIST, None),
        (ENDPOINT, {"id": "wh_000000000000"}),
        (STATS, None),
    ],
    ids=["add", "remove", "enable", "list", "endpoint", "stats"],
)
async def test_webhooks_are_for_admins_only(
    client: GraphQLClient, editor: GraphQLClient, operation: tuple[str, dict[str, Any] | None]
) -> None:
    query, variables = operation

    assert await editor.error_code(query, variables) == "FORBIDDEN"
    assert await client.error_code(query, variables) == "UNAUTHENTICATED"


def test_the_secret_is_never_shown_after_it_is_added() -> None:
    from api.schema import schema

    sdl = schema.as_str()
    endpoint_type = sdl[sdl.index("type WebhookEndpoint {") :]
    endpoint_type = endpoint_type[: endpoint_type.index("\n}")]
    assert "secret" not in endpoint_type
