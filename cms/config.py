"""Newsroom's settings: read once from the environment and an optional `.env` file."""

from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every setting is `NEWSROOM_<NAME>` in the environment; `MONGODB_URI` is also accepted."""

    model_config = SettingsConfigDict(
        env_prefix="NEWSROOM_", env_file=".env", extra="ignore", populate_by_name=True
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
    log_level: Literal["critical", "error", "warning", "info", "debug"] = "info"
    environment: Literal["development", "production"] = Field(
        default="development",
        description="`production` masks unexpected errors in GraphQL responses.",
    )


def get_settings() -> Settings:
    """Settings as the environment says now (not cached: tests and tools change it)."""
    return Settings()
