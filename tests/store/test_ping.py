"""`SqlStore.ping`, what /readyz asks of the store (issue 13 point 4), on both databases."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from bot.store import SqlStore, open_store
from bot.store.engine import StoreUnavailable


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
