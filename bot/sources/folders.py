"""The watched folders as a source of the running bot (a `Connector` without chat sinks).

At start the folders are watched (file-system events) and then scanned once, to catch up
with files written while the bot was down; a rescan job on the service's scheduler is the
safety net. Each new or changed file goes to `runtime.ingest_file`: a file that arrives
alone as LIVE, catch-up scans and bursts as BULK. A file already on its way is not handed
over again, and a large catch-up logs how it goes.

Several instances may watch one shared folder (one PostgreSQL store): before reading a
file each claims it in the store (`SqlStore.claim_file`), so each version of a file is
read by one of them; a claim whose holder died runs out (`instances.file_claim_seconds`)
and the next rescan elsewhere reads the file.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine, Mapping, Sequence
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from bot.config import FolderSettings
from bot.core.connector import BULK, LIVE
from bot.core.sink import ChatSink
from bot.core.source import Discovered
from bot.sources.folder import FolderSource

if TYPE_CHECKING:
    from bot.core.connector import Runtime

log = logging.getLogger(__name__)

CATCH_UP_PROGRESS = 50
"""A catch-up of at least this many files reports its progress."""
CLAIM_AHEAD = 16
"""Files of a backlog (BULK) one instance claims and reads at once: enough to keep its
analysis worker busy (batches of 8), few enough that other instances watching the same
folder get their share of a large catch-up. A file arriving alone (LIVE) never waits."""
WATCH_RESTART_SECONDS = 1.0
"""How long the folder watch waits before starting again after an unexpected error."""


class FoldersConnector:
    """Hands the new and changed files of the watched folders to the service's ingest."""

    name = "folders"

    def __init__(self, folders: Sequence[FolderSettings], *, progress_every: float = 2.0) -> None:
        self._folders = tuple(folders)
        self._progress_every = progress_every
        self._source: FolderSource | None = None
        self._ingest_file: Callable[[Discovered, int], Awaitable[None]] | None = None
        self._claim: Callable[[Discovered], Awaitable[bool]] | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._in_flight: set[tuple[Path, str]] = set()
        self._bulk_slots = asyncio.Semaphore(CLAIM_AHEAD)
        self._stop = asyncio.Event()
        self.files_done = 0
        """Files handed over and finished (stored, skipped or failed), for progress reports."""
        self.claimed_elsewhere = 0
        """Files left to another instance (read already, or claimed by it)."""

    def sinks(self) -> Mapping[str, ChatSink]:
        return {}

    async def start(self, runtime: Runtime) -> None:
        self._ingest_file = runtime.ingest_file
        store, instance = runtime.store, runtime.instance
        lease = timedelta(seconds=runtime.settings.instances.file_claim_seconds)

        async def claim(d: Discovered) -> bool:
            return await store.claim_file(d.path, d.signature, instance, lease)

        self._claim = claim
        self._source = source = FolderSource([f.path for f in self._folders], runtime.store,
                                             progress=_progress)
        rescan = min((f.rescan_seconds for f in self._folders), default=60.0)
        runtime.scheduler.add_job(self.rescan, "interval", seconds=rescan, id="rescan",
                                  max_instances=1, coalesce=True)
        self._spawn(self._watch(source), "folder-watch")  # watch first: a file written meanwhile is not missed
        await asyncio.sleep(0)
        await self.rescan()

    async def stop(self) -> None:
        self._stop.set()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def rescan(self) -> None:
        """Catch up with files not yet read (at start-up, then periodically)."""
        if self._source is None or self._stop.is_set():
            return
        try:
            found = await self._source.scan()
        except Exception:  # one bad item is its own skip; this is the net under everything else
            log.exception("scanning the article folders failed; the next rescan tries again")
            return
        fresh = [d for d in found if (d.path, d.signature) not in self._in_flight]
        if fresh:
            log.info("%d new or changed file(s) to read", len(fresh))
        for d in fresh:
            self._ingest_later(d, BULK)
        if len(fresh) >= CATCH_UP_PROGRESS:
            self._spawn(self._report_catch_up(len(fresh)), "catch-up progress")

    async def _watch(self, source: FolderSource) -> None:
        """Hand each watched batch to ingestion until stopped. An unexpected error is logged
        and the watch starts again (after a pause, so a repeating fault does not spin): the
        periodic rescan finds whatever was written meanwhile."""
        while not self._stop.is_set():
            try:
                async for batch in source.watch(self._stop):
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
        ingest, claim = self._ingest_file, self._claim
        if ingest is None or claim is None:
            raise RuntimeError("the folders connector has not been started")
        key = (d.path, d.signature)
        self._in_flight.add(key)

        async def read() -> None:
            try:
                mine = await claim(d)
            except Exception as e:
                log.warning("%s: not read now, it could not be claimed (%s); the next scan tries again",
                            d.path, e)
                return
            if not mine:
                log.debug("%s: read already, or being read by another instance: skipped", d.path)
                self.claimed_elsewhere += 1
                return
            await ingest(d, priority)

        async def go() -> None:
            try:
                if priority == LIVE:
                    await read()
                else:
                    async with self._bulk_slots:
                        await read()
            finally:
                self._in_flight.discard(key)
                self.files_done += 1

        self._spawn(go(), f"ingest {d.path.name}")

    async def _report_catch_up(self, files: int) -> None:
        """Log how a large catch-up goes, until the files it found are done."""
        start, t0 = self.files_done, time.monotonic()
        while (done := self.files_done - start) < files:
            await asyncio.sleep(self._progress_every)
            rate = (self.files_done - start) / max(time.monotonic() - t0, 1e-9)
            left = (files - done) / rate if rate else float("inf")
            log.warning("catching up: %d of %d files analysed (%.0f a second, about %.0f s left)",
                        self.files_done - start, files, rate, left)
        log.warning("caught up: %d files in %.1f s", files, time.monotonic() - t0)

    def _spawn(self, coro: Coroutine[object, object, None], name: str) -> None:
        task = asyncio.create_task(coro, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)


def _progress(done: int, total: int) -> None:
    if total >= CATCH_UP_PROGRESS:
        log.info("scanning: %d of %d files read", done, total)
