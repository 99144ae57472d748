"""Real databases for the store tests: a temporary SQLite file, and PostgreSQL on
127.0.0.1:5432 (TRADEWATCH_TEST_POSTGRES_URL to point elsewhere), each test in a fresh schema.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.store import SqlStore, open_store
from tests.pg import POSTGRES_URL, drop_schema, postgres_schema


class Clock:
    """A settable "now" (timezone-aware UTC), one second further on each reading."""

    def __init__(self) -> None:
        self.now = datetime(2024, 1, 1, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


@dataclass(frozen=True)
class Backend:
    """Where a test's database lives; `open()` gives a new store on it (a restart)."""

    name: str
    url: str | None
    data_dir: Path
    schema: str | None
    clock: Clock

    def open(self) -> SqlStore:
        return open_store(self.url, self.data_dir, schema=self.schema, clock=self.clock)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def backend(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Backend]:
    if request.param == "sqlite":
        yield Backend("sqlite", None, tmp_path, None, Clock())
        return
    schema = await postgres_schema()
    try:
        yield Backend("postgres", POSTGRES_URL, tmp_path, schema, Clock())
    finally:
        await drop_schema(schema)


@pytest.fixture
async def store(backend: Backend) -> AsyncIterator[SqlStore]:
    s = backend.open()
    await s.migrate()
    try:
        yield s
    finally:
        await s.close()
