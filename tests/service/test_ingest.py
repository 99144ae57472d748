"""Ingest survives a crash at each of its steps: the alert is owed exactly once."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.source import Discovered
from bot.domain import Analysis, Article, Subscription, TradeVerdict
from bot.service.ingest import Ingest
from bot.store import SqlStore
from bot.store.fingerprint import fingerprint

ARTICLE = Article("steel", "US raises steel duties", "The United States raised duties on steel "
                  "imports to 35 per cent from 25 per cent, officials said on Monday.", source="/news/steel.txt")
FILE = Discovered(Path("/news/steel.txt"), "120:1:abc", (ARTICLE,), (), bulk=False)


class Crash(BaseException):
    """A simulated process death."""


async def analyse_ok(article: Article, priority: int) -> Analysis:
    return Analysis(article, TradeVerdict(True, 0.9, ("tariffs",)))


async def analyse_crash(article: Article, priority: int) -> Analysis:
    raise Crash("died while analysing")


class CrashingSignatures:
    """The store, except that recording a file as read dies (after the commit)."""

    def __init__(self, store: SqlStore) -> None:
        self._store = store

    def __getattr__(self, name: str) -> object:
        return getattr(self._store, name)

    async def set_file_signature(self, path: str, signature: str) -> None:
        raise Crash("died before recording the file")


def _ingest(store: object, analyse: object) -> Ingest:
    return Ingest(store, analyse, fingerprint, lambda: None)  # type: ignore[arg-type]


async def test_crash_after_the_article_is_stored_before_its_analysis(store: SqlStore) -> None:
    await store.subscribe(Subscription("console:desk"))
    with pytest.raises(Crash):
        await _ingest(store, analyse_crash).discovered(FILE, 0)
    assert await store.file_signature(str(FILE.path)) is None  # the file is still owed
    await _ingest(store, analyse_ok).discovered(FILE, 0)  # the restart reads it again
    assert await store.get_analysis("steel") is not None
    assert [(d.alert_id, d.channel) for d in await store.deliveries()] == [("steel", "console:desk")]
    assert await store.file_signature(str(FILE.path)) == FILE.signature


async def test_crash_after_the_commit_before_the_file_is_recorded(store: SqlStore) -> None:
    await store.subscribe(Subscription("console:desk"))
    with pytest.raises(Crash):
        await _ingest(CrashingSignatures(store), analyse_ok).discovered(FILE, 0)
    assert len(await store.deliveries()) == 1
    await _ingest(store, analyse_ok).discovered(FILE, 0)  # read again: same story, skipped
    assert len(await store.deliveries()) == 1 and await store.count_articles() == 1
    assert await store.file_signature(str(FILE.path)) == FILE.signature
