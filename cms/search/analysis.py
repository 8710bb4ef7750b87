"""What the index records of an article: each term's positions in each field, and field lengths.

An article is read as four fields: its headline, its excerpt, the names of its tags and its body
(as plain text). For every term, its posting says the article's length in each field (in terms)
and where the term occurs in each; that is all ranking (BM25F) and phrase matching need, so a
search never opens the articles it ranks.

A posting is kept as one short string, `"9,31,2,480|0||1|14 80 233"`: the four lengths, then the
positions in each field. Strings cost the embedded store far less to read and write than nested
arrays, and the index holds one per term per article.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cms.offload import off_loop
from cms.search.text import terms
from cms.text.body import INLINE_CHARACTERS as BODY_INLINE_CHARACTERS
from cms.text.body import BodyFormat, render_body, rendered

# Headline, excerpt, tag names, body: the order of lengths and positions in a posting.
FIELDS = ("headline", "excerpt", "tags", "body")
# Fields this short are analysed on the loop: analysis is linear, about a millisecond for 10,000
# characters of any text (measured), far less than starting or reaching the worker process.
INLINE_CHARACTERS = 20_000


@dataclass(frozen=True, slots=True)
class Posting:
    lengths: tuple[int, ...]
    positions: tuple[tuple[int, ...], ...]

    @classmethod
    def parse(cls, text: str) -> "Posting":
        lengths, *fields = text.split("|")
        return cls(
            tuple(int(part) for part in lengths.split(",")),
            tuple(tuple(int(part) for part in field.split()) for field in fields),
        )

    def encode(self) -> str:
        return _encoded(",".join(map(str, self.lengths)), self.positions)

    @property
    def frequencies(self) -> tuple[int, ...]:
        return tuple(len(field) for field in self.positions)


def _encoded(lengths: str, positions: Iterable[Iterable[int]]) -> str:
    """A posting's text: the field lengths (`lengths`, joined already), then each field's
    positions."""
    return "|".join([lengths, *[" ".join(map(str, field)) for field in positions]])


def frequencies_of(text: str) -> tuple[int, ...]:
    """`Posting.parse(text).frequencies`, counted without reading a number: ranking asks it of
    every posting of every article (160,000 for 2,000 articles), where parsing took seconds."""
    _, *fields = text.split("|")
    # A list made into a tuple: a generator took twice as long (780,000 calls at 10,000 articles).
    return tuple([field.count(" ") + 1 if field else 0 for field in fields])


def in_text(text: str) -> bool:
    """Whether a posting's term occurs in the headline, the excerpt or the body (not only in
    tag names): whether any of their frequencies is above zero, without counting them."""
    _, headline, excerpt, _, body = text.split("|")
    return bool(headline or excerpt or body)


def _fields(article: Mapping[str, Any], tag_names: Mapping[str, str], body: str) -> tuple[str, ...]:
    names = [tag_names.get(slug) or slug.replace("-", " ") for slug in article.get("tags", ())]
    return (article.get("headline", ""), article.get("excerpt", ""), "\n".join(names), body)


async def field_texts(article: Mapping[str, Any], tag_names: Mapping[str, str]) -> tuple[str, ...]:
    """An article's four fields as plain text; a tag without a name is read from its slug."""
    return _fields(article, tag_names, await rendered(article.get("body", ""), BodyFormat.TEXT))


def analyse(texts: Sequence[str]) -> dict[str, str]:
    """Every term of the fields, with its encoded posting (`Posting.encode`'s text, without
    making each `Posting`: a load analyses every article, and making them took a third of the
    time)."""
    found: dict[str, list[list[int]]] = {}
    lengths = []
    for index, text in enumerate(texts):
        length = 0
        for position, term in enumerate(terms(text)):
            if term is None:
                continue
            length += 1
            places = found.get(term)
            if places is None:
                places = found[term] = [[] for _ in FIELDS]
            places[index].append(position)
        lengths.append(length)
    joined = ",".join(map(str, lengths))
    return {term: _encoded(joined, places) for term, places in found.items()}


async def postings(article: Mapping[str, Any], tag_names: Mapping[str, str]) -> dict[str, str]:
    """`analyse` of the article's fields, off the event loop when they are long (a long body
    takes a tenth of a second and more)."""
    texts = await field_texts(article, tag_names)
    if sum(len(text) for text in texts) <= INLINE_CHARACTERS:
        return analyse(texts)
    return await off_loop(analyse, texts)


def analyse_all(
    articles: Sequence[Mapping[str, Any]], tag_names: Mapping[str, str]
) -> list[dict[str, str]]:
    """`analyse` of each article's fields, bodies rendered here: for the worker process
    (`cms.offload`), given many articles at once."""
    return [
        analyse(_fields(article, tag_names, render_body(article.get("body", ""), BodyFormat.TEXT)))
        for article in articles
    ]


async def analysed_all(
    articles: Sequence[Mapping[str, Any]], tag_names: Mapping[str, str]
) -> list[dict[str, str]]:
    """`analyse_all`, on the loop for a few short articles (a save, a small load): handing them
    to the worker, let alone starting it, costs more than the work; off it otherwise."""
    short = all(len(article.get("body", "")) <= BODY_INLINE_CHARACTERS for article in articles)
    if short and sum(map(_characters, articles)) <= INLINE_CHARACTERS:
        return analyse_all(articles, tag_names)
    return await off_loop(analyse_all, articles, tag_names)


def _characters(article: Mapping[str, Any]) -> int:
    return sum(len(value) for value in article.values() if isinstance(value, str))


def lengths_of(postings: Iterable[str]) -> tuple[int, ...]:
    """The field lengths an article's postings record (zeros for an article with no terms)."""
    for text in postings:
        return Posting.parse(text).lengths
    return tuple(0 for _ in FIELDS)
