"""Shared test helpers: where ../shared is, and skipping cleanly when it is absent."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.store import SqlStore, open_store

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
