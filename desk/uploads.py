"""Reading a form that sends files (`multipart/form-data`), within the upload limit.

Like every desk form, its body is read only once the session is checked (`desk.forms`): a request
without one is sent to the login page unread, whatever it declares. A person's upload may then be
as large as one image the library takes plus the editors' form limit (the API's upload limit): a
declared length over that is refused unread, a body sent without one is counted as it streams in.
Files are spooled to disk past 1 MB by Starlette's parser, never held twice.
"""

import contextlib
from collections.abc import AsyncGenerator, AsyncIterator
from dataclasses import dataclass

from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.requests import Request

from desk.forms import MAX_FIELDS, refuse_declared, too_large
from desk.refusals import DeskRefusal, bad_request

MULTIPART = "multipart/form-data"
# Files one form may send.
MAX_FILES = 10
# A text field of an upload form (the token, the details) is far below this.
MAX_FIELD_BYTES = 64 * 1024


@dataclass(frozen=True, slots=True)
class Upload:
    """What an upload form sent: its text fields, and its files (spooled, read one at a time)."""

    fields: dict[str, str]
    files: list[UploadFile]


async def _counted(request: Request, limit: int) -> AsyncGenerator[bytes]:
    received = 0
    async for chunk in request.stream():
        received += len(chunk)
        if received > limit:
            raise too_large(limit)
        yield chunk


@contextlib.asynccontextmanager
async def read_upload(
    request: Request, *, limit: int, field: str = "file"
) -> AsyncIterator[Upload]:
    """The form's fields and the files sent as `field`, until the block ends; DeskRefusal for a
    body over `limit` bytes (413), one that is not multipart (415) or not well formed (400)."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != MULTIPART:
        raise DeskRefusal(415, "Not an upload", "The desk takes files as browsers send them.")
    refuse_declared(request, limit)
    parser = MultiPartParser(
        request.headers,
        _counted(request, limit),
        max_files=MAX_FILES,
        max_fields=MAX_FIELDS,
        max_part_size=MAX_FIELD_BYTES,
    )
    try:
        form = await parser.parse()
    except MultiPartException as error:
        raise bad_request(f"The upload was not sent as a browser sends one ({error}).") from None
    try:
        fields: dict[str, str] = {}
        files: list[UploadFile] = []
        for name, value in form.multi_items():
            if isinstance(value, UploadFile):
                # A file input left empty sends a part with no file name and no bytes.
                if name == field and value.filename:
                    files.append(value)
            else:
                fields.setdefault(name, value)
        yield Upload(fields, files)
    finally:
        await form.close()
