"""Reads for an audience: the in-memory catalog of articles, list pages and their cursors, and
the lookups the API's loaders batch."""
