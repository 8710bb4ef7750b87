"""Example operations shown in GraphiQL and the README; tests run each one."""

ARTICLE_PAGE_QUERY = """\
# Everything a news article page shows, in one request.
query ArticlePage($slug: String!) {
  article(slug: $slug) {
    id
    headline
    publishedAt
    author
    image { url caption credit alt }
    body(format: HTML)
    tags { slug name }
    rating { average count distribution { stars count } }
    related(first: 12) { headline slug excerpt }
  }
}
"""

ARTICLE_PAGE_VARIABLES = {"slug": "north-korea-sends-3000-more-troops-to-russia"}

LATEST_ARTICLES_QUERY = """\
# A front page: the newest articles, ten at a time. Pass `after: endCursor` for the next page.
query LatestArticles($after: String) {
  articles(first: 10, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node { headline slug publishedAt section } }
  }
}
"""

TAG_PAGE_QUERY = """\
# A tag page: the tag, how many articles carry it, and the newest of them.
query TagPage($slug: String!) {
  tag(slug: $slug) {
    name
    description
    articleCount
    articles(first: 5) { nodes { headline slug publishedAt } }
  }
}
"""

VOTE_MUTATION = """\
# The star widget: rate an article (use an `id` from ArticlePage) and get its new rating.
# Voting again replaces this reader's stars (a cookie says who they are).
mutation Vote($articleId: ID!, $stars: Int!) {
  vote(articleId: $articleId, stars: $stars) {
    __typename
    ... on VoteSuccess { rating { average count } }
    ... on VoteError { code message }
    ... on RateLimited { retryAfter }
  }
}
"""

EXAMPLES = (ARTICLE_PAGE_QUERY, LATEST_ARTICLES_QUERY, TAG_PAGE_QUERY, VOTE_MUTATION)

# GraphiQL runs the operation under the cursor; the variables pane starts with the page's slug.
GRAPHIQL_DOCUMENT = "\n".join(EXAMPLES)
