"""The desk: the browser app in which people write and manage the news, a face of Newsroom
beside the GraphQL API (`desk.face`). Server-rendered pages (Jinja2, autoescaped) that work
without JavaScript; htmx, served from this server, makes them quick."""
