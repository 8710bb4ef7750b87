"""The one write path: every change to articles and tags goes through these functions.

Each takes the acting caller (`Actor`), validates with the same rules as fixture files, stamps
`version` and `updated_at`, keeps a revision and announces the change on the event log, all as
one journaled operation (`cms.journal`). Fixture loads, the CLI and the API's mutations call
these; nothing else writes content documents.
"""

# Search and related items follow every write through a journal hook: registered with the one
# write path, so every process that writes (the API, the CLI, a load, a test) keeps them.
from cms import discovery as discovery
