"""Image renditions at `/media/...`: signed URLs, answered from memory, the store, or made once.

A URL names one rendition exactly and carries its signature (`cms.media.signing`); a URL with
any part changed, a size the settings do not offer, or an image since deleted is refused. An
`.auto` URL is answered in the best format the request's `Accept` header takes (AVIF, then
WebP, then JPEG), with `Vary: Accept` so that caches keep one answer per format. Answers are
immutable: a changed image or focal point is a different URL.
"""

from collections.abc import Sequence

from starlette.requests import Request
from starlette.responses import Response

from cms.config import Settings
from cms.media import sizes
from cms.media.model import LibraryImage
from cms.media.rendering import can_encode
from cms.media.renditions import Renditions, Served
from cms.media.signing import BadURL, Keys, verified
from cms.spine.events import EventType, StoredEvent
from web.codes import RequestCode
from web.headers import etags
from web.refusals import Refusal

IMMUTABLE = "public, max-age=31536000, immutable"
# The formats an `.auto` URL may be answered in, best first.
PREFERRED = (sizes.Format.AVIF, sizes.Format.WEBP)


class Media:
    """What the `/media` route needs in a running app: the keys, the settings, the renditions."""

    def __init__(self, settings: Settings) -> None:
        self.keys = Keys.of(settings)
        self.widths = settings.media_widths
        self.aspects = settings.media_aspects
        self.renditions = Renditions(
            memory_bytes=settings.media_cache_bytes, store_bytes=settings.media_store_max_bytes
        )

    async def on_events(self, found: Sequence[StoredEvent]) -> None:
        """Forget the renditions of images deleted in any process."""
        for event in found:
            if event.type == EventType.IMAGE_DELETED and event.subject:
                self.renditions.memory.drop_image(event.subject)
                self.renditions.originals.drop(event.subject)


def accepted(header: str) -> sizes.Format:
    """The best format an `Accept` header takes explicitly (a wildcard gets JPEG: every browser
    shows it); formats this server cannot encode are passed over."""
    taken: set[str] = set()
    for part in header.lower().split(","):
        media, *parameters = (piece.strip() for piece in part.split(";"))
        quality = 1.0
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality > 0:
            taken.add(media)
    for format in PREFERRED:
        if sizes.MEDIA_TYPES[format] in taken and can_encode(format):
            return format
    return sizes.Format.JPEG


def _not_found(message: str) -> Refusal:
    return Refusal(404, RequestCode.MEDIA_NOT_FOUND, message)


async def serve_media(request: Request) -> Response:
    try:
        return await _answer(request)
    except Refusal as refusal:
        return refusal.response()


async def _answer(request: Request) -> Response:
    media: Media = request.app.state.media
    try:
        rendition = verified(request.path_params["path"], media.keys)
    except BadURL as error:
        if not error.shaped:
            raise _not_found("No such rendition: ask the API for an image's URL.") from None
        raise Refusal(
            403, RequestCode.MEDIA_URL_INVALID, f"Not a rendition URL of this server: {error}."
        ) from None
    auto = rendition.format is sizes.Format.AUTO
    chosen = accepted(request.headers.get("accept", "")) if auto else rendition.format
    if not can_encode(chosen):
        raise _not_found(f"This server cannot encode {chosen.name} (its Pillow lacks it).")
    concrete = rendition.with_format(chosen)
    served = media.renditions.memory.get(concrete.key(chosen))
    if served is None:
        served = await _from_store(media, concrete)
    headers = {"Cache-Control": IMMUTABLE, "ETag": served.etag}
    if auto:
        headers["Vary"] = "Accept"
    if served.etag in etags(request.headers.get("if-none-match", "")):
        return Response(status_code=304, headers=headers)
    return Response(served.data, media_type=served.media_type, headers=headers)


async def _from_store(media: Media, rendition: sizes.Rendition) -> Served:
    image = await LibraryImage.get(rendition.image)
    if image is None:
        raise _not_found("No such image: it was deleted from the media library.")
    if not sizes.valid(rendition, (image.width, image.height), media.widths, media.aspects):
        raise _not_found(
            "This server does not make that rendition (its widths or aspects have changed): "
            "ask the API for the image's URL again."
        )
    return await media.renditions.get(rendition, image)
