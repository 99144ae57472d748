"""Delivery bookkeeping: statements run inside the caller's transaction.

The state machine, under the unique key (alert_id, channel):

    pending --claim--> sending --mark_sent--> sent
                          |--mark_failed(retry, attempts < max)--> pending (not before
                          |      now + retry_after, when given)
                          |--mark_failed(otherwise)--> failed
                          '--reset (the post is known not to have happened)--> pending

`claim` takes the oldest pending rows in ONE statement (PostgreSQL: `FOR UPDATE SKIP
LOCKED`, so two workers never take the same row and never wait for each other; SQLite:
one writer at a time) and counts the attempt.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, not_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain import Delivery
from bot.store.engine import dialect_insert
from bot.store.lease import live_instances
from bot.store.rows import delivery_from
from bot.store.tables import deliveries as d

MAX_ERROR_CHARS = 2000


def _key(alert_id: str, channel: str) -> ColumnElement[bool]:
    return and_(d.c.alert_id == alert_id, d.c.channel == channel)


async def enqueue(conn: AsyncConnection, alert_id: str, channels: Iterable[str], now: datetime) -> int:
    """Insert pending rows for the channels that have none for this alert; how many were new."""
    unique = list(dict.fromkeys(channels))
    if not unique:
        return 0
    values = [
        {"alert_id": alert_id, "channel": ch, "state": "pending", "attempts": 0,
         "created_at": now, "updated_at": now}
        for ch in unique
    ]  # fmt: skip
    stmt = (
        dialect_insert(conn, d)
        .values(values)
        .on_conflict_do_nothing(index_elements=[d.c.alert_id, d.c.channel])
        .returning(d.c.id)
    )
    return len((await conn.execute(stmt)).all())


def _service_is(service: str) -> ColumnElement[bool]:
    """The channel belongs to the chat service ("slack:C0123" to "slack")."""
    return d.c.channel.startswith(service + ":", autoescape=True)


def _of_services(service: str | None, other_than: Sequence[str]) -> list[ColumnElement[bool]]:
    """Only the channels of `service` when given, and none of the services in `other_than`
    (the dispatcher's lanes)."""
    return ([_service_is(service)] if service is not None else []) + [not_(_service_is(s)) for s in other_than]


async def claim(conn: AsyncConnection, limit: int, now: datetime, service: str | None = None,
                other_than: Sequence[str] = (), claimed_by: str | None = None) -> list[Delivery]:  # fmt: skip
    """The oldest due pending deliveries -> sending, of the services asked for, recorded as
    `claimed_by` that instance (so a reconcile elsewhere leaves them alone while it lives)."""
    if limit < 1:
        return []
    due = [d.c.state == "pending", or_(d.c.not_before.is_(None), d.c.not_before <= now),
           *_of_services(service, other_than)]  # fmt: skip
    # a CTE, read once: PostgreSQL may run an IN (subquery) again for each row it updates,
    # and a LIMIT ... SKIP LOCKED subquery run again takes more rows than `limit`
    oldest = (
        select(d.c.id)
        .where(*due)
        .order_by(d.c.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .cte("oldest")
    )
    stmt = (
        update(d)
        .where(d.c.id.in_(select(oldest.c.id)), d.c.state == "pending")
        .values(state="sending", attempts=d.c.attempts + 1, updated_at=now, claimed_by=claimed_by)
        .returning(d)
    )
    rows = (await conn.execute(stmt)).mappings().all()
    return [delivery_from(r) for r in sorted(rows, key=lambda r: int(r["id"]))]


async def get(conn: AsyncConnection, alert_id: str, channel: str) -> Delivery | None:
    row = (await conn.execute(select(d).where(_key(alert_id, channel)))).mappings().first()
    return None if row is None else delivery_from(row)


async def _missing(conn: AsyncConnection, alert_id: str, channel: str, wanted: str) -> Exception:
    current = await get(conn, alert_id, channel)
    if current is None:
        return LookupError(f"no delivery of alert {alert_id!r} to {channel!r}")
    return ValueError(
        f"delivery of alert {alert_id!r} to {channel!r} is {current.state}, not {wanted}"
    )


async def mark_sent(
    conn: AsyncConnection, alert_id: str, channel: str, message_ref: str | None, now: datetime
) -> Delivery:
    """-> sent (from sending, or from pending/failed when a reconciliation finds the post);
    a sent delivery keeps its first message_ref."""
    stmt = (
        update(d)
        .where(_key(alert_id, channel), d.c.state.in_(("sending", "pending", "failed")))
        .values(state="sent", message_ref=message_ref, last_error=None, updated_at=now)
        .returning(d)
    )
    row = (await conn.execute(stmt)).mappings().first()
    if row is not None:
        return delivery_from(row)
    current = await get(conn, alert_id, channel)
    if current is None:
        raise LookupError(f"no delivery of alert {alert_id!r} to {channel!r}")
    return current


async def mark_failed(
    conn: AsyncConnection,
    alert_id: str,
    channel: str,
    error: str,
    *,
    retry: bool,
    max_attempts: int,
    retry_after: timedelta | None,
    now: datetime,
) -> Delivery:
    state: Any = case((d.c.attempts < max_attempts, "pending"), else_="failed") if retry else "failed"
    not_before = None if retry_after is None else now + retry_after
    stmt = (
        update(d)
        .where(_key(alert_id, channel), d.c.state == "sending")
        .values(state=state, last_error=error[:MAX_ERROR_CHARS], not_before=not_before,
                updated_at=now)
        .returning(d)
    )
    row = (await conn.execute(stmt)).mappings().first()
    if row is None:
        raise await _missing(conn, alert_id, channel, "sending")
    return delivery_from(row)


async def reset(conn: AsyncConnection, alert_id: str, channel: str, now: datetime) -> bool:
    stmt = (
        update(d)
        .where(_key(alert_id, channel), d.c.state == "sending")
        .values(state="pending", not_before=None, updated_at=now)
        .returning(d.c.id)
    )
    return (await conn.execute(stmt)).first() is not None


async def in_flight(conn: AsyncConnection, before: datetime | None, service: str | None = None,
                    other_than: Sequence[str] = (), instance: str | None = None) -> list[Delivery]:  # fmt: skip
    """Deliveries left `sending`. With `instance`: only those claimed by it, by nobody
    recorded, or by an instance that is no longer alive (`bot.store.lease.live_instances`):
    a live instance's post in progress is not for others to judge."""
    q = select(d).where(d.c.state == "sending", *_of_services(service, other_than)).order_by(d.c.id)
    if before is not None:
        q = q.where(d.c.updated_at < before)
    rows = (await conn.execute(q)).mappings().all()
    if instance is not None:
        others = {str(r["claimed_by"]) for r in rows if r["claimed_by"] not in (None, instance)}
        alive = await live_instances(conn, others)
        rows = [r for r in rows if r["claimed_by"] not in alive]
    return [delivery_from(r) for r in rows]


async def listing(conn: AsyncConnection, alert_id: str | None, channel: str | None) -> list[Delivery]:
    q = select(d).order_by(d.c.id)
    if alert_id is not None:
        q = q.where(d.c.alert_id == alert_id)
    if channel is not None:
        q = q.where(d.c.channel == channel)
    return [delivery_from(r) for r in (await conn.execute(q)).mappings()]
