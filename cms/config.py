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
    log_level: Literal["critical", "error", "warning", "info", "debug"] = "info"
    environment: Literal["development", "production"] = Field(
        default="development",
        description="`production` masks unexpected errors in GraphQL responses.",
    )


def get_settings() -> Settings:
    """Settings as the environment says now (not cached: tests and tools change it)."""
    return Settings()
