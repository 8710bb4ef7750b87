"""Newsroom's settings: read once from the environment and an optional `.env` file."""

from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path
from string import Formatter
from typing import Annotated, Any, Literal, Self
from urllib.parse import urlsplit

from pydantic import AliasChoices, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

KIB = 1024
# What `secret_key` is until someone sets it: fine on a laptop, refused in production.
PLACEHOLDER_SECRET = "insecure-development-secret-change-me"
MIN_SECRET_LENGTH = 32
# What `article_path` may name.
ARTICLE_PATH_FIELDS = frozenset({"section", "slug", "id", "year", "month", "day"})


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
    cache_max_age: int = Field(
        default=60,
        ge=0,
        description="Seconds shared caches may keep a successful GET query response (0: none).",
    )
    max_query_cost: int = Field(
        default=5000,
        ge=1,
        description="The most a query may cost: one point per object in the answer, ten per "
        "article body, lists multiplied by their page size (api/cost.py).",
    )
    response_cache: bool = Field(
        default=True,
        description="Keep anonymous query answers in memory, purged by what each write changes.",
    )
    response_cache_bytes: int = Field(
        default=64 * KIB * KIB, ge=0, description="Memory the response cache may use, in bytes."
    )
    response_cache_ttl: float = Field(
        default=600.0,
        gt=0,
        description="Longest a cached answer lives, in seconds (writes purge it sooner).",
    )
    cache_s_maxage: int | None = Field(
        default=None,
        ge=0,
        description="`s-maxage` for shared caches (CDNs) on GET answers; unset: none.",
    )
    cache_stale_while_revalidate: int = Field(
        default=0,
        ge=0,
        description="`stale-while-revalidate` seconds on GET answers (0: not sent).",
    )
    persisted_queries: Literal["open", "bounded", "trusted"] | None = Field(
        default=None,
        description="Persisted queries (Apollo's APQ): `open` keeps every query sent with its "
        "hash; `bounded` keeps them within the count and bytes caps below (least recently used "
        "out) and a rate per client address; `trusted` runs only documents added with `newsroom "
        "documents add`, by an editor's or admin's request, or from examples/. Unset: `bounded` "
        "(`trusted` if the deprecated NEWSROOM_TRUSTED_DOCUMENTS_ONLY is true).",
    )
    persisted_queries_max_count: int = Field(
        default=5000, ge=1, description="Documents `bounded` keeps for anyone, at most."
    )
    persisted_queries_max_bytes: int = Field(
        default=16 * KIB * KIB,
        ge=KIB,
        description="Bytes of documents `bounded` keeps for anyone, at most.",
    )
    persisted_queries_per_address: int = Field(
        default=60,
        ge=0,
        description="New documents one client address may have kept per rate-limit window "
        "(`bounded`; 0: no limit). Past it, its queries still run but are not kept.",
    )
    trusted_documents_only: bool = Field(
        default=False,
        description="Deprecated: `true` means NEWSROOM_PERSISTED_QUERIES=trusted.",
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
        description="Largest request body with a well-formed token (article bodies are long).",
    )
    max_query_string_bytes: int = Field(
        default=8 * KIB,
        ge=KIB,
        description="Longest URL query string (a GET query and its variables).",
    )
    introspection: bool | None = Field(
        default=None,
        description="Answer schema introspection. Unset: on in development, off in production.",
    )
    field_suggestions: bool | None = Field(
        default=None,
        description=(
            'Add "Did you mean ...?" to errors. Unset: on in development, off in production.'
        ),
    )
    graphiql: bool | None = Field(
        default=None,
        description="Serve GraphiQL at /graphql. Unset: on in development, off in production.",
    )
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description=(
            "Comma-separated origins (`https://www.example.com`) whose pages may call the API "
            "with credentials. Empty: no cross-origin browser calls."
        ),
    )
    metrics: bool = Field(default=True, description="Serve Prometheus metrics at /metrics.")

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [origin.strip() for origin in value.split(",") if origin.strip()]
        return value

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

    def _unless_production(self, value: bool | None) -> bool:
        return value if value is not None else self.environment != "production"

    @property
    def serves_introspection(self) -> bool:
        return self._unless_production(self.introspection)

    @property
    def serves_field_suggestions(self) -> bool:
        return self._unless_production(self.field_suggestions)

    @property
    def serves_graphiql(self) -> bool:
        return self._unless_production(self.graphiql)

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
    voter_cookie_same_site: Literal["lax", "strict", "none"] = Field(
        default="lax",
        description="SameSite of the voter cookie. `none` lets a frontend on another site vote "
        "with credentials; the cookie is then always Secure, as browsers require.",
    )
    rate_limit_window: int = Field(
        default=600, ge=1, description="Seconds of each fixed rate-limit window."
    )
    vote_limit_per_address: int = Field(
        default=300,
        ge=0,
        description="Votes one client address may cast per window (0: no limit). Many readers "
        "can share an address (an office, a school), so this is generous.",
    )
    vote_limit_per_voter: int = Field(
        default=20, ge=0, description="Votes one voter cookie may cast per window (0: no limit)."
    )
    feedback_limit_per_address: int = Field(
        default=30,
        ge=0,
        description="Feedback notes one client address may send per window (0: no limit).",
    )
    feedback_limit_per_voter: int = Field(
        default=5,
        ge=0,
        description="Feedback notes one voter cookie may send per window (0: no limit).",
    )

    site_url: str = Field(
        default="http://localhost:3000",
        description="The public site's address (`https://news.example`): articles' `url` and "
        "their JSON-LD start with it.",
    )
    article_path: str = Field(
        default="/{section}/{slug}",
        description="Where an article lives on the site, after `site_url`: any of `{section}`, "
        "`{slug}`, `{id}`, `{year}`, `{month}`, `{day}` (of its publication, UTC).",
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
    live_max_subscriptions: int = Field(
        default=1000,
        ge=0,
        description="Live subscriptions (`ratingChanged`, `articlePublished`) one API process "
        "holds at most; more are refused until some end.",
    )
    live_max_subscriptions_per_client: int = Field(
        default=20,
        ge=0,
        description="Live subscriptions one client address may hold on one API process.",
    )
    live_queue_size: int = Field(
        default=64,
        ge=1,
        description="Updates waiting for one subscriber at most: a subscriber further behind is "
        "dropped (told to subscribe again and refetch) rather than buffered without end.",
    )
    live_queue_bytes: int = Field(
        default=4 * KIB * KIB,
        ge=KIB,
        description="Bytes of updates (articles as JSON) waiting for one subscriber at most; a "
        "subscriber further behind is dropped, as for `live_queue_size`.",
    )
    live_init_timeout: float = Field(
        default=10.0,
        gt=0,
        description="Seconds a WebSocket may stay open before `connection_init`.",
    )
    live_idle_timeout: float = Field(
        default=300.0,
        gt=0,
        description="Seconds a WebSocket may stay open with no subscription before it is closed.",
    )

    @field_validator("site_url", "publisher_logo_url")
    @classmethod
    def _absolute_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.query:
            raise ValueError("must be an absolute http(s) URL like https://news.example")
        return value.rstrip("/")

    @field_validator("article_path")
    @classmethod
    def _article_path(cls, value: str) -> str:
        names = {name for _, name, _, _ in Formatter().parse(value) if name is not None}
        if not value.startswith("/") or not names <= ARTICLE_PATH_FIELDS:
            raise ValueError(
                "must start with / and name only "
                + ", ".join(f"{{{name}}}" for name in sorted(ARTICLE_PATH_FIELDS))
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

    @property
    def persisted_queries_mode(self) -> Literal["open", "bounded", "trusted"]:
        if self.persisted_queries is not None:
            return self.persisted_queries
        # The old setting is read still, so that an upgrade never opens an API that was closed.
        return "trusted" if self.trusted_documents_only else "bounded"

    @model_validator(mode="after")
    def _closed_stays_closed(self) -> Self:
        if self.trusted_documents_only and self.persisted_queries not in (None, "trusted"):
            raise ValueError(
                "NEWSROOM_TRUSTED_DOCUMENTS_ONLY=true (deprecated) asks for trusted documents "
                f"only, but NEWSROOM_PERSISTED_QUERIES is `{self.persisted_queries}`: unset the "
                "deprecated one."
            )
        return self

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


def get_settings() -> Settings:
    """Settings as the environment says now (not cached: tests and tools change it)."""
    return Settings()
