"""Managing webhook endpoints: add (the secret is shown once), remove, enable. Admins only."""

from typing import Annotated

import strawberry

from api.auth import require
from api.context import Info
from api.settings import Settings
from api.user_errors import (
    InvalidInput,
    WebhookExists,
    WebhookNotFound,
    WebhookUrlRefused,
    returns_user_errors,
)
from api.webhooks.types import WebhookEndpoint, WebhookEventType
from cms.access import Permission
from cms.webhooks import endpoints, models


@strawberry.type(description="The endpoint was added; its secret is shown only now.")
class WebhookEndpointAdded:
    endpoint: WebhookEndpoint = strawberry.field(description="The new endpoint.")
    secret: str = strawberry.field(
        description="Signs every delivery (`Newsroom-Signature`): keep it where the receiver "
        "can check signatures. It is never shown again."
    )


@strawberry.type(description="The endpoint was removed, with its deliveries.")
class WebhookEndpointRemoved:
    id: strawberry.ID = strawberry.field(description="The ID it had.")
    url: str = strawberry.field(description="Its URL.")


@strawberry.type(description="The endpoint is enabled again.")
class WebhookEndpointEnabled:
    endpoint: WebhookEndpoint = strawberry.field(description="The endpoint now.")


EndpointId = Annotated[strawberry.ID, strawberry.argument(description="The endpoint's ID.")]
AddWebhookEndpointResult = Annotated[
    WebhookEndpointAdded | WebhookUrlRefused | WebhookExists | InvalidInput,
    strawberry.union("AddWebhookEndpointResult", description="The new endpoint, or why not."),
]
RemoveWebhookEndpointResult = Annotated[
    WebhookEndpointRemoved | WebhookNotFound,
    strawberry.union("RemoveWebhookEndpointResult", description="What was removed, or why not."),
]
EnableWebhookEndpointResult = Annotated[
    WebhookEndpointEnabled | WebhookNotFound,
    strawberry.union("EnableWebhookEndpointResult", description="The endpoint, or why not."),
]


@strawberry.type
class WebhookMutation:
    @strawberry.mutation(
        description="Send a signed POST to `url` for each of `events` from now on. The URL must "
        "be http(s) on a public internet address. Needs an admin token."
    )
    @returns_user_errors
    async def add_webhook_endpoint(
        self,
        info: Info,
        url: Annotated[str, strawberry.argument(description="An http:// or https:// URL.")],
        events: Annotated[
            list[WebhookEventType], strawberry.argument(description="What to send; ALL for all.")
        ],
    ) -> AddWebhookEndpointResult:
        actor = await require(info, Permission.ADMINISTER)
        settings: Settings = info.context.request.app.state.settings
        endpoint = await endpoints.add_endpoint(
            actor=actor,
            url=url,
            events_wanted=[models.WebhookEvent[event.name] for event in events],
            allow_private=settings.webhooks_allow_private,
            timeout=settings.webhooks_connect_timeout,
        )
        return WebhookEndpointAdded(
            endpoint=WebhookEndpoint.of(await endpoints.observe(endpoint)), secret=endpoint.secret
        )

    @strawberry.mutation(
        description="Stop sending to an endpoint and forget its deliveries. Needs an admin token."
    )
    @returns_user_errors
    async def remove_webhook_endpoint(
        self, info: Info, id: EndpointId
    ) -> RemoveWebhookEndpointResult:
        await require(info, Permission.ADMINISTER)
        endpoint = await endpoints.remove_endpoint(id)
        return WebhookEndpointRemoved(id=strawberry.ID(endpoint.id), url=endpoint.url)

    @strawberry.mutation(
        description="Send to a disabled endpoint again, from the next event on (what happened "
        "while it was disabled is not sent). Needs an admin token."
    )
    @returns_user_errors
    async def enable_webhook_endpoint(
        self, info: Info, id: EndpointId
    ) -> EnableWebhookEndpointResult:
        await require(info, Permission.ADMINISTER)
        endpoint = await endpoints.enable_endpoint(id)
        return WebhookEndpointEnabled(
            endpoint=WebhookEndpoint.of(await endpoints.observe(endpoint))
        )
