"""The command layer against a real SQLite store: what a chat user sees."""

from __future__ import annotations

from datetime import date

from bot.core.commands import Commands, Context
from bot.core.message import Message
from bot.domain import Analysis, Article, TariffChange, TradeVerdict
from bot.render.text import render_text
from bot.store import SqlStore
from bot.store.fingerprint import fingerprint

CTX = Context(channel="console:desk", user="tester")


def _analysis(aid: str, status: str = "announced", published: date = date(2025, 3, 6)) -> Analysis:
    art = Article(aid, f"Story {aid}", f"Body of {aid} about steel duties.", published)
    change = TariffChange("US", "China", "steel", 45_000_000_000, 25, 35, "2025-04-01", status,  # type: ignore[arg-type]
                          "The US will raise duties on steel.")
    return Analysis(art, TradeVerdict(True, 0.9, ("tariffs",), ("duties on steel",)),
                    tariff_changes=(change,), summary=f"Summary of {aid}.")


async def _stored(store: SqlStore, a: Analysis) -> None:
    await store.add_article(a.article, fingerprint(a.article.title, a.article.body))
    await store.save_analysis_and_enqueue(a, [])


async def _no_analysis(article: Article) -> Analysis:
    raise AssertionError("not expected")


def text(m: Message) -> str:
    return render_text(m)


async def test_subscribe_list_unsubscribe(store: SqlStore) -> None:
    c = Commands(store, _no_analysis)
    m = await c.execute(CTX, "subscribe tags:tariffs countries:china min-score:0.7 tariffs-only")
    assert m.kind == "reply" and "tags: tariffs" in text(m) and "countries: China" in text(m)
    m = await c.execute(CTX, "subscriptions")
    assert "console:desk" in text(m) and "minimum score: 0.70" in text(m) and "tariff changes only" in text(m)
    m = await c.execute(CTX, "unsubscribe")
    assert m.title == "Unsubscribed"
    m = await c.execute(CTX, "subscriptions")
    assert m.title == "No subscription"


async def test_a_channel_chooses_where_updates_of_its_measures_go(store: SqlStore) -> None:
    c = Commands(store, _no_analysis)
    m = await c.execute(CTX, "subscribe tags:tariffs")
    assert "updates: thread" in text(m)  # the default: replies under the alert
    m = await c.execute(CTX, "subscribe tags:tariffs updates:CHANNEL")
    assert "updates: channel" in text(m)
    assert [s.updates for s in await store.subscriptions("console:desk")] == ["channel"]
    m = await c.execute(CTX, "subscribe updates:off")
    assert "updates: off" in text(await c.execute(CTX, "subscriptions"))
    m = await c.execute(CTX, "subscribe updates:sometimes")
    assert m.kind == "error" and "updates must be one of thread, channel, off" in m.text
    assert [s.updates for s in await store.subscriptions("console:desk")] == ["off"]  # unchanged
    assert "updates: news of a measure the channel was alerted about" in " ".join(text(await c.execute(CTX, "help subscribe")).split())


async def test_why_says_a_copy_was_folded_and_news_went_to_the_thread(store: SqlStore) -> None:
    first, copy, news = _analysis("first"), _analysis("copy"), _analysis("news", "delayed")
    for a in (first, copy, news):
        await store.add_article(a.article, fingerprint(a.article.title, a.article.body))
    await store.save_analysis_and_enqueue(first, ["console:desk"])
    await store.save_analysis_and_enqueue(copy, [], posts=[("fold:copy", "console:desk")])
    [measure] = (await store.measure_ids("first")).values()
    await store.save_analysis_and_enqueue(news, [], posts=[(f"update:news:{measure}", "console:desk")])
    for d in await store.claim(10):
        await store.mark_sent(d.alert_id, d.channel, "ref")
    c = Commands(store, _no_analysis)
    assert "Posted to this channel" in text(await c.execute(CTX, "why first"))
    assert "that alert here was edited to name it." in " ".join(text(await c.execute(CTX, "why copy")).split())
    said = " ".join(text(await c.execute(CTX, "why news")).split())
    assert "posted as an update in the thread of its alert." in said


async def test_bad_input_is_answered_privately_not_raised(store: SqlStore) -> None:
    c = Commands(store, _no_analysis)
    for line, words in [("subscribe tags:nonsense", "unknown tag"), ("subscribe min-score:2", "between 0 and 1"),
                        ("tariffs --since yesterday", "--since needs a date"), ("frobnicate", "Unknown command"),
                        ("summary", "summary <article id"), ('subscribe tags:"tariffs', "could not read")]:
        m = await c.execute(CTX, line)
        assert m.kind == "error" and m.ephemeral and words in m.text, (line, m)


async def test_without_permission_subscribing_is_refused(store: SqlStore) -> None:
    c = Commands(store, _no_analysis)
    m = await c.execute(Context("discord:1", "u", can_manage=False, needs="the Manage Channels permission"),
                        "subscribe")
    assert m.kind == "error" and m.text == "You need the Manage Channels permission to change this channel's alerts."
    assert await store.subscriptions("discord:1") == []


async def test_tariffs_ledger_and_summary_latest(store: SqlStore) -> None:
    await _stored(store, _analysis("first", "announced", date(2025, 3, 6)))
    await _stored(store, _analysis("second", "in_effect", date(2025, 4, 2)))
    c = Commands(store, _no_analysis)
    m = await c.execute(CTX, "tariffs china")
    out = text(m)
    assert "Tariff ledger — China" in out
    row = next(line for line in out.splitlines() if "US → China" in line)
    assert "25% → 35%" in row and "US$45 bn" in row and "in effect" in row
    assert "first" in row and "second" in row
    m = await c.execute(CTX, "tariffs japan")
    assert "No tariff changes" in text(m)
    m = await c.execute(CTX, "summary latest")
    assert m.title == "Story second" and "Summary of second." in text(m)


async def test_why_explains_the_channel_decision(store: SqlStore) -> None:
    await _stored(store, _analysis("a1"))
    c = Commands(store, _no_analysis)
    m = await c.execute(CTX, "why a1")
    assert "no subscription" in m.text
    await c.execute(CTX, "subscribe tags:disputes")
    m = await c.execute(CTX, "why a1")
    assert "Not posted" in m.text and "match none of this channel's tags disputes" in m.text
    assert "duties on steel" in text(m)


async def test_measures_have_ids_on_cards_and_in_the_ledger_and_show_gives_the_history(store: SqlStore) -> None:
    await _stored(store, _analysis("first", "announced", date(2025, 3, 6)))
    await _stored(store, _analysis("second", "in_effect", date(2025, 4, 2)))
    [entry] = await store.ledger()
    c = Commands(store, _no_analysis)
    ledger = await c.execute(CTX, "tariffs china")
    assert ledger.sections[0].table is not None and ledger.sections[0].table.header[0] == "measure"
    row = next(line for line in text(ledger).splitlines() if "US → China" in line)
    assert row.lstrip().startswith(entry.id) and "tariffs show" in ledger.text
    card = await c.execute(CTX, "summary first")
    [tariffs] = [s for s in card.sections if s.table is not None]
    assert tariffs.table is not None and tariffs.table.rows[0][0] == entry.id

    shown = await c.execute(CTX, f"tariffs show {entry.id.upper()}")
    out = text(shown)
    assert shown.kind == "reply" and shown.title == f"Measure {entry.id}: US → China, steel"
    assert "status: in effect" in shown.text and "reported 2025-03-06 to 2025-04-02 in 2 story(ies)" in shown.text
    history = shown.sections[0].table
    assert history is not None and [r[:3] for r in history.rows] == [
        ("2025-03-06", "announced", "25% → 35%"), ("2025-04-02", "in effect", "25% → 35%")]
    assert [r[-1] for r in history.rows] == ["first", "second"]
    assert "first — Story first (2025-03-06)" in out and "second — Story second (2025-04-02)" in out


async def test_an_unknown_measure_is_a_clear_answer_with_the_nearest_ids(store: SqlStore) -> None:
    await _stored(store, _analysis("first"))
    [entry] = await store.ledger()
    c = Commands(store, _no_analysis)
    typo = entry.id[:-1] + ("a" if entry.id[-1] != "a" else "b")
    m = await c.execute(CTX, f"tariffs show {typo}")
    assert m.kind == "error" and m.ephemeral and m.text == f"No measure {typo}; did you mean {entry.id}?"
    m = await c.execute(CTX, "tariffs show m-zzzzzzz")
    assert m.text == "No measure m-zzzzzzz; `tariffs` lists the measures with their ids."
    m = await c.execute(CTX, "tariffs show")
    assert m.kind == "error" and "Say which measure" in m.text


async def test_chart_and_csv_come_back_as_attachments(store: SqlStore) -> None:
    await _stored(store, _analysis("first", "announced", date(2025, 3, 6)))
    await _stored(store, _analysis("second", "in_effect", date(2025, 4, 2)))
    c = Commands(store, _no_analysis)
    chart = await c.execute(CTX, "tariffs china chart")
    assert chart.kind == "reply" and chart.title == "Tariff rates — China" and chart.attachment is not None
    assert chart.attachment.filename == "tariffs-china.png" and chart.attachment.content_type == "image/png"
    assert chart.attachment.data.startswith(b"\x89PNG\r\n\x1a\n")
    assert "1 measure(s), one line each" in chart.text
    export = await c.execute(CTX, "tariffs csv --since 2025-01-01")
    assert export.attachment is not None and export.attachment.filename == "tariffs.csv"
    lines = export.attachment.data.decode().splitlines()
    assert lines[0].startswith("measure,reported,status") and len(lines) == 3
    none = await c.execute(CTX, "tariffs japan chart")
    assert none.attachment is None and "No tariff changes" in none.text


async def test_help_tells_about_ids_charts_and_exports(store: SqlStore) -> None:
    m = await Commands(store, _no_analysis).execute(CTX, "help tariffs")
    out = " ".join(text(m).split())
    assert "tariffs show <measure id>" in out and "chart:" in out and "csv:" in out and "--chart FILE.png" in out


async def test_a_measure_without_a_rate_is_listed_not_an_internal_error(store: SqlStore) -> None:
    a = _analysis("value-only")
    change = TariffChange("US", "China", "steel", 45_000_000_000, None, None, None, "announced", "duties")
    await _stored(store, Analysis(a.article, a.trade_policy, tariff_changes=(change,)))
    m = await Commands(store, _no_analysis).execute(CTX, "tariffs china")
    assert m.kind == "reply" and "rate not given" in text(m)


async def test_subscribe_with_reminders_a_digest_and_a_zone(store: SqlStore) -> None:
    c = Commands(store, _no_analysis)
    m = await c.execute(CTX, "subscribe tags:tariffs remind:3d digest:weekly@mon 08:00 tz:europe/brussels")
    assert m.kind == "reply", m
    [sub] = await store.subscriptions("console:desk")
    assert (sub.remind_seconds, sub.digest, sub.tz) == (3 * 86400, "weekly@mon@08:00", "Europe/Brussels")
    shown = text(await c.execute(CTX, "subscriptions"))
    assert "reminders 3 d before a measure takes effect" in shown
    assert "digest weekly@mon@08:00 instead of one post each" in shown and "time zone Europe/Brussels" in shown
    await c.execute(CTX, 'subscribe "digest:weekly@fri 17:30"')
    [sub] = await store.subscriptions("console:desk")
    assert (sub.remind_seconds, sub.digest, sub.tz) == (None, "weekly@fri@17:30", None)  # replaced, not merged
    for line, words in [("subscribe tz:Europe/Brusels", "did you mean Europe/Brussels"),
                        ("subscribe digest:hourly", "write daily@08:00 or weekly@mon@08:00"),
                        ("subscribe remind:soon", "write e.g. remind:3d"),
                        ("subscribe digest:daily@25:00", "not a time of day")]:
        m = await c.execute(CTX, line)
        assert m.kind == "error" and words in m.text, (line, m)
    assert "remind:3d" in text(await c.execute(CTX, "help subscribe"))
