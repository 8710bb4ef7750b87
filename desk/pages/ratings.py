"""Ratings at the desk (`/desk/ratings`): the site's lowest- and highest-rated articles of the
last 30 days, and per article its stars as bars and its votes per day as a chart, drawn on the
server (`desk.charts`). Every number is read from the counters (`cms.engagement.standing`): an
article's page costs the same reads whatever its number of votes.
"""

from beanie import PydanticObjectId
from starlette.requests import Request
from starlette.responses import Response

from cms.access import Permission
from cms.articles import parse_object_id
from cms.clock import utcnow
from cms.engagement import feedback, standing
from cms.reading.catalog import Catalog
from desk.charts import daily_bars, star_bars
from desk.refusals import not_found
from desk.templates import page
from desk.visitors import require

# Articles in each of the site's two lists; notes shown under an article's chart.
LISTED = 10
NOTES = 5


async def ratings_page(request: Request) -> Response:
    found = await require(request, Permission.EDIT)
    catalog: Catalog = request.app.state.catalog
    lowest, highest = await standing.extremes(catalog, utcnow(), limit=LISTED)
    return page(
        "ratings.html",
        {
            "title": "Ratings",
            "here": "ratings",
            "visitor": found,
            "lowest": lowest,
            "highest": highest,
            "window": standing.WINDOW,
            "min_votes": standing.MIN_VOTES,
        },
    )


async def article_ratings(request: Request) -> Response:
    found = await require(request, Permission.EDIT)
    catalog: Catalog = request.app.state.catalog
    article_id = parse_object_id(request.path_params["article_id"])
    entry = catalog.get(article_id) if article_id is not None else None
    if entry is None or article_id is None:
        raise not_found("There is no article with this address; it may have been deleted.")
    object_id = PydanticObjectId(article_id)
    now = utcnow()
    held = await standing.standing(object_id, today=now.date())
    notes, more = await feedback.page_of_feedback(first=NOTES, before=None, article_id=object_id)
    return page(
        "article_ratings.html",
        {
            "title": f"Ratings: {entry.headline}",
            "here": "ratings",
            "visitor": found,
            "entry": entry,
            "summary": held.summary,
            "stars": star_bars(held.summary.distribution),
            "days": daily_bars(held.days),
            "votes_in_window": sum(count for _, count in held.days),
            "window": standing.WINDOW,
            "notes": [(note, entry) for note in notes],
            "more_notes": more,
        },
    )
