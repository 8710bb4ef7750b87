"""Reading a WordPress export (WXR 1.0-1.2, as Tools -> Export writes it), streamed.

One record at a time leaves the reader (the site, each author, each term, each item), and what
has been read is dropped, so a 2 GB export needs no 2 GB of memory. The XML is read by expat
through defusedxml: a document type with entity declarations (an entity-expansion bomb) or an
external entity is refused, and nothing is ever fetched.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

# WordPress has written these under http:// and https://, for export versions 1.0 to 1.2.
_WP = re.compile(r"^https?://wordpress\.org/export/1\.\d/$")
_EXCERPT = re.compile(r"^https?://wordpress\.org/export/1\.\d/excerpt/$")
_PREFIXES = {
    "http://purl.org/rss/1.0/modules/content/": "content",
    "http://purl.org/dc/elements/1.1/": "dc",
}


class NotAnExport(ValueError):
    """The file can't be read as a WordPress export; `line` is where reading stopped."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message if line is None else f"line {line}: {message}")
        self.line = line


@dataclass(frozen=True)
class Site:
    title: str
    link: str
    language: str
    wxr_version: str
    base_blog_url: str


@dataclass(frozen=True)
class Author:
    login: str
    display_name: str
    email: str
    first_name: str
    last_name: str


@dataclass(frozen=True)
class Term:
    """A category (`kind` "category") or tag ("post_tag") declared in the channel."""

    kind: str
    slug: str
    name: str
    parent: str
    description: str


@dataclass(frozen=True)
class ItemTerm:
    """A term an item is filed under: `domain` is its taxonomy (category, post_tag, ...)."""

    domain: str
    slug: str
    name: str


@dataclass(frozen=True)
class Item:
    """One `<item>`: a post, page, attachment, menu item or any other post type."""

    post_id: int | None
    post_type: str
    title: str
    link: str
    guid: str
    creator: str
    content: str
    excerpt: str
    status: str
    name: str
    date: str
    date_gmt: str
    modified_gmt: str
    password: str
    sticky: bool
    parent: int | None
    attachment_url: str
    terms: tuple[ItemTerm, ...]
    meta: dict[str, str] = field(default_factory=dict)

    def meta_int(self, key: str) -> int | None:
        value = self.meta.get(key, "").strip()
        return int(value) if re.fullmatch(r"\d{1,18}", value) else None


Record = Site | Author | Term | Item


def _name(tag: str) -> str:
    """`{namespace}local` as `prefix:local` for the namespaces WXR uses, else `local`."""
    if not tag.startswith("{"):
        return tag
    namespace, _, local = tag[1:].partition("}")
    if _WP.match(namespace):
        return f"wp:{local}"
    if _EXCERPT.match(namespace):
        return f"excerpt:{local}"
    prefix = _PREFIXES.get(namespace)
    return f"{prefix}:{local}" if prefix else local


def _children(element: Element) -> dict[str, str]:
    """The text of each direct child by name (the first of repeated names)."""
    found: dict[str, str] = {}
    for child in element:
        found.setdefault(_name(child.tag), (child.text or "").strip())
    return found


def _integer(value: str) -> int | None:
    return int(value) if re.fullmatch(r"\d{1,18}", value) else None


def _item(element: Element) -> Item:
    fields = _children(element)
    terms: list[ItemTerm] = []
    meta: dict[str, str] = {}
    for child in element:
        name = _name(child.tag)
        if name == "category":
            terms.append(
                ItemTerm(
                    domain=child.get("domain", ""),
                    slug=child.get("nicename", ""),
                    name=(child.text or "").strip(),
                )
            )
        elif name == "wp:postmeta":
            pair = _children(child)
            meta.setdefault(pair.get("wp:meta_key", ""), pair.get("wp:meta_value", ""))
    return Item(
        post_id=_integer(fields.get("wp:post_id", "")),
        post_type=fields.get("wp:post_type", ""),
        title=fields.get("title", ""),
        link=fields.get("link", ""),
        guid=fields.get("guid", ""),
        creator=fields.get("dc:creator", ""),
        # Bodies keep their whitespace: it is markup (paragraphs in the classic editor).
        content=_raw(element, "content:encoded"),
        excerpt=_raw(element, "excerpt:encoded"),
        status=fields.get("wp:status", ""),
        name=fields.get("wp:post_name", ""),
        date=fields.get("wp:post_date", ""),
        date_gmt=fields.get("wp:post_date_gmt", ""),
        modified_gmt=fields.get("wp:post_modified_gmt", ""),
        password=fields.get("wp:post_password", ""),
        sticky=fields.get("wp:is_sticky", "0") == "1",
        parent=_integer(fields.get("wp:post_parent", "")) or None,
        attachment_url=fields.get("wp:attachment_url", ""),
        terms=tuple(terms),
        meta=meta,
    )


def _raw(element: Element, name: str) -> str:
    for child in element:
        if _name(child.tag) == name:
            return child.text or ""
    return ""


def _record(element: Element) -> Record | None:
    name = _name(element.tag)
    fields = _children(element)
    if name == "item":
        return _item(element)
    if name == "wp:author":
        return Author(
            login=fields.get("wp:author_login", ""),
            display_name=fields.get("wp:author_display_name", ""),
            email=fields.get("wp:author_email", ""),
            first_name=fields.get("wp:author_first_name", ""),
            last_name=fields.get("wp:author_last_name", ""),
        )
    if name == "wp:category":
        return Term(
            kind="category",
            slug=fields.get("wp:category_nicename", ""),
            name=fields.get("wp:cat_name", ""),
            parent=fields.get("wp:category_parent", ""),
            description=fields.get("wp:category_description", ""),
        )
    if name == "wp:tag":
        return Term(
            kind="post_tag",
            slug=fields.get("wp:tag_slug", ""),
            name=fields.get("wp:tag_name", ""),
            parent="",
            description=fields.get("wp:tag_description", ""),
        )
    if name == "wp:term":
        return Term(
            kind=fields.get("wp:term_taxonomy", ""),
            slug=fields.get("wp:term_slug", ""),
            name=fields.get("wp:term_name", ""),
            parent=fields.get("wp:term_parent", ""),
            description=fields.get("wp:term_description", ""),
        )
    return None


# What the channel says of the site, read before its first author, term or item.
_SITE_FIELDS = {"title", "link", "language", "wp:wxr_version", "wp:base_blog_url"}


def read_export(path: Path) -> Iterator[Record]:
    """Each record of the export at `path`, in file order: the `Site` first, then authors,
    terms and items as the file has them. Raises `NotAnExport` for a file that is not a
    WordPress export, is cut short, or declares entities."""
    with path.open("rb") as stream:
        yield from _records(stream)


def _records(source: IO[bytes]) -> Iterator[Record]:
    depth = 0
    started = False
    site: dict[str, str] = {}
    site_given = False
    channel: Element | None = None
    try:
        for event, element in iterparse(source, events=("start", "end")):
            name = _name(element.tag)
            if event == "start":
                depth += 1
                started = True
                if depth == 1 and name != "rss":
                    raise NotAnExport(f"the document is <{name}>, not a WordPress export (<rss>)")
                if depth == 2 and name == "channel":
                    channel = element
                continue
            depth -= 1
            if depth == 2 and channel is not None:
                if name in _SITE_FIELDS:
                    site[name] = (element.text or "").strip()
                    continue
                record = _record(element)
                if record is not None and not site_given:
                    yield _site(site)
                    site_given = True
                if record is not None:
                    yield record
                # Read and handed on: keep nothing of it.
                channel.remove(element)
        if not site_given:
            yield _site(site)
    except ParseError as error:
        line, _column = error.position
        if not started:
            raise NotAnExport("the file holds no XML document: not a WordPress export") from None
        raise NotAnExport(_parse_problem(str(error)), line) from None
    except DefusedXmlException as error:
        raise NotAnExport(
            f"the file declares entities or a document type ({type(error).__name__}); "
            "WordPress exports have none, and they are not read"
        ) from None


def _site(fields: dict[str, str]) -> Site:
    if "wp:wxr_version" not in fields:
        raise NotAnExport("no <wp:wxr_version> in the channel: not a WordPress export (WXR)")
    return Site(
        title=fields.get("title", ""),
        link=fields.get("link", ""),
        language=fields.get("language", ""),
        wxr_version=fields["wp:wxr_version"],
        base_blog_url=fields.get("wp:base_blog_url", ""),
    )


def _parse_problem(message: str) -> str:
    # What expat says when the document stops in the middle of an element, a tag or a CDATA.
    if message.startswith(("no element found", "unclosed token", "unclosed CDATA")):
        return "the export ends before its last element closes: the file is cut short"
    return f"not well-formed XML ({message.split(':')[0]})"
