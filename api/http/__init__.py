"""GraphQL over HTTP and WebSocket: the API face (`face`), the view, well-formed requests, the
answer's status and media type, the response cache, persisted queries and HTTP caching."""
