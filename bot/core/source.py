"""The seam between where articles come from and the service that stores and analyses them.

A source hands over `Discovered` files; the service stores their articles and only then
records the file's signature in its `FileState`, so a crash between the two never loses a
file (it is simply found again).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from bot.domain import Article
from bot.io.readers import ReadError


@dataclass(frozen=True, slots=True)
class Discovered:
    """One new or changed file and what could be read from it.

    `signature` is `size:mtime_ns:sha256-prefix` of the content as read; `bulk` is True when
    the file came with many others (start-up catch-up, a rescan, or a burst of more than
    five files in one batch of file-system events), so the service can post a digest
    instead of one alert per story.
    """

    path: Path
    signature: str
    articles: tuple[Article, ...]
    errors: tuple[ReadError, ...]
    bulk: bool


class FileState(Protocol):
    """Where the service remembers which version of each file it has safely stored."""

    async def file_signature(self, path: str) -> str | None: ...

    async def set_file_signature(self, path: str, signature: str) -> None: ...


class MemoryFileState:
    """A `FileState` kept in a dict: for tests and one-off runs."""

    def __init__(self) -> None:
        self._signatures: dict[str, str] = {}

    async def file_signature(self, path: str) -> str | None:
        return self._signatures.get(path)

    async def set_file_signature(self, path: str, signature: str) -> None:
        self._signatures[path] = signature
