"""Reminders and digests in the delivery outbox, on SQLite and PostgreSQL, with a set clock."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot.domain import Analysis, Article, Status, Subscription, TariffChange, TradeVerdict
from bot.store import SqlStore, fingerprint
from tests.store.conftest import Backend

DAY = 86400.0
REMIND = Subscription("slack:C1", remind_seconds=3 * DAY, tz="Europe/Brussels")
DIGEST = Subscription("slack:C2", digest="daily@08:00", tz="Europe/Brussels")


def story(aid: str, status: Status, effective: str | None, *, old: float | None = 25, new: float | None = 30,
          published: date = date(2024, 1, 2)) -> Analysis:
    art = Article(aid, f"Steel story {aid}", f"Body of {aid}.", published, f"https://news.example/{aid}")
    change = TariffChange("US", "China", "steel", 2_000_000_000, old, new, effective, status,
                          "the steel duty")
    return Analysis(art, TradeVerdict(True, 0.9, ("tariffs",), ("duty",)), tariff_changes=(change,),
                    summary=f"Summary of {aid}.")


async def save(store: SqlStore, a: Analysis, channels: list[str] | None = None,
               digests: tuple[Subscription, ...] = (), reminders: tuple[Subscription, ...] = ()) -> None:
    await store.add_article(a.article, fingerprint(a.article.title, a.article.body))
    await store.save_analysis_and_enqueue(a, channels or [], digests=digests, reminders=reminders)


async def reminders(store: SqlStore) -> list[tuple[str, str, str, str | None]]:
    return [(d.alert_id, d.channel, d.state, d.last_error) for d in await store.deliveries()
            if d.alert_id.startswith("remind:")]


async def test_a_reminder_is_queued_once_moved_by_a_delay_and_cancelled_by_a_removal(
        backend: Backend, store: SqlStore) -> None:
    backend.clock.now = datetime(2024, 1, 2, 9, 0, tzinfo=UTC)
    await store.subscribe(REMIND)
    await save(store, story("a1", "announced", "2024-01-20"), reminders=(REMIND,))
    await save(store, story("a2", "announced", "2024-01-20"), reminders=(REMIND,))  # same measure
    [entry] = await store.ledger()
    old = f"remind:{entry.id}:2024-01-20"
    assert await reminders(store) == [(old, "slack:C1", "pending", None)]
    # due 3 days before midnight of Jan 20 in Brussels (UTC+1): Jan 16, 23:00 UTC
    assert await store.next_due() == [datetime(2024, 1, 16, 23, 0, tzinfo=UTC)]

    # a delay the channel does not even get still moves its reminder
    await save(store, story("a3", "delayed", "2024-02-01"))
    new = f"remind:{entry.id}:2024-02-01"
    assert await reminders(store) == [(old, "slack:C1", "failed", "cancelled: moved to 2024-02-01"),
                                      (new, "slack:C1", "pending", None)]
    assert await store.next_due() == [datetime(2024, 1, 28, 23, 0, tzinfo=UTC)]

    backend.clock.now = datetime(2024, 1, 28, 22, 59, tzinfo=UTC)
    assert await store.claim(10) == []  # not yet
    backend.clock.now = datetime(2024, 1, 28, 23, 0, tzinfo=UTC)
    [due] = await store.claim(10)
    assert due.alert_id == new
    await store.reset(new, "slack:C1")  # a crash: it is owed again, once

    await save(store, story("a4", "removed", None, old=30, new=0))
    assert [r[2:] for r in await reminders(store)] == [("failed", "cancelled: moved to 2024-02-01"),
                                                       ("failed", "cancelled: the measure was removed")]
    assert await store.claim(10) == []


async def test_a_measure_already_in_force_or_with_only_a_month_gets_no_reminder(
        backend: Backend, store: SqlStore) -> None:
    backend.clock.now = datetime(2024, 1, 25, 9, 0, tzinfo=UTC)
    await store.subscribe(REMIND)
    await save(store, story("b1", "in_effect", "2024-01-20"), reminders=(REMIND,))
    await save(store, story("b2", "announced", "2024-03", old=None, new=10), reminders=(REMIND,))
    assert await reminders(store) == []
    # a story inside the lead time: the reminder is due at once
    await save(store, story("b3", "announced", "2024-01-27", old=None, new=40),
               reminders=(REMIND,))
    [(key, _, state, _)] = await reminders(store)
    assert key.endswith(":2024-01-27") and state == "pending"
    [claimed] = await store.claim(10)
    assert claimed.alert_id == key


async def test_a_digest_gathers_a_period_once_and_a_late_alert_goes_to_the_next(
        backend: Backend, store: SqlStore) -> None:
    backend.clock.now = datetime(2024, 1, 2, 9, 0, tzinfo=UTC)  # 10:00 in Brussels
    await save(store, story("d1", "announced", None), digests=(DIGEST,))
    await save(store, story("d2", "announced", None, old=5, new=7), digests=(DIGEST,))
    digests = [d for d in await store.deliveries() if d.channel == "slack:C2"]
    assert [(d.alert_id, d.state) for d in digests] == [("digest:2024-01-03", "pending")]
    assert await store.digest_items("slack:C2", "2024-01-03") == ["d1", "d2"]
    assert await store.next_due() == [datetime(2024, 1, 3, 7, 0, tzinfo=UTC)]  # 08:00 in Brussels

    backend.clock.now = datetime(2024, 1, 3, 7, 0, tzinfo=UTC)
    [claimed] = await store.claim(10)
    assert claimed.alert_id == "digest:2024-01-03"
    backend.clock.now = datetime(2024, 1, 3, 6, 59, tzinfo=UTC)  # a story stamped just before the hour
    await save(store, story("d3", "announced", None, old=1, new=2), digests=(DIGEST,))
    assert await store.digest_items("slack:C2", "2024-01-03") == ["d1", "d2"]  # being posted: not changed
    assert await store.digest_items("slack:C2", "2024-01-04") == ["d3"]
    assert [d.alert_id for d in await store.deliveries(channel="slack:C2")] == ["digest:2024-01-03",
                                                                                 "digest:2024-01-04"]


async def test_an_unreadable_stored_schedule_posts_the_alert_on_its_own(store: SqlStore) -> None:
    broken = Subscription("slack:C3", digest="hourly")
    await save(store, story("e1", "announced", None), digests=(broken,))
    assert [(d.alert_id, d.channel) for d in await store.deliveries()] == [("e1", "slack:C3")]


async def test_subscription_options_survive_a_restart(backend: Backend, store: SqlStore) -> None:
    await store.subscribe(Subscription("discord:9", remind_seconds=DAY, digest="weekly@mon@08:00",
                                       tz="America/New_York"))
    again = backend.open()
    try:
        [sub] = await again.subscriptions()
        assert (sub.remind_seconds, sub.digest, sub.tz) == (DAY, "weekly@mon@08:00", "America/New_York")
        assert again.now() > datetime(2024, 1, 1, tzinfo=UTC) - timedelta(days=1)
    finally:
        await again.close()


async def test_why_tells_a_story_went_into_the_channels_digest(backend: Backend, store: SqlStore) -> None:
    from bot.core.commands import Commands, Context

    async def no_analysis(article: Article) -> Analysis:
        raise AssertionError("not expected")

    backend.clock.now = datetime(2024, 1, 2, 9, 0, tzinfo=UTC)
    await store.subscribe(DIGEST)
    await save(store, story("w1", "announced", None), digests=(DIGEST,))
    m = await Commands(store, no_analysis).execute(Context("slack:C2"), "why w1")
    assert "In this channel's digest 2024-01-03: Queued for this channel, not posted yet" in m.text


async def test_a_date_moved_back_brings_the_first_reminder_back_never_two(backend: Backend, store: SqlStore) -> None:
    backend.clock.now = datetime(2024, 1, 2, 9, 0, tzinfo=UTC)
    await store.subscribe(REMIND)
    await save(store, story("r1", "announced", "2024-01-20"), reminders=(REMIND,))
    await save(store, story("r2", "delayed", "2024-02-01"))
    await save(store, story("r3", "announced", "2024-01-20"))  # the delay is called off
    rows = await reminders(store)
    assert [(k.rsplit(":", 1)[1], state) for k, _, state, _ in rows] == [("2024-01-20", "pending"),
                                                                       ("2024-02-01", "failed")]
    assert await store.next_due() == [datetime(2024, 1, 16, 23, 0, tzinfo=UTC)]
    await store.subscribe(Subscription("slack:C1"))  # no more reminders wanted
    await save(store, story("r4", "announced", "2024-01-20"), reminders=())
    assert [state for _, _, state, _ in await reminders(store)] == ["failed", "failed"]
    assert (await reminders(store))[0][3] == "cancelled: the channel no longer asks for reminders"
