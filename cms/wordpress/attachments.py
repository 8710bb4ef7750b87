"""A WordPress site's images into the media library, from a local copy of `wp-content/uploads`.

Nothing is fetched: each attachment's file is found under the folder given (`--uploads`) by the
path WordPress recorded (`_wp_attached_file`), else by its address. A path that would climb out
of the folder, or pass through a symbolic link, is refused; a missing file is listed, not fatal.
Each file is checked as an upload is (`cms.media`); the same bytes are one image (the library's
ids are the bytes' SHA-256), so importing again adds nothing twice. Bytes are written as they are
read, under staging notes, and the images join the library with the import's load.
"""

import asyncio
import os
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from beanie import PydanticObjectId

from cms.access import Actor
from cms.config import get_settings
from cms.errors import CallerError, ImageRefusedError, InvalidContentError
from cms.media import library, staging
from cms.media.local import UnreadableFileError, read_image_file
from cms.media.model import LibraryImage as StoredImage
from cms.spine.journal import Operation
from cms.wordpress.convert import LibraryImage, upload_path
from cms.wordpress.text import html_text
from cms.wordpress.wxr import Item

# The credit in an attachment's metadata (PHP's serialize format): `s:6:"credit";s:2:"AP";`.
_CREDIT = re.compile(r's:6:"credit";s:\d+:"([^"]*)";')


@dataclass(frozen=True, slots=True)
class Attachment:
    post_id: int
    url: str
    path: str
    caption: str
    alt: str
    credit: str
    parent: int | None


def attachment_of(item: Item) -> Attachment | None:
    if item.post_type != "attachment" or item.post_id is None:
        return None
    credit = _CREDIT.search(item.meta.get("_wp_attachment_metadata", ""))
    return Attachment(
        post_id=item.post_id,
        url=item.attachment_url or item.guid,
        path=item.meta.get("_wp_attached_file", "") or upload_path(item.attachment_url),
        caption=html_text(item.excerpt, paragraphs=False)[:1000],
        alt=html_text(item.meta.get("_wp_attachment_image_alt", ""), paragraphs=False)[:500],
        credit=html_text(credit[1], paragraphs=False)[:500] if credit else "",
        parent=item.parent,
    )


class OutsideUploads(ValueError):
    pass


def local_file(uploads: Path, relative: str) -> Path:
    """The file `relative` names under `uploads`; OutsideUploads if it would leave the folder
    (`..`, an absolute path) or pass through a symbolic link."""
    parts = PurePosixPath(relative.replace("\\", "/")).parts
    if not parts or PurePosixPath(relative).is_absolute() or ".." in parts:
        raise OutsideUploads(f"{relative!r} leads out of the uploads folder")
    root = Path(os.path.abspath(uploads))
    path = root.joinpath(*parts)
    for depth in range(1, len(parts) + 1):
        if root.joinpath(*parts[:depth]).is_symlink():
            raise OutsideUploads(f"{relative!r} passes through a symbolic link")
    return path


@dataclass(slots=True)
class Images:
    """The attachments as media library images, and what could not come."""

    by_attachment: dict[int, LibraryImage] = field(default_factory=dict)
    by_address: dict[str, LibraryImage] = field(default_factory=dict)
    attached: dict[int, list[LibraryImage]] = field(default_factory=dict)
    operations: list[Operation] = field(default_factory=list)
    noted: list[PydanticObjectId] = field(default_factory=list)
    # Attachment id -> why it is not in the library.
    problems: dict[int, str] = field(default_factory=dict)
    added: int = 0
    existing: int = 0


async def bring_images(
    attachments: list[Attachment], uploads: Path, *, actor: Actor, dry_run: bool
) -> Images:
    """The attachments' files into the library (nothing written in a dry run)."""
    found = Images()
    limits = library.Limits.of(get_settings())
    planned: dict[str, StoredImage] = {}
    for attachment in attachments:
        try:
            path = local_file(uploads, attachment.path) if attachment.path else None
        except OutsideUploads as error:
            found.problems[attachment.post_id] = str(error)
            continue
        if path is None or not path.exists():
            found.problems[attachment.post_id] = f"no file {attachment.path or attachment.url}"
            continue
        try:
            data = await asyncio.to_thread(read_image_file, path, max_bytes=limits.max_bytes)
            facts = await library.inspect(
                data, filename=path.name, content_type=None, limits=limits
            )
            values = library.details(
                {"alt": attachment.alt, "caption": attachment.caption, "credit": attachment.credit}
            )
        except (UnreadableFileError, ImageRefusedError, InvalidContentError, CallerError) as error:
            found.problems[attachment.post_id] = f"{attachment.path}: {error}"
            continue
        image = planned.get(facts.sha256)
        if image is None:
            image = (await library.images_by_ids([facts.sha256])).get(facts.sha256)
            if image is not None:
                found.existing += 1
            else:
                image = library.new_image(
                    facts, filename=path.name, length=len(data), values=values, actor=actor
                )
                found.added += 1
                found.operations.append(library.plan_add(image, actor))
                if not dry_run:
                    await staging.note(image.file_id, image=image.id, length=len(data))
                    found.noted.append(image.file_id)
                    await library.store_bytes(image, data)
            planned[facts.sha256] = image
        known = LibraryImage(
            id=image.id,
            caption=attachment.caption or image.caption,
            alt=attachment.alt or image.alt,
        )
        found.by_attachment[attachment.post_id] = known
        found.by_address[attachment.path] = known
        if attachment.parent:
            found.attached.setdefault(attachment.parent, []).append(known)
    return found
