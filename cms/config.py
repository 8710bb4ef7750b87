"""Newsroom's settings: read once from the environment and an optional `.env` file.

These are what cms and the web edge read (the store, the event log, webhooks, the edge's limits,
client addresses, the site's addresses); the settings only the API reads are added to them in
`api.settings`, from the same environment names.
"""

import re
from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path
from string import Formatter
from typing import Annotated, Any, Literal, Self
from urllib.parse import urlsplit

from pydantic import (
    AliasChoices,
    Field,
    SecretStr,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

KIB = 1024
# What a preview link's address (`preview_url`) names.
PREVIEW_FIELDS = frozenset({"slug", "token"})
# What `secret_key` is until someone sets it: fine on a laptop, refused in production.
PLACEHOLDER_SECRET = "insecure-development-secret-change-me"
MIN_SECRET_LENGTH = 32
# Request headers pages on other origins may send by default: the token, the body's type, a
# request id, and what tracing (W3C trace context and baggage, Sentry) and Apollo's clients add to
# every request (a page on an allowed origin was refused for `traceparent`).
CORS_HEADERS = (
    "Authorization",
    "Content-Type",
    "X-Request-ID",
    "traceparent",
    "tracestate",
    "baggage",
    "sentry-trace",
    "apollographql-client-name",
    "apollographql-client-version",
)
# An HTTP field name (RFC 9110's token).
HEADER_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
# Rendition sizes (`media_widths`, `media_aspects`): a phone's to a retina desktop's, and the
# aspects Google asks articles' images in.
RENDITION_WIDTHS = (320, 480, 640, 800, 1024, 1200, 1600, 2048)
RENDITION_ASPECTS = ("16:9", "4:3", "1:1")
MEDIA_KEY = re.compile(r"[A-Za-z0-9_-]{1,16}")
# What `article_path` may name.
ARTICLE_PATH_FIELDS = frozenset({"section", "slug", "id", "year", "month", "day"})
# What `author_path` may name.
AUTHOR_PATH_FIELDS = frozenset({"slug"})
BYLINE_CREDITS = ("Newsroom Staff", "Staff", "Reuters", "AP", "AFP")


class Settings(BaseSettings):
    """Every setting is `NEWSROOM_<NAME>` in the environment; `MONGODB_URI` is also accepted."""

    model_config = SettingsConfigDict(
        env_prefix="NEWSROOM_",
        env_file=".env",
        extra="ignore",
        populate_by_name=True,
        # Errors name the setting and the rule, never the value: it may be a secret or a URI
        # with a password in it.
        hide_input_in_errors=True,
    )

    mongodb_uri: str | None = Field(
        default=None,
        validation_alias=AliasChoices("NEWSROOM_MONGODB_URI", "MONGODB_URI"),
        description="MongoDB server to use. Unset: start the embedded store in data_dir.",
    )
    database: str = Field(default="newsroom", description="Database name on the server.")
    data_dir: Path = Field(
        default=Path(".newsroom"), description="Where the embedded store keeps its files."
    )
    store_timeout: float = Field(
        default=5.0,
        gt=0,
        le=300,
        description=(
            "Seconds to wait for a store that is down (finding it, connecting) before a request "
            "fails as SERVICE_UNAVAILABLE; a store that stops answering is given up within "
            "about twice this."
        ),
    )
    host: str = Field(default="127.0.0.1", description="Interface `newsroom serve` binds.")
    port: int = Field(default=8000, description="Port `newsroom serve` listens on.")
    workers: int = Field(
        default=1, ge=1, description="Worker processes `newsroom serve` starts (one per core)."
    )
    event_poll_interval: float = Field(
        default=0.1,
        gt=0,
        le=10,
        description="Seconds between reads of the event log for changes made by other "
        "processes (this process's own are seen at once).",
    )
    event_retention_days: int = Field(
        default=14, ge=1, description="Days events stay on the event log before they are pruned."
    )
    arrival_check_interval: float = Field(
        default=1.0,
        gt=0,
        le=60,
        description="Seconds between checks for scheduled articles whose time has come.",
    )
    journal_grace: float = Field(
        default=30.0,
        gt=0,
        description="Seconds before a write left unfinished by a dead process is completed.",
    )
    webhooks_allow_private: bool = Field(
        default=False,
        description="Allow webhook endpoints on loopback, private, link-local and other "
        "non-public addresses (single-machine setups, tests). Off: such endpoints are refused "
        "when added and before every attempt.",
    )
    webhooks_connect_timeout: float = Field(
        default=5.0, gt=0, le=60, description="Seconds to resolve and connect to an endpoint."
    )
    webhooks_read_timeout: float = Field(
        default=10.0,
        gt=0,
        le=300,
        description="Seconds an endpoint has to answer once connected; an attempt is cut off "
        "after the connect and read timeouts together.",
    )
    webhooks_max_attempts: int = Field(
        default=8, ge=1, le=100, description="Attempts per delivery before it is marked failed."
    )
    webhooks_retry_delays: list[float] = Field(
        default=[10.0, 60.0, 600.0, 3600.0, 21600.0],
        min_length=1,
        description="Seconds to wait before each retry (a JSON list); retries beyond the list "
        "wait its last value.",
    )
    webhooks_disable_after: int = Field(
        default=10,
        ge=1,
        description="Failed deliveries in a row after which an endpoint is disabled.",
    )
    webhooks_retention_days: int = Field(
        default=14, ge=1, description="Days finished deliveries and attempts are kept."
    )
    webhooks_concurrency: int = Field(
        default=8, ge=1, le=256, description="Deliveries each API process sends at once."
    )
    webhooks_max_cache_tags: int = Field(
        default=100,
        ge=1,
        description="The most cache tags a webhook body lists: a change that touches more "
        "(a renamed tag on a busy site) sends the one site-wide tag `site` instead.",
    )
    webhooks_poll_interval: float = Field(
        default=1.0,
        gt=0,
        le=60,
        description="Seconds between looks for due deliveries and for events written by other "
        "processes (this process's own writes are dispatched at once).",
    )
    log_level: Literal["critical", "error", "warning", "info", "debug"] = Field(
        default="info",
        description="`critical`, `error`, `warning`, `info` (one access line per request) or "
        "`debug`.",
    )
    environment: Literal["development", "production"] = Field(
        default="development",
        description=(
            "`production` masks unexpected errors in GraphQL responses, logs JSON lines, turns "
            "introspection, field suggestions and GraphiQL off unless they are turned on, and "
            "refuses a placeholder `secret_key`."
        ),
    )
    max_body_bytes: int = Field(
        default=64 * KIB,
        ge=KIB,
        description=(
            "Largest request body without a token, and longest GraphQL document from anyone: "
            "long text travels in variables."
        ),
    )
    editor_max_body_bytes: int = Field(
        default=2 * KIB * KIB,
        ge=KIB,
        description="Largest request body with a verified editor token (article bodies are "
        "long), and of a desk form once its session is checked; without either, "
        "`max_body_bytes`.",
    )
    upload_max_bytes: int = Field(
        default=25 * KIB * KIB,
        ge=KIB,
        description="Largest image file the media library takes (uploads, `media add`, fixture "
        "files). A request carrying one may be this much larger than `editor_max_body_bytes`, "
        "once its editor token is verified; a desk upload of up to 10 files, ten times that, "
        "once its session is checked.",
    )
    upload_max_pixels: int = Field(
        default=50_000_000,
        ge=1,
        le=150_000_000,
        description="Most pixels (width times height) an image may have; checked from its "
        "header, before it is decoded. At most 150 million.",
    )
    media_url: str = Field(
        default="http://localhost:8000",
        description="The public address this API is reached at (`https://api.news.example`): "
        "image renditions' URLs (`/media/...`) start with it.",
    )
    media_widths: Annotated[list[int], NoDecode] = Field(
        default_factory=lambda: list(RENDITION_WIDTHS),
        description="Comma-separated widths (pixels) renditions are made at; a width asked in "
        "between is rounded up to the next one, so the public cannot have unlimited sizes made.",
    )
    media_aspects: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: list(RENDITION_ASPECTS),
        description="Comma-separated aspect ratios (`16:9`) renditions may have besides the "
        "original's; a height asked is rounded to the nearest.",
    )
    embed_hosts: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Comma-separated hosts whose pages a body may show in a frame (`::iframe`): "
        "`charts.example.org` allows that host only, `.example.org` its subdomains too. Empty: "
        "no frames but known providers' embeds.",
    )
    media_keys: SecretStr | None = Field(
        default=None,
        description="Comma-separated `id:secret` keys signing rendition URLs: the first signs, "
        "every one verifies (add a new key first to rotate, drop the old one once caches have "
        "forgotten its URLs). Unset: one key derived from `secret_key`.",
    )
    media_cache_bytes: int = Field(
        default=64 * KIB * KIB,
        ge=0,
        description="Memory each API process keeps its most asked renditions in, in bytes (a "
        "quarter of it for the originals they were last made from).",
    )
    media_store_max_bytes: int = Field(
        default=2 * KIB * KIB * KIB,
        ge=KIB * KIB,
        description="Most bytes of renditions kept in the store; beyond it, the least recently "
        "used are removed (and made again when asked).",
    )
    max_query_string_bytes: int = Field(
        default=8 * KIB,
        ge=KIB,
        description="Longest URL query string (a GET query and its variables).",
    )
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description=(
            "Comma-separated origins (`https://www.example.com`) whose pages may call the API "
            "with credentials. Empty: no cross-origin browser calls."
        ),
    )
    cors_headers: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: list(CORS_HEADERS),
        description="Comma-separated request headers pages on `cors_origins` may send (besides "
        "those browsers always allow): the token, the body's type, a request id, and what "
        "tracing (W3C trace context, Sentry) and Apollo's clients add.",
    )
    metrics: bool = Field(default=True, description="Serve Prometheus metrics at /metrics.")
    desk: bool = Field(
        default=True,
        description="Serve the desk, the editors' browser app, at /desk (`off`: neither its "
        "pages nor its files are served).",
    )
    session_idle_timeout: int = Field(
        default=12 * 3600,
        ge=60,
        description="Seconds a desk session lasts without a request before it ends (checked to "
        "the minute).",
    )
    session_max_age: int = Field(
        default=7 * 24 * 3600,
        ge=60,
        description="Seconds a desk session lasts at most from its login, however busy.",
    )
    login_limit_per_address: int = Field(
        default=30,
        ge=0,
        description="Desk logins (and one-time password links used) per client address and "
        "rate-limit window; 0: no limit.",
    )
    login_limit_per_account: int = Field(
        default=10,
        ge=0,
        description="Desk logins per email address and rate-limit window, whether the address "
        "belongs to anyone or not; 0: no limit.",
    )

    @field_validator("cors_origins", "cors_headers", "byline_credits", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [origin.strip() for origin in value.split(",") if origin.strip()]
        return value

    @field_validator("embed_hosts", mode="before")
    @classmethod
    def _split_hosts(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip().lower() for part in value.split(",") if part.strip()]
        return value

    @field_validator("media_widths", "media_aspects", mode="before")
    @classmethod
    def _split_media(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("media_widths")
    @classmethod
    def _check_widths(cls, widths: list[int]) -> list[int]:
        if not widths or any(not 16 <= width <= 8192 for width in widths):
            raise ValueError("must list widths from 16 to 8192 pixels, like 320,640,1200")
        return sorted(set(widths))

    @field_validator("media_aspects")
    @classmethod
    def _check_aspects(cls, aspects: list[str]) -> list[str]:
        for aspect in aspects:
            parts = aspect.split(":")
            if len(parts) != 2 or not all(
                part.isdigit() and 0 < int(part) <= 100 for part in parts
            ):
                raise ValueError(f"{aspect!r} is not an aspect like 16:9")
        return list(dict.fromkeys(aspects))

    @field_validator("media_keys")
    @classmethod
    def _check_keys(cls, keys: SecretStr | None) -> SecretStr | None:
        if keys is not None:
            for pair in keys.get_secret_value().split(","):
                key_id, _, secret = pair.strip().partition(":")
                if not MEDIA_KEY.fullmatch(key_id) or len(secret) < MIN_SECRET_LENGTH:
                    raise ValueError(
                        "must be id:secret pairs, each id 1-16 letters, digits, - or _, each "
                        f"secret at least {MIN_SECRET_LENGTH} characters"
                    )
        return keys

    @field_validator("media_url")
    @classmethod
    def _media_url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.query:
            raise ValueError("must be an absolute http(s) URL like https://api.news.example")
        return value.rstrip("/")

    @field_validator("cors_headers")
    @classmethod
    def _check_headers(cls, headers: list[str]) -> list[str]:
        for header in headers:
            if not HEADER_NAME.fullmatch(header):
                raise ValueError(f"{header!r} is not a header name like traceparent")
        return headers

    @field_validator("cors_origins")
    @classmethod
    def _check_origins(cls, origins: list[str]) -> list[str]:
        """Exact origins only: a wildcard would let every site vote with a reader's cookie."""
        checked = []
        for origin in origins:
            parts = urlsplit(origin.rstrip("/"))
            if (
                parts.scheme not in ("http", "https")
                or not parts.hostname
                or parts.path
                or parts.query
            ):
                raise ValueError(f"{origin!r} is not an origin like https://www.example.com")
            checked.append(f"{parts.scheme}://{parts.netloc}".lower())
        return checked

    secret_key: SecretStr = Field(
        default=SecretStr(PLACEHOLDER_SECRET),
        description="Signs voter cookies and keys the hashes of client addresses. At least "
        f"{MIN_SECRET_LENGTH} random characters; required in production. Changing it issues new "
        "voter ids to every reader (and so lets them vote again).",
    )
    trusted_proxies: Annotated[list[IPv4Network | IPv6Network], NoDecode] = Field(
        default_factory=list,
        description="Comma-separated IPs or CIDRs of the reverse proxies in front of Newsroom. "
        "Only from these is `X-Forwarded-For` (client address) and `X-Forwarded-Proto` believed.",
    )
    rate_limit_window: int = Field(
        default=600, ge=1, description="Seconds of each fixed rate-limit window."
    )
    site_url: str = Field(
        default="http://localhost:3000",
        description="The public site's address (`https://news.example`): articles' `url` and "
        "their JSON-LD start with it.",
    )
    public_url: str | None = Field(
        default=None,
        description="Where Newsroom itself is reached (`https://cms.news.example`): the start of "
        "the one-time links `newsroom users` prints. Unset: `http://<host>:<port>` of these "
        "settings. Not the public site: that is `NEWSROOM_SITE_URL`.",
    )
    article_path: str = Field(
        default="/{section}/{slug}",
        description="Where an article lives on the site, after `site_url`: any of `{section}`, "
        "`{slug}`, `{id}`, `{year}`, `{month}`, `{day}` (of its publication, UTC).",
    )
    preview_url: str | None = Field(
        default=None,
        description="The site's draft-mode address for shareable preview links, with `{slug}` "
        "and `{token}` (`https://news.example/api/draft?slug={slug}&secret={token}`). Unset: "
        "the desk shows the token alone.",
    )
    preview_link_hours: float = Field(
        default=24,
        gt=0,
        le=24 * 30,
        description="How long a shareable preview link works, in hours.",
    )
    author_path: str = Field(
        default="/authors/{slug}",
        description="Where an author's page lives on the site, after `site_url`: `{slug}` is "
        "the author's (JSON-LD `Person.url`, `Author.url`).",
    )
    byline_credits: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: list(BYLINE_CREDITS),
        description="Comma-separated names that an old-style `author:` (a fixture file, "
        "`ArticleInput.author`, `authors migrate`) turns into the article's credit; any other "
        "name finds or creates that author.",
    )
    redirect_status: Literal[301, 308] = Field(
        default=301,
        description="The status `redirect(path:)` tells a frontend to answer an old address with: "
        "301 (moved permanently) or 308 (the same, keeping the request's method).",
    )
    publisher_name: str = Field(
        default="Newsroom",
        min_length=1,
        description="The publisher named in every article's JSON-LD (`structuredData`).",
    )
    publisher_logo_url: str | None = Field(
        default=None,
        description="Absolute URL of the publisher's logo for the JSON-LD. Unset: no logo.",
    )
    site_language: str = Field(
        default="en",
        pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$",
        description="The site's language (ISO 639, `en` or `zh-tw`): feeds' and the Google News "
        "sitemap's language.",
    )
    tag_path: str = Field(
        default="/tags/{slug}",
        pattern=r"^/.*\{slug\}",
        description="Where a tag's page lives on the site, after `site_url`: feeds link to it.",
    )
    section_path: str = Field(
        default="/sections/{slug}",
        pattern=r"^/.*\{slug\}",
        description="Where a section's page lives on the site, after `site_url`.",
    )
    feeds_full_content: bool = Field(
        default=False,
        description="Feeds carry each article's whole body as HTML; off: its excerpt only.",
    )
    feeds_items: int = Field(
        default=20, ge=1, le=100, description="How many articles each feed holds, newest first."
    )
    sitemaps_page_size: int = Field(
        default=1000,
        ge=1,
        le=50_000,
        description="Articles per sitemap page: a month with more is split into pages "
        "(`?page=2`). The sitemap protocol allows 50,000.",
    )
    sitemaps_lists: bool = Field(
        default=False,
        description="Also serve `/sitemaps/tags.xml`, `/sitemaps/sections.xml` and "
        "`/sitemaps/authors.xml` (the tag, section and author pages), and list them in the "
        "sitemap index.",
    )

    @field_validator("site_url", "publisher_logo_url", "public_url")
    @classmethod
    def _absolute_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.query:
            raise ValueError("must be an absolute http(s) URL like https://news.example")
        return value.rstrip("/")

    @field_validator("preview_url")
    @classmethod
    def _preview_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        names = {name for _, name, _, _ in Formatter().parse(value) if name is not None}
        parts = urlsplit(value.replace("{", "").replace("}", ""))
        if parts.scheme not in ("http", "https") or not parts.hostname or names != PREVIEW_FIELDS:
            raise ValueError(
                "must be an absolute http(s) URL naming {slug} and {token}, like "
                "https://news.example/api/draft?slug={slug}&secret={token}"
            )
        return value

    @field_validator("article_path", "author_path")
    @classmethod
    def _site_path(cls, value: str, info: ValidationInfo) -> str:
        allowed = ARTICLE_PATH_FIELDS if info.field_name == "article_path" else AUTHOR_PATH_FIELDS
        names = {name for _, name, _, _ in Formatter().parse(value) if name is not None}
        if not value.startswith("/") or not names <= allowed:
            raise ValueError(
                "must start with / and name only "
                + ", ".join(f"{{{name}}}" for name in sorted(allowed))
            )
        return value

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _comma_separated(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = [part.strip() for part in value.split(",") if part.strip()]
        if isinstance(value, list | tuple):
            # `10.0.0.1` is the network of that one address; host bits in a CIDR are ignored.
            return [
                ip_network(part, strict=False) if isinstance(part, str) else part for part in value
            ]
        return value

    @model_validator(mode="after")
    def _secret_is_set_in_production(self) -> Self:
        secret = self.secret_key.get_secret_value()
        if self.environment == "production" and (
            secret == PLACEHOLDER_SECRET or len(secret) < MIN_SECRET_LENGTH
        ):
            raise ValueError(
                f"NEWSROOM_SECRET_KEY must be set to at least {MIN_SECRET_LENGTH} random "
                'characters in production (e.g. the output of `python -c "import secrets; '
                'print(secrets.token_urlsafe(32))"`).'
            )
        return self


def base_url(settings: Settings) -> str:
    """Where Newsroom is reached: `public_url`, else this machine's address and port."""
    if settings.public_url:
        return settings.public_url
    host = settings.host
    if host in {"", "0.0.0.0", "::"}:  # every interface: this machine's own is one of them
        host = "127.0.0.1"
    elif ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{settings.port}"


def get_settings() -> Settings:
    """Settings as the environment says now (not cached: tests and tools change it)."""
    return Settings()
