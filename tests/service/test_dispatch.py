"""Delivery survives a crash at every step: never posted twice, never lost."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.core.alert import alert_message
from bot.core.message import Message
from bot.core.metrics import Metrics
from bot.core.sink import ChannelGone
from bot.domain import Analysis, Article, Delivery, Subscription, TradeVerdict
from bot.service.dispatch import Dispatcher
from bot.store import SqlStore, open_store
from bot.store.fingerprint import fingerprint


class Crash(BaseException):
    """A simulated process death: not caught by the dispatcher's error handling."""


class RecordingSink:
    """A chat service that records what it was sent and can look it up, like Slack's history."""

    service = "fake"

    def __init__(self, fail: int = 0, gone: bool = False) -> None:
        self.posted: list[tuple[str, str | None]] = []
        self.fail = fail
        self.gone = gone

    async def post(self, channel_id: str, message: Message) -> str | None:
        if self.gone:
            raise ChannelGone("channel_not_found")
        if self.fail:
            self.fail -= 1
            raise RuntimeError("HTTP 500")
        self.posted.append((channel_id, message.key))
        return f"msg-{len(self.posted)}"

    async def find(self, channel_id: str, key: str) -> str | None:
        return "found" if (channel_id, key) in self.posted else None


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SqlStore]:
    s = open_store(None, tmp_path)
    await s.migrate()
    a = Analysis(Article("alert-1", "T", "Body text of the alert."), TradeVerdict(True, 0.9))
    await s.add_article(a.article, fingerprint("T", a.article.body))
    await s.subscribe(Subscription("fake:C1"))
    await s.save_analysis_and_enqueue(a, ["fake:C1"])
    yield s
    await s.close()


def _dispatcher(store: SqlStore, sink: RecordingSink, crash_at: str | None = None,
                retry_after: timedelta = timedelta(seconds=5), metrics: Metrics | None = None,
                later: timedelta = timedelta(0)) -> Dispatcher:
    async def message_for(alert_id: str, channel: str = "") -> Message | None:
        a = await store.get_analysis(alert_id)
        return alert_message(a) if a else None

    def checkpoint(step: str, d: Delivery) -> None:
        if step == crash_at:
            raise Crash(step)

    return Dispatcher(store, {"fake": sink}, message_for, max_attempts=3, retry_after=retry_after,
                      checkpoint=checkpoint, metrics=metrics, clock=lambda: datetime.now(UTC) + later)


async def test_plain_delivery(store: SqlStore) -> None:
    sink = RecordingSink()
    assert await _dispatcher(store, sink).drain() == 1
    assert sink.posted == [("C1", "alert-1")]
    assert await _dispatcher(store, sink).drain() == 0  # a retry round posts nothing again


@pytest.mark.parametrize("step", ["claimed", "posted"])
async def test_crash_at_each_step_then_restart(store: SqlStore, step: str) -> None:
    sink = RecordingSink()
    with pytest.raises(Crash):
        await _dispatcher(store, sink, crash_at=step).drain()
    assert sink.posted == ([("C1", "alert-1")] if step == "posted" else [])
    restarted = _dispatcher(store, sink)
    assert await restarted.reconcile() == 1
    await restarted.drain()
    assert sink.posted == [("C1", "alert-1")]  # exactly once, whichever step the crash hit
    (d,) = await store.deliveries()
    assert d.state == "sent"


async def test_failures_are_retried_then_given_up(store: SqlStore) -> None:
    sink = RecordingSink(fail=2)
    await _dispatcher(store, sink, retry_after=timedelta(0)).drain()
    assert sink.posted == [("C1", "alert-1")]
    (d,) = await store.deliveries()
    assert d.state == "sent" and d.attempts == 3


async def test_posts_failures_and_the_lag_since_queued_are_counted_by_lane(store: SqlStore) -> None:
    metrics = Metrics("tw-test")
    # the post happens "90 s" after the alert was queued (the dispatcher's clock runs ahead)
    await _dispatcher(store, RecordingSink(fail=2), retry_after=timedelta(0), metrics=metrics,
                      later=timedelta(seconds=90)).drain()
    text = metrics.text().decode()
    assert 'tradewatch_alerts_posted_total{lane="fake"} 1.0' in text
    assert 'tradewatch_alerts_failed_total{lane="fake"} 2.0' in text
    assert 'tradewatch_delivery_lag_seconds_count{lane="fake"} 1.0' in text
    assert 'tradewatch_delivery_lag_seconds_bucket{lane="fake",le="60.0"} 0.0' in text
    assert 'tradewatch_delivery_lag_seconds_bucket{lane="fake",le="300.0"} 1.0' in text


async def test_a_failed_post_waits_before_its_retry(store: SqlStore) -> None:
    sink = RecordingSink(fail=1)
    disp = _dispatcher(store, sink, retry_after=timedelta(hours=1))
    await disp.drain()
    assert sink.posted == []
    (d,) = await store.deliveries()
    assert d.state == "pending" and d.attempts == 1 and "HTTP 500" in (d.last_error or "")


async def test_failures_exhaust_attempts(store: SqlStore) -> None:
    sink = RecordingSink(fail=10)
    await _dispatcher(store, sink, retry_after=timedelta(0)).drain()
    (d,) = await store.deliveries()
    assert d.state == "failed" and d.attempts == 3 and sink.posted == []


async def test_gone_channel_is_unsubscribed(store: SqlStore) -> None:
    await _dispatcher(store, RecordingSink(gone=True)).drain()
    assert await store.subscriptions("fake:C1") == []
    (d,) = await store.deliveries()
    assert d.state == "failed" and "channel_not_found" in (d.last_error or "")


class BlindSink(RecordingSink):
    """A chat service whose history cannot be read right now."""

    async def find(self, channel_id: str, key: str) -> str | None:
        raise RuntimeError("history unavailable")


async def test_reconcile_waits_when_the_channel_cannot_be_asked(store: SqlStore) -> None:
    sink = BlindSink()
    with pytest.raises(Crash):
        await _dispatcher(store, sink, crash_at="posted").drain()
    blind = _dispatcher(store, sink)
    assert await blind.reconcile() == 0
    (d,) = await store.deliveries()
    assert d.state == "sending"  # not guessed either way
    assert await blind.drain() == 0 and len(sink.posted) == 1
    seeing = RecordingSink()
    seeing.posted = sink.posted
    assert await _dispatcher(store, seeing).reconcile() == 1
    (d,) = await store.deliveries()
    assert d.state == "sent" and len(seeing.posted) == 1


class HeldSink(RecordingSink):
    """A chat service that makes us wait (as Slack does with HTTP 429 and Retry-After) in
    `post`, or in `find` when asked its history, until the test lets it go."""

    def __init__(self, service: str, held: str = "post") -> None:
        super().__init__()
        self.service = service
        self.held = held
        self.release = asyncio.Event()

    async def post(self, channel_id: str, message: Message) -> str | None:
        if self.held == "post":
            await self.release.wait()
        return await super().post(channel_id, message)

    async def find(self, channel_id: str, key: str) -> str | None:
        if self.held == "find":
            await self.release.wait()
        return await super().find(channel_id, key)


async def _until(condition: Callable[[], bool]) -> None:
    while not condition():
        await asyncio.sleep(0.01)


async def _all_sent(store: SqlStore) -> None:
    while not all(d.state == "sent" for d in await store.deliveries()):
        await asyncio.sleep(0.01)


async def test_a_chat_service_that_makes_us_wait_holds_up_only_its_own_channels(store: SqlStore) -> None:
    a = Analysis(Article("alert-2", "T2", "Another alert body."), TradeVerdict(True, 0.9))
    await store.add_article(a.article, fingerprint("T2", a.article.body))
    await store.save_analysis_and_enqueue(a, ["held:C9", "fake:C1"])  # the held channel is first
    held, sink = HeldSink("held"), RecordingSink()

    async def message_for(alert_id: str, channel: str = "") -> Message | None:
        analysis = await store.get_analysis(alert_id)
        return alert_message(analysis) if analysis else None

    dispatcher = Dispatcher(store, {"held": held, "fake": sink}, message_for)
    running = asyncio.create_task(dispatcher.run())
    try:
        dispatcher.wake()
        await asyncio.wait_for(_until(lambda: len(sink.posted) == 2), 30)
        assert sink.posted == [("C1", "alert-1"), ("C1", "alert-2")] and held.posted == []
        held.release.set()
        await asyncio.wait_for(_until(lambda: held.posted == [("C9", "alert-2")]), 30)
        await asyncio.wait_for(_all_sent(store), 30)
    finally:
        running.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await running
    assert sorted((d.channel, d.alert_id) for d in await store.deliveries()) == [
        ("fake:C1", "alert-1"), ("fake:C1", "alert-2"), ("held:C9", "alert-2")]


async def test_an_alert_for_many_channels_is_read_and_rendered_once(store: SqlStore) -> None:
    await store.enqueue("alert-1", ["fake:C2", "fake:C3"])
    reads: list[str] = []

    async def message_for(alert_id: str, channel: str = "") -> Message | None:
        reads.append(alert_id)
        analysis = await store.get_analysis(alert_id)
        return alert_message(analysis) if analysis else None

    sink = RecordingSink()
    assert await Dispatcher(store, {"fake": sink}, message_for).drain() == 3
    assert sorted(sink.posted) == [("C1", "alert-1"), ("C2", "alert-1"), ("C3", "alert-1")]
    assert reads == ["alert-1"]


async def test_a_channel_of_a_service_not_connected_is_given_up_and_the_others_are_posted(
        store: SqlStore) -> None:  # fmt: skip
    await store.enqueue("alert-1", ["teams:T1"])
    sink = RecordingSink()
    assert await _dispatcher(store, sink).drain() == 1
    assert sink.posted == [("C1", "alert-1")]
    (gone,) = await store.deliveries("alert-1", "teams:T1")
    assert gone.state == "failed" and "no teams connection" in (gone.last_error or "")


async def test_reconciling_a_waiting_service_does_not_hold_up_the_others(store: SqlStore) -> None:
    await store.enqueue("alert-1", ["held:C9"])
    assert [d.channel for d in await store.claim(10, "held")] == ["held:C9"]  # a crash left it sending
    held, sink = HeldSink("held", held="find"), RecordingSink()

    async def message_for(alert_id: str, channel: str = "") -> Message | None:
        analysis = await store.get_analysis(alert_id)
        return alert_message(analysis) if analysis else None

    dispatcher = Dispatcher(store, {"held": held, "fake": sink}, message_for)
    reconciling = asyncio.create_task(dispatcher.reconcile())
    running = asyncio.create_task(dispatcher.run())
    try:
        dispatcher.wake()
        await asyncio.wait_for(_until(lambda: sink.posted == [("C1", "alert-1")]), 30)
        assert not reconciling.done() and held.posted == []  # still asking the held service
        held.release.set()
        assert await asyncio.wait_for(reconciling, 30) == 1
        await asyncio.wait_for(_until(lambda: held.posted == [("C9", "alert-1")]), 30)  # not found: posted
    finally:
        for task in (reconciling, running):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


async def test_stop_lets_the_post_in_hand_finish_then_ends_the_lanes(store: SqlStore) -> None:
    """Stopping the bot while a post is under way: the post and its store write complete (no
    database call is cut in half), the lanes end by themselves, and the alert is not posted
    again by the next run."""
    entered, release = asyncio.Event(), asyncio.Event()

    class SlowSink(RecordingSink):
        async def post(self, channel_id: str, message: Message) -> str | None:
            entered.set()
            await release.wait()
            return await super().post(channel_id, message)

    sink = SlowSink()
    dispatcher = _dispatcher(store, sink)
    running = asyncio.create_task(dispatcher.run())
    dispatcher.wake()
    await asyncio.wait_for(entered.wait(), timeout=30)
    dispatcher.stop()
    release.set()
    await asyncio.wait_for(running, timeout=30)  # ends without being cancelled
    assert sink.posted == [("C1", "alert-1")]
    assert [d.state for d in await store.deliveries("alert-1")] == ["sent"]
    assert await _dispatcher(store, sink).drain() == 0
