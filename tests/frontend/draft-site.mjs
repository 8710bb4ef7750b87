// A stand-in for a Next.js site, for the browser story: its draft-mode route is
// examples/nextjs-draft/route.js itself (next/headers and next/navigation stubbed), and its
// article page reads the article with the preview cookie's token while draft mode is on, as the
// example says a site's page does.
import "./next-stubs/register.mjs";
import { createServer } from "node:http";
import { seen } from "./next-stubs/headers.mjs";
import { Redirected } from "./next-stubs/navigation.mjs";

const READ = `query ($slug: String!, $preview: Boolean!) {
  article(slug: $slug, preview: $preview) { headline status }
}`;

const escape = (text) =>
  String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function send(response, status, body) {
  response.writeHead(status, { "content-type": "text/html; charset=utf-8" });
  response.end(
    `<!doctype html><html lang="en"><head><title>The site</title></head><body><main>${body}</main></body></html>`,
  );
}

function cookie(request, name) {
  const found = (request.headers.cookie || "")
    .split(/;\s*/)
    .find((pair) => pair.startsWith(`${name}=`));
  return found ? decodeURIComponent(found.slice(name.length + 1)) : null;
}

async function draftRoute(GET, url, response) {
  seen.draft = false;
  seen.cookies = {};
  try {
    const answer = await GET(new Request(url));
    send(response, answer.status, `<h1>No preview</h1><p>${escape(await answer.text())}</p>`);
  } catch (error) {
    if (!(error instanceof Redirected)) throw error;
    // What Next.js sends for draftMode().enable() and cookies().set(), over plain http here.
    const cookies = Object.entries(seen.cookies).map(
      ([name, set]) => `${name}=${encodeURIComponent(set.value)}; Path=/; HttpOnly; SameSite=Lax`,
    );
    if (seen.draft) cookies.push("__prerender_bypass=1; Path=/; HttpOnly; SameSite=Lax");
    response.writeHead(307, { location: error.location, "set-cookie": cookies });
    response.end();
  }
}

async function articlePage(graphql, slug, request, response) {
  const token = cookie(request, "newsroom-preview");
  const preview = Boolean(token && cookie(request, "__prerender_bypass"));
  const answer = await fetch(graphql, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(preview ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify({ query: READ, variables: { slug, preview } }),
  });
  const found = (await answer.json()).data?.article;
  if (!found) return send(response, 404, "<h1>Not found</h1>");
  const note = found.status === "PUBLISHED" ? "" : `<p>Draft preview (${escape(found.status)})</p>`;
  send(response, 200, `<h1>${escape(found.headline)}</h1>${note}`);
}

// Serves the site on 127.0.0.1:`port` until the process ends.
export async function startSite(graphql, port) {
  process.env.NEWSROOM_GRAPHQL_URL = graphql;
  const { GET } = await import(new URL("../../examples/nextjs-draft/route.js", import.meta.url));
  const server = createServer((request, response) => {
    const url = new URL(request.url, `http://127.0.0.1:${port}`);
    const article = url.pathname.match(/^\/articles\/([^/]+)$/);
    const done = url.pathname === "/api/draft"
      ? draftRoute(GET, url, response)
      : article
        ? articlePage(graphql, decodeURIComponent(article[1]), request, response)
        : Promise.resolve(send(response, 404, "<h1>Not found</h1>"));
    done.catch((error) => send(response, 500, `<h1>Error</h1><p>${escape(error)}</p>`));
  });
  await new Promise((resolve) => server.listen(port, "127.0.0.1", resolve));
  return server;
}
