"""WebSocket connections for subscriptions (graphql-transport-ws), bounded in time and kind.

Strawberry's handler, with limits added: a connection holding no subscription is closed after
`idle_timeout` (before `connection_init`, Strawberry's own `connection_init_wait_timeout`
applies), a malformed message closes it with 4400 (`api.live.messages`), and only subscriptions
run over it, the documents the server runs (`NEWSROOM_PERSISTED_QUERIES=trusted`) only. Queries
and mutations go over HTTP, where the edge's limits, caching and cookies apply. A subscription
passes the same depth, alias, token and cost limits as a query, at subscribe time.
"""

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, cast

from graphql import GraphQLError, get_operation_ast, parse
from graphql import OperationType as AstOperationType
from strawberry.schema.base import BaseSchema
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.types.execution import PreExecutionError
from strawberry.types.graphql import OperationType

from api.context import Context
from api.live.messages import normalised, problem_with

DEFAULT_IDLE_TIMEOUT = 300.0
IDLE = "Idle: no subscription for {seconds:g} seconds"


# Why a document may not run here (a GraphQLError), or None: the server's trusted documents.
type Gate = Callable[[str], Awaitable[GraphQLError | None]]


async def _open(query: str) -> GraphQLError | None:
    return None


class SubscriptionsOnly:
    """The schema, streaming subscriptions only: anything else is refused as an `error`."""

    def __init__(self, schema: BaseSchema, gate: Gate = _open) -> None:
        self._schema = schema
        self._gate = gate

    async def stream(self, query: str | None, **kwargs: Any) -> Any:
        if _is_query_or_mutation(query, kwargs.get("operation_name")):
            return _refused(
                GraphQLError(
                    "A WebSocket carries subscriptions only: send queries and mutations over HTTP.",
                    extensions={"code": "BAD_REQUEST"},
                )
            )
        if (closed := await self._gate(query or "")) is not None:
            return _refused(closed)
        kwargs["allowed_operation_types"] = (OperationType.SUBSCRIPTION,)
        return await self._schema.stream(query, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._schema, name)


def _is_query_or_mutation(query: str | None, operation_name: str | None) -> bool:
    try:
        operation = get_operation_ast(parse(query or ""), operation_name)
    except GraphQLError:
        return False  # the schema reports it as it does over HTTP
    return operation is not None and operation.operation is not AstOperationType.SUBSCRIPTION


async def _refused(error: GraphQLError) -> AsyncIterator[PreExecutionError]:
    yield PreExecutionError(data=None, errors=[error])


class LiveSocket(BaseGraphQLTransportWSHandler[Context, None]):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        gate = getattr(self.view, "subscription_gate", None)
        self.schema = SubscriptionsOnly(  # type: ignore[assignment]
            self.schema, gate(self.context) if gate is not None else _open
        )
        self.idle_timeout: float = getattr(self.view, "idle_timeout", DEFAULT_IDLE_TIMEOUT)
        self._idle_watch: asyncio.Task[None] | None = None

    async def handle_message(self, message: Any) -> None:
        """Close with 4400 on a message the protocol does not define, as it requires."""
        if (problem := problem_with(message)) is not None:
            await self.handle_invalid_message(problem)
            return
        await super().handle_message(cast(Any, normalised(message)))

    def on_request_accepted(self) -> None:
        super().on_request_accepted()
        self._idle_watch = asyncio.create_task(self._close_when_idle())

    async def _close_when_idle(self) -> None:
        idle_since = time.monotonic()
        while True:
            await asyncio.sleep(self.idle_timeout / 4)
            if self.operations:
                idle_since = time.monotonic()
            elif time.monotonic() - idle_since >= self.idle_timeout:
                reason = IDLE.format(seconds=self.idle_timeout)
                with contextlib.suppress(Exception):
                    await self.websocket.close(code=1000, reason=reason)
                return

    async def shutdown(self) -> None:
        if self._idle_watch is not None:
            self._idle_watch.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._idle_watch
        await super().shutdown()
