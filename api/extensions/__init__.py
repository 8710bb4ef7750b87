"""What a GraphQL document must pass before it runs, as schema extensions: its shape (depth,
aliases, tokens), validation, its cost, and how store outages and null messages are reported."""
