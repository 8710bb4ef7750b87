"""People: the accounts editors log in to the desk with, their passwords, sessions and one-time
links, and the tokens they hold. Every change to an account goes through the journal
(`cms.spine.journal`) with its actor, as content does; sessions and login counts are written
directly, as rate limits are, since they change on every request and announce nothing."""
