"""How long a running API takes to answer while something else runs (a load, say).

A thread asks for `/healthz` and an article page, one after the other, as fast as they answer,
and keeps the worst time of each; its own event loop is not the test's, so work the test does
in its loop (a load) is seen only through the API process, as a reader would see it. The block
starts once the API has answered each once: a first answer also starts what the API starts on
first need (its rendering worker process, seconds on a busy machine), which is not the load's.
"""

import contextlib
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx

from api.examples import ARTICLE_PAGE_QUERY


@dataclass
class Answers:
    """The worst answer times seen (seconds), how many of each, and any answer not 200."""

    worst: dict[str, float] = field(default_factory=lambda: {"/healthz": 0.0, "page": 0.0})
    count: int = 0
    failures: list[str] = field(default_factory=list)


@contextlib.contextmanager
def answer_times(url: str, slug: str) -> Iterator[Answers]:
    """Ask the API at `url` for `/healthz` and the page of `slug` until the block ends."""
    answers = Answers()
    stopping = threading.Event()
    warm = threading.Event()
    page = {"query": ARTICLE_PAGE_QUERY, "variables": {"slug": slug}}

    def ask() -> None:
        with httpx.Client(base_url=url, timeout=120) as http:
            while not stopping.is_set():
                for name in answers.worst:
                    started = time.perf_counter()
                    try:
                        answer = (
                            http.post("/graphql", json=page) if name == "page" else http.get(name)
                        )
                    except httpx.HTTPError as error:
                        answers.failures.append(f"{name}: {error!r}")
                        continue
                    took = time.perf_counter() - started
                    if answer.status_code != 200 or "errors" in answer.json():
                        answers.failures.append(f"{name}: {answer.status_code} {answer.text}")
                    if warm.is_set():
                        answers.worst[name] = max(answers.worst[name], took)
                        answers.count += 1
                warm.set()

    asking = threading.Thread(target=ask, name="answer-times", daemon=True)
    asking.start()
    warm.wait(timeout=120)
    try:
        yield answers
    finally:
        stopping.set()
        asking.join()
