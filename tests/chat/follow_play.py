"""Plays the scripted history of `tests/follow_stories.py` through a real service, with a
crash in the middle of a delivery at every step (after the claim, or after the post before
it is recorded), a stop, and a start again that must finish the step."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Any

from bot.config import Settings
from bot.domain import Delivery
from bot.service.app import Service
from bot.store import SqlStore
from tests.follow_stories import HISTORY

Start = Callable[[Settings, Callable[[str, Delivery], None] | None], Awaitable[Service]]
WAIT = 90.0  # generous: the worker loads spaCy at each start, and the machine is shared


async def until(predicate: Callable[[], Awaitable[Any]], what: str, timeout: float = WAIT) -> None:
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not await predicate():
        if loop.time() > end:
            raise AssertionError(f"not within {timeout} s: {what}")
        await asyncio.sleep(0.05)


class CrashOnce:
    """A dispatcher checkpoint that raises once, at the first delivery to `channel` reaching
    `where`."""

    def __init__(self, where: str, channel: str) -> None:
        self.where = where
        self.channel = channel
        self.crashed: list[Delivery] = []

    def __call__(self, at: str, d: Delivery) -> None:
        if at == self.where and d.channel == self.channel and not self.crashed:
            self.crashed.append(d)
            raise RuntimeError(f"simulated crash at {at!r}")

    async def happened(self) -> bool:
        return bool(self.crashed)


async def all_sent(store: SqlStore, expected: int) -> bool:
    ds = await store.deliveries()
    return len(ds) == expected and all(d.state == "sent" for d in ds)


async def play(settings: Settings, folder: Path, start: Start, deliveries: Sequence[int],
               crash_in: str) -> list[Delivery]:
    """Each story of the history in turn, a crash (in a delivery to `crash_in`) and a restart
    at each; returns the crashed deliveries (one a step). `deliveries`: how many deliveries
    the store holds, all sent, once each step is done (alerts, edits and updates)."""
    crashes: list[Delivery] = []
    for step, (name, text) in enumerate(HISTORY):
        crash = CrashOnce("posted" if step % 2 == 0 else "claimed", crash_in)
        service = await start(settings, crash)
        try:
            (folder / name).write_text(text, encoding="utf-8")
            await until(crash.happened, f"a delivery of {name}")
        finally:
            await service.close()
        crashes += crash.crashed
        again = await start(settings, None)
        try:
            store = again.store
            assert store is not None
            expected = deliveries[step]
            await until(partial(all_sent, store, expected), f"step {step} ({name}) finished after the restart")
        finally:
            await again.close()
    return crashes
