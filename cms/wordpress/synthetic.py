"""Writing WordPress exports (WXR 1.2) as WordPress does: for the importer's tests and benchmark,
which generate what they need (never a committed export)."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TextIO
from xml.sax.saxutils import quoteattr

_HEAD = """<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0"
	xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
	xmlns:content="http://purl.org/rss/1.0/modules/content/"
	xmlns:wfw="http://wellformedweb.org/CommentAPI/"
	xmlns:dc="http://purl.org/dc/elements/1.1/"
	xmlns:wp="http://wordpress.org/export/1.2/"
>
<channel>
	<title>{title}</title>
	<link>https://news.example</link>
	<description>A generated export</description>
	<language>en-US</language>
	<wp:wxr_version>1.2</wp:wxr_version>
	<wp:base_site_url>https://news.example</wp:base_site_url>
	<wp:base_blog_url>https://news.example</wp:base_blog_url>
"""


def cdata(text: str) -> str:
    """Text as CDATA, which can hold anything but its own end: split there, as WordPress does."""
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


@dataclass
class ExportAuthor:
    login: str
    display_name: str
    email: str = ""


@dataclass
class ExportPost:
    post_id: int
    title: str
    slug: str
    content: str = ""
    excerpt: str = ""
    creator: str = "reporter"
    status: str = "publish"
    post_type: str = "post"
    date: str = "2024-05-01 10:00:00"
    date_gmt: str = "2024-05-01 08:00:00"
    password: str = ""
    sticky: bool = False
    categories: list[tuple[str, str]] = field(default_factory=list)
    tags: list[tuple[str, str]] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)
    link: str = ""
    guid: str = ""
    # Readers' comments, as many as it takes to hold this many characters: they make up most of
    # a real export, and the importer reads past them.
    comment_characters: int = 0

    def item(self) -> str:
        link = self.link or f"https://news.example/?p={self.post_id}"
        guid = self.guid or link
        terms = "".join(
            f"\t\t<category domain={quoteattr(domain)} nicename={quoteattr(slug)}>"
            f"{cdata(name)}</category>\n"
            for domain, pairs in (("category", self.categories), ("post_tag", self.tags))
            for slug, name in pairs
        )
        meta = "".join(
            f"\t\t<wp:postmeta><wp:meta_key>{cdata(key)}</wp:meta_key>"
            f"<wp:meta_value>{cdata(value)}</wp:meta_value></wp:postmeta>\n"
            for key, value in self.meta.items()
        )
        return (
            "\t<item>\n"
            f"\t\t<title>{cdata(self.title)}</title>\n"
            f"\t\t<link>{cdata(link)}</link>\n"
            f"\t\t<dc:creator>{cdata(self.creator)}</dc:creator>\n"
            f'\t\t<guid isPermaLink="false">{cdata(guid)}</guid>\n'
            f"\t\t<content:encoded>{cdata(self.content)}</content:encoded>\n"
            f"\t\t<excerpt:encoded>{cdata(self.excerpt)}</excerpt:encoded>\n"
            f"\t\t<wp:post_id>{self.post_id}</wp:post_id>\n"
            f"\t\t<wp:post_date>{cdata(self.date)}</wp:post_date>\n"
            f"\t\t<wp:post_date_gmt>{cdata(self.date_gmt)}</wp:post_date_gmt>\n"
            f"\t\t<wp:post_name>{cdata(self.slug)}</wp:post_name>\n"
            f"\t\t<wp:status>{cdata(self.status)}</wp:status>\n"
            "\t\t<wp:post_parent>0</wp:post_parent>\n"
            f"\t\t<wp:post_type>{cdata(self.post_type)}</wp:post_type>\n"
            f"\t\t<wp:post_password>{cdata(self.password)}</wp:post_password>\n"
            f"\t\t<wp:is_sticky>{int(self.sticky)}</wp:is_sticky>\n"
            f"{terms}{meta}{self._comments()}"
            "\t</item>\n"
        )

    def _comments(self) -> str:
        text = "A reader's thoughts on the story, at some length. " * 40
        count = -(-self.comment_characters // len(text)) if self.comment_characters else 0
        return "".join(
            "\t\t<wp:comment>"
            f"<wp:comment_id>{self.post_id * 10_000 + number}</wp:comment_id>"
            "<wp:comment_author><![CDATA[A reader]]></wp:comment_author>"
            "<wp:comment_date_gmt>2024-05-01 09:00:00</wp:comment_date_gmt>"
            f"<wp:comment_content>{cdata(text)}</wp:comment_content>"
            "<wp:comment_approved>1</wp:comment_approved>"
            "</wp:comment>\n"
            for number in range(count)
        )


def write_export(
    out: TextIO,
    posts: Iterable[ExportPost],
    *,
    authors: Iterable[ExportAuthor] = (ExportAuthor("reporter", "Ann Reporter"),),
    title: str = "Generated news",
) -> None:
    out.write(_HEAD.format(title=cdata(title)))
    for author in authors:
        out.write(
            "\t<wp:author>"
            f"<wp:author_login>{cdata(author.login)}</wp:author_login>"
            f"<wp:author_email>{cdata(author.email)}</wp:author_email>"
            f"<wp:author_display_name>{cdata(author.display_name)}</wp:author_display_name>"
            "</wp:author>\n"
        )
    for post in posts:
        out.write(post.item())
    out.write("</channel>\n</rss>\n")
