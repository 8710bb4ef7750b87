// The desk as people use it, in Debian's headless Chromium (never a downloaded browser), one
// launch for the whole story: the quick start's steps as its page gives them, then a contributor
// with the keyboard only, then an editor. axe-core checks every page they see. Nothing is
// requested from any host but the server. Prints one JSON report; saves a screenshot on failure.
//
//   node desk.mjs PLAN.json SCREENSHOT.png
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";
import { finish, keepLocal, LAUNCH } from "./chromium.mjs";
import { tabTo as tabToStart } from "./keyboard.mjs";

// Names on the desk's list pages are whole: tab to exactly the one named.
const tabTo = (page, name) => tabToStart(page, name, { exact: true });
const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const [planFile, screenshot] = process.argv.slice(2);
const plan = JSON.parse(readFileSync(planFile, "utf8"));
const origin = new URL(plan.base);
const report = { pages: [], axe: [], observed: {}, refused: [], errors: [], requests: [] };

const browser = await chromium.launch(LAUNCH);

let current = null; // the page of the person acting now, for the screenshot
let refusalExpected = false; // while a page is asked for that must be refused

async function person(who) {
  // Each person in a browser context of their own: their own cookies, as on their own computer.
  const context = await browser.newContext();
  await keepLocal(context, origin, report);
  // Counts htmx's requests in flight (through the browser's devtools channel, as axe below: the
  // page's own policy runs no inline script).
  await context.addInitScript(() => {
    window.inFlight = 0;
    const send = XMLHttpRequest.prototype.send;
    XMLHttpRequest.prototype.send = function (...args) {
      window.inFlight += 1;
      this.addEventListener("loadend", () => (window.inFlight -= 1));
      return send.apply(this, args);
    };
  });
  const page = await context.newPage();
  page.on("pageerror", (error) => report.errors.push(`${who}: ${error}`));
  page.on("console", (message) => {
    // A refused script, style or request (the security policy) is an error too.
    if (message.type() !== "error") return;
    if (refusalExpected && message.text().startsWith("Failed to load resource")) return;
    report.errors.push(`${who}: ${message.text()}`);
  });
  current = page;
  return { context, page };
}

// Whatever htmx was doing (requests, a swap, its settling) is done.
async function settled(page) {
  await page.waitForLoadState("load");
  await page.waitForFunction(
    () =>
      !window.inFlight && !document.querySelector(".htmx-request, .htmx-settling, .htmx-swapping"),
  );
}

async function seen(page, who) {
  await settled(page);
  const found = await page.evaluate(() => {
    const text = (selector) =>
      Array.from(document.querySelectorAll(selector), (element) => element.textContent.trim());
    return {
      url: location.pathname + location.search,
      title: document.title,
      heading: text("h1")[0] || "",
      notices: text("[role=status], [role=alert]"),
      tabs: text("ul.counts a"),
      current: text('ul.counts a[aria-current="page"]'),
      rows: text("tbody td:first-child a"),
      buttons: text("button"),
    };
  });
  report.pages.push({ who, ...found });
  // axe-core on the page as it is now: defined through the browser's devtools channel, which
  // the page's security policy does not apply to (the page itself runs no inline script).
  if (!(await page.evaluate(() => typeof window.axe !== "undefined"))) {
    await page.evaluate(AXE);
  }
  const results = await page.evaluate(() => axe.run(document, { resultTypes: ["violations"] }));
  report.axe.push({
    who,
    url: found.url,
    violations: results.violations.map((violation) => ({
      id: violation.id,
      impact: violation.impact,
      help: violation.help,
      nodes: violation.nodes.map((node) => node.target.join(" ")).slice(0, 5),
    })),
  });
  return found;
}

async function listed(page, action, wanted) {
  // A change of the list's filters or page: htmx asks for it, swaps the results in and puts the
  // list's address in the browser's history; done once the address says `wanted` and htmx has
  // settled.
  await settled(page); // nothing asked for before still on its way
  await action();
  await page.waitForURL((url) => wanted.every((part) => url.search.includes(part)));
  await settled(page);
}

async function quickStart() {
  const { context, page } = await person("quick start");
  const steps = [];
  for (const step of plan.quickstart.steps) {
    if (step.do === "open") {
      await page.goto(plan.quickstart.link, { waitUntil: "load" });
      steps.push(await seen(page, "quick start"));
    } else if (step.do === "type") {
      await page.getByLabel(step.label, { exact: true }).fill(step.text);
    } else if (step.do === "password") {
      await page.getByLabel(step.label, { exact: true }).fill(plan.quickstart.password);
    } else if (step.do === "press") {
      await page.getByRole("button", { name: step.name, exact: true }).click();
      await page.waitForLoadState("load");
      steps.push(await seen(page, "quick start"));
    } else if (step.do === "see") {
      await page.getByRole("heading", { name: step.heading, level: 1 }).waitFor();
      await page.getByText(step.text, { exact: false }).first().waitFor();
      steps.push(await seen(page, "quick start"));
    }
  }
  report.observed.quickstart = steps;
  await context.close();
}

async function contributor() {
  // The keyboard only: an address typed in, then keys; never the mouse.
  const who = "contributor";
  const me = plan.contributor;
  const { context, page } = await person(who);
  const observed = {};
  await page.goto(`${plan.base}/desk/articles`, { waitUntil: "load" });
  observed.login = await seen(page, who);
  await tabTo(page, "Email");
  await page.keyboard.type(me.email);
  await tabTo(page, "Password");
  await page.keyboard.type(me.password);
  await page.keyboard.press("Enter");
  await page.waitForURL("**/desk/articles");
  observed.list = await seen(page, who);
  await tabTo(page, "Search");
  await listed(
    page,
    async () => {
      await page.keyboard.type(me.search);
      await page.keyboard.press("Enter");
    },
    [`q=${me.search}`],
  );
  observed.searched = await seen(page, who);
  await tabTo(page, "Status");
  await listed(page, () => page.keyboard.press("ArrowDown"), ["status=draft"]); // Any -> Draft
  observed.drafts = await seen(page, who);
  await tabTo(page, me.own);
  await page.keyboard.press("Enter");
  await page.waitForURL("**/desk/articles/*");
  observed.article = await seen(page, who);
  // A hand-made address above the role: another person's draft.
  refusalExpected = true;
  await page.goto(`${plan.base}${me.forbidden}`, { waitUntil: "load" });
  observed.forbidden = await seen(page, who);
  refusalExpected = false;
  await tabTo(page, "Log out");
  await page.keyboard.press("Enter");
  await page.waitForURL("**/desk/login?out=1");
  observed.loggedOut = await seen(page, who);
  report.observed.contributor = observed;
  await context.close();
}

async function editor() {
  const who = "editor";
  const me = plan.editor;
  const { context, page } = await person(who);
  const observed = {};
  await page.goto(`${plan.base}/desk/login`, { waitUntil: "load" });
  await page.getByLabel("Email", { exact: true }).fill(me.email);
  await page.getByLabel("Password", { exact: true }).fill(me.password);
  await page.getByRole("button", { name: "Log in", exact: true }).click();
  await page.waitForURL("**/desk/articles");
  observed.list = await seen(page, who);
  const status = page.getByLabel("Status", { exact: true });
  const search = page.getByLabel("Search", { exact: true });
  await listed(page, () => status.selectOption("review"), ["status=review"]);
  observed.inReview = await seen(page, who);
  await listed(page, () => status.selectOption(""), ["status=&"]);
  await listed(
    page,
    async () => {
      await search.fill(me.search);
      await search.press("Enter");
    },
    [`q=${me.search}`],
  );
  observed.searched = await seen(page, who);
  await listed(
    page,
    async () => {
      await search.fill("");
      await search.press("Enter");
    },
    ["q=&"],
  );
  const sort = page.getByLabel("Sort by", { exact: true });
  await listed(page, () => sort.selectOption("published"), ["q=&", "sort=published"]);
  observed.byPublication = await seen(page, who);
  const older = page.getByRole("link", { name: "Older", exact: true });
  await listed(page, () => older.click(), ["after="]);
  observed.older = await seen(page, who);
  // The first article of that page, by its headline.
  await page.getByRole("link", { name: observed.older.rows[0], exact: true }).click();
  await page.waitForURL("**/desk/articles/*");
  observed.article = await seen(page, who);
  await media(page, who, me, observed);
  await page.getByRole("button", { name: "Log out", exact: true }).click();
  await page.waitForURL("**/desk/login?out=1");
  observed.loggedOut = await seen(page, who);
  report.observed.editor = observed;
  await context.close();
}

// The Media page: a photo uploaded through the file picker, described, its focal point set by
// clicking the picture.
async function media(page, who, me, observed) {
  await page.getByRole("link", { name: "Media", exact: true }).click();
  await page.waitForURL("**/desk/media");
  observed.media = await seen(page, who);
  await page.getByLabel("Image files", { exact: true }).setInputFiles(me.photo);
  await page.getByRole("button", { name: "Upload", exact: true }).click();
  await page.getByRole("heading", { name: "What became of the files", level: 2 }).waitFor();
  observed.uploaded = await seen(page, who);
  observed.uploadedText = await page.locator(".outcomes").innerText();
  await page.getByRole("link", { name: me.photoName, exact: true }).first().click();
  await page.waitForURL("**/desk/media/*");
  await settled(page);
  await page.getByLabel("Alt text", { exact: true }).fill(me.alt);
  const picture = page.locator("[data-focal-image]");
  const box = await picture.boundingBox();
  await picture.click({ position: { x: box.width * 0.25, y: box.height * 0.75 } });
  observed.focal = {
    x: await page.getByLabel("X", { exact: true }).inputValue(),
    y: await page.getByLabel("Y", { exact: true }).inputValue(),
    marker: await page.locator("[data-focal-marker]").isVisible(),
  };
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await page.waitForURL("**/desk/media/*?saved=1");
  observed.described = await seen(page, who);
  observed.saved = {
    alt: await page.getByLabel("Alt text", { exact: true }).inputValue(),
    x: await page.getByLabel("X", { exact: true }).inputValue(),
    y: await page.getByLabel("Y", { exact: true }).inputValue(),
  };
  await page.getByRole("link", { name: "Media", exact: true }).click();
  await page.waitForURL("**/desk/media");
  observed.library = await seen(page, who);
  observed.libraryText = await page.locator(".library").innerText();
}

const started = Date.now();
let failed = null;
try {
  await quickStart();
  await contributor();
  await editor();
} catch (error) {
  failed = String(error);
}
report.seconds = (Date.now() - started) / 1000;
await finish(browser, report, { failed, page: current, screenshot });
