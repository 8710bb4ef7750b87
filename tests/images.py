"""Image files made for tests with Pillow: nothing large is committed."""

import io
import struct
import zlib

from PIL import Image


def encoded(image: Image.Image, format: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format, **options)
    return buffer.getvalue()


def jpeg(width: int = 64, height: int = 48, colour: str = "red", **options: object) -> bytes:
    return encoded(Image.new("RGB", (width, height), colour), "JPEG", **options)


def png(width: int = 64, height: int = 48, colour: str = "blue") -> bytes:
    return encoded(Image.new("RGB", (width, height), colour), "PNG")


def noise_jpeg(width: int, height: int, *, quality: int = 95) -> bytes:
    """A photo-like JPEG: noise compresses badly, so the file is large for its size."""
    noise = Image.effect_noise((width, height), 80).convert("RGB")
    return encoded(noise, "JPEG", quality=quality)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_declaring(width: int, height: int) -> bytes:
    """A tiny PNG whose header declares `width` x `height` pixels: a decompression bomb's shape."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + _chunk(b"IEND", b"")
    )


SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>alert(1)</script></svg>"
)
# The start of an HEIC file (an ISO box `ftyp` with the `heic` brand), as an iPhone writes it.
HEIC = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 200
