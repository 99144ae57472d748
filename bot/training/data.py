"""Labelled stories for training: one JSON object a line.

Either `{"title", "body", "is_trade"}`, or a Reuters-style record with a `topics` list read
with a label (`--label trade`: is_trade = "trade" in topics). A wire record's `dateline`,
when present, goes back at the head of the body ("TOKYO, April 5 - ..."), the way the
analysis reads wire stories.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.domain import Article


@dataclass(frozen=True, slots=True)
class LabelledStory:
    article: Article
    is_trade: bool


@dataclass(frozen=True, slots=True)
class BadLine:
    """A line that could not be used, with why (line numbers start at 1)."""

    line: int
    message: str


def story_from(obj: Any, line: int, label: str | None) -> LabelledStory:
    """One labelled story from a decoded JSON line; `ValueError` says what is wrong."""
    if not isinstance(obj, dict):
        raise ValueError(f"expected a JSON object, got {type(obj).__name__}")
    title = obj.get("title", "")
    body = obj.get("body", "")
    if not isinstance(title, str) or not isinstance(body, str):
        raise ValueError('"title" and "body" must be strings')
    if "title" not in obj and "body" not in obj:
        raise ValueError('no "title" or "body"')
    dateline = obj.get("dateline")
    if isinstance(dateline, str) and dateline.strip():
        body = f"{dateline.strip()} - {body}"
    ident = obj.get("id")
    article = Article(id=str(ident) if ident is not None else f"line-{line}", title=title, body=body)
    return LabelledStory(article, _label(obj, label))


def _label(obj: dict[str, Any], label: str | None) -> bool:
    if label is not None:
        topics = obj.get("topics")
        if not isinstance(topics, list) or not all(isinstance(t, str) for t in topics):
            raise ValueError(f'no "topics" list of strings (needed by --label {label})')
        return label in topics
    value = obj.get("is_trade")
    if isinstance(value, bool):
        return value
    if value in (0, 1) and not isinstance(value, float):
        return bool(value)
    if "topics" in obj and "is_trade" not in obj:
        raise ValueError('no "is_trade"; this line has "topics": use --label TOPIC')
    raise ValueError('"is_trade" must be true or false')


def read_labelled(path: Path, label: str | None = None) -> tuple[list[LabelledStory], list[BadLine]]:
    """Every usable story of a JSONL file, and the lines that were not usable.

    `OSError` when the file cannot be read at all; a bad line never stops the reading.
    """
    stories: list[LabelledStory] = []
    bad: list[BadLine] = []
    with path.open("rb") as f:
        for number, raw in enumerate(f, start=1):
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as e:
                bad.append(BadLine(number, f"not valid UTF-8 ({e.reason} at byte {e.start})"))
                continue
            if not text.strip():
                continue
            try:
                obj = json.loads(text)
            except json.JSONDecodeError as e:
                bad.append(BadLine(number, f"not valid JSON ({e.msg}, column {e.colno})"))
                continue
            try:
                stories.append(story_from(obj, number, label))
            except ValueError as e:
                bad.append(BadLine(number, str(e)))
    return stories, bad
