import { graphql } from "react-relay";

export const article = graphql`
  fragment FragmentsArticle_article on Article
  @refetchable(queryName: "FragmentsArticleRefetchQuery") {
    headline
    rating { average count }
  }
`;

export const tag = graphql`
  fragment FragmentsTag_tag on Tag
  @refetchable(queryName: "FragmentsTagPaginationQuery")
  @argumentDefinitions(last: { type: "Int", defaultValue: 10 }, before: { type: "String" }) {
    name
    articles(last: $last, before: $before) @connection(key: "FragmentsTag_articles") {
      edges { node { id headline } }
    }
  }
`;
