// A Next.js site's middleware that keeps old addresses working: WordPress permalinks of imported
// posts (`/2019/05/02/slug/`, `/?p=123`) and where published articles were before their address
// changed. Put it at the root of the app as middleware.js and set NEWSROOM_GRAPHQL_URL to
// Newsroom's /graphql.
//
// Newsroom answers `redirect(path:)` with the article's address now (never a chain) and the
// status to answer with (301, or 308 with NEWSROOM_REDIRECT_STATUS=308); null when the address
// leads nowhere a reader may go. It asks with GET, so a CDN in front of Newsroom caches the
// answers like any other query's.
const QUERY = "query Redirect($path: String!) { redirect(path: $path) { location statusCode } }";

export async function middleware(request) {
  const { pathname, search } = new URL(request.url);
  const address = new URL(process.env.NEWSROOM_GRAPHQL_URL);
  address.searchParams.set("query", QUERY);
  address.searchParams.set("variables", JSON.stringify({ path: pathname + search }));
  const answer = await fetch(address, { headers: { accept: "application/graphql-response+json" } });
  if (!answer.ok) return undefined; // Newsroom unreachable: serve the page as if no redirect
  const { data } = await answer.json();
  if (!data?.redirect) return undefined; // not an old address: Next.js goes on
  return Response.redirect(data.redirect.location, data.redirect.statusCode);
}

// Only addresses the site's own pages don't serve: WordPress's date permalinks and `?p=` links.
// Add the patterns of the old site's other permalinks here.
export const config = {
  matcher: ["/:year(\\d{4})/:path*", "/"],
};
