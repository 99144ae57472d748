"""Feed bookkeeping: statements run inside the caller's transaction (see `SqlStore`).

`feeds` holds each feed's admin choices and polling state (`bot.domain.Feed`), and which
instance is polling it until when (`claim`: several instances share one store);
`feed_entries` the keys (id, link, text) of every entry seen in a feed, with the article it
became (NULL when it was only recorded: seen at the feed's first poll, or a repeat).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, and_, bindparam, case, delete, func, not_, or_, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain import Feed
from bot.store.engine import dialect_insert
from bot.store.rows import opt_str
from bot.store.tables import feed_entries as fe
from bot.store.tables import feeds as f

_IN_CHUNK = 500
MAX_KEPT_KEYS = 10_000
POLL_STATE = ("title", "etag", "last_modified", "last_polled", "last_success", "last_error",
              "failures", "next_poll", "disabled")
"""The columns a poll writes (the admin's choices are left as they are)."""


def feed_from(row: RowMapping) -> Feed:
    return Feed(
        id=int(row["id"]),
        url=str(row["url"]),
        every_seconds=float(row["every_seconds"]),
        added_at=row["added_at"],
        backfill=bool(row["backfill"]),
        added_by=opt_str(row["added_by"]),
        title=opt_str(row["title"]),
        etag=opt_str(row["etag"]),
        last_modified=opt_str(row["last_modified"]),
        last_polled=row["last_polled"],
        last_success=row["last_success"],
        last_error=opt_str(row["last_error"]),
        failures=int(row["failures"]),
        next_poll=row["next_poll"],
        disabled=bool(row["disabled"]),
    )


async def get(conn: AsyncConnection, feed_id: int | None = None, url: str | None = None) -> Feed | None:
    q = select(f).where(f.c.id == feed_id if feed_id is not None else f.c.url == url)
    row = (await conn.execute(q)).mappings().first()
    return None if row is None else feed_from(row)


async def add(conn: AsyncConnection, url: str, every_seconds: float, backfill: bool,
              added_by: str | None, now: datetime, *, only_new: bool = False) -> tuple[Feed, bool]:
    """Insert the feed, or (already there) set its interval and enable it again, due now;
    with `only_new` a known feed is returned untouched (its schedule and claim stand)."""
    known = await get(conn, url=url)
    if known is not None and only_new:
        return known, False
    if known is None:
        # ON CONFLICT: several instances starting at once add the configuration's feeds together
        inserted = (await conn.execute(dialect_insert(conn, f).values(
            url=url, every_seconds=every_seconds, backfill=backfill, added_by=added_by,
            added_at=now, failures=0, next_poll=now, disabled=False,
        ).on_conflict_do_nothing(index_elements=[f.c.url]).returning(f.c.id))).first()
        if inserted is None:  # another instance added it a moment ago: as it added it
            feed = await get(conn, url=url)
            if feed is None:
                raise LookupError(f"feed {url} vanished while being added")
            return feed, False
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


class FeedPoll(NamedTuple):
    """One poll's outcome, to be saved: the feed's new state, the entry keys it saw (with the
    article each became, or None), and what to forget (see `save_polls`)."""

    feed: Feed
    entries: Sequence[tuple[str, str | None]] = ()
    keep: Sequence[str] = ()
    prune_before: datetime | None = None


def _claimable(now: datetime, exclude: Collection[int]) -> list[ColumnElement[bool]]:
    """Enabled, due, and not one of `exclude` (the feeds the caller has in hand)."""
    where = [f.c.disabled.is_(False), or_(f.c.next_poll.is_(None), f.c.next_poll <= now)]
    if exclude:
        where.append(f.c.id.not_in(list(exclude)))
    return where


async def claim_due(conn: AsyncConnection, instance: str, limit: int, now: datetime, lease: timedelta,
                    exclude: Collection[int] = ()) -> list[Feed]:
    """Claim up to `limit` due feeds for `instance` until `now + lease`, the longest due
    first, in ONE statement: enabled, due, not in `exclude`, and nobody holds an unexpired
    claim. PostgreSQL: the rows are picked `FOR UPDATE SKIP LOCKED`, so instances claiming
    at once take different feeds and never wait for each other, and no claim is lost; the
    poll's save clears the claim and moves `next_poll` on, so the feed is not due again this
    cycle. (A claim runs out after `lease`: the feed of an instance that died is taken over.)"""
    if limit < 1:
        return []
    # a CTE, read once: PostgreSQL may run an IN (subquery) again for each row it updates,
    # and a LIMIT ... SKIP LOCKED subquery run again takes more rows than `limit`
    due = (
        select(f.c.id)
        .where(*_claimable(now, exclude), or_(f.c.claim_until.is_(None), f.c.claim_until < now))
        .order_by(f.c.next_poll, f.c.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .cte("due")
    )
    stmt = (
        update(f)
        .where(f.c.id.in_(select(due.c.id)))
        .values(claimed_by=instance, claim_until=now + lease)
        .returning(*f.c)
    )
    rows = (await conn.execute(stmt)).mappings().all()
    return sorted((feed_from(r) for r in rows), key=lambda feed: (feed.next_poll or now, feed.id))


async def due_unclaimed(conn: AsyncConnection, limit: int, now: datetime, exclude: Collection[int] = ()) -> list[Feed]:
    """Up to `limit` due feeds, the longest due first, without writing a claim (one process
    on the store: what it has in hand, `exclude`, is all that is claimed)."""
    if limit < 1:
        return []
    q = select(f).where(*_claimable(now, exclude)).order_by(f.c.next_poll, f.c.id).limit(limit)
    return [feed_from(r) for r in (await conn.execute(q)).mappings()]


async def next_due(conn: AsyncConnection, now: datetime, exclude: Collection[int] = ()) -> datetime | None:
    """When a feed not in `exclude` may next be claimed (None: no enabled feed): the soonest
    `next_poll` of the unclaimed ones, or the end of a live claim (its holder polls it, or
    died and the claim runs out), whichever is sooner."""
    live = and_(f.c.claim_until.is_not(None), f.c.claim_until >= now)
    q = select(func.min(case((not_(live), func.coalesce(f.c.next_poll, now)))),
               func.min(case((live, f.c.claim_until)))).where(f.c.disabled.is_(False))
    if exclude:
        q = q.where(f.c.id.not_in(list(exclude)))
    row = (await conn.execute(q)).first()
    times = [t for t in (row or ()) if t is not None]
    return min((_aware(t) for t in times), default=None)


def _aware(value: datetime | str) -> datetime:
    """A time read through an aggregate (SQLite may hand back its text form, naive UTC)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _state_update() -> Any:
    """A poll's state, written; the claim taken for the poll ends with it."""
    return update(f).where(f.c.id == bindparam("b_id")).values(
        {**{name: bindparam(f"b_{name}", type_=f.c[name].type) for name in POLL_STATE},
         "claimed_by": None, "claim_until": None})


async def save_polls(conn: AsyncConnection, polls: Sequence[FeedPoll], now: datetime) -> list[bool]:
    """Write polls' outcomes (several feeds in one go, for the many polls of a busy cycle):
    each feed's polling state (its URL too when a permanent redirect moved it, unless
    another feed has that URL), the entry keys seen, and, for a poll with `prune_before`
    that saw new entries, the keys older than that which the feed no longer carries (not in
    `keep`). For each poll, False when its feed was removed meanwhile (nothing written)."""
    ids = list(dict.fromkeys(p.feed.id for p in polls))
    stored: dict[int, str] = {}
    for i in range(0, len(ids), _IN_CHUNK):
        q = select(f.c.id, f.c.url).where(f.c.id.in_(ids[i : i + _IN_CHUNK]))
        stored.update((int(fid), str(url)) for fid, url in await conn.execute(q))
    live = [p for p in polls if p.feed.id in stored]
    if live:
        await conn.execute(_state_update(), [
            {"b_id": p.feed.id, **{f"b_{name}": getattr(p.feed, name) for name in POLL_STATE}}
            for p in live])
    rows = []
    for p in live:
        if p.feed.url != stored[p.feed.id] and \
                await conn.scalar(select(f.c.id).where(f.c.url == p.feed.url)) is None:
            await conn.execute(update(f).where(f.c.id == p.feed.id).values(url=p.feed.url))
        rows += [{"feed_id": p.feed.id, "entry_key": key, "article_id": article_id, "seen_at": now}
                 for key, article_id in dict(p.entries).items()]
    if rows:
        await conn.execute(dialect_insert(conn, fe).on_conflict_do_nothing(), rows)  # executemany
    for p in live:
        kept = list(dict.fromkeys(p.keep))
        if p.entries and p.prune_before is not None and len(kept) <= MAX_KEPT_KEYS:
            # entries leave a feed only when new ones come in: nothing to forget otherwise
            await conn.execute(delete(fe).where(and_(
                fe.c.feed_id == p.feed.id, fe.c.seen_at < p.prune_before, fe.c.entry_key.not_in(kept))))
    return [p.feed.id in stored for p in polls]
