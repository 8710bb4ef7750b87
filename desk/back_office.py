"""The routes of the desk's back office: ratings and feedback, one's own API tokens, and the
admins' pages (people, tokens, webhooks). Kept apart from the writing pages in `desk.face`."""

from starlette.routing import BaseRoute, Route

from desk.answers import answered
from desk.pages import admin, admin_webhooks, feedback, ratings, tokens

ROUTES: list[BaseRoute] = [
    Route("/desk/ratings", answered(ratings.ratings_page), methods=["GET"]),
    Route("/desk/ratings/{article_id}", answered(ratings.article_ratings), methods=["GET"]),
    Route("/desk/feedback", answered(feedback.inbox), methods=["GET"]),
    Route(
        "/desk/feedback/{feedback_id}/handled", answered(feedback.mark_handled), methods=["POST"]
    ),
    Route("/desk/tokens", answered(tokens.tokens_page), methods=["GET"]),
    Route("/desk/tokens", answered(tokens.create), methods=["POST"]),
    Route("/desk/tokens/{name}/revoke", answered(tokens.revoke), methods=["POST"]),
    Route("/desk/admin", answered(admin.admin_page), methods=["GET"]),
    Route("/desk/admin/people", answered(admin.invite), methods=["POST"]),
    Route("/desk/admin/people/{person_id}/role", answered(admin.set_role), methods=["POST"]),
    Route("/desk/admin/people/{person_id}/disable", answered(admin.disable), methods=["POST"]),
    Route("/desk/admin/people/{person_id}/enable", answered(admin.enable), methods=["POST"]),
    Route("/desk/admin/people/{person_id}/link", answered(admin.link), methods=["POST"]),
    Route("/desk/admin/tokens/{name}/revoke", answered(admin.revoke_token), methods=["POST"]),
    Route("/desk/admin/webhooks", answered(admin_webhooks.webhooks_page), methods=["GET"]),
    Route("/desk/admin/webhooks", answered(admin_webhooks.add), methods=["POST"]),
    Route(
        "/desk/admin/webhooks/{endpoint_id}",
        answered(admin_webhooks.endpoint_page),
        methods=["GET"],
    ),
    *(
        Route(
            f"/desk/admin/webhooks/{{endpoint_id}}/{action}",
            answered(handler),
            methods=["POST"],
        )
        for action, handler in (
            ("disable", admin_webhooks.disable),
            ("enable", admin_webhooks.enable),
            ("rotate", admin_webhooks.rotate),
        )
    ),
    Route(
        "/desk/admin/webhooks/{endpoint_id}/deliveries/{delivery_id}/again",
        answered(admin_webhooks.send_again),
        methods=["POST"],
    ),
]
# Metrics by these names rather than by address (addresses hold ids).
METRIC_ROUTES = {
    "/desk/ratings": "desk_ratings",
    "/desk/feedback": "desk_feedback",
    "/desk/tokens": "desk_tokens",
    "/desk/admin": "desk_admin",
    "/desk/admin/webhooks": "desk_admin_webhooks",
}
