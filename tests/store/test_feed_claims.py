"""Feed claims on PostgreSQL: an instance takes the due feeds nobody holds, a batch at once in
one statement, and the poll's save ends the claim (several instances share one store). On
SQLite one process runs: the due feeds it does not have in hand are handed out, nothing is
written."""

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
        pytest.skip("SQLite runs one process: nothing is claimed (test_on_sqlite_the_due_feeds_not_in_hand_are_handed_out)")


async def test_on_sqlite_the_due_feeds_not_in_hand_are_handed_out(backend: Backend, store: SqlStore) -> None:
    if backend.name != "sqlite":
        pytest.skip("SQLite only")
    a, _ = await store.add_feed(URL, 600.0)
    b, _ = await store.add_feed(URL + "?b", 600.0)
    assert [f.id for f in await store.claim_due_feeds("a", 10, LEASE)] == [a.id, b.id]
    assert [f.id for f in await store.claim_due_feeds("b", 10, LEASE, exclude={a.id})] == [b.id]
    assert await store.save_feed_poll(replace(a, disabled=True, failures=8))
    assert [f.id for f in await store.claim_due_feeds("a", 10, LEASE)] == [b.id]
    assert await store.claim_file("/news/a.txt", "s1", "a", LEASE)
    assert await store.claim_file("/news/a.txt", "s1", "b", LEASE)


async def test_the_longest_due_feeds_are_handed_out_first_and_at_most_as_many_as_asked(store: SqlStore) -> None:
    feeds = [(await store.add_feed(f"{URL}?n={i}", 600.0))[0] for i in range(4)]
    later = store.now() + timedelta(hours=1)
    assert await store.save_feed_poll(replace(feeds[0], next_poll=later))  # polled: due in an hour
    assert await store.save_feed_poll(replace(feeds[3], next_poll=feeds[3].added_at - timedelta(days=1)))
    taken = await store.claim_due_feeds("a", 2, LEASE)
    assert [f.id for f in taken] == [feeds[3].id, feeds[1].id]
    assert await store.next_feed_due(exclude={f.id for f in taken}) == feeds[2].next_poll
    rest = await store.claim_due_feeds("a", 10, LEASE, exclude={f.id for f in taken})
    assert [f.id for f in rest] == [feeds[2].id]


async def test_the_next_feed_due_is_the_soonest_next_poll(store: SqlStore) -> None:
    assert await store.next_feed_due() is None  # no feed: nothing to wait for
    feed, _ = await store.add_feed(URL, 600.0)
    soon = store.now() + timedelta(minutes=3)
    assert await store.save_feed_poll(replace(feed, next_poll=soon))
    assert await store.next_feed_due() == soon
    assert await store.next_feed_due(exclude={feed.id}) is None
    assert await store.save_feed_poll(replace(feed, next_poll=soon, disabled=True))
    assert await store.next_feed_due() is None
    assert await store.claim_due_feeds("a", 10, LEASE) == []


@pytest.mark.usefixtures("shared")
async def test_a_due_feed_is_claimed_once_and_its_saved_poll_ends_the_claim(store: SqlStore) -> None:
    feed, _ = await store.add_feed(URL, 600.0)
    [first] = await store.claim_due_feeds("a", 10, LEASE)
    assert first.id == feed.id
    assert await store.claim_due_feeds("b", 10, LEASE) == []
    held = await store.next_feed_due()
    assert held is not None and held > store.now() + LEASE - timedelta(seconds=10)  # when a's claim runs out
    # a polls, saves the feed's next poll ten minutes on: nobody may poll it again this cycle
    next_poll = first.added_at + timedelta(minutes=10)
    assert await store.save_feed_poll(replace(first, next_poll=next_poll))
    assert await store.next_feed_due() == next_poll
    assert await store.claim_due_feeds("b", 10, LEASE) == []
    assert await store.claim_due_feeds("a", 10, LEASE) == [], "the instance that polled it may not poll it again"


@pytest.mark.usefixtures("shared")
async def test_a_feed_whose_poll_was_not_saved_waits_for_its_claim_to_run_out(backend: Backend,
                                                                               store: SqlStore) -> None:
    await store.add_feed(URL, 600.0)
    assert len(await store.claim_due_feeds("a", 10, timedelta(seconds=30))) == 1
    assert await store.claim_due_feeds("a", 10, LEASE) == []  # (its poll failed before saving)
    assert await store.claim_due_feeds("b", 10, LEASE) == []


@pytest.mark.usefixtures("shared")
async def test_the_claim_of_a_dead_instance_runs_out(backend: Backend, store: SqlStore) -> None:
    feed, _ = await store.add_feed(URL, 600.0)
    assert len(await store.claim_due_feeds("dead", 10, timedelta(seconds=30))) == 1
    assert await store.claim_due_feeds("b", 10, LEASE) == []
    backend.clock.now += timedelta(seconds=31)
    assert [f.id for f in await store.claim_due_feeds("b", 10, LEASE)] == [feed.id]


@pytest.mark.postgres
async def test_three_instances_claiming_a_thousand_feeds_in_batches_take_each_once(backend: Backend) -> None:
    if backend.name != "postgres":
        pytest.skip("a race between processes needs PostgreSQL (SQLite runs one process)")
    stores = [backend.open() for _ in range(3)]
    try:
        await stores[0].migrate()
        feeds = [(await stores[0].add_feed(f"{URL}?n={i}", 600.0))[0] for i in range(1000)]

        async def instance(n: int) -> list[int]:
            won: list[int] = []
            while batch := await stores[n].claim_due_feeds(f"i{n}", 16, LEASE):
                won += [f.id for f in batch]
                for feed in batch:
                    await stores[n].save_feed_poll(replace(feed, next_poll=feed.added_at + timedelta(days=30)))
            return won

        results = await asyncio.gather(*(instance(n) for n in range(3)))
        everyone = [fid for won in results for fid in won]
        assert sorted(everyone) == sorted(f.id for f in feeds), "each feed polled exactly once"
        assert all(won for won in results), f"every instance won some feeds: {[len(w) for w in results]}"
    finally:
        for s in stores:
            await s.close()
