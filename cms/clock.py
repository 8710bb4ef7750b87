"""The current time, always timezone-aware UTC, and the rounding stored dates get."""

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Now, truncated to milliseconds: BSON dates hold no finer precision."""
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def as_utc(value: datetime) -> datetime:
    """`value` in UTC; naive values are taken to be UTC already (as PyMongo returns them)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)
