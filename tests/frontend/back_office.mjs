// The desk's back office as people use it, in Debian's headless Chromium (one launch): an editor
// reads an article's rating chart and marks a reader's low-rated note handled, mints a token and
// uses it against /graphql (a preview read, then a change); an admin invites a person (who sets a
// password through the link and logs in), adds a webhook to a receiver this script runs, sends a
// delivery again, and lowers the editor's role (their token is revoked with it). axe-core checks
// every page. Nothing is requested from any host but the server. Prints one JSON report.
//
//   node back_office.mjs PLAN.json SCREENSHOT.png
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";
import { LAUNCH, finish, keepLocal } from "./chromium.mjs";

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const [planFile, screenshot] = process.argv.slice(2);
const plan = JSON.parse(readFileSync(planFile, "utf8"));
const origin = new URL(plan.base);
const report = { axe: [], observed: {}, refused: [], errors: [], requests: [] };
// A read only a token may make: drafts are counted for previewers, editors and admins.
const DRAFTS = "{ articles(first: 1, preview: true, filter: {status: DRAFT}) { totalCount } }";

const browser = await chromium.launch(LAUNCH);
let current = null;

async function session(who) {
  const context = await browser.newContext();
  await keepLocal(context, origin, report);
  const page = await context.newPage();
  page.on("pageerror", (error) => report.errors.push(`${who}: ${error}`));
  page.on("console", (message) => {
    if (message.type() === "error") report.errors.push(`${who}: ${message.text()}`);
  });
  current = page;
  return { context, page };
}

async function look(page, who) {
  await page.waitForLoadState("load");
  const found = await page.evaluate(() => {
    const text = (selector) =>
      Array.from(document.querySelectorAll(selector), (element) => element.textContent.trim());
    return {
      url: location.pathname + location.search,
      heading: text("h1")[0] || "",
      notices: text("[role=status], [role=alert]"),
      values: text("svg.chart text.value"),
      notes: text("blockquote.note"),
      handled: text("p.handled"),
      secrets: Array.from(document.querySelectorAll("input.secret"), (input) => input.value),
      cells: text("main td"),
    };
  });
  if (!(await page.evaluate(() => typeof window.axe !== "undefined"))) await page.evaluate(AXE);
  const results = await page.evaluate(() => axe.run(document, { resultTypes: ["violations"] }));
  report.axe.push({
    who,
    url: found.url,
    violations: results.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help })),
  });
  return found;
}

async function graphql(token, query, variables = {}) {
  const answer = await fetch(`${plan.base}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  return answer.json();
}

async function logIn(page, email, password) {
  await page.goto(`${plan.base}/desk/login`, { waitUntil: "load" });
  await page.getByLabel("Email", { exact: true }).fill(email);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Log in", exact: true }).click();
  await page.waitForURL("**/desk/articles");
}

function receiver() {
  const received = [];
  const server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk) => (body += chunk));
    request.on("end", () => {
      received.push(body);
      response.writeHead(204).end();
    });
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve({ server, received, port: server.address().port })),
  );
}

async function until(check, what) {
  for (let tries = 0; tries < 600; tries += 1) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`waited a minute for ${what}`);
}

async function editor() {
  const who = "editor";
  const { context, page } = await session(who);
  const observed = {};
  await logIn(page, plan.editor.email, plan.editor.password);
  // Links and forms are boosted (htmx): wait for what each answer brings, not for a load.
  await page.getByRole("link", { name: "Ratings", exact: true }).click();
  await page.waitForURL("**/desk/ratings");
  observed.ratings = await look(page, who);
  await page.goto(`${plan.base}${plan.chart}`, { waitUntil: "load" });
  observed.chart = await look(page, who);
  await page.getByRole("link", { name: "Feedback", exact: true }).click();
  await page.waitForURL("**/desk/feedback");
  await page.getByLabel(/^Only low ratings/).check();
  await page.getByRole("button", { name: "Filter", exact: true }).click();
  await page.waitForURL("**/desk/feedback?low=1");
  observed.low = await look(page, who);
  await page.getByRole("button", { name: /^Mark handled/ }).first().click();
  await page.locator("p.handled").first().waitFor();
  observed.handled = await look(page, who);
  // A token of their own, shown once, used at once.
  await page.getByRole("link", { name: "Your tokens", exact: true }).click();
  await page.waitForURL("**/desk/tokens");
  await page.getByLabel("Name", { exact: true }).fill(plan.editor.token);
  await page.getByLabel("Role", { exact: true }).selectOption("editor");
  await page.getByRole("button", { name: "Create token", exact: true }).click();
  await page.locator("input.secret").waitFor();
  observed.minted = await look(page, who);
  const token = observed.minted.secrets[0];
  const drafts = await graphql(token, DRAFTS);
  observed.draftsSeen = drafts.data ? drafts.data.articles.totalCount : drafts.errors;
  await page.reload({ waitUntil: "load" });
  observed.listed = await look(page, who);
  report.observed.editor = observed;
  await context.close();
  return token;
}

async function admin(editorToken) {
  const who = "admin";
  const { context, page } = await session(who);
  const observed = {};
  await logIn(page, plan.admin.email, plan.admin.password);
  await page.getByRole("link", { name: "Admin", exact: true }).click();
  await page.waitForURL("**/desk/admin");
  observed.people = await look(page, who);
  await page.getByLabel("Email", { exact: true }).fill(plan.invitee.email);
  await page.getByLabel("Name", { exact: true }).fill(plan.invitee.name);
  await page.getByLabel("Role", { exact: true }).selectOption("editor");
  await page.getByRole("button", { name: "Invite", exact: true }).click();
  await page.locator("input.secret").waitFor();
  observed.invited = await look(page, who);
  const link = new URL(observed.invited.secrets[0]);

  // The invitee, in a browser of their own: the link, a password, a login.
  const invitee = await session("invitee");
  await invitee.page.goto(`${plan.base}${link.pathname}`, { waitUntil: "load" });
  observed.linkPage = await look(invitee.page, "invitee");
  await invitee.page.getByLabel("New password", { exact: true }).fill(plan.invitee.password);
  await invitee.page.getByLabel("Repeat password", { exact: true }).fill(plan.invitee.password);
  await invitee.page.getByRole("button", { name: "Set password", exact: true }).click();
  await invitee.page.waitForURL("**/desk/login?password=1");
  await logIn(invitee.page, plan.invitee.email, plan.invitee.password);
  observed.inviteeIn = await look(invitee.page, "invitee");
  await invitee.context.close();
  current = page;

  // A webhook to a receiver of our own; a change made with the editor's token reaches it, and
  // is sent again from its page.
  const hooks = await receiver();
  await page.getByRole("link", { name: "Webhooks", exact: true }).click();
  await page.waitForURL("**/desk/admin/webhooks");
  await page.getByLabel("URL", { exact: true }).fill(`http://127.0.0.1:${hooks.port}/hooks`);
  await page.getByRole("button", { name: "Add endpoint", exact: true }).click();
  await page.locator("input.secret").waitFor();
  observed.added = await look(page, who);
  const first = await graphql(editorToken, "{ articles(first: 1) { nodes { id version } } }");
  const article = first.data.articles.nodes[0];
  const changed = await graphql(
    editorToken,
    "mutation ($id: ID!, $version: Int!) { updateArticle(id: $id, version: $version, input: {excerpt: \"Changed with a token minted at the desk.\"}) { __typename } }",
    { id: article.id, version: article.version },
  );
  observed.changedWithToken = changed.data ? changed.data.updateArticle.__typename : changed.errors;
  await until(() => hooks.received.length >= 1, "the first delivery");
  await page.getByRole("link", { name: /^http:\/\/127\.0\.0\.1/ }).click();
  await page.waitForURL("**/desk/admin/webhooks/wh_*");
  await until(async () => {
    await page.reload({ waitUntil: "load" });
    return (await page.locator("td .status", { hasText: "sent" }).count()) > 0;
  }, "the delivery to be recorded as sent");
  observed.deliveries = await look(page, who);
  await page.getByRole("button", { name: /^Send again/ }).first().click();
  await page.locator("p.notice", { hasText: "sent again" }).waitFor();
  observed.sentAgain = await look(page, who);
  await until(() => hooks.received.length >= 2, "the delivery sent again");
  observed.received = hooks.received.length;
  observed.sameBody = hooks.received[0] === hooks.received[1];
  hooks.server.close();

  // The editor becomes a contributor: their editor token goes with it.
  await page.getByRole("link", { name: "Admin", exact: true }).click();
  await page.waitForURL("**/desk/admin");
  await page.getByLabel(`Role of ${plan.editor.name}`, { exact: true }).selectOption("contributor");
  await page.getByRole("button", { name: `Change role of ${plan.editor.name}`, exact: true }).click();
  await page.locator("p.notice", { hasText: "is now contributor" }).waitFor();
  observed.lowered = await look(page, who);
  const after = await graphql(editorToken, DRAFTS);
  observed.tokenAfter = after.errors ? after.errors[0].extensions.code : "still works";
  report.observed.admin = observed;
  await context.close();
}

const started = Date.now();
let failed = null;
try {
  const token = await editor();
  await admin(token);
} catch (error) {
  failed = String(error.stack || error);
}
report.seconds = (Date.now() - started) / 1000;
await finish(browser, report, { failed, page: current, screenshot });
