"""PostgreSQL for tests: 127.0.0.1:5432, database `test` (TRADEWATCH_TEST_POSTGRES_URL to point
elsewhere); each test gets a fresh schema, dropped afterwards; unreachable -> a clear skip."""

from __future__ import annotations

import os
import uuid

import asyncpg
import pytest

POSTGRES_URL = os.environ.get(
    "TRADEWATCH_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)

_unreachable: list[str] = []
"""Why PostgreSQL could not be reached, once found out (the other tests skip at once)."""


async def postgres_schema() -> str:
    if _unreachable:
        pytest.skip(_unreachable[0])
    try:
        conn = await asyncpg.connect(POSTGRES_URL, timeout=5)
    except (OSError, asyncpg.PostgresError) as e:
        _unreachable.append(f"PostgreSQL is unreachable at {POSTGRES_URL}: {e}")
        pytest.skip(_unreachable[0])
    schema = f"tw_test_{uuid.uuid4().hex[:12]}"
    try:
        await conn.execute(f'CREATE SCHEMA "{schema}"')
    finally:
        await conn.close()
    return schema


async def drop_schema(schema: str) -> None:
    conn = await asyncpg.connect(POSTGRES_URL, timeout=5)
    try:
        await conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
    finally:
        await conn.close()


