"""What the desk answers when it will not do what was asked: a page that says why, with the
status that fits, and nothing changed. Unexpected failures are logged with the request's id and
shown as that id only: a page never shows a traceback or a store's address."""

from collections.abc import Mapping


class DeskRefusal(Exception):
    """Refuse the request with a page: `status`, a short `title`, and what to do now."""

    def __init__(
        self,
        status: int,
        title: str,
        message: str,
        *,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.title = title
        self.message = message
        self.headers = dict(headers or {})


def forbidden(message: str) -> DeskRefusal:
    return DeskRefusal(403, "Not allowed", message)


def not_found(message: str = "There is no such page in the desk.") -> DeskRefusal:
    return DeskRefusal(404, "Not found", message)


def bad_request(message: str) -> DeskRefusal:
    return DeskRefusal(400, "Not understood", message)
