"""Analysis off the event loop, in a worker process, with priorities.

The event loop stays free for chat commands while a backlog is analysed. A lone new file
(priority LIVE) jumps ahead of a catch-up backlog (priority BULK): the worker takes small
batches, so a live article waits at most for the batch in progress. A batch holds at most
`batch_size` stories and, past its first, about `BATCH_CHARS` of text; a story longer than
`LONG_STORY_CHARS` always goes at BULK priority, so a very long story (analysed up to
`bot.analysis.text.ANALYSED_CHARS`) never goes ahead of a live file, and holds one up for at
most its own analysis, bounded by that cap.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

from bot.core.connector import BULK, LIVE
from bot.domain import Analysis, Article

log = logging.getLogger(__name__)

BATCH_CHARS = 50_000
"""A batch takes more stories only while it holds less text than this."""
LONG_STORY_CHARS = 50_000
"""A story longer than this is analysed at BULK priority, whatever it was asked at."""

_ANALYZER = None  # the worker process's own analyser, built by _init


PARENT_CHECK_SECONDS = 0.5
"""How often the worker process checks that the bot that started it is still there."""


def _exit_with_parent(bot_pid: int) -> None:
    """End this worker process when the bot that started it ends, however it ended (even
    `kill -9`, which runs no clean-up in the bot): a daemon thread polls the parent's pid,
    which changes when the process is re-parented. Polling works on any POSIX system and,
    unlike Linux's PR_SET_PDEATHSIG, does not fire when merely the bot's starting thread ends.
    A bot gone before this runs is noticed by its pid."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK_SECONDS)
        os._exit(0)  # the bot is gone: nobody will read a result; end now, without clean-up

    try:
        os.kill(bot_pid, 0)
    except ProcessLookupError:
        os._exit(0)
    except PermissionError:
        pass  # it exists
    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _init(model: Path | None, threshold: float, bot_pid: int) -> None:
    global _ANALYZER  # per-process state of the worker process, never of the bot
    _exit_with_parent(bot_pid)
    from bot.analysis.pipeline import Analyzer
    from bot.training.model import load_classifier

    _ANALYZER = Analyzer(load_classifier(model, threshold=threshold))
    _ANALYZER.nlp  # noqa: B018 - load spaCy now, not on the first article


def _analyse(articles: list[Article], full: bool) -> list[Analysis]:
    if _ANALYZER is None:
        raise RuntimeError("analysis worker process not initialised")
    return list(_ANALYZER.analyze_many(articles, full=full))


class AnalysisFailed(Exception):
    """This article cannot be analysed (a bug met by this input): retrying will not help."""


@dataclass(order=True)
class _Job:
    priority: int
    seq: int
    article: Article = field(compare=False)
    full: bool = field(compare=False)
    future: asyncio.Future[Analysis] = field(compare=False)


class AnalysisWorker:
    """Owns one worker process; `analyse(article)` awaits its analysis."""

    def __init__(self, model: Path | None = None, threshold: float = 0.5, batch_size: int = 8) -> None:
        self._model = model
        self._threshold = threshold
        self._batch = batch_size
        self._queue: asyncio.PriorityQueue[_Job] = asyncio.PriorityQueue()
        self._seq = itertools.count()
        self._pool: ProcessPoolExecutor | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Start the process and load the language model in it (a second or two)."""
        await self._new_pool()
        self._task = asyncio.create_task(self._run(), name="analysis-worker")

    async def _new_pool(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
        self._pool = ProcessPoolExecutor(max_workers=1, initializer=_init,
                                         initargs=(self._model, self._threshold, os.getpid()))
        await asyncio.get_running_loop().run_in_executor(self._pool, _analyse, [], False)

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        if self._pool:
            self._pool.shutdown(wait=False, cancel_futures=True)

    @property
    def backlog(self) -> int:
        return self._queue.qsize()

    async def analyse(self, article: Article, *, priority: int = LIVE, full: bool = False) -> Analysis:
        future: asyncio.Future[Analysis] = asyncio.get_running_loop().create_future()
        if len(article.body) > LONG_STORY_CHARS:
            priority = max(priority, BULK)
        await self._queue.put(_Job(priority, next(self._seq), article, full, future))
        return await future

    async def _run(self) -> None:
        while True:
            first = await self._queue.get()
            jobs = [first]
            chars = len(first.article.body)
            while len(jobs) < self._batch and chars < BATCH_CHARS and not self._queue.empty():
                nxt = self._queue.get_nowait()
                if nxt.priority != first.priority or nxt.full != first.full:
                    await self._queue.put(nxt)
                    break
                jobs.append(nxt)
                chars += len(nxt.article.body)
            jobs = [j for j in jobs if not j.future.cancelled()]
            if jobs:
                await self._run_jobs(jobs, first.full)

    async def _run_jobs(self, jobs: list[_Job], full: bool) -> None:
        """Analyse a batch; if it fails, each article alone, so one bad story fails alone.
        A worker process that died is replaced and the batch tried once more."""
        for attempt in (1, 2):
            try:
                results = await self._call([j.article for j in jobs], full)
            except BrokenProcessPool:
                log.error("the analysis worker process died; starting a new one")
                await self._new_pool()
                if attempt == 2:
                    self._fail(jobs, RuntimeError("the analysis worker process died twice"))
                continue
            except Exception as e:
                if len(jobs) == 1:
                    log.error("analysis of %s failed: %s: %s", jobs[0].article.id, type(e).__name__, e)
                    self._fail(jobs, AnalysisFailed(f"{type(e).__name__}: {e}"))
                else:
                    for j in jobs:
                        await self._run_jobs([j], full)
                return
            for j, r in zip(jobs, results, strict=True):
                if not j.future.done():
                    j.future.set_result(r)
            return

    async def _call(self, articles: list[Article], full: bool) -> list[Analysis]:
        return await asyncio.get_running_loop().run_in_executor(self._pool, _analyse, articles, full)

    @staticmethod
    def _fail(jobs: list[_Job], error: BaseException) -> None:
        for j in jobs:
            if not j.future.done():
                j.future.set_exception(error)
