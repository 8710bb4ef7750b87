"""What admins read about deliveries, and what is pruned once they are old."""

from datetime import datetime
from typing import Any

from pymongo import DESCENDING

from cms.webhooks.models import Attempt, Delivery, DeliveryState, Endpoint, attempt_id


async def deliveries_of(
    endpoint: Endpoint, *, limit: int, state: DeliveryState | None = None
) -> list[Delivery]:
    """The endpoint's deliveries, newest event first."""
    where: dict[str, Any] = {"endpoint": endpoint.id}
    if state is not None:
        where["state"] = state.value
    found = await (
        Delivery.get_pymongo_collection().find(where).sort("_id", DESCENDING).limit(limit)
    ).to_list()
    return [Delivery.model_validate(document) for document in found]


async def attempts_of(delivery: Delivery, *, limit: int) -> list[Attempt]:
    """The delivery's attempts, the latest first (looked up by `_id`: no scan)."""
    collection = Attempt.get_pymongo_collection()
    found: list[Attempt] = []
    for number in range(delivery.attempts, max(delivery.attempts - limit, 0), -1):
        document = await collection.find_one({"_id": attempt_id(delivery.id, number)})
        if document is not None:
            found.append(Attempt.model_validate(document))
    return found


async def prune(*, before: datetime) -> int:
    """Delete deliveries finished before `before`, and attempts made before it; how many."""
    deliveries = await Delivery.get_pymongo_collection().delete_many(
        {"finished_at": {"$lt": before}}
    )
    await Attempt.get_pymongo_collection().delete_many({"at": {"$lt": before}})
    return deliveries.deleted_count
