"""What admins do to an endpoint besides adding and removing it: disable it, give it a new
signing secret, and send one of its deliveries again."""

from typing import Any

from cms.access import Actor
from cms.clock import utcnow
from cms.errors import CallerError
from cms.webhooks.endpoints import find_endpoint
from cms.webhooks.models import Delivery, DeliveryState, Endpoint, QueuedDelivery
from cms.webhooks.signing import new_secret


async def disable_endpoint(*, actor: Actor, id_or_url: str) -> Endpoint:
    """Send nothing more to it until it is enabled again (deliveries waiting fail, unsent)."""
    endpoint = await find_endpoint(id_or_url)
    await Endpoint.get_pymongo_collection().update_one(
        {"_id": endpoint.id, "enabled": True},
        {
            "$set": {
                "enabled": False,
                "disabled_at": utcnow(),
                "disabled_reason": f"disabled by {actor.name}",
            }
        },
    )
    return await find_endpoint(endpoint.id)


async def rotate_secret(id_or_url: str) -> Endpoint:
    """A new signing secret (show it once): attempts from now on are signed with it."""
    endpoint = await find_endpoint(id_or_url)
    secret = new_secret()
    await Endpoint.get_pymongo_collection().update_one(
        {"_id": endpoint.id}, {"$set": {"secret": secret}}
    )
    rotated: Endpoint = endpoint.model_copy(update={"secret": secret})
    return rotated


class NotSentAgainError(CallerError):
    """The delivery is unknown, still being sent, or its endpoint is disabled."""


async def send_again(*, endpoint: Endpoint, delivery_id: str) -> Delivery:
    """Queue a finished delivery again, as it was (the same id and bytes, so receivers that
    keep ids drop it if they had it), for a fresh round of attempts numbered on from its last.
    """
    if not endpoint.enabled:
        raise NotSentAgainError(f"{endpoint.url} is disabled: enable it first.")
    deliveries = Delivery.get_pymongo_collection()
    now = utcnow()
    finished = [DeliveryState.SENT.value, DeliveryState.FAILED.value]
    found: dict[str, Any] | None = await deliveries.find_one_and_update(
        {"_id": delivery_id, "endpoint": endpoint.id, "state": {"$in": finished}},
        {
            "$set": {"state": DeliveryState.PENDING.value, "next_attempt_at": now},
            # Absent, not null, while unfinished: pruning filters on a range of it.
            "$unset": {"finished_at": ""},
        },
    )
    if found is None:
        raise NotSentAgainError(
            f"No finished delivery {delivery_id!r} of {endpoint.url}: it may be waiting to be "
            "sent already, or pruned."
        )
    delivery = Delivery.model_validate(found)
    entry = QueuedDelivery(
        id=delivery.id,
        endpoint=endpoint.id,
        due=now,
        attempts=delivery.attempts,
        first=delivery.attempts + 1,
    )
    # Replacing a late entry of its first round, if one is left: this round's numbers count.
    await QueuedDelivery.get_pymongo_collection().replace_one(
        {"_id": delivery.id}, entry.model_dump(by_alias=True), upsert=True
    )
    again: Delivery = delivery.model_copy(
        update={"state": DeliveryState.PENDING, "next_attempt_at": now}
    )
    return again
