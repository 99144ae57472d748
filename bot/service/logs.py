"""Structured logs for `tradewatch run` (issue 13): every line carries the instance id.

`instance_id` decides the id (pure); `InstanceFilter` puts it on every record passing a
handler (as `record.instance`); `JsonFormatter` writes one JSON object a line (time, level,
logger, message, instance, and the traceback when there is one); `use_instance_logging`
applies both to the root logger's handlers (set up by the CLI).
"""

from __future__ import annotations

import json
import logging
import os
import socket
from collections.abc import Mapping
from datetime import UTC, datetime

ENV_INSTANCE = "TRADEWATCH_INSTANCE_ID"
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(instance)s]: %(message)s"


def instance_id(configured: str | None, env: Mapping[str, str], hostname: str, pid: int) -> str:
    """The configured `ops.instance_id`, else TRADEWATCH_INSTANCE_ID, else hostname-pid."""
    return configured or env.get(ENV_INSTANCE, "").strip() or f"{hostname}-{pid}"


def this_instance(configured: str | None) -> str:
    return instance_id(configured, os.environ, socket.gethostname(), os.getpid())


class InstanceFilter(logging.Filter):
    """Adds `instance` to every record (never drops one)."""

    def __init__(self, instance: str) -> None:
        super().__init__()
        self.instance = instance

    def filter(self, record: logging.LogRecord) -> bool:
        record.instance = self.instance
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "instance": getattr(record, "instance", None),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def use_instance_logging(instance: str, log_format: str, root: logging.Logger | None = None) -> None:
    """Every handler of the root logger tags records with `instance` and writes them as
    text (with the id in brackets) or as JSON lines."""
    root = root or logging.getLogger()
    formatter = JsonFormatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT)
    for handler in root.handlers:
        for old in [f for f in handler.filters if isinstance(f, InstanceFilter)]:
            handler.removeFilter(old)
        handler.addFilter(InstanceFilter(instance))
        handler.setFormatter(formatter)
