"""Reminders and digests in the delivery outbox: statements run inside the caller's transaction.

Both are deliveries (unique `(alert_id, channel)`, claimed, posted, marked sent, reconciled
after a crash) whose key names what they are and which wait for their `not_before`:

- `remind:<measure id>:<effective day>`: due `remind` before the measure's effective day
  starts in the channel's zone. One key per channel, measure and day: a delay cancels the
  pending reminder of the old day and queues one for the new day (so a moved reminder is
  posted once, at the new time); a removal cancels it. Cancelled reminders are `failed` with
  `last_error` "cancelled: <why>" (logged), and come back if the measure returns to that day.
- `digest:<period>`: one per channel and period (`bot.schedules`), due at the period's end;
  the period's alerts are rows of `digest_items`. An alert is added to the period that is
  open now; when that period's digest is no longer pending (it is being posted), to the
  next one. The digest row is locked while an item is added (PostgreSQL `FOR UPDATE`, which
  `claim`'s `SKIP LOCKED` passes over; SQLite has one writer), so no item is added to a
  digest that is being read for posting.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain import Delivery, Subscription
from bot.schedules import (
    ScheduleError,
    effective_day,
    parse_digest,
    period_end,
    period_id,
    reminder_due,
    starts_at,
    zone,
)
from bot.store.deliveries import get
from bot.store.engine import dialect_insert
from bot.store.ledger import LedgerEntry
from bot.store.rows import subscription_from
from bot.store.tables import deliveries as d
from bot.store.tables import digest_items as di
from bot.store.tables import subscriptions as subs_table

log = logging.getLogger(__name__)

REMIND = "remind:"
DIGEST = "digest:"
CANCELLED = "cancelled: "
MAX_PERIODS_AHEAD = 8


def remind_key(measure_id: str, day: str) -> str:
    return f"{REMIND}{measure_id}:{day}"


def parse_remind_key(key: str) -> tuple[str, str] | None:
    """`remind:m-7f3k2qa:2026-12-15` -> ("m-7f3k2qa", "2026-12-15")."""
    if not key.startswith(REMIND):
        return None
    measure, sep, day = key[len(REMIND):].rpartition(":")
    return (measure, day) if sep and measure else None


def _insert(conn: AsyncConnection, key: str, channel: str, due: datetime, now: datetime) -> Any:
    return (dialect_insert(conn, d)
            .values(alert_id=key, channel=channel, state="pending", attempts=0, not_before=due,
                    created_at=now, updated_at=now)
            .on_conflict_do_nothing(index_elements=[d.c.alert_id, d.c.channel]))


# ---------------------------------------------------------------- digests


async def add_to_digests(conn: AsyncConnection, alert_id: str, subs: Iterable[Subscription],
                         now: datetime) -> list[str]:
    """Record the alert in each digest channel's open period (queuing the period's digest);
    returns the channels whose stored schedule cannot be read, or that have no open period
    (they get the alert as usual)."""
    unreadable: list[str] = []
    for sub in subs:
        try:
            schedule = parse_digest(sub.digest or "")
        except ScheduleError as e:
            log.warning("%s: stored digest schedule unreadable (%s): alert %s posted on its own",
                        sub.channel, e, alert_id)
            unreadable.append(sub.channel)
            continue
        tz = zone(sub.tz)
        end = period_end(schedule, tz, now)
        for _ in range(MAX_PERIODS_AHEAD):
            key = DIGEST + period_id(schedule, tz, end)
            await conn.execute(_insert(conn, key, sub.channel, end, now))
            state = await conn.scalar(select(d.c.state).where(d.c.alert_id == key, d.c.channel == sub.channel)
                                      .with_for_update())
            if state == "pending":
                break
            end = period_end(schedule, tz, end)  # being posted (or posted): the next period
        else:
            log.warning("%s: no open digest period ahead (the store's clock went back?): alert %s posted "
                        "on its own", sub.channel, alert_id)
            unreadable.append(sub.channel)
            continue
        await conn.execute(dialect_insert(conn, di)
                           .values(channel=sub.channel, period=key[len(DIGEST):], alert_id=alert_id, added_at=now)
                           .on_conflict_do_nothing())
    return unreadable


async def digest_items(conn: AsyncConnection, channel: str, period: str) -> list[str]:
    """The alert ids of a channel's period, in the order they came."""
    q = (select(di.c.alert_id).where(di.c.channel == channel, di.c.period == period)
         .order_by(di.c.added_at, di.c.alert_id))
    return [str(v) for v in await conn.scalars(q)]


async def digests_with(conn: AsyncConnection, alert_id: str, channel: str) -> list[Delivery]:
    """The channel's digest deliveries that gather this alert (for `why`)."""
    q = select(di.c.period).where(di.c.channel == channel, di.c.alert_id == alert_id).order_by(di.c.period)
    found = [await get(conn, DIGEST + str(p), channel) for p in await conn.scalars(q)]
    return [f for f in found if f is not None]


# ---------------------------------------------------------------- reminders


async def plan_reminders(conn: AsyncConnection, entries: Sequence[LedgerEntry], routed: Iterable[Subscription],
                         now: datetime) -> None:
    """After a story about these measures: queue, move or cancel their reminders.

    Channels considered for a measure: those the story goes to that want reminders, and
    those that already have a reminder of it (pending or sent; a cancelled one is not
    brought back by a story the channel does not get)."""
    wanting = {s.channel: s for s in routed if s.remind_seconds}
    for entry in entries:
        prefix = f"{REMIND}{entry.id}:"
        rows = (await conn.execute(select(d.c.alert_id, d.c.channel, d.c.state)
                                   .where(d.c.alert_id.startswith(prefix, autoescape=True)))).all()
        known = {str(ch) for _, ch, state in rows if state in ("pending", "sending", "sent")}
        subs = dict(wanting)
        missing = known - set(subs)
        if missing:
            found = (await conn.execute(select(subs_table).where(subs_table.c.channel.in_(missing)))).mappings()
            subs.update({s.channel: s for s in map(subscription_from, found)})
        day = effective_day(entry.effective)
        for channel in sorted(known | set(subs)):
            sub = subs.get(channel)
            wanted: str | None = None
            why = "the measure was removed" if entry.status == "removed" else \
                f"the measure no longer has an effective day (now {entry.effective or 'none'})"
            if sub is None or not sub.remind_seconds:
                why = "the channel no longer asks for reminders"
            elif entry.status != "removed" and day is not None:
                tz = zone(sub.tz)
                if starts_at(day, tz) <= now:
                    why = f"the measure took effect on {day}"
                else:
                    wanted = remind_key(entry.id, day.isoformat())
                    due = max(reminder_due(day, timedelta(seconds=sub.remind_seconds), tz), now)
                    await _queue(conn, wanted, channel, due, now)
            for key, ch, state in rows:
                if ch == channel and state == "pending" and key != wanted:
                    reason = why if wanted is None else f"moved to {wanted.rsplit(':', 1)[1]}"
                    await _cancel(conn, str(key), channel, reason, now)


async def _queue(conn: AsyncConnection, key: str, channel: str, due: datetime, now: datetime) -> None:
    """A reminder pending at `due`: new, or a cancelled one brought back, or a pending one
    re-timed (the channel's zone or lead time changed); a sent or sending one stays."""
    inserted = await conn.execute(_insert(conn, key, channel, due, now).returning(d.c.id))
    if inserted.first() is not None:
        log.info("reminder %s for %s queued for %s", key, channel, due.isoformat())
        return
    back = await conn.execute(
        update(d)
        .where(and_(d.c.alert_id == key, d.c.channel == channel),
               (d.c.state == "pending") | ((d.c.state == "failed") & d.c.last_error.startswith(CANCELLED)))
        .values(state="pending", not_before=due, last_error=None, attempts=0, updated_at=now)
        .returning(d.c.id))
    if back.first() is not None:
        log.info("reminder %s for %s due %s", key, channel, due.isoformat())


async def _cancel(conn: AsyncConnection, key: str, channel: str, reason: str, now: datetime) -> None:
    await conn.execute(
        update(d).where(d.c.alert_id == key, d.c.channel == channel, d.c.state == "pending")
        .values(state="failed", last_error=CANCELLED + reason, updated_at=now))
    log.info("reminder %s for %s cancelled: %s", key, channel, reason)


async def next_due(conn: AsyncConnection, after: datetime, limit: int = 1000) -> list[datetime]:
    """The distinct times pending deliveries wait for, after `after`, soonest first."""
    q = (select(d.c.not_before).where(d.c.state == "pending", d.c.not_before > after)
         .distinct().order_by(d.c.not_before).limit(limit))
    return [v for v in await conn.scalars(q) if v is not None]
