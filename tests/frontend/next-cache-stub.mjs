// Stands in for `next/cache` when the example route handler runs outside Next.js: records each
// `revalidateTag` call, in order.
export const revalidated = [];
export function revalidateTag(tag) {
  revalidated.push(tag);
}
