// graphql-http's server audit against a running server: `node audit.mjs <url>`.
// Prints one JSON object per audit ({id, name, status, reason}); tests/test_http_audit.py reads them.
import { auditServer } from "graphql-http";

const url = process.argv[2];
if (!url) {
  console.error("usage: node audit.mjs http://host:port/graphql");
  process.exit(2);
}
if (typeof fetch !== "function") {
  console.error(`The audit needs Node.js 18 or later (global fetch); this is ${process.version}.`);
  process.exit(2);
}
for (const result of await auditServer({ url })) {
  const { id, name, status } = result;
  console.log(JSON.stringify({ id, name, status, reason: result.reason ?? null }));
}
