"""Measure ids: derived from what makes a measure, the same after a restart and on SQLite
and PostgreSQL, and given to each tariff change of a story (for its alert card)."""

from __future__ import annotations

import itertools
import re
from datetime import UTC, date, datetime

from bot.domain import Analysis, Article, Status, TariffChange, TradeVerdict
from bot.store import LedgerRow, SqlStore, fingerprint, merge_ledger
from bot.store.ledger import measure_id, measure_ids, normalise_measure_id
from tests.store.conftest import Backend

SEEN = datetime(2025, 1, 1, tzinfo=UTC)
US_CHINA_STEEL_25 = "m-6r2huxn"
"""The id of "US on China, 25 %, US$40 bn": fixed here so a change to how ids are derived
(which would rename every measure users have seen) fails this test."""


def change(rate: float | None = 25, value: int | None = 40_000_000_000, *, old: float | None = None,
           status: Status = "announced", goods: str | None = "steel", imposer: str = "United States",
           target: str = "China", effective: str | None = None) -> TariffChange:  # fmt: skip
    return TariffChange(imposer, target, goods, value, old, rate, effective, status, "evidence")


def row(aid: str, day: date, c: TariffChange, position: int = 0) -> LedgerRow:
    return LedgerRow(aid, f"story {aid}", day, SEEN, position, c)


def test_the_id_names_the_imposer_the_target_and_the_first_figures() -> None:
    first = row("a", date(2025, 2, 1), change())
    assert measure_id(first) == US_CHINA_STEEL_25
    assert re.fullmatch(r"m-[a-z2-7]{7}", US_CHINA_STEEL_25)
    # country names are compared as the ledger compares them; goods are not part of it
    assert measure_id(row("b", date(2025, 3, 1), change(imposer="US", target="china", goods="steel pipes"))) == US_CHINA_STEEL_25
    assert measure_id(row("c", date(2025, 2, 1), change(imposer="China", target="United States"))) != US_CHINA_STEEL_25
    assert measure_id(row("d", date(2025, 2, 1), change(rate=30))) != US_CHINA_STEEL_25
    assert measure_id(row("e", date(2025, 2, 1), change(value=16_000_000_000))) != US_CHINA_STEEL_25


def test_later_steps_keep_the_id_and_each_measure_has_its_own() -> None:
    rows = [row("a", date(2025, 2, 1), change()),
            row("b", date(2025, 3, 1), change(value=None, status="delayed", effective="2025-05-01")),
            row("c", date(2025, 4, 1), change(rate=0, old=25, status="removed")),
            row("t2", date(2025, 2, 5), change(value=16_000_000_000)),   # another tranche
            row("x", date(2025, 2, 6), change(rate=None, value=None)),   # no figure: alone
            row("y", date(2025, 2, 7), change(rate=None, value=None))]
    entries = merge_ledger(rows)
    by_id = {e.id: e for e in entries}
    assert len(by_id) == len(entries) == 4
    steel = by_id[US_CHINA_STEEL_25]
    assert [(r.article_id, r.change.status) for r in steel.steps] == [("a", "announced"), ("b", "delayed"),
                                                                     ("c", "removed")]
    assert steel.status == "removed" and [s.article_id for s in steel.sources] == ["a", "b", "c"]
    # the same rows in another order (another database, another restart) give the same ids
    assert {e.id for e in merge_ledger(reversed(rows))} == set(by_id)
    assert measure_ids(entries, "b") == {0: US_CHINA_STEEL_25}


def test_ids_do_not_collide_among_many_measures() -> None:
    countries = ["United States", "China", "European Union", "Japan", "Canada", "Mexico", "India", "Brazil"]
    ids = set()
    n = 0
    for (imp, tgt), rate, value in itertools.product(itertools.permutations(countries, 2),
                                                    range(1, 101), (None, *(10**9 * v for v in range(1, 11)))):
        ids.add(measure_id(row("a", date(2025, 1, 1), change(rate, value, imposer=imp, target=tgt))))
        n += 1
    assert n == 61_600 and len(ids) == n


def test_what_users_type_is_read_as_an_id() -> None:
    for typed in ("m-6r2huxn", "M-6R2HUXN", "6r2huxn", " `m-6r2huxn` "):
        assert normalise_measure_id(typed) == US_CHINA_STEEL_25


def _analysis(aid: str, published: date, *changes: TariffChange) -> Analysis:
    art = Article(aid, f"Story {aid}", f"Body of {aid} about duties on steel.", published, f"https://news.example/{aid}")
    return Analysis(art, TradeVerdict(True, 0.9, ("tariffs",), ("duties",)), tariff_changes=changes)


async def test_ids_are_the_same_after_a_restart_and_on_every_database(backend: Backend, store: SqlStore) -> None:
    stories = [_analysis("first", date(2025, 2, 1), change(), change(rate=10, value=None, goods="aluminium",
                                                                      imposer="China", target="US")),
               _analysis("later", date(2025, 3, 1), change(value=None, status="in_effect"))]
    for a in stories:
        await store.add_article(a.article, fingerprint(a.article.title, a.article.body))
        await store.save_analysis_and_enqueue(a, [])
    entries = await store.ledger()
    ids = sorted(e.id for e in entries)
    assert US_CHINA_STEEL_25 in ids and len(ids) == 2
    assert await store.measure_ids("later") == {0: US_CHINA_STEEL_25}
    first = await store.measure_ids("first")
    assert first[0] == US_CHINA_STEEL_25 and first[1] in ids and first[1] != US_CHINA_STEEL_25
    steel = next(e for e in entries if e.id == US_CHINA_STEEL_25)
    assert [(r.article_id, r.url) for r in steel.steps] == [("first", "https://news.example/first"),
                                                            ("later", "https://news.example/later")]
    await store.close()
    reopened = backend.open()
    try:
        assert sorted(e.id for e in await reopened.ledger()) == ids
        assert [e.id for e in await reopened.ledger(country="china", status="in_effect")] == [US_CHINA_STEEL_25]
        assert await reopened.measure_ids("no-such-story") == {}
    finally:
        await reopened.close()
