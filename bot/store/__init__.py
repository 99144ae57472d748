"""The bot's memory: articles, analyses, the tariff ledger, subscriptions and deliveries.

    store = open_store(settings.database_url, settings.store.data_dir)
    await store.migrate()          # once at start-up: Alembic `upgrade head`, a no-op if done
    ...
    await store.close()

`open_store(None, data_dir)` keeps everything in the SQLite file
`data_dir/tradewatch.sqlite3`; a `postgresql://` URL uses PostgreSQL (asyncpg).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from bot.store.engine import async_url, create_engine
from bot.store.fingerprint import fingerprint
from bot.store.ledger import LedgerEntry, LedgerRow, LedgerSource, filter_ledger, merge_ledger
from bot.store.protocol import Store
from bot.store.sql import AddedArticle, SqlStore, utcnow

__all__ = [
    "AddedArticle",
    "LedgerEntry",
    "LedgerRow",
    "LedgerSource",
    "SqlStore",
    "Store",
    "filter_ledger",
    "fingerprint",
    "merge_ledger",
    "open_store",
]


if TYPE_CHECKING:

    def _sql_store_is_a_store(store: SqlStore) -> Store:
        return store  # mypy checks that SqlStore keeps to the Protocol


def open_store(
    url: str | None,
    data_dir: Path,
    *,
    schema: str | None = None,
    clock: Callable[[], datetime] = utcnow,
) -> SqlStore:
    """A store on `url` (None: SQLite in `data_dir`); nothing connects until first use.

    `schema` (PostgreSQL) keeps the tables in that existing schema; `clock` gives the
    timezone-aware "now" the store records (a test can fix it).
    """
    return SqlStore(create_engine(async_url(url, data_dir), schema=schema), clock=clock)
