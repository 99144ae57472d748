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

from bot.store.engine import StoreUnavailable, async_url, create_engine, where
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
    "StoreUnavailable",
    "filter_ledger",
    "fingerprint",
    "merge_ledger",
    "open_existing",
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
    instance: str | None = None,
) -> SqlStore:
    """A store on `url` (None: SQLite in `data_dir`); nothing connects until first use.

    `schema` (PostgreSQL) keeps the tables in that existing schema; `clock` gives the
    timezone-aware "now" the store records (a test can fix it); `instance` names the
    running instance the store works for (see `SqlStore.instance`).
    """
    return SqlStore(create_engine(async_url(url, data_dir), schema=schema), clock=clock, instance=instance)


async def open_existing(url: str | None, data_dir: Path, *, schema: str | None = None) -> SqlStore | None:
    """The store when it has been set up (`migrate`d), None when it never was; creates
    nothing (no file, no folder, no table): for commands that only read.

    Raises StoreUnavailable when the database cannot be reached, or when its schema is not
    this version's (reading it could fail; `migrate`, i.e. `tradewatch run`, upgrades it)."""
    from bot.store.migrate import head_revision

    target = async_url(url, data_dir)
    if target.drivername.startswith("sqlite") and not Path(target.database or "").is_file():
        return None
    store = SqlStore(create_engine(target, schema=schema))
    try:
        revision = await store.schema_revision()
    except BaseException:
        await store.close()
        raise
    if revision is None:
        await store.close()
        return None
    if revision != head_revision():
        await store.close()
        raise StoreUnavailable(f"{where(target)} is at schema revision {revision}, this version "
                               f"reads {head_revision()}: `tradewatch run` upgrades an older one")
    return store
