// Module hooks: `next/headers` and `next/navigation` resolve to the stubs beside this file, so
// examples/nextjs-draft/route.js runs in plain Node as Next.js would run it.
const stubs = {
  "next/headers": new URL("./headers.mjs", import.meta.url).href,
  "next/navigation": new URL("./navigation.mjs", import.meta.url).href,
};

export async function resolve(specifier, context, next) {
  if (specifier in stubs) return { url: stubs[specifier], shortCircuit: true };
  return next(specifier, context);
}
