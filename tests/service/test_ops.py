"""The operations port (issue 13 point 4): /healthz, /readyz and /metrics of a real `Service`
on SQLite, asked with a real HTTP client (aiohttp) on 127.0.0.1 with a free port.

The service runs in the test's event loop with its worker process, scheduler, dispatcher,
folder watcher and feeds connector; only the console's stream is captured.
"""

from __future__ import annotations

import asyncio
import io
import shutil
import socket
import time
from collections.abc import AsyncIterator, Callable, Mapping
from pathlib import Path

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.chat.console import ConsoleSink
from bot.config import (
    FeedSettings,
    FeedsSettings,
    FolderSettings,
    OpsSettings,
    Settings,
    StoreSettings,
    SubscriptionSettings,
)
from bot.core.connector import Connector, Runtime
from bot.core.sink import ChatSink
from bot.service.app import Service
from bot.sources.feeds import FeedsConnector
from bot.sources.folders import FoldersConnector
from tests.conftest import EXAMPLES

pytestmark = pytest.mark.slow
TRADE_STORY = "2025-03-06-us-steel-tariffs.txt"


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _settings(tmp: Path, *, feeds: tuple[FeedSettings, ...] = ()) -> Settings:
    return Settings(
        store=StoreSettings(data_dir=tmp / "data"),
        folders=(FolderSettings(path=tmp / "news"),),
        subscriptions=(SubscriptionSettings(channel="console:default", tags=("tariffs",)),),
        feeds=FeedsSettings(feed=feeds, allow_private_addresses=True, max_failures=8),
        ops=OpsSettings(enabled=True, host="127.0.0.1", port=0, instance_id="tw-test-1"),
    )


class Switch:
    """A chat connection the test connects and disconnects (a fake: the real Slack and
    Discord connectors answer `not_connected` from their clients' state)."""

    name = "switch"

    def __init__(self) -> None:
        self.connected = True

    def sinks(self) -> Mapping[str, ChatSink]:
        return {}

    async def start(self, runtime: Runtime) -> None:
        return None

    async def stop(self) -> None:
        return None

    async def not_connected(self) -> str | None:
        return None if self.connected else "the connection dropped"


async def _wait_for(predicate: Callable[[], bool], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"not within {timeout} s")


async def _get(http: aiohttp.ClientSession, service: Service, path: str) -> tuple[int, str]:
    assert service.ops is not None and service.ops.address is not None
    host, port = service.ops.address
    async with http.get(f"http://{host}:{port}{path}") as response:
        return response.status, await response.text()


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session:
        yield session


async def test_health_ready_and_metrics_of_a_running_service(tmp_path: Path, http: aiohttp.ClientSession) -> None:
    (tmp_path / "news").mkdir()
    dead_feed = f"http://127.0.0.1:{_closed_port()}/feed.xml"
    settings = _settings(tmp_path, feeds=(FeedSettings(url=dead_feed),))
    out = io.StringIO()
    service = Service(settings, sinks={"console": ConsoleSink(tmp_path / "data", stream=out)},
                      connectors=[FoldersConnector(settings.folders)])
    # the feeds connector counts into the service's metrics, as build_connectors wires it
    feeds = FeedsConnector(settings.feeds, metrics=service.metrics)
    service.connectors.insert(0, feeds)
    await service.start()
    try:
        assert await _get(http, service, "/healthz") == (200, '{"alive": true, "instance": "tw-test-1"}')
        status, body = await _get(http, service, "/readyz")
        assert status == 200, body
        assert '"ready": true' in body and '"store": "ok"' in body and '"service": "ok"' in body

        shutil.copy(EXAMPLES / TRADE_STORY, tmp_path / "news" / TRADE_STORY)
        shutil.copy(EXAMPLES / "2025-06-21-football.txt", tmp_path / "news" / "football.txt")
        await _wait_for(lambda: "■" in out.getvalue() and service._ingest.processed >= 2, 60.0)
        await _wait_for(lambda: feeds.polls >= 1, 60.0)
        posted = ("tradewatch_alerts_posted_total", (("lane", "console"),))
        deadline = time.monotonic() + 30  # the card is shown just before the post is recorded
        while True:
            status, text = await _get(http, service, "/metrics")
            assert status == 200
            found = _samples(text)
            if posted in found or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.05)
        assert found[("tradewatch_stories_read_total", ())] == 2
        assert found[("tradewatch_stories_accepted_total", ())] == 1
        assert found[("tradewatch_stories_rejected_total", ())] == 1
        assert found[posted] == 1
        assert found[("tradewatch_delivery_lag_seconds_count", (("lane", "console"),))] == 1
        assert found[("tradewatch_feed_fetch_failures_total", ())] == 1
        assert found[("tradewatch_instance_info", (("instance_id", "tw-test-1"), ("version", "0.1.0")))] == 1
        assert ("tradewatch_alerts_failed_total", (("lane", "console"),)) not in found

        assert service.store is not None
        await service.store.close()
        status, body = await _get(http, service, "/readyz")
        assert status == 503
        assert '"ready": false' in body and "is closed" in body and '"service": "ok"' in body
        assert (await _get(http, service, "/healthz"))[0] == 200  # alive, only not ready
    finally:
        await service.close()


async def test_ready_needs_every_chat_connection(tmp_path: Path, http: aiohttp.ClientSession) -> None:
    switch = Switch()
    connectors: list[Connector] = [switch]
    service = Service(_settings(tmp_path), connectors=connectors)
    await service.start()
    try:
        status, body = await _get(http, service, "/readyz")
        assert status == 200 and '"switch": "ok"' in body
        switch.connected = False
        status, body = await _get(http, service, "/readyz")
        assert status == 503
        assert '"switch": "the connection dropped"' in body and '"store": "ok"' in body
        switch.connected = True
        assert (await _get(http, service, "/readyz"))[0] == 200
        service.stop()
        status, body = await _get(http, service, "/readyz")
        assert status == 503 and '"service": "stopping"' in body
    finally:
        await service.close()


async def test_two_services_count_apart(tmp_path: Path) -> None:
    """Each service has its own registry: nothing leaks between them (or between tests)."""
    one, two = (Service(_settings(tmp_path / name), connectors=[]) for name in ("a", "b"))
    one.metrics.story_read()
    assert b"tradewatch_stories_read_total 1.0" in one.metrics.text()
    assert b"tradewatch_stories_read_total 0.0" in two.metrics.text()


async def test_a_taken_ops_port_is_a_clear_error(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        settings = _settings(tmp_path)
        settings = settings.model_copy(update={"ops": OpsSettings(enabled=True, port=port)})
        service = Service(settings, connectors=[])
        with pytest.raises(OSError, match=rf"cannot serve the ops port on 127.0.0.1:{port} \(ops.host, ops.port\)"):
            await service.start()
        await service.close()
