"""The current time, always timezone-aware UTC, and the rounding stored dates get."""

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Now, as the store will keep it."""
    return storable(datetime.now(UTC))


def storable(value: datetime) -> datetime:
    """`value` in UTC, truncated to milliseconds: BSON dates hold no finer precision."""
    value = as_utc(value)
    return value.replace(microsecond=value.microsecond // 1000 * 1000)


def as_utc(value: datetime) -> datetime:
    """`value` in UTC; naive values (from a client without `tz_aware`) are taken to be UTC."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)
