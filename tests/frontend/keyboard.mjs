// Moving through a page with the keyboard, as a person who uses no mouse does.

// What has the keyboard's focus, by the name a screen reader gives it.
export async function focused(page) {
  return page.evaluate(() => {
    const element = document.activeElement;
    if (!element || element === document.body) return "";
    if (element.labels && element.labels.length) return element.labels[0].textContent.trim();
    return (element.getAttribute("aria-label") || element.textContent || "").trim();
  });
}

// Tab until the control named `name` (or whose name starts with it, unless `exact`) has the
// focus: it must be reachable by keyboard.
export async function tabTo(page, name, { exact = false } = {}) {
  for (let presses = 0; presses < 120; presses += 1) {
    await page.keyboard.press("Tab");
    const now = await focused(page);
    if (exact ? now === name : now.startsWith(name)) return;
  }
  throw new Error(`"${name}" cannot be reached with the Tab key`);
}
