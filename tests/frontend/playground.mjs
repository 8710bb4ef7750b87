// GraphiQL as a person opens it, in Debian's headless Chromium (never a downloaded browser):
// the page renders, the article page example runs and shows its data, the Run button's menu
// opens, a reload on the Drafts tab keeps the same two tabs, the examples fit beside the
// editor's toolbar, and nothing is requested from any host but the server. Every console error
// and every answer of 400 or more is reported. Prints one JSON report; saves a screenshot when it
// fails.
//
//   node playground.mjs http://127.0.0.1:PORT/graphql SCREENSHOT.png
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { keepLocal, LAUNCH } from "./chromium.mjs";

const [url, screenshot] = process.argv.slice(2);
const origin = new URL(url);
const report = {
  requests: [],
  sockets: [],
  refused: [],
  errors: [],
  response: "",
  socket: "",
  menu: [],
  tabs: [],
  tabsAfterReload: [],
  overflowing: [],
};

const profile = mkdtempSync(join(tmpdir(), "newsroom-chromium-"));
const context = await chromium.launchPersistentContext(profile, LAUNCH);
await keepLocal(context, origin, report);
context.on("response", (response) => {
  if (response.status() >= 400) report.errors.push(`${response.status()} ${response.url()}`);
});

const page = context.pages()[0] ?? (await context.newPage());
await page.setViewportSize({ width: 1280, height: 800 });
page.on("websocket", (socket) => report.sockets.push(socket.url()));
page.on("pageerror", (error) => report.errors.push(String(error)));
page.on("console", (message) => {
  if (message.type() === "error") report.errors.push(message.text());
});

// The lines of the open tab's editor that run under its toolbar (out of sight).
async function overflowing() {
  return page.evaluate(() => {
    const toolbar = document.querySelector(".graphiql-query-editor .graphiql-toolbar");
    const limit = toolbar.getBoundingClientRect().left;
    const lines = document.querySelectorAll(".graphiql-query-editor .CodeMirror-line > span");
    return [...lines]
      .filter((line) => line.getBoundingClientRect().right > limit)
      .map((line) => line.textContent);
  });
}

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
  // The Run button's menu (several operations in the tab) opens without a policy refusal.
  await page.locator(".graphiql-execute-button").click();
  await page.locator("[role=menuitem]").first().waitFor({ timeout: 10000 });
  report.menu = await page.locator("[role=menuitem]").allInnerTexts();
  await page.keyboard.press("Escape");
  report.tabs = await page.locator(".graphiql-tab").allInnerTexts();
  report.overflowing.push(...(await overflowing()));
  // The Drafts tab, then a reload: GraphiQL comes back on the same tabs.
  await page.locator(".graphiql-tab", { hasText: "Drafts" }).first().click();
  await page.locator(".graphiql-query-editor .CodeMirror-line", { hasText: "query Drafts" })
    .first()
    .waitFor({ timeout: 10000 });
  report.overflowing.push(...(await overflowing()));
  // GraphiQL stores its tabs half a second after the last change.
  await page.waitForTimeout(1000);
  await page.reload({ waitUntil: "load" });
  await page.locator(".graphiql-query-editor .CodeMirror-line", { hasText: "query" })
    .first()
    .waitFor({ timeout: 30000 });
  report.tabsAfterReload = await page.locator(".graphiql-tab").allInnerTexts();
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
