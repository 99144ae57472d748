"""Database URLs and engines: SQLite (aiosqlite) by default, PostgreSQL (asyncpg) on request.

One engine per store. SQLite gets WAL (readers never block the writer), a busy timeout,
foreign keys, and explicit transactions: `BEGIN IMMEDIATE` for writes (a writer waits for
the lock instead of failing halfway), `BEGIN DEFERRED` for connections marked read-only.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Table, event
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, DisconnectionError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

SQLITE_FILE = "tradewatch.sqlite3"
READ_ONLY = "tradewatch_read_only"
"""Execution option: a connection that only reads (SQLite opens it with BEGIN DEFERRED)."""

BUSY_TIMEOUT_MS = 10_000
CONNECT_TIMEOUT_S = 15
"""PostgreSQL: how long opening a connection may take before it counts as failed."""
POOL_SIZE = 10
POOL_OVERFLOW = 10
"""PostgreSQL: connections an instance keeps open, and how many more it opens for a burst
(closed again after it). A busy instance (64 feed polls, 16 delivery lanes, its analysis)
uses about ten at once: a smaller pool opened and closed connections all the time. An
instance holds at most 20 (its leases' session included): three instances fit in
PostgreSQL's default `max_connections` of 100."""


class StoreUnavailable(RuntimeError):
    """The database cannot be reached or used; the message says which one and what failed,
    in one line (the caller names the setting it came from)."""


def where(url: URL) -> str:
    """The database for a person: "PostgreSQL database test at 127.0.0.1:5432" or "the
    SQLite file data/tradewatch.sqlite3" (never a password)."""
    if url.drivername.startswith("sqlite"):
        return f"the SQLite file {url.database}"
    host = f"{url.host or 'localhost'}{f':{url.port}' if url.port else ''}"
    return f"PostgreSQL database {url.database or '(default)'} at {host}"


def _reason(e: BaseException) -> str:
    if isinstance(e, DBAPIError):
        e = e.orig if isinstance(e.orig, BaseException) else e
        return str(e.args[0]) if e.args else type(e).__name__
    if isinstance(e, ConnectionRefusedError):
        return "connection refused (is the server running, on that port?)"
    if isinstance(e, TimeoutError):
        return "no answer in time"
    if isinstance(e, OSError) and e.strerror:
        return e.strerror
    return str(e).strip() or type(e).__name__


@contextmanager
def reachable(url: URL, doing: str) -> Iterator[None]:
    """Connection-level failures inside become StoreUnavailable naming the database and
    what failed ("cannot open PostgreSQL database x at h:5432: connection refused")."""
    try:
        yield
    except (OSError, DBAPIError) as e:  # TimeoutError and socket errors are OSErrors
        raise StoreUnavailable(f"cannot {doing} {where(url)}: {_reason(e)}") from e

_DRIVERS = {
    "postgresql": "postgresql+asyncpg",
    "postgres": "postgresql+asyncpg",
    "postgresql+asyncpg": "postgresql+asyncpg",
    "sqlite": "sqlite+aiosqlite",
    "sqlite+aiosqlite": "sqlite+aiosqlite",
}


def async_url(url: str | None, data_dir: Path) -> URL:
    """The async SQLAlchemy URL for a configured one (None: the SQLite file in `data_dir`).

    `postgresql://` (or `postgres://`) becomes `postgresql+asyncpg://`, `sqlite:///x`
    becomes `sqlite+aiosqlite:///x`. Other drivers, and in-memory SQLite (every connection
    would see its own empty database), are refused with a ValueError.
    """
    if url is None:
        return make_url(f"sqlite+aiosqlite:///{(data_dir / SQLITE_FILE).as_posix()}")
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ValueError("not a database URL: use postgresql://user@host/db or sqlite:///path/to/file") from None
    driver = _DRIVERS.get(parsed.drivername)
    if driver is None:
        raise ValueError(
            f"unsupported database URL scheme {parsed.drivername!r}: "
            "use postgresql://user@host/db or sqlite:///path/to/file"
        )
    if driver.startswith("sqlite") and parsed.database in (None, "", ":memory:"):
        raise ValueError("in-memory SQLite is not supported: give a file, sqlite:///path/to/file")
    return parsed.set(drivername=driver)


def create_engine(url: URL, *, schema: str | None = None) -> AsyncEngine:
    """An async engine for an URL from `async_url`.

    `schema` (PostgreSQL only) puts the store's tables in that schema (it must exist), by
    setting the connections' search_path: a deployment sharing a database, or a test.
    """
    if url.drivername.startswith("sqlite"):
        if schema is not None:
            raise ValueError("a schema is a PostgreSQL option; SQLite keeps one store a file")
        if url.database:
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url)
        _sqlite_setup(engine)
        return engine
    connect_args: dict[str, Any] = {"timeout": CONNECT_TIMEOUT_S}
    if schema is not None:
        connect_args["server_settings"] = {"search_path": schema}
    engine = create_async_engine(url, pool_size=POOL_SIZE, max_overflow=POOL_OVERFLOW, connect_args=connect_args)
    event.listen(engine.sync_engine, "checkout", _closed_by_the_server)
    return engine


def _closed_by_the_server(_dbapi_connection: Any, record: Any, _proxy: Any) -> None:
    """PostgreSQL: a pooled connection the server has closed (a restart, a terminated
    session) is replaced before use. asyncpg sees the server's goodbye as soon as the event
    loop reads it, so this costs no round trip, where a ping at every checkout (SQLAlchemy's
    `pool_pre_ping`) cost one each time: a quarter of an instance's CPU in the feed
    benchmark. A connection that breaks between the check and its use fails that one
    call; SQLAlchemy then discards the pool's older connections."""
    driver = record.driver_connection
    if driver is None or driver.is_closed():
        raise DisconnectionError("the database closed this pooled connection")


def _sqlite_setup(engine: AsyncEngine) -> None:
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # the driver must not open transactions by itself: the "begin" hook below does
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    def on_begin(conn: Connection) -> None:
        mode = "DEFERRED" if conn.get_execution_options().get(READ_ONLY) else "IMMEDIATE"
        conn.exec_driver_sql(f"BEGIN {mode}")

    event.listen(engine.sync_engine, "connect", on_connect)
    event.listen(engine.sync_engine, "begin", on_begin)


def dialect_insert(conn: AsyncConnection, table: Table) -> Any:
    """INSERT for this connection's dialect, so `on_conflict_do_*` is available."""
    return (pg_insert if conn.dialect.name == "postgresql" else sqlite_insert)(table)
