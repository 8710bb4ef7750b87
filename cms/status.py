"""Where an article is in the editorial workflow."""

from enum import StrEnum


class ArticleStatus(StrEnum):
    DRAFT = "draft"
    REVIEW = "review"
    SCHEDULED = "scheduled"
    PUBLISHED = "published"
    ARCHIVED = "archived"


# Scheduled articles become public when their time comes, with no job to flip their status.
PUBLIC_STATUSES = frozenset({ArticleStatus.PUBLISHED, ArticleStatus.SCHEDULED})
