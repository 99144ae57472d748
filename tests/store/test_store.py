"""The store on real databases: SQLite (a temporary file) and PostgreSQL (a fresh schema)."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import asyncpg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from bot.domain import (
    Analysis,
    Article,
    DateMention,
    Person,
    Status,
    Subscription,
    TariffChange,
    TradeVerdict,
)
from bot.store import SqlStore, fingerprint, open_store
from bot.store.engine import async_url, create_engine
from bot.store.migrate import head_revision, upgrade
from bot.store.tables import metadata
from tests.store.conftest import POSTGRES_URL, Backend

BODY = (
    "The government of Freedonia said on Monday it would put a 25 pct tariff on 40 billion "
    "dlrs of machinery from Sylvania from October 1, its first such step in a dispute over "
    "farm subsidies that has run for two years. Sylvania's trade minister Anna Berg said her "
    "country would answer in kind if the duty took effect, and called for talks in Geneva."
)
OTHER_BODY = (
    "Exports from Sylvania rose 4 pct in the third quarter as shipments of timber and paper "
    "recovered, the statistics office said, while imports were little changed. Economists "
    "said the figures pointed to steady growth in the months ahead, though weaker demand "
    "in Europe remained a risk for the country's exporters and its currency."
)


def article(article_id: str, body: str = BODY, *, source: str | None = None,
            published: date | None = date(2019, 9, 2), title: str = "Freedonia to tax machinery") -> Article:  # fmt: skip
    return Article(article_id, title, body, published, f"https://example.org/{article_id}",
                   source or f"folder:{article_id}.txt")  # fmt: skip


def analysis(art: Article, *, is_trade: bool = True, rate: float | None = 25,
             value: int | None = 40_000_000_000, status: Status = "announced",
             target: str = "Sylvania", effective: str | None = "2019-10-01") -> Analysis:  # fmt: skip
    return Analysis(
        article=art,
        trade_policy=TradeVerdict(is_trade, 0.875 if is_trade else 0.125, ("tariffs",),
                                  ("a 25 pct tariff",)),
        people=(Person("Anna Berg", "trade minister", "Sylvania"),),
        dates=(DateMention("October 1", "2019-10-01", "tariff takes effect"),),
        tariff_changes=(
            TariffChange("Freedonia", target, "machinery", value, None, rate, effective,
                         status, "put a 25 pct tariff on machinery"),
        ),
        summary="Freedonia will tax machinery from Sylvania.",
    )


async def add(store: SqlStore, art: Article) -> str:
    article_id, _created = await store.add_article(art, fingerprint(art.title, art.body))
    return article_id


# -- schema -------------------------------------------------------------------------------


async def test_migrate_twice_is_a_no_op_and_keeps_data(store: SqlStore) -> None:
    assert await store.schema_revision() == head_revision() == "0005b"
    await add(store, article("a1"))
    await store.migrate()
    assert await store.schema_revision() == "0005b"
    assert await store.count_articles() == 1


async def test_upgrade_from_the_first_revision_keeps_pending_deliveries(backend: Backend) -> None:
    engine = create_engine(async_url(backend.url, backend.data_dir), schema=backend.schema)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(upgrade, "0001")
            await conn.execute(text(
                "INSERT INTO deliveries (alert_id, channel, state, attempts, created_at, updated_at)"
                " VALUES ('a1', 'slack:C1', 'pending', 0, :t, :t)"
            ), {"t": datetime(2024, 1, 1, tzinfo=UTC)})  # fmt: skip
    finally:
        await engine.dispose()
    store = backend.open()
    try:
        assert await store.schema_revision() == "0001"
        await store.migrate()
        assert await store.schema_revision() == head_revision()
        assert [(d.alert_id, d.state) for d in await store.claim(5)] == [("a1", "sending")]
    finally:
        await store.close()


async def test_migrations_build_exactly_the_tables_the_code_uses(
    backend: Backend, store: SqlStore
) -> None:
    def diff(conn: Connection) -> list[object]:
        return list(compare_metadata(MigrationContext.configure(conn), metadata))

    engine = create_engine(async_url(backend.url, backend.data_dir), schema=backend.schema)
    try:
        async with engine.connect() as conn:
            assert await conn.run_sync(diff) == []
    finally:
        await engine.dispose()


async def test_sqlite_default_is_a_wal_file_in_the_data_dir(tmp_path: Path) -> None:
    store = open_store(None, tmp_path / "data")
    await store.migrate()
    await add(store, article("a1"))
    db = tmp_path / "data" / "tradewatch.sqlite3"
    assert db.is_file()
    with sqlite3.connect(db) as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    await store.close()


def test_urls() -> None:
    data = Path("/var/lib/tw")
    assert str(async_url(None, data)) == "sqlite+aiosqlite:////var/lib/tw/tradewatch.sqlite3"
    assert str(async_url("sqlite:///x/y.db", data)) == "sqlite+aiosqlite:///x/y.db"
    assert str(async_url("postgresql://u@h:5432/db", data)) == "postgresql+asyncpg://u@h:5432/db"
    assert str(async_url("postgres://u@h/db", data)) == "postgresql+asyncpg://u@h/db"
    with pytest.raises(ValueError, match="unsupported"):
        async_url("mysql://u@h/db", data)
    with pytest.raises(ValueError, match="in-memory"):
        async_url("sqlite://", data)


# -- articles -----------------------------------------------------------------------------


async def test_the_same_story_from_two_files_is_one_article_with_two_sources(store: SqlStore) -> None:
    first = article("monday", source="/news/monday.txt")
    copy = article("monday-copy", "FREEDONIA CITY, Sept 2 - " + BODY, source="/news/copy.txt",
                   title="monday-copy")  # fmt: skip
    assert await store.add_article(first, fingerprint(first.title, first.body)) == ("monday", True)
    assert await store.add_article(copy, fingerprint(copy.title, copy.body)) == ("monday", False)
    assert await store.count_articles() == 1
    assert await store.article_sources("monday") == ["/news/monday.txt", "/news/copy.txt"]
    assert await store.article_ids_for_sources(["/news/copy.txt", "/news/other.txt"]) == {
        "/news/copy.txt": "monday"
    }
    # seen again at a known place: nothing new
    assert (await store.add_article(copy, fingerprint(copy.title, copy.body)))[1] is False
    assert len(await store.article_sources("monday")) == 2
    stored = await store.get_article("monday")
    assert stored == first


async def test_new_text_under_a_known_id_never_replaces_the_stored_article(store: SqlStore) -> None:
    first = article("a1")
    await add(store, first)
    edited = article("a1", OTHER_BODY, title="Sylvania exports rise")
    fp = fingerprint(edited.title, edited.body)
    assert await store.add_article(edited, fp) == (f"a1-{fp[:8]}", True)
    assert await store.count_articles() == 2
    assert await store.get_article("a1") == first
    stored = await store.get_article(f"a1-{fp[:8]}")
    assert stored is not None and stored.body == OTHER_BODY
    # the same text again is the same article, under the same derived id
    assert await store.add_article(edited, fp) == (f"a1-{fp[:8]}", False)
    assert await store.count_articles() == 2


async def test_articles_without_analysis(store: SqlStore) -> None:
    await add(store, article("a1"))
    await add(store, article("a2", OTHER_BODY))
    await store.save_analysis(analysis(article("a1")))
    assert [a.id for a in await store.articles_without_analysis()] == ["a2"]


# -- analyses -----------------------------------------------------------------------------


async def test_analysis_round_trip(store: SqlStore) -> None:
    art = article("a1")
    await add(store, art)
    stored = analysis(art)
    await store.save_analysis(stored)
    assert await store.get_analysis("a1") == stored
    assert await store.find_by_source("folder:a1.txt") == stored
    assert await store.get_analysis("nope") is None
    assert await store.find_by_source("folder:nope.txt") is None


async def test_saving_again_replaces_the_analysis_and_its_ledger_rows(store: SqlStore) -> None:
    art = article("a1")
    await add(store, art)
    await store.save_analysis(analysis(art, rate=25))
    second = analysis(art, rate=20)
    await store.save_analysis(second)
    assert await store.get_analysis("a1") == second
    assert [e.new_rate_pct for e in await store.ledger()] == [20]


async def test_an_analysis_needs_its_article(store: SqlStore) -> None:
    with pytest.raises(LookupError, match="add_article"):
        await store.save_analysis(analysis(article("ghost")))


async def test_latest_analysis_is_the_newest_trade_story(store: SqlStore) -> None:
    old = article("old", published=date(2019, 5, 1))
    new = article("new", OTHER_BODY, published=date(2019, 9, 1))
    other = article("other", OTHER_BODY + " More.", published=date(2019, 9, 5))
    for a in (old, new, other):
        await add(store, a)
    await store.save_analysis(analysis(new))
    await store.save_analysis(analysis(old))
    await store.save_analysis(analysis(other, is_trade=False))
    latest = await store.latest_analysis()
    assert latest is not None and latest.article.id == "new"
    anything = await store.latest_analysis(trade_only=False)
    assert anything is not None and anything.article.id == "other"
    assert [a.article.id for a in await store.recent_analyses(5)] == ["new", "old"]


# -- the tariff ledger --------------------------------------------------------------------


async def test_ledger_merges_two_stories_of_one_measure(store: SqlStore) -> None:
    first = article("first", published=date(2019, 9, 2))
    later = article("later", OTHER_BODY, published=date(2019, 9, 20), title="Tariff put off")
    other = article("other", BODY + " Also lumber.", published=date(2019, 9, 10))
    for a in (first, later, other):
        await add(store, a)
    await store.save_analysis(analysis(first, status="announced"))
    await store.save_analysis(analysis(later, rate=None, status="delayed"))
    await store.save_analysis(
        analysis(other, rate=10, value=None, target="Ruritania", effective=None)
    )
    entries = await store.ledger()
    assert [(e.target, e.status, [s.article_id for s in e.sources]) for e in entries] == [
        ("Sylvania", "delayed", ["first", "later"]),
        ("Ruritania", "announced", ["other"]),
    ]
    merged = entries[0]
    assert (merged.new_rate_pct, merged.value_usd) == (25, 40_000_000_000)
    assert merged.sources[1].title == "Tariff put off"
    assert (merged.first_seen, merged.last_seen) == (date(2019, 9, 2), date(2019, 9, 20))

    assert [e.target for e in await store.ledger(country="ruritania")] == ["Ruritania"]
    assert [e.target for e in await store.ledger(country="freedonia")] == ["Sylvania", "Ruritania"]
    assert [e.target for e in await store.ledger(status="delayed")] == ["Sylvania"]
    assert [e.target for e in await store.ledger(since=date(2019, 9, 15))] == ["Sylvania"]
    assert await store.ledger(since=date(2019, 10, 2)) == []
    with pytest.raises(ValueError):
        await store.ledger(status="imposed")


async def test_ledger_country_filter_uses_country_names(store: SqlStore) -> None:
    art = article("a1")
    await add(store, art)
    a = analysis(art)
    change = TariffChange("United States", "China", "steel", None, None, 25, None, "in_effect", "e")
    await store.save_analysis(Analysis(a.article, a.trade_policy, tariff_changes=(change,)))
    for name in ("us", "US", "United States", "china", "Chinese"):
        assert len(await store.ledger(country=name)) == 1, name
    assert await store.ledger(country="japan") == []


async def test_stories_that_are_not_trade_stay_out_of_the_ledger(store: SqlStore) -> None:
    art = article("a1")
    await add(store, art)
    await store.save_analysis(analysis(art, is_trade=False))
    assert await store.ledger() == []


# -- folder file state --------------------------------------------------------------------


async def test_file_signatures(store: SqlStore, tmp_path: Path) -> None:
    path = tmp_path / "news" / "a.txt"
    assert await store.file_signature(path) is None
    await store.set_file_signature(path, "120:1700000000:abc")
    assert await store.file_signature(str(path)) == "120:1700000000:abc"
    await store.set_file_signature(str(path), "130:1700000100:def")
    assert await store.file_signature(path) == "130:1700000100:def"


# -- subscriptions ------------------------------------------------------------------------


async def test_subscriptions_upsert_and_remove(store: SqlStore) -> None:
    a = Subscription("slack:C1", ("tariffs",), ("China", "US"), 0.6, True, "U7")
    b = Subscription("discord:42")
    await store.subscribe(a)
    await store.subscribe(b)
    assert await store.subscriptions() == [b, a]
    changed = Subscription("slack:C1", (), ("Japan",), 0.4, False, "U8")
    await store.subscribe(changed)
    assert await store.subscriptions("slack:C1") == [changed]
    assert await store.unsubscribe("slack:C1") is True
    assert await store.unsubscribe("slack:C1") is False
    assert await store.subscriptions() == [b]


# -- deliveries ---------------------------------------------------------------------------


async def test_enqueue_twice_is_one_row(store: SqlStore) -> None:
    assert await store.enqueue("a1", ["slack:C1", "discord:9", "slack:C1"]) == 2
    assert await store.enqueue("a1", ["slack:C1", "console:default"]) == 1
    rows = await store.deliveries(alert_id="a1")
    assert [(d.channel, d.state, d.attempts) for d in rows] == [
        ("slack:C1", "pending", 0), ("discord:9", "pending", 0), ("console:default", "pending", 0),
    ]  # fmt: skip
    assert await store.enqueue("a1", []) == 0


async def test_claim_keeps_to_one_chat_service_or_leaves_some_alone(store: SqlStore) -> None:
    await store.enqueue("a1", ["slack:C1", "discord:9", "slackish:C1", "web_hook:x", "webXhook:y"])
    assert [d.channel for d in await store.claim(10, "slack")] == ["slack:C1"]
    assert [d.channel for d in await store.claim(10, "web_hook")] == ["web_hook:x"]  # "_" is no wildcard
    assert [d.channel for d in await store.claim(10, other_than=("discord",))] == ["slackish:C1", "webXhook:y"]
    assert [d.channel for d in await store.claim(10)] == ["discord:9"]
    assert [d.channel for d in await store.in_flight(service="slack")] == ["slack:C1"]  # the same filter
    assert [d.channel for d in await store.in_flight(other_than=("slack", "slackish", "web_hook"))] == [
        "discord:9", "webXhook:y"]


async def test_claim_then_sent(store: SqlStore) -> None:
    await store.enqueue("a1", ["slack:C1", "discord:9"])
    await store.enqueue("a2", ["slack:C1"])
    claimed = await store.claim(2)
    assert [(d.alert_id, d.channel, d.state, d.attempts) for d in claimed] == [
        ("a1", "slack:C1", "sending", 1), ("a1", "discord:9", "sending", 1),
    ]  # fmt: skip
    assert [d.alert_id for d in await store.claim(10)] == ["a2"]
    assert await store.claim(10) == []
    await store.mark_sent("a1", "slack:C1", "1700000000.000100")
    [sent] = await store.deliveries("a1", "slack:C1")
    assert (sent.state, sent.message_ref, sent.attempts) == ("sent", "1700000000.000100", 1)
    # sent is final: a second report changes nothing, a new enqueue adds nothing
    await store.mark_sent("a1", "slack:C1", "other")
    assert await store.enqueue("a1", ["slack:C1"]) == 0
    assert (await store.deliveries("a1", "slack:C1"))[0].message_ref == "1700000000.000100"
    with pytest.raises(LookupError):
        await store.mark_sent("zz", "slack:C1", None)


async def test_failure_is_retried_until_attempts_run_out(store: SqlStore) -> None:
    await store.enqueue("a1", ["slack:C1"])
    states = []
    for _ in range(3):
        [d] = await store.claim(1)
        await store.mark_failed(d.alert_id, d.channel, "HTTP 503", retry=True, max_attempts=3)
        [d] = await store.deliveries("a1")
        states.append((d.state, d.attempts, d.last_error))
    assert states == [
        ("pending", 1, "HTTP 503"), ("pending", 2, "HTTP 503"), ("failed", 3, "HTTP 503"),
    ]  # fmt: skip
    assert await store.claim(1) == []


async def test_a_retry_waits_its_turn(backend: Backend, store: SqlStore) -> None:
    await store.enqueue("a1", ["slack:C1"])
    await store.claim(1)
    await store.mark_failed("a1", "slack:C1", "rate limited", retry=True, max_attempts=5,
                            retry_after=timedelta(minutes=10))  # fmt: skip
    assert await store.claim(1) == []
    backend.clock.now += timedelta(minutes=11)
    assert [(d.alert_id, d.attempts) for d in await store.claim(1)] == [("a1", 2)]


async def test_a_failure_without_retry_is_final(store: SqlStore) -> None:
    await store.enqueue("a1", ["slack:C1"])
    await store.claim(1)
    await store.mark_failed("a1", "slack:C1", "channel_not_found", retry=False, max_attempts=5)
    assert [d.state for d in await store.deliveries()] == ["failed"]
    with pytest.raises(ValueError, match="not sending"):
        await store.mark_failed("a1", "slack:C1", "again", retry=True, max_attempts=5)
    with pytest.raises(LookupError):
        await store.mark_failed("zz", "slack:C1", "x", retry=True, max_attempts=5)


async def test_in_flight_survives_a_crash_and_can_be_reset(backend: Backend) -> None:
    store = backend.open()
    await store.migrate()
    await store.enqueue("a1", ["slack:C1", "discord:9"])
    await store.claim(1)
    await store.close()  # the process dies between claim and post

    store = backend.open()
    try:
        await store.migrate()
        [stuck] = await store.in_flight()
        assert (stuck.alert_id, stuck.channel, stuck.state) == ("a1", "slack:C1", "sending")
        assert await store.in_flight(older_than=timedelta(hours=1)) == []
        await store.reset("a1", "slack:C1")
        assert await store.in_flight() == []
        claimed = await store.claim(5)
        assert [(d.channel, d.attempts) for d in claimed] == [("slack:C1", 2), ("discord:9", 1)]
        await store.reset("a1", "nowhere")  # no such delivery: nothing happens
    finally:
        await store.close()


async def test_save_analysis_and_enqueue(store: SqlStore) -> None:
    art = article("a1")
    await add(store, art)
    await store.save_analysis_and_enqueue(analysis(art), ["slack:C1", "console:default"])
    assert await store.get_analysis("a1") == analysis(art)
    assert len(await store.ledger()) == 1
    assert [d.channel for d in await store.deliveries("a1")] == ["slack:C1", "console:default"]


async def test_save_analysis_and_enqueue_is_all_or_nothing(store: SqlStore) -> None:
    art = article("a1")
    await add(store, art)
    with pytest.raises(IntegrityError):  # an empty channel id violates a constraint
        await store.save_analysis_and_enqueue(analysis(art), ["slack:C1", ""])
    assert await store.get_analysis("a1") is None
    assert await store.ledger() == []
    assert await store.deliveries() == []
    assert [a.id for a in await store.articles_without_analysis()] == ["a1"]

    # an earlier analysis survives a failed replacement untouched
    first = analysis(art, rate=25)
    await store.save_analysis_and_enqueue(first, ["slack:C1"])
    with pytest.raises(IntegrityError):
        await store.save_analysis_and_enqueue(analysis(art, rate=30), ["discord:9", ""])
    assert await store.get_analysis("a1") == first
    assert [e.new_rate_pct for e in await store.ledger()] == [25]
    assert [d.channel for d in await store.deliveries()] == ["slack:C1"]


async def test_concurrent_claims_hand_each_delivery_to_one_worker(backend: Backend) -> None:
    workers = [backend.open() for _ in range(2)]
    try:
        await workers[0].migrate()
        for i in range(60):
            await workers[0].enqueue(f"alert-{i:02d}", ["slack:C1"])

        async def drain(store: SqlStore) -> list[str]:
            got: list[str] = []
            while batch := await store.claim(3):
                got += [d.alert_id for d in batch]
                await asyncio.sleep(0)
            return got

        results = await asyncio.gather(*(drain(w) for w in workers for _ in range(3)))
        taken = [a for r in results for a in r]
        assert sorted(taken) == [f"alert-{i:02d}" for i in range(60)]
        assert {d.attempts for d in await workers[1].deliveries()} == {1}
    finally:
        for w in workers:
            await w.close()


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgres"], indirect=True)  # SQLite: one writer at a time
async def test_claim_skips_rows_another_worker_holds(backend: Backend, store: SqlStore) -> None:
    await store.enqueue("held", ["slack:C1"])
    await store.enqueue("free", ["slack:C1"])
    other = await asyncpg.connect(POSTGRES_URL, server_settings={"search_path": str(backend.schema)})
    try:
        tx = other.transaction()
        await tx.start()
        await other.execute("SELECT id FROM deliveries WHERE alert_id = 'held' FOR UPDATE")
        # without SKIP LOCKED this claim would wait for the other transaction
        claimed = await asyncio.wait_for(store.claim(10), timeout=5)
        assert [d.alert_id for d in claimed] == ["free"]
        await tx.rollback()
    finally:
        await other.close()
    assert [d.alert_id for d in await store.claim(10)] == ["held"]
