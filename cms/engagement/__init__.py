"""What readers send: votes, the ratings counted from them, feedback notes, and the rate limits
that keep any one reader or network from flooding them."""
