"""Hostile input to ingestion: nothing a file does stops the bot or loses a story (issue 12).

- a JSONL file nested 100,000 deep (`[` ... `]`) is that file's logged skip: start-up, the
  folder watch and `tradewatch analyze` all go on with the good files;
- three different stories under one article id (`brief.txt`, `brief.md`, a JSONL line with
  `"id": "brief"`) are three articles, three cards, and the stored article is never replaced.

The real service runs (worker process, SQLite, folder watch, console channel); the stories
are written for these tests.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

from bot.chat.console import ConsoleSink
from bot.cli import main
from bot.config import FolderSettings, Settings, StoreSettings, SubscriptionSettings
from bot.core.commands import Context
from bot.core.source import Discovered
from bot.service.app import Service
from bot.sources.folder import FolderSource
from bot.sources.folders import WATCH_RESTART_SECONDS

pytestmark = pytest.mark.slow

NESTED = "[" * 100_000 + "]" * 100_000 + "\n"
CARD = "■"
CANADA = ("date 2026-03-02\nOTTAWA, March 2 - Canada will impose a 20 percent tariff on steel wire "
          "imported from Freedonia from April 1, the finance minister said on Monday, citing a surge "
          "in low-priced shipments.\n")
SYLVANIA = ("# Sylvania cuts duty on rice\n\nTOKYO, March 3 - Sylvania will cut its import duty on rice "
            "to 5 percent from 12 percent next month under a trade agreement signed with Japan, the "
            "trade ministry said.\n")
BICYCLES = {"id": "brief", "title": "EU delays levy on bicycles", "published": "2026-03-04",
            "body": "BRUSSELS, March 4 - The European Union delayed a planned 30 percent anti-dumping "
                    "duty on electric bicycles from Freedonia until July, the European Commission said "
                    "on Wednesday, after talks with Freedonian exporters."}


Start = Callable[[], Awaitable[tuple[Service, io.StringIO]]]


def _settings(tmp: Path) -> Settings:
    return Settings(
        store=StoreSettings(data_dir=tmp / "data"),
        folders=(FolderSettings(path=tmp / "news", rescan_seconds=3600),),
        subscriptions=(SubscriptionSettings(channel="console:default"),),
    )


@pytest.fixture
def news(tmp_path: Path) -> Path:
    (tmp_path / "news").mkdir()
    return tmp_path / "news"


@pytest.fixture
async def running(news: Path) -> AsyncIterator[Start]:
    """Start the service on demand (so files can be put in place first); closed at the end."""
    started: list[tuple[Service, io.StringIO]] = []

    async def start() -> tuple[Service, io.StringIO]:
        out = io.StringIO()
        service = Service(_settings(news.parent), sinks={"console": ConsoleSink(news.parent / "data", stream=out)})
        await service.start()
        started.append((service, out))
        return service, out

    yield start
    for service, _ in started:
        await service.close()


async def _until(predicate: Callable[[], bool], what: str, timeout: float = 60.0) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"not within {timeout} s: {what}")


def _write(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".part")  # written whole, then renamed in, as a copy would be
    tmp.write_text(text, encoding="utf-8")
    tmp.rename(path)


# -- a deeply nested JSONL file ------------------------------------------------------------


async def test_a_nested_jsonl_file_is_skipped_at_start_up_and_while_watching(
        news: Path, running: Start, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="bot")
    _write(news / "deep.jsonl", NESTED)
    _service, out = await running()
    assert "deep.jsonl" in caplog.text and "nested too deeply" in caplog.text

    _write(news / "canada.txt", CANADA)
    await _until(lambda: out.getvalue().count(CARD) == 1, "the good file after the nested one is alerted")

    # dropped while the bot runs, the nested file does not stop the folder watch either
    _write(news / "deeper.jsonl", NESTED)
    await _until(lambda: "deeper.jsonl" in caplog.text, "the second nested file is reported")
    _write(news / "sylvania.md", SYLVANIA)
    await _until(lambda: out.getvalue().count(CARD) == 2, "a good file dropped after it is alerted")
    assert "Sylvania cuts duty on rice" in out.getvalue()


async def test_an_unexpected_error_in_the_scan_or_the_watch_is_logged_and_the_bot_goes_on(
        news: Path, running: Start, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    """Whatever a reader does not catch: start-up survives a failing scan, and the folder watch
    is started again after it fails (the periodic rescan is an hour away here)."""
    failed: set[str] = set()
    real_scan, real_watch = FolderSource.scan, FolderSource.watch

    async def scan(self: FolderSource) -> list[Discovered]:
        if "scan" not in failed:
            failed.add("scan")
            raise RecursionError("maximum recursion depth exceeded")
        return await real_scan(self)

    async def watch(self: FolderSource, stop: asyncio.Event) -> AsyncIterator[list[Discovered]]:
        if "watch" not in failed:
            failed.add("watch")
            raise RecursionError("maximum recursion depth exceeded")
        async for batch in real_watch(self, stop):
            yield batch

    monkeypatch.setattr(FolderSource, "scan", scan)
    monkeypatch.setattr(FolderSource, "watch", watch)
    caplog.set_level(logging.WARNING, logger="bot")
    _service, out = await running()
    assert "scanning the article folders failed" in caplog.text
    await _until(lambda: "watching the article folders failed" in caplog.text, "the failed watch is logged")
    await asyncio.sleep(WATCH_RESTART_SECONDS)
    for _ in range(30):  # written again until seen: the new watch may take a moment to start
        _write(news / "canada.txt", CANADA)
        with contextlib.suppress(AssertionError):
            await _until(lambda: out.getvalue().count(CARD) == 1, "alerted", timeout=2.0)
            break
    assert out.getvalue().count(CARD) == 1, "a file dropped after the watch failed was not alerted"


def test_analyze_reports_a_nested_jsonl_file_and_outputs_the_good_ones(
        news: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _write(news / "a-deep.jsonl", NESTED)
    _write(news / "canada.txt", CANADA)
    assert main(["analyze", "--no-progress", "--format", "jsonl", str(news)]) == 0
    captured = capsys.readouterr()
    assert [json.loads(line)["id"] for line in captured.out.splitlines()] == ["canada"]
    assert "a-deep.jsonl:1: JSON nested too deeply to read" in captured.err
    assert "1 analysed, 1 skipped" in captured.err


# -- different stories under one id --------------------------------------------------------


async def test_stories_sharing_an_id_are_three_articles_and_three_cards(
        news: Path, running: Start, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="bot")
    service, out = await running()
    _write(news / "brief.txt", CANADA)
    await _until(lambda: out.getvalue().count(CARD) == 1, "brief.txt alerted")
    _write(news / "brief.md", SYLVANIA)
    await _until(lambda: out.getvalue().count(CARD) == 2, "brief.md alerted")
    _write(news / "brief.jsonl", json.dumps(BICYCLES) + "\n")
    await _until(lambda: out.getvalue().count(CARD) == 3, "the JSONL line with id brief alerted")

    cards = out.getvalue()
    for headline in ("Canada will impose a 20 percent tariff", "Sylvania cuts duty on rice",
                     "EU delays levy on bicycles"):
        assert headline in cards
    assert service.store is not None and service.commands is not None
    assert await service.store.count_articles() == 3
    # a card is on the console a moment before its delivery is recorded as sent
    for _ in range(1200):
        sent = [d for d in await service.store.deliveries() if d.state == "sent"]
        if len(sent) == 3:
            break
        await asyncio.sleep(0.05)
    assert len(sent) == 3 and len({d.alert_id for d in sent}) == 3
    assert "the id 'brief' is taken by a different story" in caplog.text

    # `summary brief` shows the story that was posted as brief, not the last one read
    stored = await service.store.get_article("brief")
    assert stored is not None and stored.body == CANADA.split("\n", 1)[1].strip()
    answer = await service.commands.execute(Context("console:default"), "summary brief")
    assert "Canada" in answer.title + answer.text and "bicycles" not in answer.title + answer.text
    # each derived id named on a card leads to its own story
    for alert_id in {d.alert_id for d in sent} - {"brief"}:
        other = await service.commands.execute(Context("console:default"), f"summary {alert_id}")
        assert ("Sylvania" in other.title) != ("bicycles" in other.title)
