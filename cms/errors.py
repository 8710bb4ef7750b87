"""Expected failures of cms operations; the API edge turns them into typed results."""


class CmsError(Exception):
    """Base class for the errors cms raises on purpose."""


class ArticleNotFoundError(CmsError):
    def __init__(self, article_id: str) -> None:
        super().__init__(f"No published article has the ID {article_id!r}.")
        self.article_id = article_id


class InvalidStarsError(CmsError):
    def __init__(self, stars: int) -> None:
        super().__init__(f"Stars must be a whole number from 1 to 5; got {stars}.")
        self.stars = stars


class InvalidCursorError(CmsError):
    def __init__(self, cursor: str) -> None:
        super().__init__(f"{cursor!r} is not a cursor from this list and order.")


class PageSizeError(CmsError):
    def __init__(self, argument: str, value: int, maximum: int) -> None:
        super().__init__(f"`{argument}` must be between 0 and {maximum}; got {value}.")


class StoreUnavailableError(CmsError):
    """The embedded store could not be started or reached."""
