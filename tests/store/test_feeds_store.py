"""The store's feed bookkeeping on SQLite and PostgreSQL: feeds, their state, entries seen."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from bot.store import SqlStore
from tests.store.conftest import Backend

URL = "https://news.example.org/trade.xml"


async def test_add_list_and_remove_a_feed(store: SqlStore) -> None:
    feed, created = await store.add_feed(URL, 600.0, backfill=True, added_by="U1")
    assert created and feed.url == URL and feed.every_seconds == 600.0 and feed.backfill
    assert feed.added_by == "U1" and feed.failures == 0 and not feed.disabled
    assert feed.last_success is None and feed.next_poll == feed.added_at  # due at once
    assert feed.added_at.tzinfo is not None
    assert [f.url for f in await store.feeds()] == [URL]
    assert await store.get_feed(feed.id) == feed
    assert await store.remove_feed(URL)
    assert not await store.remove_feed(URL)
    assert await store.feeds() == []


async def test_adding_a_known_feed_again_sets_its_interval_and_enables_it(store: SqlStore) -> None:
    feed, _ = await store.add_feed(URL, 600.0)
    broken = replace(feed, failures=8, disabled=True, last_error="HTTP 500")
    assert await store.save_feed_poll(broken)
    again, created = await store.add_feed(URL, 120.0)
    assert not created and again.id == feed.id
    assert again.every_seconds == 120.0 and again.failures == 0 and not again.disabled
    assert again.last_error == "HTTP 500"  # the last error stays visible until a poll works


async def test_adding_a_known_feed_only_if_new_leaves_it_as_it_is(store: SqlStore) -> None:
    feed, _ = await store.add_feed(URL, 600.0)
    polled = replace(feed, failures=2, next_poll=store.now() + timedelta(minutes=10))
    assert await store.save_feed_poll(polled)
    again, created = await store.add_feed(URL, 120.0, only_new=True)  # the configuration, at start
    assert not created and again == polled  # its interval, failures and next poll stand
    fresh, created = await store.add_feed(URL + "?new", 120.0, only_new=True)
    assert created and fresh.every_seconds == 120.0 and fresh.next_poll == fresh.added_at


async def test_poll_state_and_entries_are_saved_together(store: SqlStore) -> None:
    feed, _ = await store.add_feed(URL, 600.0)
    when = datetime(2025, 6, 1, 8, 0, tzinfo=UTC)
    polled = replace(feed, etag='"v1"', last_modified="Sun, 01 Jun 2025 08:00:00 GMT", title="Trade desk",
                     last_polled=when, last_success=when, next_poll=when + timedelta(minutes=10))
    entries = [("id:a", "feed-1"), ("link:https://x.example/a", "feed-1"), ("id:b", None)]
    assert await store.save_feed_poll(polled, entries)
    stored = await store.get_feed(feed.id)
    assert stored == polled
    assert await store.seen_entry_keys(feed.id, ["id:a", "id:b", "id:c"]) == {"id:a", "id:b"}
    # saving the same keys again is harmless
    assert await store.save_feed_poll(polled, entries)
    assert await store.seen_entry_keys(feed.id, ["link:https://x.example/a"]) == {"link:https://x.example/a"}


async def test_a_poll_never_overwrites_the_admins_choices(store: SqlStore) -> None:
    feed, _ = await store.add_feed(URL, 600.0)
    await store.add_feed(URL, 60.0)  # the admin changes the interval while a poll runs
    assert await store.save_feed_poll(replace(feed, failures=1))
    stored = await store.get_feed(feed.id)
    assert stored is not None and stored.every_seconds == 60.0 and stored.failures == 1


async def test_a_permanent_redirect_moves_the_feed_unless_the_url_is_taken(store: SqlStore) -> None:
    feed, _ = await store.add_feed(URL, 600.0)
    other, _ = await store.add_feed("https://elsewhere.example/feed", 600.0)
    assert await store.save_feed_poll(replace(feed, url="https://news.example.org/new.xml"))
    moved = await store.get_feed(feed.id)
    assert moved is not None and moved.url == "https://news.example.org/new.xml"
    assert await store.save_feed_poll(replace(moved, url=other.url, failures=2))
    kept = await store.get_feed(feed.id)
    assert kept is not None and kept.url == "https://news.example.org/new.xml" and kept.failures == 2


async def test_saving_a_removed_feed_writes_nothing(store: SqlStore) -> None:
    feed, _ = await store.add_feed(URL, 600.0)
    await store.remove_feed(URL)
    assert not await store.save_feed_poll(feed, [("id:a", None)])
    assert await store.feeds() == []


async def test_removing_a_feed_forgets_its_entries(store: SqlStore) -> None:
    feed, _ = await store.add_feed(URL, 600.0)
    await store.save_feed_poll(feed, [("id:a", None)])
    await store.remove_feed(URL)
    again, _ = await store.add_feed(URL, 600.0)
    assert await store.seen_entry_keys(again.id, ["id:a"]) == set()


async def test_old_keys_the_feed_no_longer_carries_are_forgotten(backend: Backend) -> None:
    store = backend.open()
    await store.migrate()
    try:
        feed, _ = await store.add_feed(URL, 600.0)
        await store.save_feed_poll(feed, [("id:old", None), ("id:still", None)])
        backend.clock.now += timedelta(days=100)
        await store.save_feed_poll(feed, [("id:new", None)], keep=["id:still", "id:new"],
                                   forget_after=timedelta(days=90))
        assert await store.seen_entry_keys(feed.id, ["id:old", "id:still", "id:new"]) == {"id:still", "id:new"}
    finally:
        await store.close()


async def test_many_entries_in_one_poll(store: SqlStore) -> None:
    feed, _ = await store.add_feed(URL, 600.0)
    keys = [f"id:{i}" for i in range(1_300)]
    assert await store.save_feed_poll(feed, [(k, None) for k in keys])
    assert await store.seen_entry_keys(feed.id, keys) == set(keys)


async def test_many_polls_are_saved_in_one_transaction(store: SqlStore) -> None:
    from bot.store.feeds import FeedPoll

    one, _ = await store.add_feed(URL, 600.0)
    two, _ = await store.add_feed("https://wire.example/all.xml", 600.0)
    gone, _ = await store.add_feed("https://gone.example/feed", 600.0)
    await store.remove_feed(gone.url)
    when = datetime(2025, 6, 1, 8, 0, tzinfo=UTC)
    saved = await store.save_feed_polls([
        FeedPoll(replace(one, last_success=when, etag='"1"'), [("id:a", None)]),
        FeedPoll(replace(gone, failures=1), [("id:z", None)]),
        FeedPoll(replace(two, failures=2, last_error="HTTP 500", url="https://wire.example/moved.xml")),
    ])
    assert saved == [True, False, True]
    first, second = await store.get_feed(one.id), await store.get_feed(two.id)
    assert first is not None and first.etag == '"1"' and first.last_success == when
    assert second is not None and second.failures == 2 and second.url == "https://wire.example/moved.xml"
    assert await store.seen_entry_keys(one.id, ["id:a"]) == {"id:a"}
    assert await store.save_feed_polls([]) == []
