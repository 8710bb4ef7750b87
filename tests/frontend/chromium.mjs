// What the browser tests share: Debian's Chromium launched headless (never a downloaded browser),
// and a browser context that asks nothing of any host but the server under test.
export const LAUNCH = {
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
};

// Whatever would leave the machine is refused and listed in `report.refused`, so the tests need
// no network; every request is listed in `report.requests`.
export async function keepLocal(context, origin, report) {
  await context.route("**/*", (route) => {
    const address = route.request().url();
    if (address.startsWith("data:") || ours(address, origin)) return route.continue();
    report.refused.push(address);
    return route.abort();
  });
  context.on("request", (request) => report.requests.push(request.url()));
}

function ours(address, origin) {
  const parsed = new URL(address);
  return parsed.hostname === origin.hostname && parsed.port === origin.port;
}

// The end of a story: on failure its reason in `report.failure` and a screenshot of `page` (the
// page of whoever acted last); the browser closed, the report printed as one JSON line, and the
// exit status.
export async function finish(browser, report, { failed, page, screenshot }) {
  if (failed) {
    report.failure = failed;
    if (screenshot && page) {
      await page.screenshot({ path: screenshot, fullPage: true }).catch(() => {});
    }
  }
  await browser.close();
  console.log(JSON.stringify(report));
  process.exit(failed ? 1 : 0);
}
