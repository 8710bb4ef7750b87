"""GraphiQL, served entirely by Newsroom: no script, style or request leaves for another host."""
