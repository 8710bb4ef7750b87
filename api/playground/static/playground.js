// Newsroom's GraphiQL: queries and mutations over HTTP, subscriptions over a WebSocket, both to
// this server; every script and style comes from this server too (api/playground).
(function () {
  "use strict";

  // While a menu is open, GraphiQL's scroll lock adds a style element; the page's policy
  // allows style elements carrying this response's nonce only, so they are given it.
  var nonce = document.currentScript && document.currentScript.nonce;
  if (nonce) {
    var createElement = document.createElement;
    document.createElement = function (name) {
      var element = createElement.apply(document, arguments);
      if (String(name).toLowerCase() === "style") element.setAttribute("nonce", nonce);
      return element;
    };
  }

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

  // GraphiQL keeps the tabs in the browser's storage; on a first visit there are none yet.
  var firstVisit = true;
  try {
    firstVisit = window.localStorage.getItem("graphiql:tabState") === null;
  } catch (error) {
    // Storage refused (private mode): every visit is a first one.
  }

  function Playground() {
    return React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultTabs: tabs,
      // GraphiQL fills the first tab's variables editor from `variables`, not `defaultTabs`.
      // Given on a later visit, it would look for a stored tab holding exactly these and add
      // one when the open tab is another (a second Drafts tab carrying the article page's
      // variables appeared after a reload): so only on the first.
      variables: firstVisit ? tabs[0].variables : undefined,
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
