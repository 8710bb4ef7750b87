"""One attempt: a signed POST to an address the guard just checked, and what its answer means.

2xx is delivered. Connection failures, timeouts, 408, 429 and 5xx are worth another attempt
later. Anything else (3xx, since redirects are never followed, and the other 4xx) fails at once:
trying again would get the same answer.
"""

import asyncio
import time

import httpx

from cms.config import Settings
from cms.webhooks import guard
from cms.webhooks.models import AttemptOutcome
from cms.webhooks.outbox import Result
from cms.webhooks.signing import DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, signature

USER_AGENT = "Newsroom-Webhooks/1"
# How much of an endpoint's answer is kept with a failed attempt, for admins.
EXCERPT = 200
RETRIED = {408, 429}


def new_client(settings: Settings) -> httpx.AsyncClient:
    """The HTTP client a sender uses for all its attempts."""
    return httpx.AsyncClient(
        timeout=httpx.Timeout(
            settings.webhooks_read_timeout, connect=settings.webhooks_connect_timeout
        ),
        follow_redirects=False,
        # A proxy from the environment would connect wherever the name points by then.
        trust_env=False,
        # A new connection per attempt, to the address just checked and with this URL's TLS
        # name: a kept-alive one is reused by address, which two endpoints may share.
        limits=httpx.Limits(max_keepalive_connections=0),
        headers={"User-Agent": USER_AGENT},
    )


def outcome_of(status: int) -> AttemptOutcome:
    if 200 <= status < 300:
        return AttemptOutcome.SENT
    if status in RETRIED or status >= 500:
        return AttemptOutcome.RETRY
    return AttemptOutcome.FAILED


async def _excerpt(response: httpx.Response) -> str:
    """The start of the answer, as printable text."""
    read = b""
    async for chunk in response.aiter_bytes():
        read += chunk
        if len(read) >= EXCERPT:
            break
    text = read[:EXCERPT].decode("utf-8", errors="replace")
    return "".join(c if c.isprintable() else " " for c in text).strip()


def _describe(response: httpx.Response, excerpt: str) -> str | None:
    status = response.status_code
    if 200 <= status < 300:
        return None
    said = f": {excerpt}" if excerpt else ""
    if 300 <= status < 400:
        where = response.headers.get("location", "")[:200]
        return f"HTTP {status}: redirects are not followed (to {where!r}); register the final URL"
    if outcome_of(status) is AttemptOutcome.FAILED:
        return f"HTTP {status}, not retried{said}"
    return f"HTTP {status}{said}"


async def attempt(
    client: httpx.AsyncClient,
    *,
    url: str,
    secret: str,
    delivery: str,
    event: str,
    body: str,
    settings: Settings,
) -> Result:
    """POST `body` to `url` once, signed now; what came of it (never raises for the network)."""
    started = time.perf_counter()

    def result(
        outcome: AttemptOutcome, status: int | None = None, error: str | None = None
    ) -> Result:
        return Result(outcome, (time.perf_counter() - started) * 1000, status, error)

    connect, read = settings.webhooks_connect_timeout, settings.webhooks_read_timeout
    try:
        addresses = await guard.addresses_for(
            url, allow_private=settings.webhooks_allow_private, timeout=connect
        )
    except guard.AddressRefused as error:
        return result(AttemptOutcome.FAILED, error=f"not sent: the URL {error}")
    except guard.Unresolved as error:
        return result(AttemptOutcome.RETRY, error=str(error))
    target = httpx.URL(url)
    content = body.encode()
    headers = {
        "Host": target.netloc.decode("ascii"),
        "Content-Type": "application/json",
        SIGNATURE_HEADER: signature(secret, content, int(time.time())),
        DELIVERY_HEADER: delivery,
        EVENT_HEADER: event,
    }
    extensions = (
        {"sni_hostname": target.raw_host.decode("ascii")} if target.scheme == "https" else {}
    )
    try:
        async with asyncio.timeout(connect + read):
            for index, address in enumerate(addresses):
                try:
                    async with client.stream(
                        "POST",
                        target.copy_with(host=str(address)),
                        content=content,
                        headers=headers,
                        extensions=extensions,
                    ) as response:
                        excerpt = await _excerpt(response)
                    break
                except httpx.ConnectError:
                    if index == len(addresses) - 1:
                        raise  # no address left to try
    except TimeoutError:
        return result(AttemptOutcome.RETRY, error=f"no complete answer within {connect + read:g} s")
    except httpx.TimeoutException as error:
        return result(AttemptOutcome.RETRY, error=f"timed out: {type(error).__name__}")
    except httpx.HTTPError as error:
        return result(AttemptOutcome.RETRY, error=f"{type(error).__name__}: {error}".rstrip(": "))
    status = response.status_code
    return result(outcome_of(status), status, _describe(response, excerpt))
