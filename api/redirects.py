"""Old addresses: where a frontend's middleware sends a reader who asks for one."""

from typing import Annotated

import strawberry

from api.articles.types import Article
from api.context import Info
from api.tags.types import Tag
from cms import presentation, redirects
from cms.cache_tags import LISTS
from cms.visibility import Audience


@strawberry.type(
    description="Where an old address now lives: answer the reader with `statusCode` and a "
    "`Location` header of `location`."
)
class Redirect:
    location: str = strawberry.field(
        description="The article's address now (its `url`), wherever it moved since."
    )
    status_code: int = strawberry.field(
        description="301 (moved permanently) or 308 (the same, keeping the method), as "
        "`NEWSROOM_REDIRECT_STATUS` says."
    )
    article: Article | None = strawberry.field(
        description="The article the address leads to; null when it leads to a tag's page."
    )
    tag: Tag | None = strawberry.field(
        description="The tag whose page the address leads to (a merged tag's page leads to the "
        "tag it was merged into); null when it leads to an article."
    )


@strawberry.type
class RedirectQuery:
    @strawberry.field(
        description="Where an old address leads: a WordPress permalink (`/2019/05/slug/`, "
        "`/?p=12`) of an imported post, where a published article was before its address "
        "changed, or a merged tag's page. Null when the address leads nowhere the reader may "
        "go, or to where it is."
    )
    async def redirect(
        self,
        info: Info,
        path: Annotated[
            str,
            strawberry.argument(
                description="The address asked for: its path and query (`/?p=12`), or a whole "
                "URL (the host is ignored)."
            ),
        ],
    ) -> Redirect | None:
        loaders = info.context.loaders_for(Audience.PUBLIC)
        # An address that has no redirect yet may get one from any import or move.
        loaders.tags.add(LISTS)
        found = await redirects.find(path)
        settings = info.context.settings
        if found is not None and found.tag_id is not None:
            tag = await loaders.tag_by_id.load(found.tag_id)
            if tag is None:
                return None
            location = settings.site_url + settings.tag_path.format(slug=tag.slug)
            return Redirect(
                location=location,
                status_code=settings.redirect_status,
                article=None,
                tag=Tag.from_document(tag, Audience.PUBLIC),
            )
        article_id = await redirects.target_of(found) if found else None
        article = await loaders.article_by_id.load(article_id) if article_id else None
        if article is None:
            return None
        location = presentation.article_url(article, settings)
        if redirects.redirect_key(location) == redirects.redirect_key(path):
            return None  # it lives there again
        return Redirect(
            location=location,
            status_code=settings.redirect_status,
            article=Article.from_document(article, Audience.PUBLIC),
            tag=None,
        )
