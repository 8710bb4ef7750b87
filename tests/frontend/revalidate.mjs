// Runs examples/nextjs/app/api/revalidate/route.js as Next.js would call it, behind a plain
// HTTP server on the port given, and prints one JSON line per request it answered: the status
// and the tags `revalidateTag` was called with. A forged copy of each delivery is refused.
//   NEWSROOM_WEBHOOK_SECRET=whsec_... node revalidate.mjs PORT
import { register } from "node:module";
import http from "node:http";

register("./next-cache-hooks.mjs", import.meta.url);
const { POST } = await import("../../examples/nextjs/app/api/revalidate/route.js");
const { revalidated } = await import("./next-cache-stub.mjs");

async function answer(headers, body) {
  const request = new Request("http://localhost/api/revalidate", { method: "POST", headers, body });
  const before = revalidated.length;
  const response = await POST(request);
  return { status: response.status, tags: revalidated.slice(before) };
}

const server = http.createServer(async (incoming, outgoing) => {
  const chunks = [];
  for await (const chunk of incoming) chunks.push(chunk);
  const body = Buffer.concat(chunks);
  const headers = Object.fromEntries(
    Object.entries(incoming.headers).map(([name, value]) => [name, String(value)]),
  );
  const real = await answer(headers, body);
  const forged = await answer(headers, Buffer.from(body.toString("utf8").replace("article", "Article")));
  console.log(JSON.stringify({ ...real, body: JSON.parse(body.toString("utf8")), forged }));
  outgoing.writeHead(real.status);
  outgoing.end();
});
server.listen(Number(process.argv[2]), "127.0.0.1", () => console.log("listening"));
