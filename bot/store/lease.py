"""Leases for duties one instance at a time may do (several instances on one PostgreSQL).

A lease is a PostgreSQL session advisory lock (`pg_try_advisory_lock`) taken on one
connection that the holder keeps open for as long as it holds its leases (`LeaseHolder`).
Whatever way the holder ends (a stop, a crash, a SIGKILL, its machine gone), its session
ends and PostgreSQL releases the locks: another instance asking next gets the lease. A
lost connection is a lost lease (`check` says so), since the locks went with the session.

Every instance also holds the lease `instance:<its id>` for its whole life: that is how
the others tell a live instance from a dead one (`live_instances`), e.g. to settle only
the deliveries a dead instance left half-done. Two live instances with the same id are
refused (the second cannot take its instance lease).

On SQLite the store has one process (the run lock, `bot/store/lock.py`): every lease is
granted and nobody else is alive.

Lock keys are 64-bit numbers derived from the store's schema and the lease's name, so
two deployments in two schemas of one database never share a lease.
"""

from __future__ import annotations

import hashlib
import logging

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

log = logging.getLogger(__name__)

INSTANCE_PREFIX = "instance:"


def lock_key(namespace: str, name: str) -> int:
    """The signed 64-bit advisory lock key of lease `name` in `namespace` (the schema)."""
    digest = hashlib.sha256(f"tradewatch-lease\0{namespace}\0{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def instance_lease(instance: str) -> str:
    return INSTANCE_PREFIX + instance


class LeaseHolder:
    """One instance's leases, on one dedicated connection (PostgreSQL), or all granted
    (SQLite: one process)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._conn: AsyncConnection | None = None
        self._namespace = ""
        self._held: dict[str, int] = {}

    @property
    def shared(self) -> bool:
        """True when other instances may share the store (PostgreSQL)."""
        return self._engine.dialect.name == "postgresql"

    def held(self) -> set[str]:
        return set(self._held)

    async def _connection(self) -> AsyncConnection:
        if self._conn is None:
            conn = await self._engine.connect()
            try:
                # autocommit: a session lock outlives transactions; no transaction stays open
                await conn.execution_options(isolation_level="AUTOCOMMIT")
                self._namespace = str(await conn.scalar(text("SELECT current_schema()")))
            except BaseException:
                await conn.close()
                raise
            self._conn = conn
        return self._conn

    async def try_take(self, name: str) -> bool:
        """Take the lease `name` if it is free (or already ours); never waits."""
        if name in self._held:
            return True
        if not self.shared:
            self._held[name] = 0
            return True
        conn = await self._connection()
        key = lock_key(self._namespace, name)
        got = bool(await conn.scalar(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}))
        if got:
            self._held[name] = key
        return got

    async def give_up(self, name: str) -> None:
        """Release the lease `name` (nothing when not held)."""
        key = self._held.pop(name, None)
        if key is None or not self.shared or self._conn is None:
            return
        try:
            await self._conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
        except Exception as e:  # the session is gone: so is the lock
            log.debug("releasing lease %s: %s (the lock went with the session)", name, e)

    async def check(self) -> bool:
        """True while the leases held are still ours: the connection answers. False means
        they are lost (the session ended): `held()` is emptied and the next `try_take`
        opens a new connection."""
        if not self.shared or self._conn is None:
            return True
        try:
            await self._conn.execute(text("SELECT 1"))
            return True
        except Exception as e:
            log.warning("the leases' database connection failed (%s): every lease is lost", e)
            await self._drop()
            return False

    async def _drop(self) -> None:
        self._held.clear()
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                await conn.invalidate()
            except Exception as e:  # already broken
                log.debug("closing the broken lease connection: %s", e)

    async def close(self) -> None:
        """Release every lease (closing the session releases its locks)."""
        self._held.clear()
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                await conn.execute(text("SELECT pg_advisory_unlock_all()"))
            except Exception as e:
                log.debug("unlocking the leases: %s (the session ends anyway)", e)
            await conn.close()


async def live_instances(conn: AsyncConnection, names: set[str]) -> set[str]:
    """Which of these instance ids are alive: their instance lease is held now (PostgreSQL);
    on SQLite, none (one process: whoever left something half-done is gone)."""
    if conn.dialect.name != "postgresql" or not names:
        return set()
    namespace = str(await conn.scalar(text("SELECT current_schema()")))
    rows = await conn.execute(text(
        "SELECT classid::bigint, objid::bigint FROM pg_locks WHERE locktype = 'advisory' AND granted "
        "AND objsubid = 1 AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"))
    held = set()
    for high, low in rows:
        key = (int(high) << 32) | int(low)
        held.add(key - (1 << 64) if key >= 1 << 63 else key)
    return {n for n in names if lock_key(namespace, instance_lease(n)) in held}
