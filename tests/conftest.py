"""Shared test helpers: where ../shared is (skipping cleanly when it is absent), and stores."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.store import SqlStore, open_store
from tests.pg import POSTGRES_URL, drop_schema, postgres_schema

ROOT = Path(__file__).resolve().parents[1]
SHARED = (ROOT / ".." / "shared").resolve()
EXAMPLES = ROOT / "examples" / "news"


@pytest.fixture(scope="session")
def shared() -> Path:
    if not (SHARED / "articles").is_dir():
        pytest.skip(f"../shared is not beside the checkout ({SHARED}): third-party data is read from there")
    return SHARED


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SqlStore]:
    """A migrated SQLite store in a temporary folder (tests/store has its own, per backend)."""
    s = open_store(None, tmp_path)
    await s.migrate()
    yield s
    await s.close()


@pytest.fixture
async def pg_stores(tmp_path: Path) -> AsyncIterator[list[SqlStore]]:
    """Three stores (three instances' connections) on one fresh, migrated PostgreSQL schema."""
    schema = await postgres_schema()
    stores = [open_store(POSTGRES_URL, tmp_path, schema=schema) for _ in range(3)]
    try:
        await stores[0].migrate()
        yield stores
    finally:
        for s in stores:
            await s.close()
        await drop_schema(schema)
