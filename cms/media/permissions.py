"""Who may do what with the media library: one rule for every face (the desk, the API).

Every person at the desk sees the library (contributors pick pictures for their drafts). Anyone
who writes articles may add images: contributors included, since their drafts need pictures and
an image shows publicly only once an editor publishes an article that uses it. Describing an
image (alt text, caption, credit, focal point) changes every article that takes the library's
values, and deleting one is final, so both are for editors and admins.
"""

from cms.access import Permission

VIEW = Permission.PREVIEW_OWN
ADD = Permission.WRITE_OWN
DESCRIBE = Permission.EDIT
DELETE = Permission.EDIT
