"""The `Subscription` root: live ratings and publications, over WebSocket (graphql-transport-ws)."""

from collections.abc import AsyncGenerator

import strawberry

from api.articles.types import Article, ArticleId
from api.coded_errors import BadUserInput
from api.context import Info
from api.live.hub import PUBLISHED, Hub, Topic
from api.nodes import node_id_of
from api.ratings.types import Rating
from cms.articles import parse_object_id
from cms.visibility import Audience
from web.forwarded import client_key


def _hub(info: Info) -> tuple[Hub, str]:
    request = info.context.request
    hub: Hub = request.app.state.hub
    return hub, client_key(request, info.context.settings.trusted_proxies)


@strawberry.type
class LiveSubscription:
    @strawberry.subscription(
        description="A published article's rating: first as it is now, then again after every "
        "vote on it, from any API process (votes close together may arrive as one update)."
    )
    async def rating_changed(
        self,
        info: Info,
        article_id: ArticleId,
    ) -> AsyncGenerator[Rating]:
        info.context.forget_loaded()
        node_id = node_id_of(article_id, "Article")
        object_id = parse_object_id(node_id) if node_id else None
        found = await info.context.loaders.article_by_id.load(object_id) if object_id else None
        if object_id is None or found is None:
            raise BadUserInput(f"No published article has the ID {article_id!r}.")
        hub, client = _hub(info)
        async with hub.subscribe(Topic.rating(object_id), client=client) as subscriber:
            yield Rating.from_summary(
                await info.context.loaders.rating_by_article_id.load(object_id), object_id
            )
            async for summary in subscriber.updates():
                yield Rating.from_summary(summary, object_id)

    @strawberry.subscription(
        description="Each article as it becomes public (published, or its scheduled time come), "
        "from any API process or fixture load: for live front pages."
    )
    async def article_published(self, info: Info) -> AsyncGenerator[Article]:
        hub, client = _hub(info)
        async with hub.subscribe(PUBLISHED, client=client) as subscriber:
            async for document in subscriber.updates():
                # Fields such as `rating` are read anew for each article, not from the
                # connection's first push.
                info.context.forget_loaded()
                yield Article.from_document(document, Audience.PUBLIC)
