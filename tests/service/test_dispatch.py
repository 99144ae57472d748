"""Delivery survives a crash at every step: never posted twice, never lost."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aiohttp import web

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


async def test_a_cancelled_dispatcher_returns_only_when_every_post_under_way_has_ended(store: SqlStore) -> None:
    """The last resort of a stop whose grace ran out: `run` cancelled while a post is under
    way. It returns only after the post has unwound (a database call cut short closes its
    connection on the way out, which takes a moment), so nothing is left running against a
    store about to be closed (such a leftover kept the test process from ending)."""
    entered, unwound = asyncio.Event(), []

    class UnwindingSink(RecordingSink):
        async def post(self, channel_id: str, message: Message) -> str | None:
            entered.set()
            try:
                await asyncio.Event().wait()
            except asyncio.CancelledError:
                await asyncio.sleep(0.2)  # like a connection closed on the way out
                unwound.append(channel_id)
                raise
            return None

    dispatcher = _dispatcher(store, UnwindingSink())
    running = asyncio.create_task(dispatcher.run())
    dispatcher.wake()
    await asyncio.wait_for(entered.wait(), timeout=30)
    running.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await asyncio.wait_for(running, timeout=30)
    assert running.cancelled() and unwound == ["C1"]
    assert [t for t in asyncio.all_tasks() if t is not asyncio.current_task()] == []
    assert [d.state for d in await store.deliveries("alert-1")] == ["sending"]  # for the next reconcile


# ---------------------------------------------------------------- posts side by side (issue 13)


class GatedSink(RecordingSink):
    """Holds every post until the test opens the gate; notes how many are under way at once,
    and whether two ever were to one channel."""

    def __init__(self) -> None:
        super().__init__()
        self.gate = asyncio.Event()
        self.under_way: set[str] = set()
        self.most = 0
        self.overlapped: list[str] = []

    async def post(self, channel_id: str, message: Message) -> str | None:
        if channel_id in self.under_way:
            self.overlapped.append(channel_id)
        self.under_way.add(channel_id)
        self.most = max(self.most, len(self.under_way))
        try:
            await self.gate.wait()
            await asyncio.sleep(0)  # let the others interleave
            return await super().post(channel_id, message)
        finally:
            self.under_way.discard(channel_id)


async def _alert(store: SqlStore, alert_id: str, channels: list[str]) -> None:
    a = Analysis(Article(alert_id, f"Title {alert_id}", f"Body of {alert_id}."), TradeVerdict(True, 0.9))
    await store.add_article(a.article, fingerprint(a.article.title, a.article.body))
    await store.save_analysis_and_enqueue(a, channels)


def _concurrent(store: SqlStore, sinks: dict[str, RecordingSink], concurrency: int,
                crash_at: tuple[str, str] | None = None) -> Dispatcher:
    async def message_for(alert_id: str, channel: str = "") -> Message | None:
        a = await store.get_analysis(alert_id)
        return alert_message(a) if a else None

    def checkpoint(step: str, d: Delivery) -> None:
        if crash_at == (step, d.channel):
            raise Crash(step)

    return Dispatcher(store, sinks, message_for, concurrency=concurrency, checkpoint=checkpoint)  # type: ignore[arg-type]


async def test_posts_to_different_channels_go_out_side_by_side_never_more_than_the_bound(store: SqlStore) -> None:
    await _alert(store, "alert-2", [f"fake:C{i}" for i in range(2, 12)])
    sink = GatedSink()
    draining = asyncio.create_task(_concurrent(store, {"fake": sink}, 3).drain())
    await asyncio.wait_for(_until(lambda: len(sink.under_way) == 3), 30)
    await asyncio.sleep(0.2)  # room for a fourth, if the bound did not hold
    assert len(sink.under_way) == 3
    sink.gate.set()
    assert await asyncio.wait_for(draining, 30) == 11
    assert sink.most == 3 and not sink.overlapped
    assert sorted(sink.posted) == sorted([("C1", "alert-1")] + [(f"C{i}", "alert-2") for i in range(2, 12)])
    assert {d.state for d in await store.deliveries()} == {"sent"}


async def test_a_channels_alerts_go_out_one_at_a_time_in_the_order_queued(store: SqlStore) -> None:
    for n in range(2, 6):
        await _alert(store, f"alert-{n}", ["fake:C1", "fake:C2", f"fake:C{n + 10}"])
    sink = GatedSink()
    sink.gate.set()
    assert await _concurrent(store, {"fake": sink}, 4).drain() == 13
    assert not sink.overlapped  # never two posts to one channel at once
    for channel, first in (("C1", 1), ("C2", 2)):
        assert [key for ch, key in sink.posted if ch == channel] == [f"alert-{n}" for n in range(first, 6)]
    assert len(sink.posted) == len(set(sink.posted)) == 13


async def test_a_crash_in_the_middle_of_a_fanout_then_restart_posts_every_channel_exactly_once(
        store: SqlStore) -> None:  # fmt: skip
    await _alert(store, "alert-2", [f"fake:C{i}" for i in range(1, 30)])
    sink = RecordingSink()
    with pytest.raises(Crash):
        await _concurrent(store, {"fake": sink}, 4, crash_at=("posted", "fake:C7")).drain()
    assert ("C7", "alert-2") in sink.posted  # posted, but the crash came before it was recorded
    left = [d for d in await store.deliveries() if d.state != "sent"]
    assert left and {d.state for d in left} <= {"sending", "pending"}
    restarted = _concurrent(store, {"fake": sink}, 4)
    await restarted.reconcile()
    await restarted.drain()
    assert sorted(sink.posted) == sorted([("C1", "alert-1")] + [(f"C{i}", "alert-2") for i in range(1, 30)])
    assert {d.state for d in await store.deliveries()} == {"sent"}


async def test_stop_lets_every_post_under_way_finish_and_starts_no_other(store: SqlStore) -> None:
    await _alert(store, "alert-2", [f"fake:C{i}" for i in range(2, 10)])
    sink = GatedSink()
    dispatcher = _concurrent(store, {"fake": sink}, 3)
    running = asyncio.create_task(dispatcher.run())
    dispatcher.wake()
    await asyncio.wait_for(_until(lambda: len(sink.under_way) == 3), 30)
    in_hand = set(sink.under_way)
    dispatcher.stop()
    sink.gate.set()
    await asyncio.wait_for(running, 30)  # ends by itself
    assert {ch for ch, _ in sink.posted} == in_hand
    sent = {d.channel.removeprefix("fake:") for d in await store.deliveries() if d.state == "sent"}
    assert sent == in_hand
    restarted = _concurrent(store, {"fake": sink}, 3)
    await restarted.reconcile()
    await restarted.drain()
    assert len(sink.posted) == len(set(sink.posted)) == 9


async def test_slack_rate_limit_holds_every_post_to_that_workspace_until_retry_after(
        tmp_path: Path, store: SqlStore) -> None:  # fmt: skip
    """Slack answers one post 429 with Retry-After: 1. The real SlackSink (slack-sdk) against
    the fake Slack: apart from the posts already on their way, nothing more goes to that
    workspace until the second has passed; the refused post is then made, and every channel
    has its alert exactly once, at the first attempt (a wait is not a failure)."""
    from bot.chat.slack import SlackSink, make_client
    from bot.config import SlackSettings
    from tests.chat.fake_slack import FakeSlack

    class TimedSlack(FakeSlack):
        def __init__(self) -> None:
            super().__init__()
            self.arrived: list[tuple[float, str, int]] = []

        async def _api(self, request: web.Request) -> web.Response:
            answer = await super()._api(request)
            if request.match_info["method"] == "chat.postMessage":
                channel = str((await self._arguments(request)).get("channel"))
                self.arrived.append((time.monotonic(), channel, answer.status))
            return answer

    fake = TimedSlack()
    await fake.start()
    try:
        fake.queue("chat.postMessage", status=429, retry_after=1, channel="C3")
        await _alert(store, "alert-2", [f"slack:C{i}" for i in range(1, 9)])
        client = make_client("xoxb-test-token", SlackSettings(enabled=True, api_url=fake.api_url))
        concurrency = 2
        await _concurrent(store, {"slack": SlackSink(client)}, concurrency).drain()  # type: ignore[dict-item]
    finally:
        await fake.close()
    ((refused_at, _, _),) = [a for a in fake.arrived if a[2] == 429]
    during = [a for a in fake.arrived if refused_at < a[0] < refused_at + 0.95]
    assert len(during) <= concurrency - 1  # only a post already on its way
    assert sorted(Counter(ch for _, ch, status in fake.arrived if status == 200).items()) == [
        (f"C{i}", 1) for i in range(1, 9)]
    assert all(d.state == "sent" and d.attempts == 1 for d in await store.deliveries("alert-2"))
