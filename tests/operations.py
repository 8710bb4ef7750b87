"""The mutations many tests send, declared once; each test picks what it reads of the result."""


def vote_operation(selection: str = "__typename") -> str:
    """A reader's `vote`, its result read through `selection`."""
    return (
        "mutation ($articleId: ID!, $stars: Int!) "
        f"{{ vote(articleId: $articleId, stars: $stars) {{ {selection} }} }}"
    )


def update_article_operation(selection: str = "__typename") -> str:
    """An editor's `updateArticle`, its result read through `selection`."""
    return (
        "mutation ($id: ID!, $version: Int!, $input: ArticlePatch!) "
        f"{{ updateArticle(id: $id, version: $version, input: $input) {{ {selection} }} }}"
    )


# Only whether it worked.
VOTE = vote_operation()
UPDATE_ARTICLE = update_article_operation()
