"""`newsroom media ...`: the media library for editors at a shell."""

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from cms.access import Actor
from cms.cli.common import AsJson, console, counted, errors, fail, run_with_store, show_rows
from cms.config import get_settings
from cms.errors import CallerError, InvalidContentError
from cms.media import library
from cms.media.local import UnreadableFileError, read_image_file
from cms.media.model import LibraryImage
from cms.store.connection import Store

media_app = typer.Typer(
    help="Add, list, show and delete images of the media library.", no_args_is_help=True
)

ImageId = Annotated[
    str,
    typer.Argument(metavar="ID", help="The image's ID (from `media list`).", show_default=False),
]
LIST_COLUMNS = ("id", "filename", "format", "width", "height", "bytes", "uploaded_at", "alt")


def _focal(text: str | None) -> tuple[float, float] | None:
    if text is None:
        return None
    try:
        x, y = (float(part) for part in text.split(","))
    except ValueError:
        fail(
            f"--focal takes X,Y (each from 0 to 1, from the top left), e.g. 0.4,0.3; got {text!r}."
        )
    return x, y


def _row(image: LibraryImage) -> dict[str, Any]:
    return {
        "id": image.id,
        "filename": image.filename,
        "format": image.format,
        "width": image.width,
        "height": image.height,
        "bytes": image.length,
        "uploaded_at": image.uploaded_at.isoformat(timespec="seconds"),
        "uploaded_by": image.uploaded_by,
        "alt": image.alt,
        "caption": image.caption,
        "credit": image.credit,
        "focal": [image.focal.x, image.focal.y],
        "frames": image.frames,
    }


@media_app.command()
def add(
    files: Annotated[
        list[Path],
        typer.Argument(
            metavar="FILE...", help="Image files (JPEG, PNG, GIF, WebP, AVIF).", show_default=False
        ),
    ],
    alt: Annotated[str, typer.Option("--alt", metavar="TEXT", help="Text alternative.")] = "",
    caption: Annotated[str, typer.Option("--caption", metavar="TEXT", help="What it shows.")] = "",
    credit: Annotated[
        str, typer.Option("--credit", metavar="TEXT", help="Who took or supplied it.")
    ] = "",
    focal: Annotated[
        str | None,
        typer.Option(
            "--focal",
            metavar="X,Y",
            help="Where its subject is, each from 0 to 1 from the top left.",
        ),
    ] = None,
) -> None:
    """Add image files to the library (one image per distinct file), each with these details.
    A file the library refuses is said why; the others are still added."""
    values: dict[str, Any] = {"alt": alt, "caption": caption, "credit": credit}
    point = _focal(focal)
    if point is not None:
        values["focal"] = point
    settings = get_settings()
    limits = library.Limits.of(settings)
    try:
        library.details(values)  # text and focal point checked before any file is read
    except InvalidContentError as error:
        fail("; ".join(f"--{problem.field}: {problem.message}" for problem in error.problems))
    except CallerError as error:
        fail(str(error))

    async def work(store: Store) -> list[tuple[Path, library.Added | str]]:
        done: list[tuple[Path, library.Added | str]] = []
        for path in files:
            try:
                data = read_image_file(path, max_bytes=limits.max_bytes)
                added = await library.add_image(
                    actor=Actor.local("cli"),
                    data=data,
                    filename=path.name,
                    values=values,
                    limits=limits,
                )
            except UnreadableFileError as error:
                done.append((path, f"{path} {error}."))
            except CallerError as error:
                done.append((path, f"{path}: {error}"))
            else:
                done.append((path, added))
        return done

    failed = 0
    for path, outcome in run_with_store(work):
        if isinstance(outcome, str):
            failed += 1
            errors.print(f"[red]Refused[/]: {escape(outcome)}", soft_wrap=True)
            continue
        image = outcome.image
        what = "already in the library" if outcome.existed else "added"
        console.print(
            f"{image.id}  {escape(path.name)}  {image.width}x{image.height} {image.format}  {what}",
            soft_wrap=True,
            highlight=False,
        )
    if failed:
        raise typer.Exit(code=1)


@media_app.command("list")
def list_images(as_json: AsJson = False) -> None:
    """Every image, newest first."""

    async def work(store: Store) -> list[LibraryImage]:
        found: list[LibraryImage] = []
        after = None
        while page := await library.list_images(first=500, after=after):
            found += page
            after = (page[-1].uploaded_at, page[-1].id)
        return found

    found = run_with_store(work)
    rows = [_row(image) for image in found]
    show_rows(rows, columns=LIST_COLUMNS, title=counted(len(found), "image"), as_json=as_json)


@media_app.command()
def show(image_id: ImageId) -> None:
    """One image's details, and the articles that show it."""

    async def work(store: Store) -> tuple[LibraryImage, list[str], int]:
        image = await library.get_image(image_id)
        slugs, count = await library.users(image.id, limit=20)
        return image, slugs, count

    image, slugs, count = run_with_store(work)
    row = _row(image)
    for name, value in row.items():
        shown = ", ".join(str(v) for v in value) if isinstance(value, list) else value
        console.print(f"[bold]{name.replace('_', ' ')}[/]: {escape(str(shown))}", soft_wrap=True)
    used = ", ".join(slugs) + (f" and {count - len(slugs)} more" if count > len(slugs) else "")
    console.print(f"[bold]used by[/]: {escape(used) if count else 'no article'}", soft_wrap=True)


@media_app.command()
def delete(image_id: ImageId) -> None:
    """Delete an image no article uses, and its file. Revisions keep its ID (and show it as
    deleted)."""

    async def work(store: Store) -> LibraryImage:
        return await library.delete_image(actor=Actor.local("cli"), image_id=image_id)

    deleted = run_with_store(work)
    console.print(f"Deleted {deleted.id} ({escape(deleted.filename)}).", soft_wrap=True)
