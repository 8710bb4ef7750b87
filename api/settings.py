"""Settings only the API reads: GraphQL limits, caching, persisted queries, GraphiQL, voters,
reader rate limits and live updates.

They are read like cms's (`cms.config`), from `NEWSROOM_<NAME>` and `.env`: `Settings` here is
cms's with these added, the one object the app is built with (`newsroom.app`), and the one list
the README's Configuration table is printed from (`scripts/settings_table.py`).
"""

from typing import Literal, Self

from pydantic import Field, model_validator

from cms import config
from cms.config import KIB


class Settings(config.Settings):
    """cms's settings and the API's own; every one is `NEWSROOM_<NAME>` in the environment."""

    cache_max_age: int = Field(
        default=60,
        ge=0,
        description="Seconds shared caches may keep a successful GET query response (0: none).",
    )
    max_query_cost: int = Field(
        default=5000,
        ge=1,
        description="The most a query may cost: one point per object in the answer, ten per "
        "article body, lists multiplied by their page size (api/extensions/cost.py).",
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
    voter_cookie_same_site: Literal["lax", "strict", "none"] = Field(
        default="lax",
        description="SameSite of the voter cookie. `none` lets a frontend on another site vote "
        "with credentials; the cookie is then always Secure, as browsers require.",
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


def get_settings() -> Settings:
    """Settings as the environment says now (not cached: tests and tools change it)."""
    return Settings()
