"""Webhook endpoints at the desk (`/desk/admin/webhooks`), for admins only: add one (the same
address guard as the API and the CLI; its secret shown once), disable or enable it, give it a new
secret, and read its recent deliveries (state, attempts, next retry) with Send again."""

from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from cms.access import Permission
from cms.errors import CallerError, WebhookNotFoundError
from cms.webhooks import endpoints, history, manage
from cms.webhooks.models import DeliveryState, Endpoint, WebhookEvent
from desk.forms import signed_form
from desk.refusals import DeskRefusal, not_found
from desk.state import desk_of
from desk.templates import page
from desk.visitors import Visitor, require

HOME = "/desk/admin/webhooks"
ADMIN = Permission.ADMINISTER
# Deliveries shown on an endpoint's page, newest first.
RECENT = 20
EVENTS = [event for event in WebhookEvent if event is not WebhookEvent.ALL]


async def _list(request: Request, found: Visitor, *, status: int = 200, **shown: Any) -> Response:
    listed = [(o.endpoint, o.stats) for o in await endpoints.observe_all()]
    return page(
        "webhooks.html",
        {
            "title": "Webhooks",
            "here": "admin",
            "visitor": found,
            "endpoints": listed,
            "events": EVENTS,
            "added": None,
            "problem": "",
            "form": {"url": "", "events": []},
            **shown,
        },
        status=status,
    )


async def webhooks_page(request: Request) -> Response:
    found = await require(request, ADMIN)
    return await _list(request, found)


async def add(request: Request) -> Response:
    found, form = await signed_form(request, ADMIN)
    url = form.get("url", "").strip()
    chosen = form.getlist("events")
    wanted = [WebhookEvent.ALL] if not chosen or "*" in chosen else []
    unknown = [name for name in chosen if name != "*" and name not in set(WebhookEvent)]
    wanted += [WebhookEvent(name) for name in chosen if name in set(WebhookEvent) and name != "*"]
    fields = {"url": url, "events": chosen}
    if unknown:
        return await _list(
            request, found, problem="Choose events from the list.", form=fields, status=400
        )
    settings = desk_of(request).settings
    try:
        added = await endpoints.add_endpoint(
            actor=found.person.actor,
            url=url,
            events_wanted=wanted,
            allow_private=settings.webhooks_allow_private,
            timeout=settings.webhooks_connect_timeout,
        )
    except CallerError as error:
        return await _list(request, found, problem=str(error), form=fields, status=400)
    return await _list(request, found, added=added)


async def _endpoint(request: Request) -> Endpoint:
    try:
        return await endpoints.find_endpoint(request.path_params["endpoint_id"])
    except WebhookNotFoundError:
        raise not_found("There is no such webhook endpoint; it may have been removed.") from None


async def _endpoint_page(
    request: Request, found: Visitor, endpoint: Endpoint, *, secret: str = ""
) -> Response:
    observed = await endpoints.observe(endpoint)
    recent = await history.deliveries_of(endpoint, limit=RECENT)
    return page(
        "webhook.html",
        {
            "title": f"Webhook {endpoint.url}",
            "here": "admin",
            "visitor": found,
            "endpoint": observed.endpoint,
            "stats": observed.stats,
            "deliveries": recent,
            "finished": {DeliveryState.SENT, DeliveryState.FAILED},
            "secret": secret,
            "notice": request.query_params.get("done", ""),
        },
    )


async def endpoint_page(request: Request) -> Response:
    found = await require(request, ADMIN)
    return await _endpoint_page(request, found, await _endpoint(request))


def _done(endpoint: Endpoint, message: str) -> Response:
    return RedirectResponse(f"{HOME}/{endpoint.id}?done={quote(message)}", 303)


async def disable(request: Request) -> Response:
    found, _ = await signed_form(request, ADMIN)
    endpoint = await _endpoint(request)
    await manage.disable_endpoint(actor=found.person.actor, id_or_url=endpoint.id)
    return _done(endpoint, "Disabled: nothing is sent to it until it is enabled again.")


async def enable(request: Request) -> Response:
    await signed_form(request, ADMIN)
    endpoint = await _endpoint(request)
    await endpoints.enable_endpoint(endpoint.id)
    return _done(endpoint, "Enabled: events from now on are sent to it.")


async def rotate(request: Request) -> Response:
    found, _ = await signed_form(request, ADMIN)
    endpoint = await manage.rotate_secret((await _endpoint(request)).id)
    return await _endpoint_page(request, found, endpoint, secret=endpoint.secret)


async def send_again(request: Request) -> Response:
    await signed_form(request, ADMIN)
    endpoint = await _endpoint(request)
    delivery_id = request.path_params["delivery_id"]
    try:
        await manage.send_again(endpoint=endpoint, delivery_id=delivery_id)
    except manage.NotSentAgainError as error:
        raise DeskRefusal(409, "Not sent again", str(error)) from None
    return _done(endpoint, f"The delivery {delivery_id} is queued to be sent again.")
