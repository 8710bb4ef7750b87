// Module resolution hooks (node:module `register`): `next/cache` is the recording stub.
export async function resolve(specifier, context, nextResolve) {
  if (specifier === "next/cache") {
    return { url: new URL("./next-cache-stub.mjs", import.meta.url).href, shortCircuit: true };
  }
  return nextResolve(specifier, context);
}
