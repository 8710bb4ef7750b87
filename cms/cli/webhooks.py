"""`newsroom webhooks ...`: endpoints that hear about published changes, and their deliveries."""

from typing import Annotated

import typer
from rich.markup import escape

from cms.access import Actor
from cms.cli.common import AsJson, console, counted, fail, run_with_store, show_rows
from cms.config import get_settings
from cms.store.connection import Store
from cms.webhooks import endpoints, history
from cms.webhooks.models import Delivery, DeliveryState, Endpoint, WebhookEvent

webhooks_app = typer.Typer(
    help="Send signed POSTs to frontends and CDNs when published content changes.",
    no_args_is_help=True,
)

Url = Annotated[
    str,
    typer.Argument(metavar="URL", help="The endpoint's URL (or its ID).", show_default=False),
]
EVENT_NAMES = ", ".join(event.value for event in WebhookEvent)


def _events(text: str) -> list[WebhookEvent]:
    names = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in set(WebhookEvent)]
    if unknown:
        fail(f"Unknown event(s): {', '.join(unknown)}. Choose from: {EVENT_NAMES}.")
    return [WebhookEvent(name) for name in names]


@webhooks_app.command()
def add(
    url: Annotated[
        str, typer.Argument(metavar="URL", help="An http:// or https:// URL.", show_default=False)
    ],
    events: Annotated[
        str,
        typer.Option("--events", metavar="EVENTS", help=f"Comma-separated, from: {EVENT_NAMES}."),
    ] = "*",
) -> None:
    """Add an endpoint and print its signing secret once."""
    wanted = _events(events)
    settings = get_settings()

    async def work(store: Store) -> Endpoint:
        return await endpoints.add_endpoint(
            actor=Actor.local("cli"),
            url=url,
            events_wanted=wanted,
            allow_private=settings.webhooks_allow_private,
            timeout=settings.webhooks_connect_timeout,
        )

    endpoint = run_with_store(work)
    console.print(
        f"Added the webhook endpoint {escape(endpoint.id)} for {escape(endpoint.url)} "
        f"({', '.join(endpoint.events)}). Its signing secret is shown only now:",
        highlight=False,
    )
    # On a line of its own, unstyled, so a script can take it.
    typer.echo(endpoint.secret)


def _disabled(endpoint: Endpoint) -> str:
    since = endpoint.disabled_at.isoformat(timespec="seconds") if endpoint.disabled_at else "?"
    return f"{endpoint.url} was disabled at {since}: {endpoint.disabled_reason or ''}"


@webhooks_app.command("list")
def list_endpoints(as_json: AsJson = False) -> None:
    """Every endpoint: its events, whether it is enabled (or why not) and its deliveries."""

    async def work(store: Store) -> list[tuple[Endpoint, endpoints.Stats]]:
        return [(o.endpoint, o.stats) for o in await endpoints.observe_all()]

    found = run_with_store(work)
    rows = [
        {
            "id": endpoint.id,
            "url": endpoint.url,
            "events": list(endpoint.events),
            "status": "enabled" if endpoint.enabled else "disabled",
            "pending": stats.pending,
            "sent": stats.sent,
            "failed": stats.failed,
            "latency_p95_ms": round(stats.latency.p95_ms) if stats.latency else None,
            "disabled_reason": None if endpoint.enabled else endpoint.disabled_reason,
        }
        for endpoint, stats in found
    ]
    columns = ("id", "url", "events", "status", "pending", "sent", "failed", "latency_p95_ms")
    red = {"status": lambda status: status if status == "enabled" else f"[red]{status}[/]"}
    title = counted(len(found), "webhook endpoint")
    if as_json:
        show_rows(rows, columns=(*columns, "disabled_reason"), title=title, as_json=True)
        return
    show_rows(rows, columns=columns, title=title, as_json=False, styles=red)
    # Below the table, unfolded: the reason can be long.
    for endpoint, _ in found:
        if not endpoint.enabled:
            console.print(escape(_disabled(endpoint)), highlight=False, soft_wrap=True)
    if any(not endpoint.enabled for endpoint, _ in found):
        console.print("Enable one again with `newsroom webhooks enable URL`.")


@webhooks_app.command()
def remove(url: Url) -> None:
    """Remove an endpoint with its deliveries: nothing more is sent to it."""

    async def work(store: Store) -> Endpoint:
        return await endpoints.remove_endpoint(url)

    endpoint = run_with_store(work)
    console.print(f"Removed the webhook endpoint for {escape(endpoint.url)}.", highlight=False)


@webhooks_app.command()
def enable(url: Url) -> None:
    """Enable a disabled endpoint again (events it missed are not sent)."""

    async def work(store: Store) -> Endpoint:
        return await endpoints.enable_endpoint(url)

    endpoint = run_with_store(work)
    console.print(f"Enabled the webhook endpoint for {escape(endpoint.url)}.", highlight=False)


@webhooks_app.command()
def deliveries(
    url: Url,
    limit: Annotated[
        int, typer.Option("--limit", metavar="N", min=1, max=1000, help="How many (1 to 1,000).")
    ] = 20,
    state: Annotated[
        DeliveryState | None,
        typer.Option("--state", metavar="STATE", help="Only pending, sent or failed ones."),
    ] = None,
    as_json: AsJson = False,
) -> None:
    """An endpoint's deliveries, newest event first, with their last error."""

    async def work(store: Store) -> list[Delivery]:
        endpoint = await endpoints.find_endpoint(url)
        return await history.deliveries_of(endpoint, limit=limit, state=state)

    found = run_with_store(work)
    rows = [
        {
            "delivery": delivery.id,
            "event": delivery.event.value,
            "slug": delivery.slug,
            "state": delivery.state.value,
            "attempts": delivery.attempts,
            "created": delivery.created_at.isoformat(timespec="seconds"),
            "last_error": delivery.last_error,
        }
        for delivery in found
    ]
    columns = ("delivery", "event", "slug", "state", "attempts", "created", "last_error")
    title = counted(len(found), "delivery", "deliveries")
    show_rows(rows, columns=columns, title=title, as_json=as_json)
