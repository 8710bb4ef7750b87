"""Image files on this machine (`media add`, fixture folders), read as carefully as fixtures.

Only a regular file is read, never through a symbolic link (which could lead anywhere) nor a pipe
or device (which could hang the reader), and never more than the library takes: a larger file
is refused from its size, unread.
"""

import errno
import os
import stat
from pathlib import Path

from cms.errors import ImageProblem, ImageRefusedError


class UnreadableFileError(Exception):
    """The path is not a file that may be read (its message says why)."""


def read_image_file(path: Path, *, max_bytes: int) -> bytes:
    """The file's bytes; UnreadableFileError, or ImageRefusedError if it is too large."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as error:
        if error.errno == errno.ELOOP or path.is_symlink():
            raise UnreadableFileError("is a symbolic link, not a regular file") from None
        raise UnreadableFileError(f"cannot be read ({error.strerror})") from None
    with os.fdopen(descriptor, "rb") as handle:
        status = os.fstat(handle.fileno())
        if not stat.S_ISREG(status.st_mode):
            raise UnreadableFileError("is not a regular file")
        if status.st_size > max_bytes:
            raise ImageRefusedError(
                ImageProblem.TOO_LARGE,
                f"The file is {status.st_size:,} bytes; images may be at most {max_bytes:,} bytes.",
            )
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:  # it grew while we read
        raise ImageRefusedError(
            ImageProblem.TOO_LARGE, f"The file is larger than {max_bytes:,} bytes."
        )
    return data
