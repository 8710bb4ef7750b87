"""The articles list (`/desk/articles`) and an article's page (`/desk/articles/{id}`): the editor
for those who may change it (`desk.pages.editor`), else the article as it reads.

The list is the catalog's (`cms.reading.editorial`): filters, search, the two orders, pages by
cursor, counts per status. Every value in the address is checked: a filter that names no status
or order, or a cursor from another list, is refused with a page that says so.
"""

from dataclasses import dataclass, replace
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from cms import authors
from cms.access import may_read
from cms.articles import parse_object_id
from cms.clock import utcnow
from cms.errors import CallerError
from cms.reading import editorial
from cms.reading.catalog import Catalog
from cms.reading.editorial import ListFilter, ListOrder, ListPage, ListRequest
from cms.reading.lookups import all_tags, documents
from cms.status import ArticleStatus
from cms.visibility import Audience
from cms.workflow import rights
from desk.pages.editor import article_named, edit_page
from desk.pages.preview import preview_html
from desk.refusals import bad_request, forbidden, not_found
from desk.templates import page
from desk.visitors import Visitor, require

LIST = "/desk/articles"
SORTS = {
    ListOrder.CHANGED: "Last change",
    ListOrder.PUBLISHED: "Publication",
    ListOrder.RELEVANCE: "Best match",
}
COUNTED = {
    ArticleStatus.DRAFT: ("draft", "drafts"),
    ArticleStatus.REVIEW: ("in review", "in review"),
    ArticleStatus.SCHEDULED: ("scheduled", "scheduled"),
    ArticleStatus.PUBLISHED: ("published", "published"),
    ArticleStatus.ARCHIVED: ("archived", "archived"),
}
# Longest text a filter takes from the address.
MAX_TEXT = 200


@dataclass(frozen=True, slots=True)
class Query:
    """The list's address: its filters, order and position, as the browser sent them."""

    q: str = ""
    status: str = ""
    section: str = ""
    tag: str = ""
    author: str = ""
    mine: bool = False
    sort: str = ""
    after: str = ""
    before: str = ""

    @classmethod
    def of(cls, request: Request) -> "Query":
        params = request.query_params

        def text(name: str) -> str:
            return params.get(name, "").strip()[:MAX_TEXT]

        return cls(
            q=text("q"),
            status=text("status"),
            section=text("section"),
            tag=text("tag"),
            author=text("author"),
            mine=params.get("mine") == "1",
            sort=text("sort"),
            after=params.get("after", ""),
            before=params.get("before", ""),
        )

    def url(self, **changes: object) -> str:
        """This list with some values changed; a change of filter starts from the first page."""
        changed = replace(self, **{"after": "", "before": "", **changes})  # type: ignore[arg-type]
        values = {
            "q": changed.q,
            "status": changed.status,
            "section": changed.section,
            "tag": changed.tag,
            "author": changed.author,
            "mine": "1" if changed.mine else "",
            "sort": changed.sort,
            "after": changed.after,
            "before": changed.before,
        }
        query = urlencode({name: value for name, value in values.items() if value})
        return f"{LIST}?{query}" if query else LIST

    def wanted(self) -> tuple[ListFilter, ListOrder | None]:
        try:
            status = ArticleStatus(self.status) if self.status else None
            order = ListOrder(self.sort) if self.sort else None
        except ValueError:
            raise bad_request(
                "This list's address names a status or an order the desk does not know."
            ) from None
        wanted = ListFilter(
            status=status,
            section=self.section or None,
            tag=self.tag or None,
            author=self.author or None,
            mine=self.mine,
            search=self.q or None,
        )
        return wanted, order


def _tabs(query: Query, listed: ListPage) -> list[tuple[str, str, bool]]:
    total = sum(listed.counts.values())
    tabs = [
        (f"{total} in all", query.url(status="", mine=False), not query.status and not query.mine)
    ]
    for status, (one, many) in COUNTED.items():
        count = listed.counts[status]
        label = f"{count} {one if count == 1 else many}"
        tabs.append(
            (
                label,
                query.url(status=status.value, mine=False),
                query.status == status.value and not query.mine,
            )
        )
    tabs.append(
        (f"{listed.mine} mine", query.url(status="", mine=True), query.mine and not query.status)
    )
    return tabs


def _summary(listed: ListPage, shown: int) -> str:
    if listed.total is not None:
        return f"{listed.total} article{'s' if listed.total != 1 else ''} match."
    return f"{shown} article{'s' if shown != 1 else ''} on this page."


async def articles_page(request: Request) -> Response:
    found = await require(request)
    query = Query.of(request)
    wanted, order = query.wanted()
    catalog: Catalog = request.app.state.catalog
    try:
        request_ = ListRequest(
            wanted=wanted, order=order, after=query.after or None, before=query.before or None
        )
        listed = await editorial.list_page(
            catalog, reader=found.person.actor, request=request_, now=utcnow()
        )
    except CallerError as error:
        raise bad_request(f"{error} Start again from the first page.") from None
    shown_order = listed.order
    sorts = [
        (value.value, label)
        for value, label in SORTS.items()
        if value is not ListOrder.RELEVANCE or wanted.searching
    ]
    query = replace(query, sort=query.sort or shown_order.value)
    newer = query.url(before=listed.previous_cursor) if listed.previous_cursor else None
    older = query.url(after=listed.next_cursor) if listed.next_cursor else None
    tags = sorted((await all_tags(catalog)).values(), key=lambda tag: tag.name.casefold())
    sections = sorted(section for section, keys in catalog.by_section.items() if keys)
    return page(
        "articles.html",
        {
            "title": "Articles",
            "here": "articles",
            "visitor": found,
            "query": query,
            "rows": listed.articles,
            "bylines": await authors.bylines(listed.articles),
            "tabs": _tabs(query, listed),
            "summary": _summary(listed, len(listed.articles)),
            "caption": f"Articles, by {SORTS[shown_order].lower()}"
            + (" (newest first)" if shown_order is not ListOrder.RELEVANCE else ""),
            "sorts": sorts,
            "sections": sections,
            "tags": tags,
            "newer": newer,
            "older": older,
        },
    )


async def article_page(request: Request) -> Response:
    found: Visitor = await require(request)
    catalog: Catalog = request.app.state.catalog
    article_id = parse_object_id(request.path_params["article_id"])
    entry = catalog.get(article_id) if article_id is not None else None
    if entry is None:
        # Saved a moment ago through another process, perhaps: this one's catalog hears of it
        # shortly, and whoever may change it opens it from the store meanwhile.
        stored = await article_named(request.path_params["article_id"])
        if not rights.may_edit(
            found.person.actor, status=stored.status, created_by=stored.created_by_id
        ):
            raise not_found("There is no article with this address; it may have been deleted.")
        return await edit_page(request, found, stored)
    now = utcnow()
    live = entry.readable(Audience.PUBLIC, now)
    if not live and not may_read(found.person.actor, created_by=entry.creator):
        raise forbidden(
            f"Your role ({found.person.role}) opens the articles you created and those the public "
            "can read; this one is neither."
        )
    if rights.may_edit(found.person.actor, status=entry.status, created_by=entry.creator):
        stored = await article_named(str(entry.id))
        if rights.may_edit(
            found.person.actor, status=stored.status, created_by=stored.created_by_id
        ):
            return await edit_page(request, found, stored)
    held = await documents(catalog, [entry])
    article = held.get(entry.id)
    if article is None:
        raise not_found("This article was deleted a moment ago.")
    body = await preview_html(article.body)  # raw HTML in it is escaped
    return page(
        "article.html",
        {
            "title": article.headline,
            "here": "articles",
            "visitor": found,
            "article": article,
            "byline": (await authors.bylines([article]))[article.id],
            "live": live,
            "body": body,
        },
    )
