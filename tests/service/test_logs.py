"""Structured logs (issue 13 point 4): the instance id on every line, text or JSON."""

from __future__ import annotations

import io
import json
import logging

import pytest

from bot.service.logs import instance_id, use_instance_logging


def test_the_instance_id_is_configured_else_from_the_environment_else_hostname_pid() -> None:
    env = {"TRADEWATCH_INSTANCE_ID": "tw-env"}
    assert instance_id("tw-config", env, "host", 7) == "tw-config"
    assert instance_id(None, env, "host", 7) == "tw-env"
    assert instance_id(None, {}, "host", 7) == "host-7"
    assert instance_id(None, {"TRADEWATCH_INSTANCE_ID": " "}, "host", 7) == "host-7"


@pytest.fixture
def root() -> logging.Logger:
    """A private logger tree with one handler, standing in for the CLI's root logger."""
    logger = logging.getLogger("tests.logs.root")
    logger.handlers.clear()
    logger.propagate = False
    logger.setLevel(logging.INFO)
    return logger


def test_json_lines_carry_time_level_logger_message_and_instance(root: logging.Logger) -> None:
    out = io.StringIO()
    root.addHandler(logging.StreamHandler(out))
    use_instance_logging("tw-7", "json", root)
    root.getChild("bot.feeds").warning("feed %s: %s", "https://example.org/x", 'said "no"\nthen left')
    try:
        raise ValueError("broken")
    except ValueError:
        root.exception("it failed")
    first, second = (json.loads(line) for line in out.getvalue().splitlines())
    assert first["instance"] == "tw-7" and first["level"] == "WARNING"
    assert first["logger"] == "tests.logs.root.bot.feeds"
    assert first["message"] == 'feed https://example.org/x: said "no"\nthen left'
    assert first["time"].endswith("+00:00")
    assert "ValueError: broken" in second["exception"]


def test_text_lines_name_the_instance_and_it_is_set_once(root: logging.Logger) -> None:
    out = io.StringIO()
    root.addHandler(logging.StreamHandler(out))
    use_instance_logging("tw-1", "text", root)
    use_instance_logging("tw-2", "text", root)  # set again: replaced, not doubled
    root.info("hello")
    line = out.getvalue().strip()
    assert line.endswith("INFO tests.logs.root [tw-2]: hello")
    assert len(root.handlers[0].filters) == 1
