// Newsroom's GraphiQL: queries and mutations over HTTP, subscriptions over a WebSocket, both to
// this server; every script and style comes from this server too (api/playground).
(function () {
  "use strict";

  function text(id) {
    return document.getElementById(id).textContent;
  }

  var endpoint = new URL(window.location.href);
  endpoint.search = "";
  endpoint.hash = "";
  var socket = new URL(endpoint.href);
  socket.protocol = endpoint.protocol === "https:" ? "wss:" : "ws:";

  var fetcher = GraphiQL.createFetcher({
    url: endpoint.href,
    subscriptionUrl: socket.href,
  });

  var tabs = [
    // Newsroom's example operations, with the article page's variables.
    { query: text("newsroom-document"), variables: text("newsroom-variables") },
    // The same API as an editor: the token goes in this tab's headers.
    { query: text("newsroom-editor-document"), headers: text("newsroom-editor-headers") },
  ];

  function Playground() {
    return React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultTabs: tabs,
      // GraphiQL takes the first tab's variables from here rather than from `defaultTabs`.
      variables: tabs[0].variables,
      plugins: [GraphiQLPluginExplorer.explorerPlugin()],
      defaultEditorToolsVisibility: true,
      isHeadersEditorEnabled: true,
      // Tokens stay out of the browser's storage.
      shouldPersistHeaders: false,
      inputValueDeprecation: true,
    });
  }

  ReactDOM.createRoot(document.getElementById("graphiql")).render(
    React.createElement(Playground),
  );
})();
