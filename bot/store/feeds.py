"""Feed bookkeeping: statements run inside the caller's transaction (see `SqlStore`).

`feeds` holds each feed's admin choices and polling state (`bot.domain.Feed`);
`feed_entries` the keys (id, link) of every entry seen in a feed, with the article it
became (NULL when it was only recorded: published before the feed was added).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain import Feed
from bot.store.tables import feed_entries as fe
from bot.store.tables import feeds as f

_IN_CHUNK = 500
MAX_KEPT_KEYS = 10_000
POLL_STATE = ("title", "etag", "last_modified", "last_polled", "last_success", "last_error",
              "failures", "next_poll", "disabled")
"""The columns a poll writes (the admin's choices are left as they are)."""


def _insert(conn: AsyncConnection) -> Any:
    return pg_insert if conn.dialect.name == "postgresql" else sqlite_insert


def feed_from(row: RowMapping) -> Feed:
    return Feed(
        id=int(row["id"]),
        url=str(row["url"]),
        every_seconds=float(row["every_seconds"]),
        added_at=row["added_at"],
        backfill=bool(row["backfill"]),
        added_by=None if row["added_by"] is None else str(row["added_by"]),
        title=None if row["title"] is None else str(row["title"]),
        etag=None if row["etag"] is None else str(row["etag"]),
        last_modified=None if row["last_modified"] is None else str(row["last_modified"]),
        last_polled=row["last_polled"],
        last_success=row["last_success"],
        last_error=None if row["last_error"] is None else str(row["last_error"]),
        failures=int(row["failures"]),
        next_poll=row["next_poll"],
        disabled=bool(row["disabled"]),
    )


async def get(conn: AsyncConnection, feed_id: int | None = None, url: str | None = None) -> Feed | None:
    q = select(f).where(f.c.id == feed_id if feed_id is not None else f.c.url == url)
    row = (await conn.execute(q)).mappings().first()
    return None if row is None else feed_from(row)


async def add(conn: AsyncConnection, url: str, every_seconds: float, backfill: bool,
              added_by: str | None, now: datetime) -> tuple[Feed, bool]:
    """Insert the feed, or (already there) set its interval and enable it again, due now."""
    known = await get(conn, url=url)
    if known is None:
        await conn.execute(f.insert().values(
            url=url, every_seconds=every_seconds, backfill=backfill, added_by=added_by,
            added_at=now, failures=0, next_poll=now, disabled=False))
    else:
        await conn.execute(update(f).where(f.c.id == known.id).values(
            every_seconds=every_seconds, disabled=False, failures=0, next_poll=now))
    feed = await get(conn, url=url)
    if feed is None:
        raise LookupError(f"feed {url} vanished while being added")
    return feed, known is None


async def remove(conn: AsyncConnection, url: str) -> bool:
    return (await conn.execute(delete(f).where(f.c.url == url).returning(f.c.id))).first() is not None


async def listing(conn: AsyncConnection) -> list[Feed]:
    return [feed_from(r) for r in (await conn.execute(select(f).order_by(f.c.id))).mappings()]


async def seen(conn: AsyncConnection, feed_id: int, keys: Iterable[str]) -> set[str]:
    wanted = list(dict.fromkeys(keys))
    found: set[str] = set()
    for i in range(0, len(wanted), _IN_CHUNK):
        q = select(fe.c.entry_key).where(fe.c.feed_id == feed_id,
                                         fe.c.entry_key.in_(wanted[i : i + _IN_CHUNK]))
        found.update(str(k) for k in await conn.scalars(q))
    return found


async def save_poll(conn: AsyncConnection, feed: Feed, entries: Iterable[tuple[str, str | None]],
                    now: datetime, *, keep: Iterable[str] = (), prune_before: datetime | None = None) -> bool:
    """Write a poll's outcome: the feed's polling state (its URL too when a permanent
    redirect moved it, unless another feed has that URL), the entry keys seen, and (with
    `prune_before`) forget keys older than that which the feed no longer carries.
    False when the feed was removed meanwhile (nothing is written)."""
    values = {name: getattr(feed, name) for name in POLL_STATE}
    stored_url = await conn.scalar(select(f.c.url).where(f.c.id == feed.id))
    if stored_url is None:
        return False
    if feed.url != stored_url and await conn.scalar(select(f.c.id).where(f.c.url == feed.url)) is None:
        values["url"] = feed.url
    await conn.execute(update(f).where(f.c.id == feed.id).values(values))
    rows = [{"feed_id": feed.id, "entry_key": key, "article_id": article_id, "seen_at": now}
            for key, article_id in dict(entries).items()]
    for i in range(0, len(rows), _IN_CHUNK):
        await conn.execute(_insert(conn)(fe).values(rows[i : i + _IN_CHUNK]).on_conflict_do_nothing())
    kept = list(dict.fromkeys(keep))
    if prune_before is not None and len(kept) <= MAX_KEPT_KEYS:
        await conn.execute(delete(fe).where(and_(
            fe.c.feed_id == feed.id, fe.c.seen_at < prune_before, fe.c.entry_key.not_in(kept))))
    return True
