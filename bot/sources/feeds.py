"""RSS and Atom feeds as a source of the running bot (a `Connector` without chat sinks).

At start the feeds listed in the configuration are added to the store (those already
known keep their state), and each enabled feed gets its own APScheduler job, run at the
feed's `next_poll` (its interval, jittered; after failures, its backoff). After each poll
the job is set again for the new `next_poll`, so one slow or failing feed never delays
another. Feeds added or removed from chat are picked up at once (the service builds the
command layer with this connector's `sync`), those changed from the CLI within
`feeds.sync_seconds`.

Several instances on one store each schedule every feed the same way; before polling, an
instance claims the feed in the store (`SqlStore.claim_feed`: due, and nobody else's for
`feeds.claim_seconds`). One claim wins; the others find the feed taken or already polled
this cycle and set their job for when it is due next (or the claim runs out, if its
holder died). So a feed is fetched once a cycle however many instances run. A stopping
instance keeps its claims: a poll it cut short may have reached the publisher, so the
feed waits for its claim to run out rather than be fetched twice in one cycle.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from bot.config import FeedsSettings
from bot.core.metrics import Metrics
from bot.core.sink import ChatSink
from bot.domain import Feed
from bot.sources import feed_policy as policy
from bot.sources.feed_poll import FeedPoller, PollOutcome, PollRules
from bot.sources.feed_writer import PollWriter
from bot.sources.http_fetch import Http, Limits, Refused, check_public_url, user_agent

if TYPE_CHECKING:
    from apscheduler.schedulers.asyncio import AsyncIOScheduler

    from bot.core.connector import Runtime
    from bot.store import SqlStore

log = logging.getLogger(__name__)


CLAIMS_AT_ONCE = 4
"""Claims a connector asks of the store at once (each is one short transaction)."""
LOST_AFTER = timedelta(seconds=5)


def utcnow() -> datetime:
    return datetime.now(UTC)


def rules_from(settings: FeedsSettings) -> PollRules:
    timing = policy.Timing(settings.jitter, settings.max_failures, settings.backoff_max)
    return PollRules(timing, settings.fetch_pages, settings.teaser_words)


@dataclass(slots=True)
class _Slot:
    """A feed's job: when it runs, whether it is running, and which setting of the job this
    is (each new setting, and each start of a poll, has a new version)."""

    when: datetime
    running: bool = False
    version: int = 0


class FeedsConnector:
    """Polls feeds on the service's scheduler and hands new entries to its ingest."""

    name = "feeds"

    def __init__(self, settings: FeedsSettings, *, clock: Callable[[], datetime] = utcnow,
                 rng: random.Random | None = None, metrics: Metrics | None = None) -> None:
        self._settings = settings
        self._metrics = metrics if metrics is not None else Metrics()
        self._clock = clock
        self._rng = rng or random.Random()  # noqa: S311 (jitter, not secrets)
        self._slots: dict[int, _Slot] = {}
        self._versions = itertools.count(1)
        self._tasks: set[asyncio.Task[object]] = set()
        self._stopping = False
        self._http: Http | None = None
        self._writer: PollWriter | None = None
        self._poller: FeedPoller | None = None
        self._scheduler: AsyncIOScheduler | None = None
        self._store: SqlStore | None = None
        self._instance = "local"
        self._sync_lock = asyncio.Lock()
        self._claiming = asyncio.Semaphore(CLAIMS_AT_ONCE)
        """Claims asked of the store at once: 5,000 feeds due together must not ask for 5,000
        database connections at once (the connection pool would time out)."""
        self.polls = 0
        """Polls finished since start (for tests and benchmarks)."""
        self.skipped = 0
        """Due feeds left to another instance (claimed, or polled already this cycle)."""

    def sinks(self) -> Mapping[str, ChatSink]:
        return {}

    async def start(self, runtime: Runtime) -> None:
        s = self._settings
        self._store = store = runtime.store
        self._instance = runtime.instance
        self._scheduler = runtime.scheduler
        self._http = Http(Limits.from_settings(s), user_agent(s.contact))
        self._writer = PollWriter(store, self._clock)
        self._poller = FeedPoller(self._writer, self._http, runtime.ingest, rules_from(s),
                                  clock=self._clock, rng=self._rng)
        known = {f.url for f in await store.feeds()}
        for listed in s.feed:
            if listed.url not in known:
                try:
                    await check_public_url(listed.url, s.allow_private_addresses)
                except Refused as e:
                    log.error("feed %s of the configuration is not added: %s", listed.url, e)
                    continue
                await store.add_feed(listed.url, listed.every or s.every, backfill=listed.backfill,
                                     added_by="configuration")
                log.info("feed %s added from the configuration", listed.url)
        self._scheduler.add_job(self.sync, "interval", seconds=s.sync_seconds, id="feeds-sync",
                                max_instances=1, coalesce=True, misfire_grace_time=None,
                                replace_existing=True)
        await self.sync()

    async def stop(self) -> None:
        self._stopping = True
        if self._scheduler is not None:
            for feed_id in list(self._slots):
                self._unschedule(feed_id)
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._writer is not None:
            await self._writer.close()
        if self._http is not None:
            await self._http.close()

    # ------------------------------------------------------------ scheduling

    async def sync(self) -> None:
        """Match the scheduled jobs to the feeds in the store: new or re-enabled feeds get
        a job, removed or disabled ones lose theirs, a feed made due earlier is moved up.

        The list read from the store can be older than a feed's job: a poll that landed
        while the list was on its way (a batch of polls commits at once) has set the job
        for the feed's next poll, and the list still shows the state before it. Such a
        feed (its slot changed during the read) is left alone: rescheduling it from the
        old `next_poll` would fetch it twice in one cycle."""
        if self._store is None or self._stopping:
            return
        async with self._sync_lock:
            before = {feed_id: slot.version for feed_id, slot in self._slots.items()}
            feeds = {f.id: f for f in await self._store.feeds() if not f.disabled}
            for feed_id, slot in list(self._slots.items()):
                if feed_id not in feeds and not slot.running and before.get(feed_id) == slot.version:
                    self._unschedule(feed_id)
            for feed in feeds.values():
                known = self._slots.get(feed.id)
                due = feed.next_poll or self._clock()
                if known is None:
                    if feed.id not in before:  # (a slot dropped during the read: its feed is gone or disabled)
                        self._schedule(feed.id, due)
                elif (not known.running and known.version == before.get(feed.id)
                      and due < known.when - timedelta(seconds=1)):
                    self._schedule(feed.id, due)
                elif not known.running and self._lost(feed.id, known):
                    log.warning("feed %s: its poll due at %s did not run; scheduling it again",
                                feed.url, known.when.isoformat())
                    self._schedule(feed.id, due)

    def _lost(self, feed_id: int, slot: _Slot) -> bool:
        """The feed's job is gone though its time is long past and no poll of it runs (the
        scheduler skips a run that comes while the feed's previous run is still finishing)."""
        return (self._scheduler is not None and slot.when < self._clock() - LOST_AFTER
                and self._scheduler.get_job(f"feed-{feed_id}") is None)

    def _schedule(self, feed_id: int, when: datetime) -> None:
        if self._scheduler is None or self._stopping:
            return
        self._slots[feed_id] = _Slot(when, version=next(self._versions))
        # max_instances=2: the run a finishing run sets may come due before the scheduler has
        # counted the first one done (a loaded loop); with 1 it would be skipped, and lost
        self._scheduler.add_job(self._run, "date", run_date=when, args=[feed_id], id=f"feed-{feed_id}",
                                replace_existing=True, misfire_grace_time=None, coalesce=True, max_instances=2)

    def _unschedule(self, feed_id: int) -> None:
        self._slots.pop(feed_id, None)
        if self._scheduler is not None:
            job = self._scheduler.get_job(f"feed-{feed_id}")
            if job is not None:
                job.remove()

    async def _run(self, feed_id: int) -> None:
        """The job of one feed: poll it, then set the job again for its next poll."""
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        slot = self._slots.setdefault(feed_id, _Slot(self._clock()))
        if slot.running:  # (a second run of the job while the first finishes: the first sets the next)
            if task is not None:
                self._tasks.discard(task)
            return
        slot.running = True
        slot.version = next(self._versions)
        feed: Feed | None = None
        try:
            feed = await self.poll_once(feed_id)
        except Exception:  # the store failed before the poll began: try again, never drop the job
            retry = self._clock() + timedelta(seconds=self._settings.every)
            log.exception("feed #%d could not be polled; trying again at %s", feed_id, retry.isoformat())
            self._schedule(feed_id, retry)
            return
        finally:
            slot.running = False
            if task is not None:
                self._tasks.discard(task)
        if feed is None or feed.disabled:
            self._slots.pop(feed_id, None)
        else:
            self._schedule(feed_id, feed.next_poll or self._clock())

    async def poll_once(self, feed_id: int) -> Feed | None:
        """Poll one feed now, if this instance wins its claim; its state afterwards (None: the
        feed is gone or disabled). A feed another instance polls or has polled this cycle is
        not fetched: its state comes back with `next_poll` set to when to look again."""
        if self._store is None or self._poller is None:
            raise RuntimeError("the feeds connector has not been started")
        async with self._claiming:
            claim = await self._store.claim_feed(feed_id, self._instance,
                                                 timedelta(seconds=self._settings.claim_seconds))
        feed = claim.feed
        if feed is None or feed.disabled:
            return None
        if not claim.won:
            if claim.holder is not None:
                log.debug("feed %s is being polled by %s; looking again at %s", feed.url, claim.holder,
                          claim.retry_at.isoformat() if claim.retry_at else "once due")
            else:
                log.debug("feed %s was polled already this cycle; next due at %s", feed.url,
                          claim.retry_at.isoformat() if claim.retry_at else "now")
            self.skipped += 1
            return replace(feed, next_poll=claim.retry_at)
        try:
            outcome: PollOutcome = await self._poller.poll(feed)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("feed %s: the poll failed unexpectedly; trying again after its interval", feed.url)
            self._metrics.feed_failed()
            return policy.after_failure(feed, "internal error (see the log)", self._clock(), self._rng,
                                        rules_from(self._settings).timing)
        finally:
            self.polls += 1
        if outcome.outcome == "failed":
            self._metrics.feed_failed()
        return outcome.feed
