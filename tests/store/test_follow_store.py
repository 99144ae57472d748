"""The store's part in following a story (issue 14), on SQLite and PostgreSQL: sketches
kept with the analysis, first reports found again, copies listed, `fold:` and `update:`
deliveries under the same exactly-once key as alerts, and a channel's `updates:` choice."""

from __future__ import annotations

from datetime import date, timedelta

from bot.analysis.near_duplicates import sketch
from bot.domain import Analysis, Article, Subscription, TariffChange, TradeVerdict
from bot.store import SqlStore, fingerprint
from bot.store.follow import UPDATE, split_update_key, update_key
from tests.store.conftest import Backend

BODY = ("The United States will put a 25 per cent tariff on US$18 billion of wooden furniture from "
        "Vietnam starting on Oct 1, the trade office said on Tuesday, citing imports routed through "
        "third countries. Vietnam said it regretted the move and asked for talks.")
CHANGE = TariffChange("United States", "Vietnam", "furniture", 18_000_000_000, None, 25.0, "2025-10-01",
                      "announced", "evidence")


async def _stored(store: SqlStore, article_id: str, body: str = BODY, *, source: str | None = None,
                  url: str | None = None) -> Analysis:
    a = Article(article_id, f"Story {article_id}", body, date(2025, 9, 2), url, source)
    stored_id, _ = await store.add_article(a, fingerprint(a.title, a.body))
    assert stored_id == article_id
    return Analysis(a, TradeVerdict(True, 0.9, ("tariffs",)), tariff_changes=(CHANGE,))


async def test_first_reports_copies_and_fold_deliveries(store: SqlStore) -> None:
    first = await _stored(store, "first")
    await store.save_analysis_and_enqueue(first, ["slack:C1", "discord:9"], sketch=sketch("t", BODY))
    never = await _stored(store, "never-alerted", BODY + " Retailers worried.")
    await store.save_analysis_and_enqueue(never, [], sketch=sketch("t", never.article.body))
    reports = await store.first_reports(timedelta(days=7))
    assert list(reports) == ["first"]  # a story no channel got is not a first report to fold into
    assert reports["first"] == sketch("t", BODY)  # the sketch reads back as it was written

    copy = await _stored(store, "copy", BODY + " (Reporting by the wire)", url="https://www.example.org/a")
    channels = await store.alerted_channels("first")
    assert channels == ["slack:C1", "discord:9"]
    posts = [(f"fold:{copy.article.id}", c) for c in channels]
    await store.save_analysis_and_enqueue(copy, [], sketch=sketch("t", copy.article.body), first_of="first",
                                          posts=posts)
    await store.save_analysis_and_enqueue(copy, [], posts=posts)  # again: the same deliveries, no second
    assert await store.first_of("copy") == "first"
    assert await store.first_of("first") is None
    assert [a.id for a in await store.copies("first")] == ["copy"]
    assert list(await store.first_reports(timedelta(days=7))) == ["first"]  # a copy is no first report
    folds = await store.deliveries("fold:copy")
    assert sorted(d.channel for d in folds) == ["discord:9", "slack:C1"]
    assert all(d.state == "pending" for d in folds)


async def test_first_reports_are_only_those_seen_within_the_window(store: SqlStore, backend: Backend) -> None:
    first = await _stored(store, "first")
    await store.save_analysis_and_enqueue(first, ["slack:C1"], sketch=sketch("t", BODY))
    backend.clock.now += timedelta(days=8)
    assert await store.first_reports(timedelta(days=7)) == {}


async def test_update_deliveries_claim_post_and_survive_a_restart(store: SqlStore, backend: Backend) -> None:
    first = await _stored(store, "first")
    await store.save_analysis_and_enqueue(first, ["slack:C1"])
    [alert] = await store.claim(10)
    await store.mark_sent(alert.alert_id, alert.channel, "1700000001.000100")
    later = await _stored(store, "https://news.example/a:b", BODY.replace("Oct 1", "Oct 15"))
    key = update_key(UPDATE, later.article.id, "m-apft2le")
    assert split_update_key(key) == ("https://news.example/a:b", "m-apft2le")  # colons in the id kept
    await store.save_analysis_and_enqueue(later, [], posts=[(key, "slack:C1")])
    assert await store.first_alerts(["first", later.article.id]) == {"slack:C1": "first"}
    [claimed] = await store.claim(10)
    assert claimed.alert_id == key
    again = backend.open()  # a restart: the update is still owed, as an alert would be
    try:
        [left] = await again.in_flight()
        assert left.alert_id == key and left.state == "sending"
        await again.mark_sent(key, "slack:C1", "1700000002.000100")
        assert [d.state for d in await again.deliveries(key)] == ["sent"]
    finally:
        await again.close()


async def test_a_subscription_keeps_its_updates_choice(store: SqlStore) -> None:
    await store.subscribe(Subscription("slack:C1", updates="channel"))
    await store.subscribe(Subscription("slack:C2"))
    subs = {s.channel: s.updates for s in await store.subscriptions()}
    assert subs == {"slack:C1": "channel", "slack:C2": "thread"}
    await store.subscribe(Subscription("slack:C1", updates="off"))
    assert [s.updates for s in await store.subscriptions("slack:C1")] == ["off"]


async def test_ledger_rows_of_pairs(store: SqlStore) -> None:
    assert await store.ledger_rows([]) == []
    first = await _stored(store, "first")
    await store.save_analysis_and_enqueue(first, [])
    found = await store.ledger_rows([("us", "vietnam")])
    assert [(r.article_id, r.change.new_rate_pct) for r in found] == [("first", 25.0)]
    assert await store.ledger_rows([("china", "us")]) == []
