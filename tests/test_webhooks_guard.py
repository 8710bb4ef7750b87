"""The address guard: webhooks go to public internet addresses only, checked at add and send."""

import asyncio
import ipaddress
import re
import shutil
import ssl
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.settings import Settings
from cms.webhooks import sending
from cms.webhooks.guard import is_public
from cms.webhooks.models import AttemptOutcome
from tests.cli import newsroom
from tests.conftest import Tokens
from tests.factories import make_article
from tests.graphql_client import GraphQLClient
from tests.receiver import Receiver, eventually

ADD = """
mutation ($url: String!) {
  addWebhookEndpoint(url: $url, events: [ALL]) {
    __typename
    ... on WebhookEndpointAdded { endpoint { id } }
    ... on UserError { code message field }
  }
}
"""
DELIVERIES = """
query ($id: ID!) {
  webhookEndpoint(id: $id) {
    stats { pending }
    deliveries { state attemptCount lastError attempts { outcome statusCode } }
  }
}
"""


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """As in production: private addresses refused."""
    return settings.model_copy(
        update={"webhooks_allow_private": False, "webhooks_poll_interval": 0.05}
    )


@pytest.fixture
def admin(client: GraphQLClient, tokens: Tokens) -> GraphQLClient:
    return client.as_token(tokens.admin)


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.215.14", True),
        ("2606:2800:21f:cb07:6820:80da:af6b:8b2c", True),
        ("127.0.0.1", False),
        ("10.0.0.7", False),
        ("172.16.3.4", False),
        ("192.168.1.1", False),
        ("100.64.0.1", False),  # carrier-grade NAT
        ("169.254.169.254", False),  # cloud metadata
        ("0.0.0.0", False),
        ("224.0.0.1", False),
        ("::1", False),
        ("fd00::1", False),
        ("fd00:ec2::254", False),  # cloud metadata over IPv6
        ("fe80::1", False),
        ("::ffff:127.0.0.1", False),  # IPv4 in IPv6 clothing
        ("64:ff9b::a9fe:a9fe", False),  # 169.254.169.254 through NAT64
    ],
)
def test_only_public_internet_addresses_pass(address: str, public: bool) -> None:
    assert is_public(ipaddress.ip_address(address)) is public


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://127.0.0.1:3000/api/revalidate", "resolves to 127.0.0.1"),
        ("http://localhost:3000/api/revalidate", "which is not a public internet address"),
        ("http://169.254.169.254/latest/meta-data/", "resolves to 169.254.169.254"),
        ("http://[fd00::1]/hook", "resolves to fd00::1"),
        ("http://10.1.2.3/hook", "resolves to 10.1.2.3"),
        ("http://0.0.0.0:8000/", "resolves to 0.0.0.0"),
        ("ftp://example.com/hook", "must be an http:// or https:// URL"),
        ("javascript:alert(1)", "must be an http:// or https:// URL"),
        ("https:///no-host", "must be an http:// or https:// URL"),
        ("http://example.com:99999/", "is not a valid URL"),
        # The resolver's IDNA codec raised on it (UnicodeError): a 500.
        ("https://" + "a" * 300 + ".example.com/hook", "cannot be looked up"),
    ],
)
async def test_a_url_that_is_not_public_http_is_refused(
    admin: GraphQLClient, url: str, why: str
) -> None:
    refused = (await admin.data(ADD, {"url": url}))["addWebhookEndpoint"]

    assert refused["__typename"] == "WebhookUrlRefused"
    assert refused["code"] == "WEBHOOK_URL_REFUSED"
    assert refused["field"] == "url"
    assert why in refused["message"]


async def test_a_public_address_is_accepted(admin: GraphQLClient) -> None:
    added = (await admin.data(ADD, {"url": "https://93.184.215.14/hook"}))["addWebhookEndpoint"]

    assert added["__typename"] == "WebhookEndpointAdded"
    await admin.data(
        "mutation ($id: ID!) { removeWebhookEndpoint(id: $id) { __typename } }",
        {"id": added["endpoint"]["id"]},
    )


@pytest.mark.slow
async def test_private_addresses_are_refused_at_send_time_too(
    admin: GraphQLClient, cli_env: dict[str, str]
) -> None:
    async with Receiver() as receiver:
        # Given an endpoint on this machine, added where private addresses were allowed
        refused = await asyncio.to_thread(newsroom, "webhooks", "add", receiver.url, env=cli_env)
        allowed_env = {**cli_env, "NEWSROOM_WEBHOOKS_ALLOW_PRIVATE": "true"}
        added = await asyncio.to_thread(newsroom, "webhooks", "add", receiver.url, env=allowed_env)
        endpoint = added.stdout.split("endpoint ", 1)[1].split()[0]

        # When the API, which does not allow them, has something to send
        await make_article(slug="not-for-localhost")

        async def failed() -> dict[str, Any] | None:
            found: dict[str, Any] = (await admin.data(DELIVERIES, {"id": endpoint}))[
                "webhookEndpoint"
            ]
            deliveries = found["deliveries"]
            done = deliveries and deliveries[0]["state"] != "PENDING"
            return found if done and found["stats"]["pending"] == 0 else None

        state = await eventually(failed)

    # Then it refuses to connect, at once and for good
    assert refused.returncode == 1
    assert "resolves to 127.0.0.1" in refused.stderr
    assert added.returncode == 0, added.stderr
    delivery = state["deliveries"][0]
    assert delivery["state"] == "FAILED"
    assert delivery["attemptCount"] == 1
    assert delivery["attempts"] == [{"outcome": "FAILED", "statusCode": None}]
    assert delivery["lastError"].startswith("not sent: the URL resolves to 127.0.0.1")
    assert receiver.received == []


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")
async def test_https_goes_to_the_checked_address_under_the_urls_name(tmp_path: Path) -> None:
    # Given an HTTPS receiver on 127.0.0.1 whose certificate names only `localhost`
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    request = ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj"]
    names_only_localhost = ["/CN=localhost", "-addext", "subjectAltName=DNS:localhost"]
    files = ["-keyout", str(key), "-out", str(cert)]
    subprocess.run(
        ["openssl", *request, *names_only_localhost, *files], check=True, capture_output=True
    )
    served = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    served.load_cert_chain(cert, key)
    names: list[str | None] = []
    served.sni_callback = lambda _socket, name, _context: names.append(name)
    hosts: list[str] = []

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = (await reader.readuntil(b"\r\n\r\n")).decode()
        hosts.extend(line for line in head.split("\r\n") if line.lower().startswith("host:"))
        writer.write(b"HTTP/1.1 204 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0, ssl=served)
    port = server.sockets[0].getsockname()[1]
    settings = Settings(webhooks_allow_private=True)
    trusting = ssl.create_default_context(cafile=cert)
    try:
        async with httpx.AsyncClient(verify=trusting, trust_env=False) as client:
            # When the sender resolves `localhost`, checks it and connects to the address
            by_name = await sending.attempt(
                client,
                url=f"https://localhost:{port}/hook",
                secret="s",
                delivery="d",
                event="article.published",
                body="{}",
                settings=settings,
            )
            by_address = await sending.attempt(
                client,
                url=f"https://127.0.0.1:{port}/hook",
                secret="s",
                delivery="d",
                event="article.published",
                body="{}",
                settings=settings,
            )
    finally:
        server.close()
        await server.wait_closed()

    # Then TLS still names (and checks) the URL's host, and so does the request
    assert by_name.outcome is AttemptOutcome.SENT, by_name
    assert names[0] == "localhost"
    assert hosts == [f"Host: localhost:{port}"]
    # The certificate is checked against the URL's host, not the address connected to
    assert by_address.outcome is AttemptOutcome.RETRY
    assert by_address.error is not None
    assert "CERTIFICATE_VERIFY_FAILED" in by_address.error


@pytest.mark.slow
def test_the_cli_refuses_a_host_that_cannot_be_looked_up_without_a_traceback(
    client: GraphQLClient, cli_env: dict[str, str]
) -> None:
    url = "https://" + "b" * 300 + ".example.com/hook"

    added = newsroom("webhooks", "add", url, env=cli_env)

    assert added.returncode == 1
    assert "Traceback" not in added.stderr
    assert "cannot be looked up" in added.stderr


@pytest.mark.slow
def test_a_name_that_cannot_be_looked_up_is_refused_in_one_plain_sentence(
    cli_env: dict[str, str],
) -> None:
    # `.invalid` never resolves (RFC 2606), online or not: as every name does offline.
    added = newsroom("webhooks", "add", "https://hooks.example.invalid/revalidate", env=cli_env)

    assert added.returncode == 1
    message = " ".join(added.stderr.split())
    assert re.search(
        r"Error: The webhook URL 'https://hooks.example.invalid/revalidate' cannot be checked: "
        r"the host name hooks.example.invalid could not be looked up \(.+\)\. Newsroom looks "
        r"the name up when an endpoint is added, to refuse private addresses: check the name, and "
        r"that this machine can look names up \(offline, it cannot\)\.$",
        message,
    ), message
