// GraphQL Code Generator for a frontend using Newsroom (npm i -D @graphql-codegen/cli
// @graphql-codegen/client-preset @graphql-codegen/fragment-matcher), run from this folder:
// `npx graphql-codegen`. Newsroom's own scalars are strings on the wire; `strictScalars` makes a
// new scalar in the schema fail the build until it is mapped here.
import type { CodegenConfig } from "@graphql-codegen/cli";

const config: CodegenConfig = {
  schema: "../schema.graphql",
  documents: ["operations/*.graphql"],
  generates: {
    "./generated/": {
      preset: "client",
      config: {
        strictScalars: true,
        scalars: {
          // RFC 3339 with an offset, always UTC in answers: `2025-03-27T08:00:00+00:00`.
          DateTime: { input: "string", output: "string" },
          // JSON-LD text, ready for <script type="application/ld+json">.
          JsonLd: { input: "string", output: "string" },
        },
        enumsAsTypes: true,
      },
    },
    // Apollo Client's `possibleTypes` (the same file `newsroom schema examples` writes).
    "./possibleTypes.json": {
      plugins: ["fragment-matcher"],
      config: { apolloClientVersion: 3 },
    },
  },
};

export default config;
