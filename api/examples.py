"""Example operations shown in GraphiQL and the docs; tests run each one."""

ARTICLE_PAGE_QUERY = """\
# Everything a news article page shows, in one
# request.
query ArticlePage($slug: String!) {
  article(slug: $slug) {
    id
    headline
    publishedAt
    authors { name title url }
    credit
    image { url caption credit alt }
    body(format: HTML)
    tags { slug name }
    rating {
      id
      average
      count
      distribution { stars count }
    }
    related(first: 12) { headline slug excerpt }
  }
}
"""

ARTICLE_PAGE_VARIABLES = {"slug": "north-korea-sends-3000-more-troops-to-russia"}

LATEST_ARTICLES_QUERY = """\
# A front page: the newest articles, ten at a
# time. Pass `after: endCursor` for the next page.
query LatestArticles($after: String) {
  articles(first: 10, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges {
      cursor
      node { headline slug publishedAt section }
    }
  }
}
"""

TAG_PAGE_QUERY = """\
# A tag page: the tag, how many articles carry it,
# and the newest of them.
query TagPage($slug: String!) {
  tag(slug: $slug) {
    name
    description
    articleCount
    articles(first: 5) {
      nodes { headline slug publishedAt }
    }
  }
}
"""

VOTE_MUTATION = """\
# The star widget: rate an article (use an `id`
# from ArticlePage) and get its new rating. Voting
# again replaces this reader's stars (a cookie
# says who they are). The rating comes back inside
# the article, with its `id`: a normalizing cache
# (Apollo, Relay) updates the page as is.
mutation Vote($articleId: ID!, $stars: Int!) {
  vote(articleId: $articleId, stars: $stars) {
    __typename
    ... on VoteSuccess {
      article {
        id
        rating {
          id
          average
          count
          distribution { stars count }
        }
      }
    }
    ... on VoteError { code message }
    ... on RateLimited { retryAfter }
  }
}
"""

RATING_SUBSCRIPTION = """\
# Live stars: the article's rating now, then again
# after every vote, over a WebSocket (graphql-
# transport-ws on /graphql). Use an `id` from
# ArticlePage; vote in another tab.
subscription RatingChanged($articleId: ID!) {
  ratingChanged(articleId: $articleId) {
    id
    average
    count
    distribution { stars count }
  }
}
"""

ARTICLE_PUBLISHED_SUBSCRIPTION = """\
# A live front page: each article as it is
# published, by any editor, process or fixture
# load.
subscription ArticlePublished {
  articlePublished {
    id headline slug publishedAt
    section excerpt url
  }
}
"""

EXAMPLES = (ARTICLE_PAGE_QUERY, LATEST_ARTICLES_QUERY, TAG_PAGE_QUERY, VOTE_MUTATION)
SUBSCRIPTIONS = (RATING_SUBSCRIPTION, ARTICLE_PUBLISHED_SUBSCRIPTION)

# GraphiQL runs the operation under the cursor; the variables pane starts with the page's slug.
GRAPHIQL_DOCUMENT = "\n".join((*EXAMPLES, *SUBSCRIPTIONS))

EDITOR_QUERY = """\
# Editors and previewers: make a token with
# the CLI,
#
#   newsroom tokens create --name me --role editor
#
# and put it in this tab's Headers (below) in
# place of the placeholder. Then `preview: true`
# shows drafts, articles in review and scheduled
# ones, and editing mutations are allowed.
query Drafts {
  articles(
    first: 10
    preview: true
    filter: { status: DRAFT }
  ) {
    totalCount
    nodes {
      id headline slug status updatedAt version
    }
  }
}
"""

# Editors: send with Apollo Upload Client (`createUploadLink`), which turns the `File` in
# `$file` into a multipart request; GraphiQL cannot send files.
UPLOAD_IMAGE_MUTATION = """\
mutation UploadImage(
  $file: Upload!
  $details: ImageDetailsInput
) {
  uploadImage(file: $file, details: $details) {
    __typename
    ... on ImageUploaded {
      existed
      image {
        id width height
        focalPoint { x y }
      }
    }
    ... on UserError { code message }
    ... on ImageRefused { reason }
  }
}
"""

# GraphiQL's editor shows about 53 characters beside its toolbar at a laptop's width (1280
# pixels): the examples fit within this, so nothing a newcomer reads runs out of sight.
EDITOR_WIDTH = 50

EDITOR_HEADERS = {"Authorization": "Bearer paste-your-editor-token-here"}
