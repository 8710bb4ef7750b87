"""`article(slug:, preview: true)` through a shareable preview link (`cms.preview_links`).

The link's token reads its one article in any status, and nothing more: the article comes back
as the public would see its neighbours, so its nested fields (`related`, `tags { articles }`,
`articleCount`) show only public articles, and every other field or query with the token reads
what the public reads (`preview: true` elsewhere is refused, as for any token that may not
preview).
"""

from api.articles.types import Article
from api.coded_errors import Unauthenticated
from api.context import Info
from cms.visibility import Audience


async def shared_preview(info: Info, slug: str) -> Article | None:
    """The link's article if it has this slug; null for any other slug."""
    secret = info.context.settings.secret_key.get_secret_value()
    grant = await info.context.viewer.preview_grant(secret)
    if grant is None:
        raise Unauthenticated("The preview link is not valid: it is malformed, expired or revoked.")
    by_id, _ = Article.finders(info.context.loaders_for(Audience.PREVIEW))
    found = await by_id.load(grant.article_id)
    if found is None or found.slug != slug:
        return None
    return Article.from_document(found, Audience.PUBLIC)
