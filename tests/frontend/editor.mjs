// The desk's editor as people use it, in Debian's headless Chromium (one launch): a contributor
// writes a draft with the keyboard only (a mistake, its message at the field, the fix, the
// preview following the typing, Ctrl-S, Submit for review); an editor opens it while a second
// session edits it, meets the conflict, keeps one field from each side, picks a library image
// with the picker labelled Image (a caption of its own), publishes, and sets an
// unpublication a few seconds ahead; the public GraphQL API is read after each. axe-core checks
// every editor page. Nothing is requested from any host but the server. Prints one JSON report.
//
//   node editor.mjs PLAN.json SCREENSHOT.png
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";
import { LAUNCH, finish, keepLocal } from "./chromium.mjs";
import { tabTo } from "./keyboard.mjs";

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const [planFile, screenshot] = process.argv.slice(2);
const plan = JSON.parse(readFileSync(planFile, "utf8"));
const origin = new URL(plan.base);
const report = { axe: [], observed: {}, refused: [], errors: [], requests: [] };

const browser = await chromium.launch(LAUNCH);
let current = null;

async function session(who) {
  const context = await browser.newContext();
  await keepLocal(context, origin, report);
  const page = await context.newPage();
  page.on("pageerror", (error) => report.errors.push(`${who}: ${error}`));
  page.on("console", (message) => {
    // The answers the story expects (a field's message, 400; a conflict, 409) are pages too.
    if (message.type() !== "error" || /status of (400|409) /.test(message.text())) return;
    report.errors.push(`${who}: ${message.text()}`);
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
      problems: Object.fromEntries(
        Array.from(document.querySelectorAll(".field-problem"), (p) => [
          p.id.replace(/-problem$/, ""),
          p.textContent.trim(),
        ]),
      ),
      buttons: text("main button:not([aria-hidden])"),
      status: text("main .status")[0] || "",
      conflicts: text("table.conflicts tbody th"),
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

async function publicArticle(slug) {
  const answer = await fetch(`${plan.base}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      query: "query ($slug: String!) { article(slug: $slug) { headline excerpt status image { id caption alt } authors { slug } credit } }",
      variables: { slug },
    }),
  });
  return (await answer.json()).data.article;
}

async function logIn(page, me) {
  await page.goto(`${plan.base}/desk/login`, { waitUntil: "load" });
  await tabTo(page, "Email");
  await page.keyboard.type(me.email);
  await tabTo(page, "Password");
  await page.keyboard.type(me.password);
  await page.keyboard.press("Enter");
  await page.waitForURL("**/desk/articles");
}

async function contributor() {
  // The keyboard only: addresses typed in, then keys; never the mouse.
  const who = "contributor";
  const me = plan.contributor;
  const { context, page } = await session(who);
  const observed = {};
  await logIn(page, me);
  await page.goto(`${plan.base}/desk/articles/new`, { waitUntil: "load" });
  observed.blank = await look(page, who);
  await tabTo(page, "Headline");
  await page.keyboard.type(me.headline);
  observed.suggestedSlug = await page.locator("#slug").inputValue();
  await tabTo(page, "Body");
  await page.keyboard.type(me.body);
  // The preview follows within a second of the typing stopping.
  const typed = Date.now();
  await page.locator("#preview strong", { hasText: me.strong }).waitFor({ timeout: 5000 });
  observed.previewAfter = Date.now() - typed;
  await tabTo(page, "Section");
  await page.keyboard.type(me.section);
  await tabTo(page, "Find tags");
  await page.keyboard.type(me.tagSearch);
  await page.locator("#tags-found input").first().waitFor();
  await tabTo(page, me.tag);
  await page.keyboard.press("Space");
  // The mistake: no byline. Ctrl-S saves; the answer says what is wrong, at the field.
  await page.keyboard.press("Control+s");
  await page.waitForLoadState("load");
  await page.locator(".field-problem").first().waitFor();
  observed.refused = await look(page, who);
  // The byline: an author found by name in the Authors picker, and a credit beside them.
  await tabTo(page, "Find authors");
  await page.keyboard.type(me.authorSearch);
  await page.locator("#authors-found input").first().waitFor();
  await tabTo(page, me.authorName);
  await page.keyboard.press("Space");
  await tabTo(page, "Byline credit");
  await page.keyboard.type(me.credit);
  await tabTo(page, "Body");
  await page.keyboard.press("End");
  await page.keyboard.type(me.more);
  await page.locator("#preview", { hasText: me.more.trim() }).waitFor({ timeout: 5000 });
  await page.keyboard.press("Control+s");
  await page.waitForURL("**/desk/articles/*?created=1");
  observed.saved = await look(page, who);
  await tabTo(page, "Submit for review");
  await page.keyboard.press("Enter");
  await page.waitForURL("**/desk/articles/*?moved=1");
  observed.submitted = await look(page, who);
  observed.id = observed.submitted.url.split("/")[3].split("?")[0];
  report.observed.contributor = observed;
  await context.close();
  return observed.id;
}

async function editors(id) {
  const me = plan.editor;
  const first = await session("editor");
  const second = await session("second session");
  const observed = {};
  await logIn(first.page, me);
  await logIn(second.page, me);
  const url = `${plan.base}/desk/articles/${id}`;
  await first.page.goto(url, { waitUntil: "load" });
  await second.page.goto(url, { waitUntil: "load" });
  observed.opened = await look(first.page, "editor");
  // The second session saves first: a new headline.
  await second.page.getByLabel("Headline", { exact: true }).fill(me.theirHeadline);
  await second.page.getByRole("button", { name: "Save", exact: true }).click();
  await second.page.waitForURL("**?saved=1");
  // The editor, from the version they opened: a headline and an excerpt of their own.
  current = first.page;
  await first.page.getByLabel("Headline", { exact: true }).fill(me.myHeadline);
  await first.page.getByLabel("Excerpt", { exact: true }).fill(me.myExcerpt);
  await first.page.getByRole("button", { name: "Save", exact: true }).click();
  await first.page.waitForLoadState("load");
  observed.conflict = await look(first.page, "editor");
  // Theirs for the headline, mine for the excerpt (suggested: only I changed it).
  await first.page.getByLabel(/^Keep theirs \(Headline/).check();
  observed.excerptSuggested = await first.page.getByLabel(/^Keep yours \(Excerpt/).isChecked();
  await first.page.getByRole("button", { name: "Save again", exact: true }).click();
  await first.page.waitForURL("**?saved=1");
  observed.resolved = await look(first.page, "editor");
  // The picker labelled Image: a library image found by its words, a caption of our own.
  const picker = first.page.getByRole("group", { name: "Image", exact: true });
  await picker.getByLabel("Find a library image", { exact: true }).fill(me.imageSearch);
  await picker.locator("#image-found input").first().waitFor();
  await picker.getByLabel(me.imageName).check();
  await first.page.getByLabel("Image caption", { exact: true }).fill(me.imageCaption);
  await first.page.getByRole("button", { name: "Save", exact: true }).click();
  await first.page.waitForURL("**?saved=1");
  observed.pictured = await look(first.page, "editor");
  observed.thumbnail = await picker.locator("#image-chosen img").getAttribute("src");
  await first.page.getByRole("button", { name: "Publish", exact: true }).click();
  await first.page.waitForURL("**?moved=1");
  observed.published = await look(first.page, "editor");
  observed.public = await publicArticle(plan.slug);
  // A scheduled unpublication a few seconds ahead (UTC, to the second).
  const leave = new Date(Date.now() + 4000).toISOString().slice(0, 19);
  await first.page.getByLabel("Unpublish at", { exact: true }).fill(leave);
  await first.page.keyboard.press("Control+s");
  await first.page.waitForURL("**?saved=1");
  observed.scheduled = await look(first.page, "editor");
  observed.beforeLeaving = await publicArticle(plan.slug);
  for (let tries = 0; tries < 100; tries += 1) {
    observed.afterLeaving = await publicArticle(plan.slug);
    if (observed.afterLeaving === null) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  // Leaving with unsaved changes asks first: the second session types, then closes its tab.
  await second.page.goto(url, { waitUntil: "load" });
  await second.page.getByLabel("Excerpt", { exact: true }).click();
  await second.page.keyboard.type(" Not saved.");
  const asked = new Promise((resolve) => {
    second.page.once("dialog", async (dialog) => {
      resolve(dialog.type());
      await dialog.accept();
    });
    setTimeout(() => resolve("nothing asked"), 5000);
  });
  await second.page.close({ runBeforeUnload: true });
  observed.leavingUnsaved = await asked;
  report.observed.editor = observed;
  await first.context.close();
  await second.context.close();
}

const started = Date.now();
let failed = null;
try {
  const id = await contributor();
  await editors(id);
} catch (error) {
  failed = String(error.stack || error);
}
report.seconds = (Date.now() - started) / 1000;
await finish(browser, report, { failed, page: current, screenshot });
