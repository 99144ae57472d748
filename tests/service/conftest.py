"""Several instances' stores on one PostgreSQL schema, for the tests of what instances share."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.store import SqlStore, open_store
from tests.pg import POSTGRES_URL, drop_schema, postgres_schema


@pytest.fixture
async def pg_stores(tmp_path: Path) -> AsyncIterator[list[SqlStore]]:
    """Three stores (three instances' connections) on one fresh, migrated schema."""
    schema = await postgres_schema()
    stores = [open_store(POSTGRES_URL, tmp_path, schema=schema) for _ in range(3)]
    try:
        await stores[0].migrate()
        yield stores
    finally:
        for s in stores:
            await s.close()
        await drop_schema(schema)
