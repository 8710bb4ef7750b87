"""The one write path: every change to articles and tags goes through these functions.

Each takes the acting caller (`Actor`), validates with the same rules as fixture files, stamps
`version` and `updated_at`, keeps a revision and announces the change on the event log, all as
one journaled operation (`cms.spine.journal`). Fixture loads, the CLI and the API's mutations
call these; nothing else writes content documents. Who follows each write is `cms.followers`.
"""
