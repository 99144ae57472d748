"""The messages of reminders and digests at posting time, and the scheduler's wake-ups.

The dispatcher posts every delivery; for a `remind:` or `digest:` key it asks here what to
post: the measure as the ledger has it now, or the period's gathered alerts. A reminder
whose measure no longer takes effect that day, or a digest with nothing in it, posts
nothing (logged). `plan_wakeups` puts one APScheduler `date` job per time a waiting
delivery comes due, rebuilt from the store (at start-up and after each story), so the
dispatcher wakes on time; claiming (`not_before <= now`) keeps posting exactly once.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Protocol

from apscheduler.schedulers.base import BaseScheduler

from bot.core.digest import digest_message
from bot.core.message import Message
from bot.core.reminder import reminder_message
from bot.domain import Analysis, Subscription
from bot.schedules import (
    ScheduleError,
    effective_day,
    end_of,
    parse_digest,
    period_start,
    starts_at,
    zone,
)
from bot.store.ledger import LedgerEntry
from bot.store.scheduled import DIGEST, parse_remind_key

log = logging.getLogger(__name__)

WAKE_PREFIX = "wake-"
MAX_WAKEUPS = 500


class ScheduledStore(Protocol):
    async def subscriptions(self, channel: str | None = None) -> list[Subscription]: ...
    async def measure(self, measure_id: str) -> LedgerEntry | None: ...
    async def digest_items(self, channel: str, period: str) -> list[str]: ...
    async def get_analysis(self, article_id: str) -> Analysis | None: ...
    async def next_due(self, limit: int = 1000) -> list[datetime]: ...


async def _sub(store: ScheduledStore, channel: str) -> Subscription | None:
    subs = await store.subscriptions(channel)
    return subs[0] if subs else None


async def reminder_for(store: ScheduledStore, key: str, channel: str, now: datetime) -> Message | None:
    parsed = parse_remind_key(key)
    entry = await store.measure(parsed[0]) if parsed else None
    day = effective_day(entry.effective) if entry else None
    if parsed is None or entry is None or day is None or day.isoformat() != parsed[1] or entry.status == "removed":
        log.info("reminder %s for %s not posted: the measure no longer takes effect that day", key, channel)
        return None
    sub = await _sub(store, channel)
    if sub is None or not sub.remind_seconds:
        log.info("reminder %s for %s not posted: the channel no longer asks for reminders", key, channel)
        return None
    tz = zone(sub.tz)
    return reminder_message(key, entry, starts_at(day, tz).astimezone(tz), now, str(tz))


async def digest_for(store: ScheduledStore, key: str, channel: str, now: datetime) -> Message | None:
    period = key[len(DIGEST):]
    analyses = [a for a in [await store.get_analysis(i) for i in await store.digest_items(channel, period)]
                if a is not None]
    if not analyses:
        log.info("digest %s for %s not posted: no alert in the period", period, channel)
        return None
    sub = await _sub(store, channel)
    every = "weekly" if "-W" in period else "daily"
    try:
        schedule = parse_digest(sub.digest or "") if sub else None
    except ScheduleError:
        schedule = None
    tz = zone(sub.tz if sub else None)
    end = end_of(schedule, tz, period) if schedule is not None and schedule.every == every else None
    if schedule is None or end is None:  # the channel's schedule changed since
        return digest_message(key, period, every, analyses)
    start = period_start(schedule, tz, end)
    return digest_message(key, period, every, analyses, start.astimezone(tz), end.astimezone(tz), str(tz))


async def plan_wakeups(store: ScheduledStore, scheduler: BaseScheduler,
                       wake: Callable[[], Awaitable[None]]) -> int:
    """One `date` job per due time of a waiting delivery (the old ones replaced); how many.
    `wake` should plan again (the service's does), so times beyond the first `MAX_WAKEUPS`
    are planned as the earlier ones pass."""
    due = await store.next_due(MAX_WAKEUPS)
    wanted = {f"{WAKE_PREFIX}{t.isoformat()}": t for t in due}
    for job in scheduler.get_jobs():
        if job.id.startswith(WAKE_PREFIX) and job.id not in wanted:
            job.remove()
    for job_id, when in wanted.items():
        if scheduler.get_job(job_id) is None:
            scheduler.add_job(wake, "date", run_date=when, id=job_id, misfire_grace_time=None)
    return len(wanted)
