"""RSS and Atom feeds as a source of the running bot (a `Connector` without chat sinks).

At start the feeds listed in the configuration are added to the store (those already known
keep their state, also one that another instance starting at the same moment added after
this one read the store's feeds). Then one claiming loop takes due feeds from the store in
batches and polls them: it asks for as many due feeds as it has room for
(`feeds.max_connections` polls in hand, and a quarter more waiting for a connection, so the
connections never run dry between two claims), the longest due first, polls each in its own
task (so one slow or failing feed never delays another), and, when nothing is due, sleeps
until the soonest `next_poll` in the store (each feed's interval, jittered; after failures,
its backoff). A poll's save sets the feed's next `next_poll`. Feeds added or enabled again
from chat wake the loop at once (the service builds the command layer with this connector's
`sync`), those changed from the CLI within `feeds.sync_seconds`; removed and disabled feeds
are simply never claimed again.

Several instances on one store run the same loop: a claim takes the due feeds nobody holds,
in ONE statement (`SqlStore.claim_due_feeds`: `FOR UPDATE SKIP LOCKED` on PostgreSQL), and
holds them for `feeds.claim_seconds` at most (the poll's save ends the claim). No claim is
lost or fought over, so a feed is fetched once a cycle however many instances run and more
instances poll more feeds at once. A stopping instance keeps its claims: a poll it cut short
may have reached the publisher, so the feed waits for its claim to run out (then another
instance takes it) rather than be fetched twice in one cycle.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from bot.config import FeedsSettings
from bot.core.metrics import Metrics
from bot.core.sink import ChatSink
from bot.domain import Feed
from bot.sources import feed_policy as policy
from bot.sources.feed_poll import FeedPoller, PollOutcome, PollRules
from bot.sources.feed_writer import PollWriter
from bot.sources.http_fetch import Http, Limits, Refused, TooLate, check_public_url, user_agent

if TYPE_CHECKING:
    from bot.core.connector import Runtime
    from bot.store import SqlStore

log = logging.getLogger(__name__)


IDLE_CHECK = 60.0
"""The longest the claiming loop sleeps without looking at the store (it is woken sooner
when a feed is added, when room frees up, or at the soonest `next_poll`)."""
RETRY_FIRST, RETRY_MAX = 1.0, 60.0
"""After the store failed a claim: the first wait before asking again, and the longest."""
BUSY = datetime.max.replace(tzinfo=UTC)
"""The loop's planned wake-up while it claims: any poll finishing wakes it again."""


def utcnow() -> datetime:
    return datetime.now(UTC)


def rules_from(settings: FeedsSettings) -> PollRules:
    timing = policy.Timing(settings.jitter, settings.max_failures, settings.backoff_max)
    return PollRules(timing, settings.fetch_pages, settings.teaser_words)


def hand_size(settings: FeedsSettings) -> tuple[int, int]:
    """How many polls an instance has in hand at most, and the least room worth a claim:
    `max_connections` fetching plus a quarter more waiting for a connection, claimed a
    quarter at a time (a claim per freed connection would cost a statement per poll)."""
    batch = max(1, settings.max_connections // 4)
    return settings.max_connections + batch, batch


class FeedsConnector:
    """Claims due feeds in batches and polls them, handing new entries to its ingest."""

    name = "feeds"

    def __init__(self, settings: FeedsSettings, *, clock: Callable[[], datetime] = utcnow,
                 rng: random.Random | None = None, metrics: Metrics | None = None) -> None:
        self._settings = settings
        self._metrics = metrics if metrics is not None else Metrics()
        self._clock = clock
        self._rng = rng or random.Random()  # noqa: S311 (jitter, not secrets)
        self._hand, self._batch = hand_size(settings)
        self._in_hand: dict[int, asyncio.Task[None]] = {}
        self._resting: dict[int, datetime] = {}
        """Feeds whose poll's outcome could not be saved, not claimed again before then."""
        self._wake = asyncio.Event()
        self._planned: datetime | None = None
        """When the loop means to look again (None: once room frees up; BUSY: it is looking)."""
        self._loop: asyncio.Task[None] | None = None
        self._stopping = False
        self._http: Http | None = None
        self._writer: PollWriter | None = None
        self._poller: FeedPoller | None = None
        self._store: SqlStore | None = None
        self._instance = "local"
        self.polls = 0
        """Polls finished since start (for tests and benchmarks)."""
        self.claims = 0
        """Claims asked of the store since start (each one statement, for up to a batch of feeds)."""

    def sinks(self) -> Mapping[str, ChatSink]:
        return {}

    async def start(self, runtime: Runtime) -> None:
        s = self._settings
        self._store = store = runtime.store
        self._instance = runtime.instance
        self._http = Http(Limits.from_settings(s), user_agent(s.contact))
        self._writer = PollWriter(store, self._clock)
        self._poller = FeedPoller(self._writer, self._http, runtime.ingest, rules_from(s),
                                  clock=self._clock, rng=self._rng)
        known = {f.url for f in await store.feeds()} if s.feed else set()
        for listed in s.feed:
            if listed.url not in known:
                try:
                    await check_public_url(listed.url, s.allow_private_addresses)
                except Refused as e:
                    log.error("feed %s of the configuration is not added: %s", listed.url, e)
                    continue
                # only_new: another instance starting now may have added (and polled) it since
                # `known` was read; adding it again would make it due at once, polled twice
                _, created = await store.add_feed(listed.url, listed.every or s.every, backfill=listed.backfill,
                                                  added_by="configuration", only_new=True)
                if created:
                    log.info("feed %s added from the configuration", listed.url)
        runtime.scheduler.add_job(self.sync, "interval", seconds=s.sync_seconds, id="feeds-sync",
                                  max_instances=1, coalesce=True, misfire_grace_time=None,
                                  replace_existing=True)
        self._loop = asyncio.create_task(self._claiming(), name=f"feeds-claiming-{self._instance}")

    async def stop(self) -> None:
        self._stopping = True
        tasks = [t for t in (self._loop, *self._in_hand.values()) if t is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if self._writer is not None:
            await self._writer.close()
        if self._http is not None:
            await self._http.close()

    async def sync(self) -> None:
        """Look at the store again now: a feed added, enabled again or made due from chat or
        the CLI is claimed at once (if due) and the loop's sleep is set by it."""
        self._wake.set()

    # ------------------------------------------------------------ the claiming loop

    def _room(self) -> int:
        return self._hand - len(self._in_hand)

    def _excluded(self) -> set[int]:
        now = self._clock()
        for feed_id in [fid for fid, until in self._resting.items() if until <= now]:
            del self._resting[feed_id]
        return set(self._in_hand) | set(self._resting)

    async def _claiming(self) -> None:
        """Claim due feeds while there is room, poll them, sleep until the next is due."""
        store = self._store
        if store is None:
            raise RuntimeError("the feeds connector has not been started")
        lease = timedelta(seconds=self._settings.claim_seconds)
        retry = RETRY_FIRST
        while not self._stopping:
            room = self._room()
            wait: float | None = None
            if room >= self._batch:
                self._wake.clear()
                self._planned = BUSY
                try:
                    exclude = self._excluded()
                    self.claims += 1
                    feeds = await store.claim_due_feeds(self._instance, room, lease, exclude=exclude)
                    for feed in feeds:
                        self._begin(feed)
                    if feeds:
                        log.debug("claimed %d due feed%s (room for %d)", len(feeds), "" if len(feeds) == 1 else "s",
                                  room)
                    if len(feeds) < room:  # nothing else due now: sleep until something is
                        soonest = await store.next_feed_due(exclude=self._excluded())
                        times = [t for t in (soonest, *self._resting.values()) if t is not None]
                        wake_at = min(times, default=None)
                        wait = IDLE_CHECK if wake_at is None else \
                            min(IDLE_CHECK, (wake_at - self._clock()).total_seconds())
                        if wait <= 0:  # due now, yet not claimed: rows another claim holds this instant
                            wait = 0.05
                        self._planned = self._clock() + timedelta(seconds=wait)
                    else:
                        self._planned = None
                        if self._room() >= self._batch:
                            continue
                    retry = RETRY_FIRST
                except asyncio.CancelledError:
                    raise
                except Exception as e:
                    log.warning("feeds: could not claim due feeds (%s: %s); asking again in %.0f s",
                                type(e).__name__, e, retry)
                    wait, self._planned = retry, self._clock() + timedelta(seconds=retry)
                    retry = min(RETRY_MAX, retry * 2)
            else:
                self._wake.clear()  # (no await since room was counted: a poll finishing now wakes it)
                self._planned = None  # woken when room frees up
            try:
                async with asyncio.timeout(wait):
                    await self._wake.wait()
            except TimeoutError:
                pass

    def _begin(self, feed: Feed) -> None:
        # the fetch must start while the claim is well within its time, or another instance
        # may claim the feed and fetch it too (a poll can wait in hand for its host's turn)
        start_by = time.monotonic() + self._settings.claim_seconds / 2
        task = asyncio.create_task(self._poll(feed, start_by), name=f"feed-poll-{feed.id}")
        self._in_hand[feed.id] = task

    def _finished(self, feed_id: int, next_poll: datetime | None) -> None:
        self._in_hand.pop(feed_id, None)
        planned = self._planned
        if planned is None:
            if self._room() >= self._batch:
                self._wake.set()
        elif next_poll is None or next_poll < planned:
            self._wake.set()

    async def _poll(self, feed: Feed, start_by: float) -> None:
        """Poll one claimed feed; its save ends the claim and sets its next poll."""
        next_poll: datetime | None = None
        try:
            next_poll = await self.poll(feed, start_by=start_by)
        finally:
            self.polls += 1
            self._finished(feed.id, next_poll)

    async def poll(self, feed: Feed, *, start_by: float | None = None) -> datetime | None:
        """Poll the feed (claimed by this instance) now; when it is due next (None: disabled,
        or not polled: its claim ran half out before its host's turn came, `start_by`)."""
        if self._poller is None or self._writer is None:
            raise RuntimeError("the feeds connector has not been started")
        try:
            outcome: PollOutcome = await self._poller.poll(feed, start_by=start_by)
        except asyncio.CancelledError:
            raise
        except TooLate:
            log.warning("feed %s: not fetched, its claim was half over before a connection to its "
                        "host was free (this instance has more feeds in hand than it can fetch in "
                        "time); left to the next claim once this one runs out", feed.url)
            return None
        except Exception:
            log.exception("feed %s: the poll failed unexpectedly; trying again after its interval", feed.url)
            self._metrics.feed_failed()
            state = policy.after_failure(feed, "internal error (see the log)", self._clock(), self._rng,
                                         rules_from(self._settings).timing)
            try:
                await self._writer.save_feed_poll(state)
            except Exception as e:
                rest = self._clock() + timedelta(seconds=self._settings.every)
                self._resting[feed.id] = rest
                log.warning("feed %s: its state could not be saved either (%s); not polled again before %s",
                            feed.url, e, rest.isoformat())
                return rest
            return None if state.disabled else state.next_poll
        if outcome.outcome == "failed":
            self._metrics.feed_failed()
        return None if outcome.feed.disabled else outcome.feed.next_poll
