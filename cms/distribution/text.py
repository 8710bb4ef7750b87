"""Text as XML may carry it: characters XML 1.0 forbids removed, markup escaped, dates written."""

import re
from datetime import UTC, datetime
from email.utils import format_datetime
from xml.sax.saxutils import escape, quoteattr

# XML 1.0's Char production: no C0 controls but tab, newline and return; no surrogates, no
# U+FFFE/U+FFFF. A feed reader refuses the whole document for one of them.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def clean(text: str) -> str:
    return _FORBIDDEN.sub("", text)


def element(name: str, text: str, **attributes: str) -> str:
    """`<name attr="...">text</name>`, everything escaped and cleaned."""
    attrs = "".join(f" {key}={quoteattr(clean(value))}" for key, value in attributes.items())
    return f"<{name}{attrs}>{escape(clean(text))}</{name}>"


def empty(name: str, **attributes: str | int) -> str:
    attrs = "".join(f" {key}={quoteattr(clean(str(value)))}" for key, value in attributes.items())
    return f"<{name}{attrs}/>"


def rfc822(moment: datetime) -> str:
    """RSS 2.0's dates (RFC 822, four-digit years), with their offset."""
    return format_datetime(moment.astimezone(UTC))


def rfc3339(moment: datetime) -> str:
    """Atom's, JSON Feed's and sitemaps' dates (RFC 3339 / W3C), with their offset."""
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def http_date(moment: datetime) -> str:
    """`Last-Modified` (RFC 9110's IMF-fixdate)."""
    return format_datetime(moment.astimezone(UTC), usegmt=True)
