"""`SqlStore.ping`, what /readyz asks of the store (issue 13 point 4), on both databases."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy import text

from bot.store import SqlStore, open_store
from bot.store.engine import StoreUnavailable
from tests.pg import POSTGRES_URL, drop_schema, postgres_schema


async def test_a_store_answers_until_it_is_closed(store: SqlStore) -> None:
    await store.ping()
    await store.close()
    with pytest.raises(StoreUnavailable, match="is closed"):
        await store.ping()


@pytest.mark.postgres
async def test_an_unreachable_postgresql_is_named(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens here once the socket is closed
    store = open_store(f"postgresql://tw@127.0.0.1:{port}/tradewatch", tmp_path)
    try:
        with pytest.raises(StoreUnavailable, match=rf"cannot reach PostgreSQL database tradewatch at 127.0.0.1:{port}"):
            await store.ping()
    finally:
        await store.close()


@pytest.mark.postgres
async def test_sessions_the_server_ended_are_replaced_before_use(tmp_path: Path) -> None:
    """PostgreSQL restarted, or an administrator ended the bot's idle sessions: the store's
    next calls open new ones instead of failing on the dead ones (no ping each time)."""
    schema = await postgres_schema()
    store = open_store(POSTGRES_URL, tmp_path, schema=schema)
    try:
        await store.migrate()
        await store.add_feed("https://news.example/trade.xml", 900.0)
        async with store._engine.connect() as one, store._engine.connect() as two:
            pids = [await c.scalar(text("SELECT pg_backend_pid()")) for c in (one, two)]
        admin = await asyncpg.connect(POSTGRES_URL, timeout=10)
        try:
            for pid in pids:
                assert await admin.fetchval("SELECT pg_terminate_backend($1)", pid)
            for _ in range(300):  # the sessions end a moment after the signal
                if not await admin.fetchval("SELECT count(*) FROM pg_stat_activity WHERE pid = ANY($1)", pids):
                    break
                await asyncio.sleep(0.1)
            else:
                pytest.fail(f"sessions {pids} did not end")
        finally:
            await admin.close()
        await asyncio.sleep(1.0)  # the goodbye reaches the client's event loop
        for _ in range(3):  # each call takes a pooled connection; two of them were ended
            assert [f.url for f in await store.feeds()] == ["https://news.example/trade.xml"]
        await store.ping()
    finally:
        await store.close()
        await drop_schema(schema)
