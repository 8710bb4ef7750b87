"""Connecting to the store: MongoDB at a URI, or the embedded server in a data directory."""

import contextlib
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pymongo
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.monitoring import CommandListener

from cms.store import batches
from cms.store.datadir import STORE_FILE
from cms.store.embedded import supervised_server
from cms.store.supervisor import Supervisor

# Seconds a process stopping gives an embedded store that was given up for good to answer its
# goodbyes: it is gone, and each would otherwise wait the whole store timeout.
GONE = 0.1


@dataclass(frozen=True, slots=True)
class Store:
    client: AsyncMongoClient[dict[str, Any]]
    database: AsyncDatabase[dict[str, Any]]
    description: str
    # Credentials included: for connections of this process's own (`cms.spine.liveness`), never
    # logs.
    uri: str = field(repr=False)
    supervisor: Supervisor | None = None
    # The embedded store (or any mongoeco server a URI names), which says so in `buildInfo`.
    mongoeco: bool = False

    async def ping(self) -> None:
        await self.database.command("ping")

    @property
    def failure(self) -> str | None:
        """Why the embedded store is no longer restarted, if it has been given up."""
        return self.supervisor.failure if self.supervisor is not None else None


def _describe(uri: str) -> str:
    """The server's hosts, without credentials, for logs (no DNS lookup, unlike parse_uri)."""
    hosts = urlsplit(uri).netloc.rpartition("@")[2]
    return f"MongoDB at {hosts}"


def _timeouts(uri: str, seconds: float) -> dict[str, Any]:
    """How long to wait for a store that is down or hung: `seconds`, unless the URI says.

    Finding a server and opening a connection (its handshake included) give up after it, not
    after PyMongo's 30 s and 20 s; a command on a connection the store dropped fails at once.
    The server is also checked that often (not every 10 s), so that commands waiting on a store
    that stopped answering are cut off within about twice the timeout. No socket or operation
    timeout: a burst of requests queued behind each other, or a long CLI batch, is slow, not an
    outage.
    """
    given = {name.lower() for name in parse_qs(urlsplit(uri).query)}
    milliseconds = round(seconds * 1000)
    wanted = {
        "serverSelectionTimeoutMS": milliseconds,
        "connectTimeoutMS": milliseconds,
        "heartbeatFrequencyMS": max(milliseconds, 500),  # PyMongo's minimum
    }
    return {name: value for name, value in wanted.items() if name.lower() not in given}


async def _close(client: AsyncMongoClient[dict[str, Any]], supervisor: Supervisor | None) -> None:
    """Close the client. It tells the server the sessions it opened are over, waiting for a
    server up to the timeout: not for an embedded store given up for good, which is gone."""
    if supervisor is not None and supervisor.failure is not None:
        with pymongo.timeout(GONE):
            await client.close()
        return
    await client.close()


@contextlib.asynccontextmanager
async def connect(
    uri: str | None,
    *,
    database: str,
    data_dir: Path,
    timeout: float,
    event_listeners: Sequence[CommandListener] = (),
) -> AsyncIterator[Store]:
    """Connect to MongoDB at `uri`, or (None) to the embedded server in `data_dir`, started
    if no process has started it yet; close on exit."""
    async with contextlib.AsyncExitStack() as stack:
        supervisor = None
        if uri:
            address, description = uri, _describe(uri)
        else:
            address, supervisor = await stack.enter_async_context(supervised_server(data_dir))
            description = f"embedded store at {data_dir / STORE_FILE}"
        client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
            address,
            tz_aware=True,
            event_listeners=list(event_listeners),
            **_timeouts(address, timeout),
        )
        stack.push_async_callback(_close, client, supervisor)
        build = await client.admin.command("buildInfo")
        mongoeco = build.get("gitVersion") == "mongoeco"
        batches.fetch_by_key(mongoeco)
        yield Store(
            client=client,
            database=client[database],
            description=description,
            uri=address,
            supervisor=supervisor,
            mongoeco=mongoeco,
        )
