"""A newspaper's archive, generated: text with Zipf-like word frequencies over a real vocabulary.

The vocabulary is the demo's own (`fixtures/`: about 2,000 distinct words, ranked by how often
they occur there), so the commonest words are "the", "and", "said" and a search for "troops"
matches as large a share of the archive as it would in a real paper. Each article follows one demo
article as its story: about a third of its words come from that story's text, the rest from the
whole vocabulary with probability falling as 1 / (rank + 2.7) (Zipf-Mandelbrot, as measured in
news text). Its section and tags are mostly its story's, sometimes any (sections and tags ranked,
Zipf again); dates spread over 15 years, more of them recent, as an archive grows. Seeded: the same
size gives the same archive. Nothing of it is committed.

"climate" is not in the demo's text; it is given the rank "election" has, so both named search
terms are frequent. The rare word occurs in exactly `RARE_COUNT` articles at any size.
"""

import re
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

from cms.content import ArticleContent, TagContent
from cms.fixtures.reader import read_fixtures
from cms.status import ArticleStatus
from cms.workflow.imports import ImportedArticle

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
WORD = re.compile(r"[a-z]+")
RARE = "quokka"
RARE_COUNT = 3
YEARS = 15
# Up to today, as a live newspaper's archive runs: what a writing process holds is the last two
# years of it (`cms.related.state`), and a fixed end would leave fewer of them every year.
END = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


@dataclass(frozen=True, slots=True)
class Story:
    words: list[str]
    section: str
    tags: list[str]


@dataclass(frozen=True, slots=True)
class Newspaper:
    tags: list[TagContent]
    articles: list[ImportedArticle]


def _zipf(count: int) -> np.ndarray:
    """The cumulative distribution of ranks 0..count-1 with weights 1 / (rank + 2.7)."""
    weights = np.cumsum(1.0 / (np.arange(count) + 2.7))
    cumulative: np.ndarray = weights / weights[-1]
    return cumulative


def _draw(rng: np.random.Generator, cumulative: np.ndarray, count: int) -> list[int]:
    """`count` ranks drawn from a cumulative distribution (one pass, no per-call set-up)."""
    ranks: list[int] = np.searchsorted(cumulative, rng.random(count)).tolist()
    return ranks


def _ranked(counts: Counter[str]) -> list[str]:
    return sorted(counts, key=lambda word: (-counts[word], word))


def _stories() -> tuple[list[Story], list[str], list[TagContent]]:
    """The demo's articles as stories, its vocabulary ranked by frequency, and its tags."""
    demo = read_fixtures(FIXTURES)
    assert not demo.problems, demo.problems
    counts: Counter[str] = Counter()
    stories = []
    for article in demo.articles:
        content = article.content
        words = WORD.findall(f"{content.headline} {content.excerpt} {content.body}".lower())
        counts.update(words)
        stories.append(Story(words, content.section, list(content.tags)))
    vocabulary = [word for word in _ranked(counts) if word != RARE]
    vocabulary.insert(vocabulary.index("election"), "climate")
    return stories, vocabulary, demo.tags


def generate(size: int, *, seed: int = 28) -> Newspaper:
    rng = np.random.default_rng(seed)
    stories, vocabulary, tags = _stories()
    words = _zipf(len(vocabulary))
    sections = _ranked(Counter(story.section for story in stories))
    section_ranks = _zipf(len(sections))
    # Every tag, the demo's commonest first.
    tag_slugs = _ranked(
        Counter({tag.slug: 0 for tag in tags})
        + Counter(tag for story in stories for tag in story.tags)
    )
    tag_ranks = _zipf(len(tag_slugs))
    # More recent years hold more articles: the density of dates rises linearly to `END`.
    ages = (1 - np.sqrt(rng.random(size))) * timedelta(days=365 * YEARS).total_seconds()
    rare = set(rng.choice(size, size=min(RARE_COUNT, size), replace=False).tolist())
    articles = []
    for number in range(size):
        story = stories[int(rng.integers(len(stories)))]
        length = int(rng.integers(250, 600))
        own = int(length * 0.35)
        picks = rng.integers(len(story.words), size=own).tolist()
        text = [story.words[pick] for pick in picks]
        text += [vocabulary[rank] for rank in _draw(rng, words, length - own)]
        rng.shuffle(text)
        if number in rare:
            text[int(rng.integers(len(text)))] = RARE
        cuts = sorted(rng.integers(40, length, size=int(rng.integers(3, 8))).tolist())
        paragraphs = [
            text[start:end] for start, end in zip([40, *cuts], [*cuts, length], strict=True)
        ]
        body = "\n\n".join(" ".join(part).capitalize() + "." for part in paragraphs if part)
        chosen = [tag for tag in story.tags if rng.random() < 0.7]
        if rng.random() < 0.2:
            chosen.append(tag_slugs[_draw(rng, tag_ranks, 1)[0]])
        anywhere = rng.random() < 0.2
        section = sections[_draw(rng, section_ranks, 1)[0]] if anywhere else story.section
        published_at = (END - timedelta(seconds=float(ages[number]))).replace(microsecond=0)
        content = ArticleContent(
            slug=f"{'-'.join(text[:5])}-{number}",
            headline=" ".join(text[:10]).capitalize(),
            credit=f"Reporter {int(rng.integers(60))}",
            section=section,
            tags=list(dict.fromkeys(chosen)),
            excerpt=" ".join(text[10:40]).capitalize() + ".",
            body=body,
            published_at=published_at,
        )
        articles.append(
            ImportedArticle(
                content=content, status=ArticleStatus.PUBLISHED, updated_at=published_at
            )
        )
    return Newspaper(tags=tags, articles=articles)
