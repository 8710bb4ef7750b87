"""The desk as a face of the app (`web.app.Face`): its pages under /desk and its files under
/desk/assets/, mounted by the composition root beside the GraphQL API.

The desk's cookie authenticates the desk only: the API reads tokens from the `Authorization`
header and nothing else, so a browser that holds a desk session and visits a page that calls
`/graphql` with credentials is still anonymous there.
"""

import contextlib
from collections.abc import AsyncIterator

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from cms.config import Settings
from desk.answers import answered
from desk.assets import DESK
from desk.back_office import METRIC_ROUTES, ROUTES
from desk.pages import authors, image, image_picker, media, preview_links, review, revisions, tags
from desk.pages.articles import article_page, articles_page
from desk.pages.editor import create, new_page, save
from desk.pages.login import login, login_page, logout
from desk.pages.moves import delete, delete_page, move
from desk.pages.password import password_page, set_password
from desk.pages.preview import pick, preview
from desk.state import Desk
from web.app import Face, Runtime


async def home(request: Request) -> Response:
    return RedirectResponse("/desk/articles", 303)


def desk_face(settings: Settings) -> Face:
    """The desk's routes, and its state on the app while it runs."""

    @contextlib.asynccontextmanager
    async def lifespan(runtime: Runtime) -> AsyncIterator[None]:
        runtime.app.state.desk = Desk.of(settings)
        yield

    routes: list[BaseRoute] = [
        Route("/desk", home, methods=["GET"]),
        Route("/desk/", home, methods=["GET"]),
        Route("/desk/login", answered(login_page), methods=["GET"]),
        Route("/desk/login", answered(login), methods=["POST"]),
        Route("/desk/logout", answered(logout), methods=["POST"]),
        Route("/desk/password/{token}", answered(password_page), methods=["GET"]),
        Route("/desk/password/{token}", answered(set_password), methods=["POST"]),
        Route("/desk/articles", answered(articles_page), methods=["GET"]),
        Route("/desk/articles/new", answered(new_page), methods=["GET"]),
        Route("/desk/articles/new", answered(create), methods=["POST"]),
        Route("/desk/articles/{article_id}", answered(article_page), methods=["GET"]),
        Route("/desk/authors", answered(authors.authors_page), methods=["GET"]),
        Route("/desk/authors/new", answered(authors.new_page), methods=["GET"]),
        Route("/desk/authors/new", answered(authors.save), methods=["POST"]),
        Route("/desk/authors/{author_id}", answered(authors.author_page), methods=["GET"]),
        Route("/desk/authors/{author_id}", answered(authors.save), methods=["POST"]),
        Route("/desk/media", answered(media.media_page), methods=["GET"]),
        Route("/desk/review", answered(review.review_page), methods=["GET"]),
        Route("/desk/tags", answered(tags.tags_page), methods=["GET"]),
        Route("/desk/tags", answered(tags.create), methods=["POST"]),
        Route("/desk/tags/{tag_id}", answered(tags.tag_page), methods=["GET"]),
        Route("/desk/tags/{tag_id}", answered(tags.save), methods=["POST"]),
        Route("/desk/tags/{tag_id}/merge", answered(tags.merge), methods=["POST"]),
        Route("/desk/media", answered(media.upload), methods=["POST"]),
        Route("/desk/media/{image_id}", answered(image.image_page), methods=["GET"]),
        Route("/desk/media/{image_id}", answered(image.save), methods=["POST"]),
        Route("/desk/media/{image_id}/original", answered(media.original), methods=["GET"]),
        Route("/desk/media/{image_id}/delete", answered(image.delete_page), methods=["GET"]),
        Route("/desk/media/{image_id}/delete", answered(image.delete), methods=["POST"]),
        Route("/desk/articles/{article_id}", answered(save), methods=["POST"]),
        Route("/desk/articles/{article_id}/move", answered(move), methods=["POST"]),
        Route(
            "/desk/articles/{article_id}/preview-links",
            answered(preview_links.links_page),
            methods=["GET"],
        ),
        Route(
            "/desk/articles/{article_id}/preview-links",
            answered(preview_links.make),
            methods=["POST"],
        ),
        Route(
            "/desk/articles/{article_id}/preview-links/{link_id}/revoke",
            answered(preview_links.revoke),
            methods=["POST"],
        ),
        Route(
            "/desk/articles/{article_id}/revisions",
            answered(revisions.revisions_page),
            methods=["GET"],
        ),
        Route(
            "/desk/articles/{article_id}/revisions/compare",
            answered(revisions.compare_page),
            methods=["GET"],
        ),
        Route(
            "/desk/articles/{article_id}/revisions/{version:int}/restore",
            answered(revisions.restore),
            methods=["POST"],
        ),
        Route("/desk/articles/{article_id}/delete", answered(delete_page), methods=["GET"]),
        Route("/desk/articles/{article_id}/delete", answered(delete), methods=["POST"]),
        Route("/desk/preview", answered(preview), methods=["POST"]),
        Route("/desk/pick/image", answered(image_picker.pick_image), methods=["GET"]),
        Route("/desk/pick/{field}", answered(pick), methods=["GET"]),
        *ROUTES,
        Route(DESK.route_path, DESK.endpoint(), methods=["GET"]),
    ]
    return Face(
        routes=routes,
        lifespan=lifespan,
        metric_routes={
            "/desk/login": "desk_login",
            "/desk/articles": "desk_articles",
            "/desk/logout": "desk_logout",
            "/desk/media": "desk_media",
            "/desk/review": "desk_review",
            "/desk/tags": "desk_tags",
            "/desk/authors": "desk_authors",
            "/desk/articles/new": "desk_new_article",
            "/desk/preview": "desk_preview",
            **METRIC_ROUTES,
        },
        reads_own_bodies=("/desk/",),
    )
