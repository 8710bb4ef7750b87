"""Distribution: RSS, Atom and JSON feeds and sitemaps (with Google News), built from the catalog.

Which articles a feed or sitemap shows comes from the catalog's public lists (`cms.reading`),
never from a scan of the archive; only the items shown are read, by `_id`. The documents are
bytes of a fixed size whatever the request says, tagged for the response cache with the names
of `cms.cache_tags`, so that the same events purge them here, in CDNs and in frontends.
"""
