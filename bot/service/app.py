"""The wiring of the running bot: the one place where the parts meet.

Sources produce articles, the worker analyses them off the loop, the ingest step stores
them with their pending deliveries, the dispatcher posts to chat sinks, and an APScheduler
scheduler runs the periodic work (rescans, delivery retries). Adding a chat service or a
source means adding it here, behind its Protocol.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Mapping
from datetime import timedelta
from pathlib import Path

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.chat.base import ChatSink
from bot.chat.console import ConsoleSink
from bot.chat.message import Message
from bot.config import Settings
from bot.domain import Analysis, Article, Subscription
from bot.render.alert import alert_message
from bot.service.commands import Commands
from bot.service.connector import Connector, Runtime
from bot.service.connectors import build_connectors
from bot.service.dispatch import Checkpoint, Dispatcher
from bot.service.ingest import Ingest
from bot.service.worker import BULK, LIVE, AnalysisWorker
from bot.sources.base import Discovered
from bot.sources.folder import FolderSource
from bot.store import SqlStore, open_store
from bot.store.fingerprint import fingerprint

log = logging.getLogger(__name__)

CATCH_UP_PROGRESS = 50
"""A catch-up of at least this many files reports its progress."""
WATCH_RESTART_SECONDS = 1.0
"""How long the folder watch waits before starting again after an unexpected error."""


class Service:
    """`tradewatch run`: start(), then run until stop() (or the stop event) ."""

    def __init__(self, settings: Settings, *, sinks: Mapping[str, ChatSink] | None = None,
                 connectors: list[Connector] | None = None, checkpoint: Checkpoint | None = None) -> None:
        self.settings = settings
        self._extra_sinks = dict(sinks or {})
        self.connectors = build_connectors(settings) if connectors is None else connectors
        self._checkpoint = checkpoint
        self._tasks: set[asyncio.Task[None]] = set()
        self._in_flight: set[tuple[Path, str]] = set()
        self._stop = asyncio.Event()
        self.ready = asyncio.Event()
        self.store: SqlStore | None = None
        self.worker: AnalysisWorker | None = None
        self.dispatcher: Dispatcher | None = None
        self.commands: Commands | None = None
        self._scheduler: AsyncIOScheduler | None = None
        self._started_connectors: list[Connector] = []

    # ------------------------------------------------------------ start-up

    async def start(self) -> None:
        s = self.settings
        self.store = store = open_store(s.database_url, s.store.data_dir, schema=s.store.pg_schema)
        await store.migrate()
        await self._default_subscriptions(store)
        sinks: dict[str, ChatSink] = {}
        if s.console.enabled:
            sinks["console"] = ConsoleSink(s.store.data_dir)
        for c in self.connectors:
            sinks.update(c.sinks())
        sinks.update(self._extra_sinks)
        self.worker = worker = AnalysisWorker(s.analysis.model, s.analysis.threshold, s.analysis.batch_size)
        log.info("loading the language model in the analysis worker ...")
        await worker.start()
        self.dispatcher = dispatcher = Dispatcher(store, sinks, self._message_for,
                                                  max_attempts=s.delivery.max_attempts,
                                                  retry_after=timedelta(seconds=s.delivery.retry_seconds),
                                                  checkpoint=self._checkpoint)
        self.commands = Commands(store, self._analyse_on_demand)
        self._ingest = Ingest(store, self._analyse, fingerprint, dispatcher.wake)
        self._source = FolderSource([f.path for f in s.folders], store, progress=self._progress)
        self._scheduler = AsyncIOScheduler()
        runtime = Runtime(s, store, self.commands, self._scheduler, self._ingest.article, dispatcher.wake)
        for c in self.connectors:
            log.info("starting %s", c.name)
            await c.start(runtime)
            self._started_connectors.append(c)
        settled = await dispatcher.reconcile()
        if settled:
            log.info("settled %d delivery(ies) left half-done by the last run", settled)
        self._spawn(dispatcher.run(), "dispatcher")
        dispatcher.wake()
        rescan = min((f.rescan_seconds for f in s.folders), default=60.0)
        self._scheduler.add_job(self.rescan, "interval", seconds=rescan, id="rescan",
                                max_instances=1, coalesce=True)
        self._scheduler.add_job(dispatcher.wake, "interval", seconds=s.delivery.retry_seconds,
                                id="delivery-retry", coalesce=True)
        self._scheduler.add_job(dispatcher.reconcile, "interval", minutes=10, id="reconcile",
                                kwargs={"older_than": timedelta(minutes=10)}, max_instances=1,
                                coalesce=True)
        self._scheduler.start()
        self._spawn(self._watch(), "folder-watch")  # watch first: a file written meanwhile is not missed
        await asyncio.sleep(0)
        await self.rescan()
        self.ready.set()

    async def _default_subscriptions(self, store: SqlStore) -> None:
        existing = {sub.channel for sub in await store.subscriptions()}
        for sub in self.settings.subscriptions:
            if sub.channel not in existing:
                await store.subscribe(Subscription(sub.channel, sub.tags, sub.countries, sub.min_score,
                                                   sub.tariff_changes_only, created_by="configuration"))
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
        for c in reversed(self._started_connectors):
            try:
                await c.stop()
            except Exception:
                log.exception("stopping %s failed", c.name)
        self._started_connectors.clear()
        for t in list(self._tasks):
            t.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self.worker:
            await self.worker.stop()
        if self.store:
            await self.store.close()

    def _spawn(self, coro: object, name: str) -> None:
        task: asyncio.Task[None] = asyncio.create_task(coro, name=name)  # type: ignore[arg-type]
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def rescan(self) -> None:
        """Catch up with files not yet read (at start-up, then periodically). A scan that
        fails is logged and the bot runs on; the next rescan tries again."""
        try:
            found = await self._source.scan()
        except Exception:
            log.exception("scanning the article folders failed; the next rescan tries again")
            return
        fresh = [d for d in found if (d.path, d.signature) not in self._in_flight]
        if fresh:
            log.info("%d new or changed file(s) to read", len(fresh))
        for d in fresh:
            self._ingest_later(d, BULK)
        if len(fresh) >= CATCH_UP_PROGRESS:
            self._spawn(self._report_catch_up(len(fresh)), "catch-up progress")

    async def _report_catch_up(self, files: int, every: float = 2.0) -> None:
        """Log how a large catch-up goes, until the files it found are done."""
        start, t0 = self._ingest.files_done, time.monotonic()
        while (done := self._ingest.files_done - start) < files:
            await asyncio.sleep(every)
            rate = (self._ingest.files_done - start) / max(time.monotonic() - t0, 1e-9)
            left = (files - done) / rate if rate else float("inf")
            log.warning("catching up: %d of %d files analysed (%.0f a second, about %.0f s left)",
                        self._ingest.files_done - start, files, rate, left)
        log.warning("caught up: %d files in %.1f s", files, time.monotonic() - t0)

    async def _watch(self) -> None:
        """Hand each watched batch to ingestion until stopped. An unexpected error is logged
        and the watch starts again (after a pause, so a repeating fault does not spin): the
        periodic rescan finds whatever was written meanwhile."""
        while not self._stop.is_set():
            try:
                async for batch in self._source.watch(self._stop):
                    for d in batch:
                        if (d.path, d.signature) not in self._in_flight:
                            self._ingest_later(d, BULK if d.bulk else LIVE)
                return
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("watching the article folders failed; watching again in %.0f s",
                              WATCH_RESTART_SECONDS)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stop.wait(), WATCH_RESTART_SECONDS)

    def _ingest_later(self, d: Discovered, priority: int) -> None:
        key = (d.path, d.signature)
        self._in_flight.add(key)

        async def go() -> None:
            try:
                await self._ingest.discovered(d, priority)
            finally:
                self._in_flight.discard(key)

        self._spawn(go(), f"ingest {d.path.name}")

    def _progress(self, done: int, total: int) -> None:
        if total >= CATCH_UP_PROGRESS:
            log.info("scanning: %d of %d files read", done, total)

    # ------------------------------------------------------------ callbacks

    def _started(self) -> tuple[SqlStore, AnalysisWorker]:
        if self.store is None or self.worker is None:
            raise RuntimeError("the service has not been started")
        return self.store, self.worker

    async def _analyse(self, article: Article, priority: int) -> Analysis:
        return await self._started()[1].analyse(article, priority=priority)

    async def _analyse_on_demand(self, article: Article) -> Analysis:
        return await self._started()[1].analyse(article, priority=LIVE, full=True)

    async def _message_for(self, alert_id: str) -> Message | None:
        analysis = await self._started()[0].get_analysis(alert_id)
        return alert_message(analysis) if analysis else None
