"""Feed claims on PostgreSQL: an instance polls a due feed only after claiming it, one claim
wins, and the poll's save ends it (several instances share one store). On SQLite one
process runs: every claim of a live feed is won, nothing is written."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta

import pytest

from bot.store import SqlStore
from tests.store.conftest import Backend

URL = "https://news.example.org/trade.xml"
LEASE = timedelta(minutes=5)


@pytest.fixture
def shared(backend: Backend) -> None:
    if backend.name == "sqlite":
        pytest.skip("SQLite runs one process: its claims are always won (test_on_sqlite_every_claim_is_won)")


async def test_on_sqlite_every_claim_is_won(backend: Backend, store: SqlStore) -> None:
    if backend.name != "sqlite":
        pytest.skip("SQLite only")
    feed, _ = await store.add_feed(URL, 600.0)
    assert (await store.claim_feed(feed.id, "a", LEASE)).won
    assert (await store.claim_feed(feed.id, "b", LEASE)).won
    assert await store.save_feed_poll(replace(feed, disabled=True, failures=8))
    off = await store.claim_feed(feed.id, "a", LEASE)
    assert not off.won and off.feed is None
    assert await store.claim_file("/news/a.txt", "s1", "a", LEASE)
    assert await store.claim_file("/news/a.txt", "s1", "b", LEASE)


@pytest.mark.usefixtures("shared")
async def test_a_due_feed_is_claimed_once_and_its_saved_poll_ends_the_claim(store: SqlStore) -> None:
    feed, _ = await store.add_feed(URL, 600.0)
    first = await store.claim_feed(feed.id, "a", LEASE)
    assert first.won and first.feed is not None and first.feed.id == feed.id
    second = await store.claim_feed(feed.id, "b", LEASE)
    assert not second.won and second.holder == "a"
    assert second.feed is not None and second.retry_at is not None and second.retry_at > feed.added_at
    # a polls, saves the feed's next poll ten minutes on: nobody may poll it again this cycle
    polled = first.feed
    next_poll = polled.added_at + timedelta(minutes=10)
    assert await store.save_feed_poll(replace(polled, next_poll=next_poll))
    third = await store.claim_feed(feed.id, "b", LEASE)
    assert not third.won and third.holder is None and third.retry_at == next_poll
    again = await store.claim_feed(feed.id, "a", LEASE)
    assert not again.won, "the instance that polled it may not poll it again this cycle either"


@pytest.mark.usefixtures("shared")
async def test_an_instance_may_claim_its_own_feed_again(store: SqlStore) -> None:
    feed, _ = await store.add_feed(URL, 600.0)
    assert (await store.claim_feed(feed.id, "a", LEASE)).won
    assert (await store.claim_feed(feed.id, "a", LEASE)).won  # (its poll failed before saving)


@pytest.mark.usefixtures("shared")
async def test_the_claim_of_a_dead_instance_runs_out(backend: Backend, store: SqlStore) -> None:
    feed, _ = await store.add_feed(URL, 600.0)
    assert (await store.claim_feed(feed.id, "dead", timedelta(seconds=30))).won
    assert not (await store.claim_feed(feed.id, "b", LEASE)).won
    backend.clock.now += timedelta(seconds=31)
    taken = await store.claim_feed(feed.id, "b", LEASE)
    assert taken.won


async def test_gone_and_disabled_feeds_are_not_claimed(store: SqlStore) -> None:
    feed, _ = await store.add_feed(URL, 600.0)
    assert await store.save_feed_poll(replace(feed, disabled=True, failures=8))
    off = await store.claim_feed(feed.id, "a", LEASE)
    assert not off.won and off.feed is None
    gone = await store.claim_feed(feed.id + 1000, "a", LEASE)
    assert not gone.won and gone.feed is None


@pytest.mark.postgres
async def test_three_instances_racing_for_a_thousand_feeds_win_each_once(backend: Backend) -> None:
    if backend.name != "postgres":
        pytest.skip("a race between processes needs PostgreSQL (SQLite runs one process)")
    stores = [backend.open() for _ in range(3)]
    try:
        await stores[0].migrate()
        feeds = [(await stores[0].add_feed(f"{URL}?n={i}", 600.0))[0] for i in range(1000)]

        async def instance(n: int) -> list[int]:
            won = []
            for feed in feeds:
                claim = await stores[n].claim_feed(feed.id, f"i{n}", LEASE)
                if claim.won and claim.feed is not None:
                    won.append(feed.id)
                    await stores[n].save_feed_poll(replace(claim.feed, next_poll=feed.added_at + timedelta(days=30)))
            return won

        results = await asyncio.gather(*(instance(n) for n in range(3)))
        everyone = [fid for won in results for fid in won]
        assert sorted(everyone) == sorted(f.id for f in feeds), "each feed polled exactly once"
        assert all(won for won in results), f"every instance won some feeds: {[len(w) for w in results]}"
    finally:
        for s in stores:
            await s.close()
