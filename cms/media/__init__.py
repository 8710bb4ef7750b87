"""The media library: images kept in the store, described once and used by articles.

An image is a document in `images` (`model`), keyed by the SHA-256 of its bytes (the same file
uploaded twice is one image), and its bytes are a GridFS file in the `media` bucket (`files`),
which MongoDB's own GridFS tools can read. Checking and measuring a file happens off the event
loop (`inspection`); an upload is staged so that one killed half way leaves nothing visible and
the upkeep clears what it left (`staging`); `library` is what the API, the CLI, fixture loads and
the desk call.
"""
