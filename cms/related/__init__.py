""" "You may also like": related articles ranked by one score, stored per article on write."""

from cms.related.model import MAX_RELATED as MAX_RELATED
