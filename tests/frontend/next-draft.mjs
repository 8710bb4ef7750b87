// examples/nextjs-draft/route.js, called as Next.js calls it for a preview link's address:
// prints what it answered (status, draft mode, cookie, redirect) as one line of JSON.
//
//   node --import ./next-stubs/register.mjs next-draft.mjs http://HOST/graphql 'LINK'
import { seen } from "./next-stubs/headers.mjs";
import { Redirected } from "./next-stubs/navigation.mjs";

const [graphql, link] = process.argv.slice(2);
process.env.NEWSROOM_GRAPHQL_URL = graphql;
const { GET } = await import(new URL("../../examples/nextjs-draft/route.js", import.meta.url));

let result;
try {
  const response = await GET(new Request(link));
  result = { status: response.status, body: await response.text() };
} catch (error) {
  if (!(error instanceof Redirected)) throw error;
  result = { status: 307, location: error.location };
}
console.log(JSON.stringify({ ...result, draft: seen.draft, cookies: seen.cookies }));
