"""Webhooks in an API process: a dispatcher and a sender, beside the request handling.

Nothing here runs in a request: a write only nudges the dispatcher (`cms.spine.events` tells local
listeners), and deliveries go out from these tasks. Every API process runs both; the store
decides which process sends which delivery (`cms.webhooks.outbox`).
"""

import asyncio
import contextlib
import logging
from datetime import timedelta

import httpx
from pymongo.errors import PyMongoError

from cms.config import Settings
from cms.spine import events
from cms.webhooks import outbox, sending
from cms.webhooks.dispatch import Dispatcher

log = logging.getLogger(__name__)

# Beyond an attempt's own bound (connect + read timeouts): a live sender's lease never runs out.
LEASE_MARGIN = 30.0


async def _nap(nudge: asyncio.Event, seconds: float) -> None:
    """Wait for `nudge` or `seconds`, whichever comes first."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(nudge.wait(), seconds)
    nudge.clear()


class WebhookService:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._dispatcher = Dispatcher(max_tags=settings.webhooks_max_cache_tags)
        self._stopping = asyncio.Event()
        self._events_written = asyncio.Event()
        self._deliveries_queued = asyncio.Event()
        self._slots = asyncio.Semaphore(settings.webhooks_concurrency)
        self._sending: set[asyncio.Task[None]] = set()
        self._tasks: list[asyncio.Task[None]] = []
        # Made for the first delivery: loading TLS certificates takes a noticeable moment, which
        # a process without endpoints (or a test) need not spend at start.
        self._client: httpx.AsyncClient | None = None
        self._lease = timedelta(
            seconds=settings.webhooks_connect_timeout
            + settings.webhooks_read_timeout
            + LEASE_MARGIN
        )

    async def start(self) -> None:
        events.add_local_listener(self._written)
        self._tasks = [
            asyncio.create_task(self._dispatch(), name="newsroom-webhooks-dispatch"),
            asyncio.create_task(self._send(), name="newsroom-webhooks-send"),
        ]

    async def stop(self) -> None:
        """Stop between two store commands; attempts under way are cut short and given back."""
        events.remove_local_listener(self._written)
        self._stopping.set()
        self._events_written.set()
        self._deliveries_queued.set()
        await asyncio.gather(*self._tasks)
        await asyncio.gather(*self._sending)
        if self._client is not None:
            await self._client.aclose()

    async def _written(self) -> None:
        # Until an endpoint exists, a write has nothing to dispatch: leave it to the next poll
        # (which sees a newly added endpoint) rather than ask the store at every write.
        if self._dispatcher.reading:
            self._events_written.set()

    async def _dispatch(self) -> None:
        while not self._stopping.is_set():
            try:
                if await self._dispatcher.run_once():
                    self._deliveries_queued.set()
            except PyMongoError as error:
                log.warning("Making webhook deliveries failed, retrying: %s", error)
            await _nap(self._events_written, self.settings.webhooks_poll_interval)

    async def _send(self) -> None:
        """Claim due deliveries while a slot is free, each sent in a task of its own."""
        while not self._stopping.is_set():
            await self._slots.acquire()
            claimed = None
            try:
                if not self._stopping.is_set():
                    claimed = await outbox.claim(
                        lease=self._lease, max_attempts=self.settings.webhooks_max_attempts
                    )
            except PyMongoError as error:
                log.warning("Claiming webhook deliveries failed, retrying: %s", error)
            if claimed is None:
                self._slots.release()
                await _nap(self._deliveries_queued, self.settings.webhooks_poll_interval)
                continue
            if self._client is None:
                self._client = await asyncio.to_thread(sending.new_client, self.settings)
            task = asyncio.create_task(
                self._deliver(self._client, claimed), name="newsroom-webhook"
            )
            self._sending.add(task)
            task.add_done_callback(self._sent)

    def _sent(self, task: asyncio.Task[None]) -> None:
        self._sending.discard(task)
        self._slots.release()

    async def _deliver(self, client: httpx.AsyncClient, claim: outbox.Claim) -> None:
        """One attempt, raced against stopping: a stopping process gives the delivery back."""
        attempt = asyncio.create_task(
            sending.attempt(
                client,
                url=claim.endpoint.url,
                secret=claim.endpoint.secret,
                delivery=claim.delivery.id,
                event=claim.delivery.event.value,
                body=claim.delivery.body,
                settings=self.settings,
            )
        )
        stopping = asyncio.create_task(self._stopping.wait())
        try:
            await asyncio.wait({attempt, stopping}, return_when=asyncio.FIRST_COMPLETED)
            stopping.cancel()
            if not attempt.done():
                attempt.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await attempt
                await outbox.release(claim)
                return
            await outbox.record(claim, attempt.result(), self.settings)
        except PyMongoError as error:
            # Its lease runs out and it is sent again: at least once, never lost.
            log.warning("Recording webhook delivery %s failed: %s", claim.delivery.id, error)
        except Exception:
            log.exception("Webhook delivery %s failed unexpectedly", claim.delivery.id)
