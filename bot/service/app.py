"""The wiring of the running bot: the one place where the parts meet.

Sources (connectors: the watched folders, feeds) hand articles to the ingest step, the
worker analyses them off the loop, the ingest step stores them with their pending
deliveries, the dispatcher posts to chat sinks (from the chat connectors), and an
APScheduler scheduler runs the periodic work (rescans, feed polls, delivery retries).
Everything is built here before any connector starts: the command layer is complete when
the first command arrives. The service counts into one `Metrics` (handed to ingest, the
dispatcher and the feeds), serves the opt-in operations port (`bot/service/ops.py`), and on
SQLite holds the store's run lock for its whole life (`bot/store/lock.py`); on PostgreSQL
several instances share the store: feeds and folder files are claimed, deliveries too, and
duties only one may do run under leases (`bot/service/leases.py`). Adding a chat service or a source means one line in
`bot/service/connectors.py`, behind the `Connector` Protocol.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from pathlib import Path

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.chat.console import ConsoleSink
from bot.config import Settings
from bot.core.alert import alert_message
from bot.core.commands import Commands
from bot.core.connector import LIVE, Connected, Connector, Runtime
from bot.core.message import Message
from bot.core.metrics import Metrics
from bot.core.sink import ChatSink
from bot.domain import Analysis, Article, Subscription
from bot.service.connectors import build_connectors
from bot.service.dispatch import Checkpoint, Dispatcher
from bot.service.follow import follow_message
from bot.service.ingest import AnalyseFn, Ingest
from bot.service.leases import Leases
from bot.service.logs import this_instance
from bot.service.ops import Check, OpsServer
from bot.service.scheduled import digest_for, plan_wakeups, reminder_for
from bot.service.worker import AnalysisWorker
from bot.sources.feeds import FeedsConnector
from bot.sources.page_fetch import WebPages
from bot.store import SqlStore, open_store
from bot.store.engine import async_url
from bot.store.fingerprint import fingerprint
from bot.store.follow import CHANGE, FOLD, UPDATE
from bot.store.lock import RunLock, hold_run_lock
from bot.store.scheduled import DIGEST, REMIND
from bot.store.sql import utcnow

log = logging.getLogger(__name__)

STOP_GRACE_SECONDS = 30.0
"""How long stopping waits for the delivery in hand (a post, its store write) to finish."""


class Service:
    """`tradewatch run`: start(), then run until stop() (or the stop event) .

    `connectors` replaces the list built from the settings (`build_connectors`), folders
    included: a test that drops files lists a `FoldersConnector` too.
    """

    def __init__(self, settings: Settings, *, sinks: Mapping[str, ChatSink] | None = None,
                 connectors: list[Connector] | None = None, checkpoint: Checkpoint | None = None,
                 clock: Callable[[], datetime] = utcnow, analyse: AnalyseFn | None = None) -> None:
        """`clock` is the time the store records and compares (reminders, digests come due
        by it); `analyse` replaces the analysis worker (tests that script the stories)."""
        self.settings = settings
        self._clock = clock
        self._scripted = analyse
        self.runtime: Runtime | None = None
        self._replanning: asyncio.Task[None] | None = None
        self._replan_again = False
        self.instance = this_instance(settings.ops.instance_id)
        """Names this process in logs and /metrics (ops.instance_id, TRADEWATCH_INSTANCE_ID, hostname-pid)."""
        self.metrics = Metrics(self.instance)
        self._extra_sinks = dict(sinks or {})
        self.connectors = build_connectors(settings, self.metrics) if connectors is None else connectors
        self._checkpoint = checkpoint
        self._tasks: set[asyncio.Task[None]] = set()
        self._stop = asyncio.Event()
        self.ready = asyncio.Event()
        self.store: SqlStore | None = None
        self.worker: AnalysisWorker | None = None
        self.dispatcher: Dispatcher | None = None
        self._dispatching: asyncio.Task[None] | None = None
        self.commands: Commands | None = None
        self._scheduler: AsyncIOScheduler | None = None
        self._started_connectors: list[Connector] = []
        self._lock: RunLock | None = None
        self.leases: Leases | None = None
        """This instance's leases: duties one instance at a time may do run under them
        (`Runtime.leases`; a scheduled duty adds itself with `await leases.add(...)`)."""
        self.ops: OpsServer | None = None
        """The operations port, when `ops.enabled` (its `address` once started)."""

    # ------------------------------------------------------------ start-up

    async def start(self) -> None:
        s = self.settings
        database = async_url(s.database_url, s.store.data_dir)
        if database.drivername.startswith("sqlite") and database.database:
            self._lock = hold_run_lock(Path(database.database))
        if s.ops.enabled:
            self.ops = OpsServer(s.ops.host, s.ops.port, self.metrics, self.instance, self._checks)
            await self.ops.start()
        self.store = store = open_store(s.database_url, s.store.data_dir, schema=s.store.pg_schema,
                                        clock=self._clock, instance=self.instance)
        await store.migrate()
        self.leases = leases = Leases(store.lease_holder(), self.instance, s.instances.lease_retry_seconds)
        await leases.start()
        await self._default_subscriptions(store)
        sinks: dict[str, ChatSink] = {}
        if s.console.enabled:
            sinks["console"] = ConsoleSink(s.store.data_dir)
        for c in self.connectors:
            sinks.update(c.sinks())
        sinks.update(self._extra_sinks)
        if self._scripted is None:
            self.worker = worker = AnalysisWorker(s.analysis.model, s.analysis.threshold, s.analysis.batch_size)
            log.info("loading the language model in the analysis worker ...")
            await worker.start()
        self.dispatcher = dispatcher = Dispatcher(store, sinks, self._message_for,
                                                  max_attempts=s.delivery.max_attempts,
                                                  retry_after=timedelta(seconds=s.delivery.retry_seconds),
                                                  checkpoint=self._checkpoint, metrics=self.metrics,
                                                  clock=self._clock, concurrency=s.delivery.concurrency)
        feeds = next((c for c in self.connectors if isinstance(c, FeedsConnector)), None)
        self.commands = Commands(store, self._analyse_on_demand, feeds=s.feeds,
                                 feeds_changed=feeds.sync if feeds else None, pages=WebPages(s.feeds))
        self._ingest = Ingest(store, self._analyse, fingerprint, self._queued, metrics=self.metrics)
        self._scheduler = AsyncIOScheduler()
        self.runtime = runtime = Runtime(s, store, self.commands, self._scheduler, self._ingest.article, dispatcher.wake,
                                         self._ingest.discovered, self.instance, leases)
        for c in self.connectors:
            log.info("starting %s", c.name)
            await c.start(runtime)
            self._started_connectors.append(c)
        settled = await dispatcher.reconcile()
        if settled:
            log.info("settled %d delivery(ies) left half-done by the last run", settled)
        self._dispatching = self._spawn(dispatcher.run(), "dispatcher")
        dispatcher.wake()
        self._scheduler.add_job(self._wake, "interval", seconds=s.delivery.retry_seconds,
                                id="delivery-retry", coalesce=True)
        self._scheduler.add_job(dispatcher.reconcile, "interval", minutes=10, id="reconcile",
                                kwargs={"older_than": timedelta(minutes=10)}, max_instances=1,
                                coalesce=True)
        self._scheduler.start()
        await self.plan_wakeups()
        self.ready.set()

    async def plan_wakeups(self) -> int:
        """Wake the dispatcher when each waiting reminder or digest comes due (rebuilt from
        the store); how many wake-ups are planned."""
        store, dispatcher, scheduler = self.store, self.dispatcher, self._scheduler
        if store is None or dispatcher is None or scheduler is None or not scheduler.running:
            return 0
        return await plan_wakeups(store, scheduler, self._woken)

    async def _wake(self) -> None:
        """The scheduler's jobs are coroutines, so they run on the loop (APScheduler runs plain
        functions in a thread, where waking the dispatcher's asyncio events is not safe)."""
        if self.dispatcher:
            self.dispatcher.wake()

    async def _woken(self) -> None:
        """A planned wake-up: post what came due, and plan the next wake-ups."""
        self._queued()

    def _queued(self) -> None:
        """After a story was stored: post what is due now, and plan wake-ups for the rest
        (one planning at a time: a burst of stories plans once more after the one running)."""
        if self.dispatcher:
            self.dispatcher.wake()
        self._replan_again = True
        if not self._stop.is_set() and (self._replanning is None or self._replanning.done()):
            self._replanning = self._spawn(self._replan(), "plan-wakeups")

    async def _replan(self) -> None:
        self._replan_again = True
        while self._replan_again and not self._stop.is_set():
            self._replan_again = False
            try:
                await self.plan_wakeups()
            except Exception:
                log.exception("planning the dispatcher's wake-ups failed; the retry job still wakes it")
                return

    async def _default_subscriptions(self, store: SqlStore) -> None:
        existing = {sub.channel for sub in await store.subscriptions()}
        for sub in self.settings.subscriptions:
            if sub.channel not in existing:
                await store.subscribe(Subscription(sub.channel, sub.tags, sub.countries, sub.min_score,
                                                   sub.tariff_changes_only, created_by="configuration",
                                                   remind_seconds=sub.remind, digest=sub.digest, tz=sub.tz,
                                                   updates=sub.updates))
                log.info("subscribed %s from the configuration", sub.channel)

    # ------------------------------------------------------------ running

    async def run(self, on_ready: Callable[[], None] | None = None) -> None:
        """Start, then serve until `stop()`; whatever was started is closed on the way out."""
        try:
            await self.start()
            if on_ready:
                on_ready()
            await self._stop.wait()
        finally:
            await self.close()

    def stop(self) -> None:
        self._stop.set()

    async def close(self) -> None:
        self._stop.set()
        if self._scheduler and self._scheduler.running:
            self._scheduler.shutdown(wait=False)
        if self.leases:
            try:
                await self.leases.close()  # at once: the others take the duties over sooner
            except Exception:
                log.exception("releasing the leases failed (they end with the process)")
        for c in reversed(self._started_connectors):
            try:
                await c.stop()
            except Exception:
                log.exception("stopping %s failed", c.name)
        self._started_connectors.clear()
        if self.dispatcher:
            self.dispatcher.stop()  # the delivery in hand finishes; then the lanes end
            if self._dispatching:
                await asyncio.wait([self._dispatching], timeout=STOP_GRACE_SECONDS)
        for t in list(self._tasks):
            t.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self.worker:
            await self.worker.stop()
        if self.store:
            await self.store.close()
        if self.ops:
            await self.ops.stop()
        if self._lock:
            self._lock.release()
            self._lock = None

    def _checks(self) -> dict[str, Check]:
        """What /readyz asks: the service started, the store answers, each chat connected."""
        checks: dict[str, Check] = {"service": self._running, "store": self._store_answers}
        for c in self.connectors:
            if isinstance(c, Connected):
                checks[c.name] = c.not_connected
        return checks

    async def _running(self) -> str | None:
        if self._stop.is_set():
            return "stopping"
        return None if self.ready.is_set() else "starting"

    async def _store_answers(self) -> str | None:
        if self.store is None:
            return "not opened yet"
        await self.store.ping()
        return None

    def _spawn(self, coro: object, name: str) -> asyncio.Task[None]:
        task: asyncio.Task[None] = asyncio.create_task(coro, name=name)  # type: ignore[arg-type]
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    # ------------------------------------------------------------ callbacks

    def _store(self) -> SqlStore:
        if self.store is None:
            raise RuntimeError("the service has not been started")
        return self.store

    def _started(self) -> tuple[SqlStore, AnalysisWorker]:
        if self.store is None or self.worker is None:
            raise RuntimeError("the service has not been started")
        return self.store, self.worker

    async def _analyse(self, article: Article, priority: int) -> Analysis:
        if self._scripted is not None:
            return await self._scripted(article, priority)
        return await self._started()[1].analyse(article, priority=priority)

    async def _analyse_on_demand(self, article: Article) -> Analysis:
        if self._scripted is not None:
            return await self._scripted(article, LIVE)
        return await self._started()[1].analyse(article, priority=LIVE, full=True)

    async def _message_for(self, alert_id: str, channel: str) -> Message | None:
        """The message a delivery key stands for in this channel: a reminder, a digest, an
        edit or update of a followed measure, or (a plain article id) the alert card."""
        store = self._store()
        if alert_id.startswith(REMIND):
            return await reminder_for(store, alert_id, channel, self._clock())
        if alert_id.startswith(DIGEST):
            return await digest_for(store, alert_id, channel, self._clock())
        if alert_id.startswith((FOLD, UPDATE, CHANGE)):
            return await follow_message(store, alert_id, self._alert_card)
        return await self._alert_card(alert_id)

    async def _alert_card(self, alert_id: str) -> Message | None:
        store = self._store()
        analysis = await store.get_analysis(alert_id)
        if analysis is None:
            return None
        return alert_message(analysis, await store.measure_ids(alert_id) if analysis.tariff_changes else None)
