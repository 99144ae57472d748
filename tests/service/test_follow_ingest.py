"""Ingest decides what a story is for each channel (issue 14): a copy of an alerted story is
an edit of that alert, news of a followed measure an update as the channel chose, and for a
channel that did not get that measure's alert, an alert as before. Real SQLite store; the
analysis is given (the scripted stories' tariff changes), so no language model runs."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bot.domain import Analysis, Article, Status, Subscription, TariffChange, TradeVerdict
from bot.service.ingest import Ingest
from bot.store import SqlStore, open_store
from bot.store.fingerprint import fingerprint
from tests.follow_stories import ANNOUNCE, DELAY, WIRE_COPY

DELAY_RETOLD = ("2025-09-25-furniture-delay-retold.txt",
                "WASHINGTON - Importers of Vietnamese furniture get two more weeks: the 25 pct duty on "
                "US$18 bln of chairs, beds and tables now starts on Oct 15 instead of Oct 1, "
                "officials confirmed on Thursday, a day after the delay was first announced.")
CHANGES: dict[str, tuple[Status, str]] = {ANNOUNCE[0]: ("announced", "2025-10-01"),
                                          WIRE_COPY[0]: ("announced", "2025-10-01"),
                                          DELAY[0]: ("delayed", "2025-10-15"),
                                          DELAY_RETOLD[0]: ("delayed", "2025-10-15")}


async def analyse(article: Article, priority: int) -> Analysis:
    status, effective = CHANGES[article.source or ""]
    change = TariffChange("United States", "Vietnam", "furniture", 18_000_000_000, None, 25.0, effective,
                          status, "e")
    return Analysis(article, TradeVerdict(True, 0.9, ("tariffs",)), tariff_changes=(change,))


def _article(story: tuple[str, str], day: date) -> Article:
    name, text = story
    return Article(name.removesuffix(".txt"), "", text, day, source=name)


async def test_copies_fold_news_follows_each_channels_choice(store: SqlStore) -> None:
    for channel, updates in (("slack:C1", "thread"), ("slack:C2", "channel"), ("slack:C3", "off")):
        await store.subscribe(Subscription(channel, updates=updates))  # type: ignore[arg-type]
    woken: list[int] = []
    ingest = Ingest(store, analyse, fingerprint, lambda: woken.append(1))
    await ingest.article(_article(ANNOUNCE, date(2025, 9, 2)), 0)
    await store.subscribe(Subscription("slack:C4"))  # subscribed after the first alert
    await ingest.article(_article(WIRE_COPY, date(2025, 9, 2)), 0)
    await ingest.article(_article(DELAY, date(2025, 9, 24)), 0)
    got = {(d.alert_id, d.channel) for d in await store.deliveries()}
    announce, copy, delay = (s[0].removesuffix(".txt") for s in (ANNOUNCE, WIRE_COPY, DELAY))
    [measure] = (await store.measure_ids(announce)).values()
    assert got == {
        *((announce, c) for c in ("slack:C1", "slack:C2", "slack:C3")),
        *((f"fold:{copy}", c) for c in ("slack:C1", "slack:C2", "slack:C3")),  # not C4: it never got it
        (f"update:{delay}:{measure}", "slack:C1"),
        (f"change:{delay}:{measure}", "slack:C2"),
        (delay, "slack:C4"),  # it follows no alert of the measure: the news is an alert there
    }  # C3 (updates:off): neither an update nor a new alert
    assert await store.first_of(copy) == announce
    assert len(woken) == 3
    # another outlet's report of the delay, in its own words: nothing new for any channel
    # that was told of the measure (C4 got the delay as its alert), so nothing is posted
    await ingest.article(_article(DELAY_RETOLD, date(2025, 9, 25)), 0)
    assert {(d.alert_id, d.channel) for d in await store.deliveries()} == got
    assert len(woken) == 4  # woken all the same: a story about a measure may move its reminders


async def test_news_is_ordered_by_the_stores_clock_not_the_machines(tmp_path: Path) -> None:
    """Two reports of one day are told apart by when they were seen. The store records that
    with its clock (a test's, or any clock ahead of the machine's); ingest must order the new
    story by the same clock, or the delay sorts before the announcement it follows and
    becomes a new alert instead of an update."""
    ahead = datetime.now(UTC) + timedelta(days=400)
    clock = [ahead]
    store = open_store(None, tmp_path, clock=lambda: clock[0])
    await store.migrate()
    try:
        await store.subscribe(Subscription("slack:C1"))
        ingest = Ingest(store, analyse, fingerprint, lambda: None)
        day = date(2025, 9, 2)
        await ingest.article(_article(ANNOUNCE, day), 0)
        clock[0] = ahead + timedelta(hours=1)
        await ingest.article(_article(DELAY, day), 0)  # reported the same day
        announce, delay = ANNOUNCE[0].removesuffix(".txt"), DELAY[0].removesuffix(".txt")
        [measure] = (await store.measure_ids(announce)).values()
        assert {d.alert_id for d in await store.deliveries(channel="slack:C1")} == {
            announce, f"update:{delay}:{measure}"}
    finally:
        await store.close()
