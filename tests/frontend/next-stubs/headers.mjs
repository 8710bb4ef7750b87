// What the route asked of Next.js's `next/headers`, kept for the check to report.
export const seen = { draft: false, cookies: {} };

export async function draftMode() {
  return { enable: () => { seen.draft = true; } };
}

export async function cookies() {
  return { set: (name, value, options) => { seen.cookies[name] = { value, ...options }; } };
}
