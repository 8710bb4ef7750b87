// The desk, part 3, as an editor uses it in Debian's headless Chromium (one launch): the review
// queue from the navigation, an article opened from it, a preview link made, copied and opened
// on the site (tests/frontend/draft-site.mjs runs examples/nextjs-draft/route.js), the same link
// tampered with and then revoked (neither shows the draft), two revisions compared and one
// restored, and two tags merged. axe-core checks every desk page. Prints one JSON report.
//
//   node review.mjs PLAN.json SCREENSHOT.png
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";
import { LAUNCH, finish, keepLocal } from "./chromium.mjs";
import { startSite } from "./draft-site.mjs";

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const [planFile, screenshot] = process.argv.slice(2);
const plan = JSON.parse(readFileSync(planFile, "utf8"));
const origin = new URL(plan.base);
const report = { axe: [], observed: {}, refused: [], errors: [], requests: [] };
const site = await startSite(`${plan.base}/graphql`, Number(new URL(plan.site).port));
const browser = await chromium.launch(LAUNCH);
let current = null;

async function look(page, who) {
  await page.waitForLoadState("load");
  const found = await page.evaluate(() => {
    const text = (selector) =>
      Array.from(document.querySelectorAll(selector), (element) => element.textContent.trim());
    return {
      url: location.pathname + location.search,
      heading: text("h1")[0] || "",
      notices: text("[role=status], [role=alert]"),
      nav: text("header nav a"),
      rows: text("main table tbody tr"),
      removed: text(".diff del"),
      added: text(".diff ins"),
      paragraphs: text("main p"),
    };
  });
  if (new URL(page.url()).port !== origin.port) return found; // the site, not the desk
  if (!(await page.evaluate(() => typeof window.axe !== "undefined"))) await page.evaluate(AXE);
  const results = await page.evaluate(() => axe.run(document, { resultTypes: ["violations"] }));
  report.axe.push({
    who,
    url: found.url,
    violations: results.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help })),
  });
  return found;
}

async function editor() {
  const who = "editor";
  const me = plan.editor;
  const context = await browser.newContext();
  await keepLocal(context, origin, report);
  // The site under test is the one other host the story visits.
  await context.route(`${plan.site}/**`, (route) => route.continue());
  const page = await context.newPage();
  current = page;
  page.on("pageerror", (error) => report.errors.push(`${who}: ${error}`));
  page.on("console", (message) => {
    if (message.type() !== "error" || /status of (401|404) /.test(message.text())) return;
    report.errors.push(`${who}: ${message.text()}`);
  });
  const observed = {};
  await page.goto(`${plan.base}/desk/login`, { waitUntil: "load" });
  await page.getByLabel("Email", { exact: true }).fill(me.email);
  await page.getByLabel("Password", { exact: true }).fill(me.password);
  await page.keyboard.press("Enter");
  await page.waitForURL("**/desk/articles");
  observed.articles = await look(page, who);

  // The queue, from the navigation; the article, from the queue.
  // Links and forms are boosted by htmx: each waits for the address it leads to.
  await page.getByRole("link", { name: /^Review \(\d+\)$/ }).click();
  await page.waitForURL("**/desk/review");
  observed.queue = await look(page, who);
  await page.getByRole("link", { name: plan.headline, exact: true }).click();
  await page.waitForURL(/\/desk\/articles\/[0-9a-f]{24}$/);
  observed.article = await look(page, who);
  const articleUrl = page.url().split("?")[0];

  // A preview link, made and copied, opened on the site; tampered with; revoked.
  await page.getByRole("link", { name: "Preview links", exact: true }).click();
  await page.waitForURL("**/preview-links");
  observed.noLinks = await look(page, who);
  await page.getByRole("button", { name: "Make a preview link", exact: true }).click();
  await page.waitForURL("**?done=made");
  observed.linkMade = await look(page, who);
  const link = await page.getByLabel("Preview link 1", { exact: true }).inputValue();
  observed.link = link;
  const linksUrl = page.url().split("?")[0];
  await page.goto(link, { waitUntil: "load" });
  observed.siteShown = await look(page, who);
  const tampered = link.slice(0, -3) + (link.endsWith("AAA") ? "BBB" : "AAA");
  // The site's draft-mode cookies go (cookies are per host, so the desk's session stays).
  await context.clearCookies({ name: "newsroom-preview" });
  await context.clearCookies({ name: "__prerender_bypass" });
  await page.goto(tampered, { waitUntil: "load" });
  observed.siteTampered = await look(page, who);
  await page.goto(linksUrl, { waitUntil: "load" });
  await page.getByRole("button", { name: "Revoke link 1", exact: true }).click();
  await page.waitForURL("**?done=revoked");
  observed.revoked = await look(page, who);
  await page.goto(link, { waitUntil: "load" });
  observed.siteRevoked = await look(page, who);

  // Two revisions compared, then the first restored.
  await page.goto(articleUrl, { waitUntil: "load" });
  await page.getByRole("link", { name: "Revisions", exact: true }).click();
  await page.waitForURL("**/revisions");
  observed.revisions = await look(page, who);
  await page.getByLabel("From version 1", { exact: true }).check();
  await page.getByLabel(`To version ${plan.versions}`, { exact: true }).check();
  await page.getByRole("button", { name: "Compare", exact: true }).click();
  await page.waitForURL("**/revisions/compare?**");
  observed.compared = await look(page, who);
  await page.getByRole("link", { name: "Back to the revisions", exact: true }).click();
  await page.waitForURL("**/revisions");
  await page.getByRole("button", { name: "Restore version 1", exact: true }).click();
  await page.waitForURL("**?restored=1");
  observed.restored = await look(page, who);

  // Two tags merged.
  await page.getByRole("link", { name: "Tags", exact: true }).click();
  await page.waitForURL("**/desk/tags");
  observed.tags = await look(page, who);
  await page.getByRole("link", { name: plan.mergedTag, exact: true }).click();
  await page.waitForURL(/\/desk\/tags\/[0-9a-f]{24}$/);
  observed.tag = await look(page, who);
  await page.getByLabel("Merge into", { exact: true }).selectOption({ label: plan.intoTag });
  await page.getByRole("button", { name: "Merge", exact: true }).click();
  await page.waitForURL("**?merged=1");
  observed.merged = await look(page, who);
  report.observed.editor = observed;
  await context.close();
}

const started = Date.now();
let failed = null;
try {
  await editor();
} catch (error) {
  failed = String(error.stack || error);
}
report.seconds = (Date.now() - started) / 1000;
site.close();
await finish(browser, report, { failed, page: current, screenshot });
