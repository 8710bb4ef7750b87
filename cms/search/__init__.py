"""Search: an index of every article's words, kept in the store and updated on every write."""
