"""Shared test helpers: where ../shared is, and skipping cleanly when it is absent."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = (ROOT / ".." / "shared").resolve()
EXAMPLES = ROOT / "examples" / "news"


@pytest.fixture(scope="session")
def shared() -> Path:
    if not (SHARED / "articles").is_dir():
        pytest.skip(f"../shared is not beside the checkout ({SHARED}): third-party data is read from there")
    return SHARED
