// A Next.js (App Router) route handler for Newsroom's webhooks: POST /api/revalidate.
// It checks the signature over the raw body, then revalidates every cache tag the change made
// stale. Tag your fetches with the same strings Newsroom sends as `Surrogate-Key`, e.g.
//   fetch(url, { next: { tags: ["feeds", `article:${id}`] } })
// Set NEWSROOM_WEBHOOK_SECRET to the secret `newsroom webhooks add` printed.
import { createHmac, timingSafeEqual } from "node:crypto";
import { revalidateTag } from "next/cache";

const TOLERANCE = 300; // seconds: refuse deliveries signed longer ago (replays)

export function verify(secret, header, body, now = Date.now() / 1000) {
  const fields = Object.fromEntries(
    header.split(",").filter((part) => part.includes("=")).map((part) => {
      const at = part.indexOf("=");
      return [part.slice(0, at), part.slice(at + 1)];
    }),
  );
  const timestamp = fields.t ?? "";
  if (!/^\d+$/.test(timestamp) || Math.abs(now - Number(timestamp)) > TOLERANCE) return false;
  const expected = createHmac("sha256", secret).update(`${timestamp}.`).update(body).digest();
  const given = Buffer.from(fields.v1 ?? "", "hex");
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export async function POST(request) {
  const body = Buffer.from(await request.arrayBuffer());
  const secret = process.env.NEWSROOM_WEBHOOK_SECRET ?? "";
  if (!verify(secret, request.headers.get("newsroom-signature") ?? "", body)) {
    return new Response("Not signed by Newsroom, altered, or replayed.", { status: 400 });
  }
  const delivery = JSON.parse(body.toString("utf8"));
  // `site` alone (a change too large to list) is a tag every answer carries: tag your fetches
  // with it too, and this purges everything.
  for (const tag of delivery.cache_tags) revalidateTag(tag);
  return Response.json({ revalidated: delivery.cache_tags });
}
