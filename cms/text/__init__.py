"""Text rules: the Markdown body and how it renders, and plain-text fields."""
