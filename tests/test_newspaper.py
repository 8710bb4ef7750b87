"""The generated newspaper archive `bench.scale` measures (`bench.newspaper`): valid content, with
the spread of words and dates `docs/operations/scale.md` describes. Run here so that the
benchmark's generator keeps up with the content model (it once still wrote `author:` lines that
articles no longer take, and the benchmark died before measuring anything)."""

import re
from datetime import timedelta

from bench.newspaper import END, RARE, RARE_COUNT, YEARS, generate


def test_the_archive_is_valid_content_with_common_words_a_rare_one_and_fifteen_years() -> None:
    paper = generate(1000)
    texts = [
        f"{a.content.headline} {a.content.excerpt} {a.content.body}".lower() for a in paper.articles
    ]

    def share(word: str) -> float:
        return sum(1 for text in texts if re.search(rf"\b{word}\b", text)) / len(texts)

    assert len(paper.articles) == 1000
    assert len({article.content.slug for article in paper.articles}) == 1000
    tags = {tag.slug for tag in paper.tags}
    assert all(set(article.content.tags) <= tags for article in paper.articles)
    assert 0.35 < share("troops") < 0.75
    assert 0.05 < share("election") < 0.3
    assert 0.05 < share("climate") < 0.3
    assert sum(1 for text in texts if RARE in text) == RARE_COUNT
    dates = [article.content.published_at for article in paper.articles]
    assert max(dates) <= END
    assert min(dates) >= END - timedelta(days=366 * YEARS)
    assert max(dates) - min(dates) > timedelta(days=365 * (YEARS - 2))
