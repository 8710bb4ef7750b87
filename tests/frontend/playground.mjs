// GraphiQL as a person opens it, in Debian's headless Chromium (never a downloaded browser):
// the page renders, the article page example runs and shows its data, and nothing is requested
// from any host but the server. Prints one JSON report; saves a screenshot when it fails.
//
//   node playground.mjs http://127.0.0.1:PORT/graphql SCREENSHOT.png
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

const [url, screenshot] = process.argv.slice(2);
const origin = new URL(url);
const report = { requests: [], sockets: [], refused: [], errors: [], response: "", socket: "" };

function ours(address) {
  const parsed = new URL(address);
  return parsed.hostname === origin.hostname && parsed.port === origin.port;
}

const profile = mkdtempSync(join(tmpdir(), "newsroom-chromium-"));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-dev-shm-usage",
  ],
});
// Whatever would leave the machine is refused and reported, so the test needs no network.
await context.route("**/*", (route) => {
  const address = route.request().url();
  if (address.startsWith("data:") || ours(address)) return route.continue();
  report.refused.push(address);
  return route.abort();
});
context.on("request", (request) => report.requests.push(request.url()));

const page = context.pages()[0] ?? (await context.newPage());
page.on("websocket", (socket) => report.sockets.push(socket.url()));
page.on("pageerror", (error) => report.errors.push(String(error)));
page.on("console", (message) => {
  if (message.type() === "error") report.errors.push(message.text());
});

let failed = null;
try {
  await page.goto(url, { waitUntil: "load" });
  const line = page.locator(".graphiql-query-editor .CodeMirror-line", {
    hasText: "query ArticlePage",
  });
  await line.first().waitFor({ timeout: 30000 });
  // The cursor in ArticlePage picks it among the examples; Ctrl-Enter runs it.
  await line.first().click();
  await page.keyboard.press("Control+Enter");
  const result = page.locator(".graphiql-response .CodeMirror");
  await result.filter({ hasText: '"headline"' }).first().waitFor({ timeout: 30000 });
  report.response = await result.first().innerText();
  // Subscriptions: the page's policy lets it open a WebSocket to the server that served it.
  report.socket = await page.evaluate(
    (address) =>
      new Promise((resolve) => {
        const socket = new WebSocket(address, "graphql-transport-ws");
        socket.onopen = () => {
          socket.send(JSON.stringify({ type: "connection_init" }));
        };
        socket.onmessage = (event) => {
          resolve(JSON.parse(event.data).type);
          socket.close();
        };
        socket.onerror = () => resolve("error");
      }),
    url.replace(/^http/, "ws"),
  );
} catch (error) {
  failed = String(error);
}
if (failed) {
  report.failure = failed;
  if (screenshot) await page.screenshot({ path: screenshot, fullPage: true }).catch(() => {});
}
await context.close();
rmSync(profile, { recursive: true, force: true });
console.log(JSON.stringify(report));
process.exit(failed ? 1 : 0);
