"""The composition root: which faces the server mounts, and the `newsroom` command."""
