"""A request refused at the edge: one coded error and an HTTP status, before any face runs.

The body is GraphQL's error shape (`{"errors": [{"message", "extensions": {"code"}}]}`), the one
every Newsroom client already reads.
"""

import json
from collections.abc import Mapping

from starlette.responses import Response

from web.codes import RequestCode
from web.metrics import REFUSALS

JSON = "application/json"


class Refusal(Exception):
    """A request answered with one coded error and an HTTP status, before any GraphQL runs."""

    def __init__(
        self,
        status: int,
        code: RequestCode,
        message: str,
        *,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = dict(headers or {})

    def response(self, media_type: str = JSON) -> Response:
        REFUSALS.labels(code=self.code).inc()
        body = {"errors": [{"message": self.message, "extensions": {"code": self.code}}]}
        return Response(
            json.dumps(body, separators=(",", ":")),
            self.status,
            headers={"Cache-Control": "no-store", **self.headers},
            media_type=f"{media_type}; charset=utf-8",
        )
