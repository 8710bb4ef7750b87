"""The desk's pages, one module per part: logging in and out, one-time password links, articles."""
