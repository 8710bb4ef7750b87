"""The `newsroom` subcommands that work on content: fixtures, articles, tokens."""
