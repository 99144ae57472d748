"""The analysis worker: priorities, a bad story failing alone, a dead process replaced.

The process boundary is replaced by an in-test stand-in (`_call`), so these tests say
what the queue does; the real process runs in the end-to-end tests.
"""

from __future__ import annotations

import asyncio
from concurrent.futures.process import BrokenProcessPool

from bot.core.connector import BULK, LIVE
from bot.domain import Analysis, Article, TradeVerdict
from bot.service.worker import BATCH_CHARS, LONG_STORY_CHARS, AnalysisFailed, AnalysisWorker


class StandIn(AnalysisWorker):
    def __init__(self, die_once: bool = False) -> None:
        super().__init__(batch_size=4)
        self.batches: list[list[str]] = []
        self.die_once = die_once
        self.pools = 0
        self.gate = asyncio.Event()

    async def _new_pool(self) -> None:
        self.pools += 1

    async def _call(self, articles: list[Article], full: bool) -> list[Analysis]:
        await self.gate.wait()
        self.batches.append([a.id for a in articles])
        if self.die_once:
            self.die_once = False
            raise BrokenProcessPool("killed")
        if any(a.id.startswith("bad") for a in articles):
            raise ValueError("cannot read this")
        return [Analysis(a, TradeVerdict(True, 0.9)) for a in articles]


def _a(i: str) -> Article:
    return Article(i, i, "body")


async def test_live_articles_jump_the_backlog() -> None:
    w = StandIn()
    await w.start()
    try:
        bulk = [asyncio.create_task(w.analyse(_a(f"b{i}"), priority=BULK)) for i in range(8)]
        await asyncio.sleep(0.01)
        live = asyncio.create_task(w.analyse(_a("live"), priority=LIVE))
        await asyncio.sleep(0.01)
        w.gate.set()
        await asyncio.gather(*bulk, live)
        # the first bulk batch was already taken; the live one goes next, alone
        assert w.batches[1] == ["live"]
        assert sorted(i for b in w.batches for i in b) == sorted([f"b{i}" for i in range(8)] + ["live"])
    finally:
        await w.stop()


async def test_a_bad_story_fails_alone() -> None:
    w = StandIn()
    w.gate.set()
    await w.start()
    try:
        results = await asyncio.gather(*(w.analyse(_a(i), priority=BULK) for i in ("a", "bad", "c")),
                                       return_exceptions=True)
        assert isinstance(results[0], Analysis) and isinstance(results[2], Analysis)
        assert isinstance(results[1], AnalysisFailed) and "cannot read this" in str(results[1])
    finally:
        await w.stop()


async def test_a_dead_worker_process_is_replaced() -> None:
    w = StandIn(die_once=True)
    w.gate.set()
    await w.start()
    try:
        result = await w.analyse(_a("x"))
        assert result.article.id == "x" and w.pools == 2
    finally:
        await w.stop()




async def test_a_very_long_story_never_goes_ahead_of_a_live_file() -> None:
    w = StandIn()
    await w.start()
    try:
        busy = asyncio.create_task(w.analyse(_a("busy"), priority=BULK))
        await asyncio.sleep(0.01)  # taken: the worker is busy with it
        long = Article("long", "long", "tariff " * (LONG_STORY_CHARS // 7 + 1))
        tasks = [asyncio.create_task(w.analyse(long, priority=LIVE)),
                 asyncio.create_task(w.analyse(_a("live"), priority=LIVE))]
        await asyncio.sleep(0.01)
        w.gate.set()
        await asyncio.gather(busy, *tasks)
        assert w.batches == [["busy"], ["live"], ["long"]]
    finally:
        await w.stop()


async def test_a_batch_holds_a_bounded_amount_of_text() -> None:
    w = StandIn()
    await w.start()
    try:
        busy = asyncio.create_task(w.analyse(_a("busy"), priority=BULK))
        await asyncio.sleep(0.01)
        big = [Article(f"big{i}", "t", "x" * (BATCH_CHARS // 2 + 1)) for i in range(3)]
        tasks = [asyncio.create_task(w.analyse(a, priority=BULK)) for a in big]
        await asyncio.sleep(0.01)
        w.gate.set()
        await asyncio.gather(busy, *tasks)
        assert w.batches == [["busy"], ["big0", "big1"], ["big2"]]
    finally:
        await w.stop()
