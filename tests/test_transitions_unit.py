"""The workflow's publication-time rules, as pure logic (the HTTP tests cover every move)."""

from datetime import UTC, datetime, timedelta

import pytest

from cms.errors import InvalidTransitionError
from cms.status import ArticleStatus
from cms.workflow.transitions import TRANSITIONS, publication_time

NOW = datetime(2026, 1, 1, 12, tzinfo=UTC)
EARLIER = NOW - timedelta(days=3)
LATER = NOW + timedelta(days=3)
D, R, S, P, A = (
    ArticleStatus.DRAFT,
    ArticleStatus.REVIEW,
    ArticleStatus.SCHEDULED,
    ArticleStatus.PUBLISHED,
    ArticleStatus.ARCHIVED,
)


def when(
    current: ArticleStatus,
    target: ArticleStatus,
    *,
    publish_at: datetime | None = None,
    ever_public: bool = False,
) -> datetime:
    return publication_time(
        current=current,
        target=target,
        publish_at=publish_at,
        published_at=EARLIER,
        ever_public=ever_public,
        now=NOW,
    )


def test_every_status_can_go_back_to_draft_but_draft_itself() -> None:
    assert {status for status, targets in TRANSITIONS.items() if D in targets} == {R, S, P, A}


@pytest.mark.parametrize(
    ("current", "target", "publish_at", "ever_public", "expected"),
    [
        (D, P, None, False, NOW),  # first publication: now
        (A, D, None, True, EARLIER),  # other moves keep the time
        (D, P, None, True, EARLIER),  # published before: keeps its date
        (S, P, None, True, NOW),  # early publication of a scheduled one: now
        (R, P, EARLIER - timedelta(days=1), False, EARLIER - timedelta(days=1)),  # backdated
        (D, S, LATER, False, LATER),
    ],
)
def test_publication_times(
    current: ArticleStatus,
    target: ArticleStatus,
    publish_at: datetime | None,
    ever_public: bool,
    expected: datetime,
) -> None:
    assert when(current, target, publish_at=publish_at, ever_public=ever_public) == expected


@pytest.mark.parametrize(
    ("current", "target", "publish_at"),
    [(D, S, None), (D, S, NOW), (D, P, LATER), (D, R, EARLIER), (P, R, None), (D, D, None)],
)
def test_refused(
    current: ArticleStatus, target: ArticleStatus, publish_at: datetime | None
) -> None:
    with pytest.raises(InvalidTransitionError):
        when(current, target, publish_at=publish_at)
