// A Next.js (App Router) site's draft-mode route, for Newsroom's shareable preview links.
// Put it at app/api/draft/route.js and set Newsroom's NEWSROOM_PREVIEW_URL to
//   https://www.example.com/api/draft?slug={slug}&secret={token}
// and this site's NEWSROOM_GRAPHQL_URL to Newsroom's /graphql.
//
// The link's token reads its one article with `preview: true` (nothing else that is not public).
// This route checks it by asking for that article, then turns on draft mode and keeps the token
// in a cookie for the article page, which sends it as `Authorization: Bearer <token>` with
// `preview: true` while `draftMode().isEnabled`. A tampered, expired or revoked link is refused.
import { cookies, draftMode } from "next/headers";
import { redirect } from "next/navigation";

const CHECK = `query DraftCheck($slug: String!) {
  article(slug: $slug, preview: true) { slug }
}`;

export async function GET(request) {
  const { searchParams } = new URL(request.url);
  const slug = searchParams.get("slug");
  const secret = searchParams.get("secret");
  if (!slug || !secret) {
    return new Response("This preview link is incomplete.", { status: 401 });
  }
  const answer = await fetch(process.env.NEWSROOM_GRAPHQL_URL, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${secret}` },
    body: JSON.stringify({ query: CHECK, variables: { slug } }),
  });
  const { data } = await answer.json();
  if (!data?.article) {
    return new Response("This preview link is not valid: it may have expired or been revoked.", {
      status: 401,
    });
  }
  (await draftMode()).enable();
  (await cookies()).set("newsroom-preview", secret, {
    httpOnly: true,
    sameSite: "lax",
    secure: true,
    path: "/",
  });
  redirect(`/articles/${encodeURIComponent(data.article.slug)}`);
}
