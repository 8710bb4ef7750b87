// examples/nextjs-redirects/middleware.js, called as Next.js calls it for each address given:
// prints what it answered for each (status and location, or null to go on) as JSON lines.
//
//   node next-redirects.mjs http://HOST/graphql https://site.example/?p=21 ...
const [graphql, ...addresses] = process.argv.slice(2);
process.env.NEWSROOM_GRAPHQL_URL = graphql;
const { middleware } = await import(
  new URL("../../examples/nextjs-redirects/middleware.js", import.meta.url)
);

for (const address of addresses) {
  const response = await middleware(new Request(address));
  const answer = response
    ? { address, status: response.status, location: response.headers.get("location") }
    : { address, status: null, location: null };
  console.log(JSON.stringify(answer));
}
