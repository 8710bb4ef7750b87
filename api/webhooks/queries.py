"""Webhook reads, for admins: endpoints, their deliveries, and statistics."""

from typing import Annotated

import strawberry

from api.auth import require
from api.context import Info
from api.webhooks.types import WebhookEndpoint, WebhookStats
from cms.access import Permission
from cms.errors import WebhookNotFoundError
from cms.webhooks import endpoints


@strawberry.type
class WebhookQuery:
    @strawberry.field(description="Every webhook endpoint, oldest first. Needs an admin token.")
    async def webhook_endpoints(self, info: Info) -> list[WebhookEndpoint]:
        await require(info, Permission.ADMINISTER)
        return [WebhookEndpoint.of(observed) for observed in await endpoints.observe_all()]

    @strawberry.field(
        description="The webhook endpoint with this ID, or null. Needs an admin token."
    )
    async def webhook_endpoint(
        self, info: Info, id: Annotated[strawberry.ID, strawberry.argument(description="Its ID.")]
    ) -> WebhookEndpoint | None:
        await require(info, Permission.ADMINISTER)
        try:
            return WebhookEndpoint.of(await endpoints.observe(await endpoints.find_endpoint(id)))
        except WebhookNotFoundError:
            return None

    @strawberry.field(
        description="Deliveries waiting, sent and failed, and attempt latency, over every "
        "endpoint. Needs an admin token."
    )
    async def webhook_stats(self, info: Info) -> WebhookStats:
        await require(info, Permission.ADMINISTER)
        return WebhookStats.of(await endpoints.stats())
