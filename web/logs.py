"""Logging that never holds up the event loop.

Records are put on a queue as they are; a listener thread formats and
writes them. A traceback, which rich takes seconds to render, is rendered there. Lines are JSON
in production, plain text otherwise, and rich only on a terminal. Each record carries the id of
the request it was logged for.
"""

import atexit
import json
import logging
import queue
import sys
from datetime import UTC, datetime
from logging.handlers import QueueHandler, QueueListener
from typing import Any, TextIO

from rich.console import Console
from rich.logging import RichHandler

from cms.config import Settings
from web import exchange

PLAIN = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
_listener: QueueListener | None = None


class Enqueue(QueueHandler):
    """Hands records over unformatted: formatting, tracebacks included, happens off the loop."""

    def prepare(self, record: logging.LogRecord) -> logging.LogRecord:
        current = exchange.current()
        record.request_id = current.request_id if current else "-"
        return record


class JsonLines(logging.Formatter):
    """One JSON object per line, with the access log's fields at the top level."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
        }
        entry.update(getattr(record, "access", {}))
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def output_handler(settings: Settings, stream: TextIO) -> logging.Handler:
    """Where the listener writes: JSON lines, rich on a terminal, or plain lines."""
    if settings.environment == "production":
        handler: logging.Handler = logging.StreamHandler(stream)
        handler.setFormatter(JsonLines())
    elif stream.isatty():
        handler = RichHandler(
            console=Console(file=stream), show_path=False, rich_tracebacks=True, markup=False
        )
        handler.setFormatter(logging.Formatter("[%(request_id)s] %(message)s"))
    else:
        handler = logging.StreamHandler(stream)
        handler.setFormatter(logging.Formatter(PLAIN))
    return handler


def configure_logging(settings: Settings, *, handler: logging.Handler | None = None) -> None:
    """Route every logger through the queue to `handler` (by default, as `output_handler`)."""
    global _listener
    stop_logging()
    records: queue.SimpleQueue[logging.LogRecord] = queue.SimpleQueue()
    _listener = QueueListener(records, handler or output_handler(settings, sys.stderr))
    root = logging.getLogger()
    for previous in root.handlers[:]:
        root.removeHandler(previous)
    root.addHandler(Enqueue(records))
    root.setLevel(settings.log_level.upper())
    _listener.start()


@atexit.register
def stop_logging() -> None:
    """Write what is still queued (at exit, or when a test is done)."""
    global _listener
    if _listener is not None:
        root = logging.getLogger()
        for handler in root.handlers[:]:
            if isinstance(handler, Enqueue):
                root.removeHandler(handler)
        _listener.stop()
        _listener = None
