// The article page and its star widget with Apollo Client's normalized cache, as a frontend
// runs them: query the page, vote, and read the page from the cache. The vote must update the
// page's rating in the cache, with no refetch and no warning. Documents and possibleTypes come
// from examples/, as a frontend project would take them.
//
//   node --conditions=development apollo-cache.mjs http://127.0.0.1:PORT/graphql SLUG
import { readFileSync } from "node:fs";
import { ApolloClient, HttpLink, InMemoryCache, gql } from "@apollo/client";

const [url, slug] = process.argv.slice(2);
const examples = new URL("../../examples/", import.meta.url);
const document = (name) => gql(readFileSync(new URL(`operations/${name}`, examples), "utf8"));
const { possibleTypes } = JSON.parse(readFileSync(new URL("possibleTypes.json", examples), "utf8"));

const warnings = [];
for (const level of ["warn", "error"]) {
  const original = console[level];
  console[level] = (...args) => {
    warnings.push(args.map(String).join(" "));
    original(...args);
  };
}

async function scenario(page, vote) {
  const sent = [];
  const client = new ApolloClient({
    link: new HttpLink({
      uri: url,
      fetch: (input, init) => {
        sent.push(JSON.parse(init.body).operationName);
        return fetch(input, init);
      },
    }),
    cache: new InMemoryCache({ possibleTypes }),
  });
  const before = (await client.query({ query: page, variables: { slug } })).data.article;
  const warned = warnings.length;
  const voted = await client.mutate({
    mutation: vote,
    variables: { articleId: before.id, stars: 5 },
  });
  const after = client.readQuery({ query: page, variables: { slug } })?.article ?? null;
  return {
    sent,
    typename: voted.data.vote.__typename,
    before: before.rating,
    after: after?.rating ?? null,
    warnings: warnings.slice(warned),
  };
}

const documented = await scenario(document("article-page.graphql"), document("vote.graphql"));

// A control, so that a silent console cannot pass for a clean one: without the rating's `id`,
// and with fewer fields in the vote than on the page, Apollo warns that cache data may be lost.
const control = await scenario(
  gql`query ArticlePage($slug: String!) { article(slug: $slug) { id rating { average count distribution { stars count } } } }`,
  gql`mutation Vote($articleId: ID!, $stars: Int!) { vote(articleId: $articleId, stars: $stars) { ... on VoteSuccess { article { id rating { average count } } } } }`,
);

console.log(JSON.stringify({ documented, control }));
