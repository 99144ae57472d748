"""The watched folders as a connector, on the real scheduler and a real store: the catch-up
at start, new files as they are written, a file on its way never handed over twice."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.config import FolderSettings, Settings, StoreSettings
from bot.core.commands import Commands
from bot.core.connector import BULK, LIVE, Runtime
from bot.core.source import Discovered
from bot.domain import Analysis, Article
from bot.service.connectors import build_connectors
from bot.sources.folders import FoldersConnector
from bot.store import SqlStore, open_store
from tests.sources.feed_stories import stand_in_analysis

WAIT = 20.0  # generous: the machine is shared


def story(folder: Path, name: str, title: str) -> None:
    """A short story of our own."""
    (folder / name).write_text(f"# {title}\n\nFreedonia said on Monday it would {title.lower()}.\n",
                               encoding="utf-8")


async def until(check: Callable[[], bool], timeout: float = WAIT) -> None:
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not check():
        if loop.time() > end:
            raise AssertionError(f"not within {timeout} s")
        await asyncio.sleep(0.02)


@dataclass
class Ingested:
    store: SqlStore
    hold: asyncio.Event = field(default_factory=asyncio.Event)
    files: list[tuple[str, int]] = field(default_factory=list)
    """(file name, priority) in the order handed over."""
    stored: list[str] = field(default_factory=list)

    async def __call__(self, found: Discovered, priority: int) -> None:
        self.files.append((found.path.name, priority))
        await self.hold.wait()
        await self.store.set_file_signature(str(found.path), found.signature)  # as the real ingest does
        self.stored.append(found.path.name)


@pytest.fixture
async def make(tmp_path: Path) -> AsyncIterator[Callable[..., Awaitable[tuple[FoldersConnector, Ingested]]]]:
    made: list[tuple[FoldersConnector, AsyncIOScheduler, SqlStore]] = []

    async def start(folder: Path, *, held: bool = False) -> tuple[FoldersConnector, Ingested]:
        store = open_store(None, tmp_path / "data")
        await store.migrate()
        ingested = Ingested(store)
        if not held:
            ingested.hold.set()

        async def ingest(article: Article, priority: int) -> Analysis | None:
            raise AssertionError("the folders hand over whole files")

        settings = Settings(store=StoreSettings(data_dir=tmp_path / "data"), folders=(FolderSettings(path=folder),))
        scheduler = AsyncIOScheduler()
        runtime = Runtime(settings, store, Commands(store, stand_in_analysis), scheduler, ingest, lambda: None,
                          ingested)
        connector = FoldersConnector(settings.folders)
        await connector.start(runtime)
        scheduler.start()
        made.append((connector, scheduler, store))
        return connector, ingested

    yield start
    for connector, scheduler, store in made:
        scheduler.shutdown(wait=False)
        await connector.stop()
        await store.close()


async def test_the_catch_up_is_bulk_and_a_new_file_is_live(
        tmp_path: Path, make: Callable[..., Awaitable[tuple[FoldersConnector, Ingested]]]) -> None:
    news = tmp_path / "news"
    news.mkdir()
    story(news, "steel.txt", "Raise steel duties")
    story(news, "grain.md", "Cap grain exports")
    connector, ingested = await make(news)
    await until(lambda: len(ingested.files) == 2)
    assert sorted(ingested.files) == [("grain.md", BULK), ("steel.txt", BULK)]

    story(news, "wheat.txt", "Lift wheat quotas")
    await until(lambda: ("wheat.txt", LIVE) in ingested.files)
    await until(lambda: len(ingested.stored) == 3)
    await connector.rescan()  # all recorded as read: nothing again
    await asyncio.sleep(0.3)
    assert len(ingested.files) == 3 and connector.files_done == 3


async def test_a_file_on_its_way_is_not_handed_over_twice(
        tmp_path: Path, make: Callable[..., Awaitable[tuple[FoldersConnector, Ingested]]]) -> None:
    news = tmp_path / "news"
    news.mkdir()
    story(news, "steel.txt", "Raise steel duties")
    connector, ingested = await make(news, held=True)
    await until(lambda: bool(ingested.files))
    await connector.rescan()  # the first is still being ingested
    await asyncio.sleep(0.2)
    assert ingested.files == [("steel.txt", BULK)]
    ingested.hold.set()
    await until(lambda: ingested.stored == ["steel.txt"])
    await connector.rescan()
    assert ingested.files == [("steel.txt", BULK)]


async def test_stop_ends_the_watch_and_the_ingest_in_progress(
        tmp_path: Path, make: Callable[..., Awaitable[tuple[FoldersConnector, Ingested]]]) -> None:
    news = tmp_path / "news"
    news.mkdir()
    story(news, "steel.txt", "Raise steel duties")
    connector, ingested = await make(news, held=True)
    await until(lambda: bool(ingested.files))
    await asyncio.wait_for(connector.stop(), WAIT)
    story(news, "grain.md", "Cap grain exports")
    await asyncio.sleep(0.5)
    await connector.rescan()  # stopped: nothing more is handed over
    assert ingested.files == [("steel.txt", BULK)] and ingested.stored == []


def test_the_registry_adds_the_folders_only_when_some_are_configured(tmp_path: Path) -> None:
    folders = (FolderSettings(path=tmp_path),)
    assert [c.name for c in build_connectors(Settings(folders=folders))][-1] == "folders"
    assert "folders" not in [c.name for c in build_connectors(Settings(folders=()))]
