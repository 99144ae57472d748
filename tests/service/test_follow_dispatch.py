"""The dispatcher's edits and threaded replies (issue 14): an edit or reply waits for the
alert it follows, an edit of an alert the channel never got is not made, a reply with no
alert to follow is posted on its own, and a crash mid-edit is settled by editing again."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.core.message import Message
from bot.domain import Analysis, Article, Delivery, TradeVerdict
from bot.service.dispatch import Dispatcher
from bot.store import SqlStore, open_store
from bot.store.fingerprint import fingerprint


class ThreadSink:
    """Records posts (with their thread) and edits; finds posts like Slack does."""

    service = "fake"

    def __init__(self) -> None:
        self.posted: list[tuple[str, str | None, str | None]] = []
        self.edited: list[tuple[str, str, str | None]] = []

    async def post(self, channel_id: str, message: Message, *, thread: str | None = None) -> str | None:
        self.posted.append((channel_id, message.key, thread))
        return f"ts-{len(self.posted)}"

    async def edit(self, channel_id: str, ref: str, message: Message) -> None:
        self.edited.append((channel_id, ref, message.text))

    async def find(self, channel_id: str, key: str, *, thread: str | None = None) -> str | None:
        return next((f"ts-{i + 1}" for i, (c, k, t) in enumerate(self.posted)
                     if (c, k, t) == (channel_id, key, thread)), None)


MESSAGES = {
    "alert-1": Message(kind="alert", title="Alert", key="alert-1"),
    "fold:copy-1": Message(kind="alert", title="Alert", text="also copy-1", key="alert-1", edit_of="alert-1"),
    "update:news-1:m-aaaaaaa": Message(kind="alert", title="Update", key="update:news-1:m-aaaaaaa",
                                       thread_of=("alert-1",)),
}


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SqlStore]:
    s = open_store(None, tmp_path)
    await s.migrate()
    a = Analysis(Article("alert-1", "T", "Body text of the alert."), TradeVerdict(True, 0.9))
    await s.add_article(a.article, fingerprint("T", a.article.body))
    await s.save_analysis_and_enqueue(a, [], posts=[("fold:copy-1", "fake:C1"), ("update:news-1:m-aaaaaaa", "fake:C1")])
    yield s
    await s.close()


def _dispatcher(store: SqlStore, sink: ThreadSink, crash_at: str | None = None) -> Dispatcher:
    async def message_for(key: str, channel: str) -> Message | None:
        assert channel == "fake:C1"  # asked for the channel of the delivery, reconciling too
        return MESSAGES.get(key)

    def checkpoint(step: str, d: Delivery) -> None:
        if step == crash_at and d.alert_id.startswith("fold:"):
            raise RuntimeError(f"crash at {step}")

    return Dispatcher(store, {"fake": sink}, message_for, retry_after=timedelta(0), checkpoint=checkpoint)


async def _states(store: SqlStore) -> dict[str, str]:
    return {d.alert_id: d.state for d in await store.deliveries(channel="fake:C1")}


async def test_an_edit_of_an_alert_the_channel_never_got_is_not_made_and_a_reply_goes_on_its_own(
        store: SqlStore) -> None:
    sink = ThreadSink()
    await _dispatcher(store, sink).drain()
    assert sink.edited == []
    assert sink.posted == [("C1", "update:news-1:m-aaaaaaa", None)]
    assert await _states(store) == {"fold:copy-1": "failed", "update:news-1:m-aaaaaaa": "sent"}


async def test_edits_and_replies_wait_for_their_alert_then_follow_it(store: SqlStore) -> None:
    await store.enqueue("alert-1", ["fake:C1"])  # queued after them: they must wait for it
    sink = ThreadSink()
    await _dispatcher(store, sink).drain()  # they wait (pending again), the alert goes, then they do
    assert sink.edited == [("C1", "ts-1", "also copy-1")]
    assert sink.posted == [("C1", "alert-1", None), ("C1", "update:news-1:m-aaaaaaa", "ts-1")]
    assert set((await _states(store)).values()) == {"sent"}


@pytest.mark.parametrize("crash_at", ["claimed", "posted"])
async def test_an_edit_cut_short_by_a_crash_is_made_again_after_the_restart(store: SqlStore, crash_at: str) -> None:
    await store.enqueue("alert-1", ["fake:C1"])
    sink = ThreadSink()
    with pytest.raises(RuntimeError):
        await _dispatcher(store, sink, crash_at).drain()
    assert (await _states(store))["fold:copy-1"] == "sending"
    again = _dispatcher(store, sink)
    assert await again.reconcile() == {"claimed": 3, "posted": 2}[crash_at]  # the batch left sending
    await again.drain()
    assert sink.edited[-1] == ("C1", "ts-1", "also copy-1")
    assert len(sink.edited) == (2 if crash_at == "posted" else 1)  # an edit twice is the same message
    assert [k for _, k, _ in sink.posted].count("update:news-1:m-aaaaaaa") == 1
    assert set((await _states(store)).values()) == {"sent"}
