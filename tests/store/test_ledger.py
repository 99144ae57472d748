"""The tariff ledger's merge: one row a measure, its latest status, all its stories."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.domain import Status, TariffChange
from bot.store import LedgerRow, LedgerSource, filter_ledger, merge_ledger

_count = 0


def row(
    article_id: str,
    published: date | None,
    *,
    imposer: str = "US",
    target: str = "China",
    rate: float | None = None,
    old: float | None = None,
    value: int | None = None,
    status: Status = "announced",
    effective: str | None = None,
    products: str | None = "steel",
    position: int = 0,
    seen: datetime | None = None,
) -> LedgerRow:
    global _count
    _count += 1
    change = TariffChange(
        imposer=imposer, target=target, products=products, value_usd=value, old_rate_pct=old,
        new_rate_pct=rate, effective=effective, status=status, evidence="a sentence",
    )  # fmt: skip
    return LedgerRow(
        article_id=article_id,
        title=f"story {article_id}",
        published=published,
        seen_at=seen or datetime(2024, 1, 1, 0, 0, _count % 60, tzinfo=UTC),
        position=position,
        change=change,
    )


D1, D2, D3 = date(2019, 5, 10), date(2019, 8, 1), date(2019, 8, 23)


def test_two_stories_of_one_measure_make_one_entry_with_the_latest_status() -> None:
    entries = merge_ledger([
        row("a", D1, rate=30, status="announced", effective="2019-10-01"),
        row("b", D2, rate=30, status="delayed", effective="2019-10-15"),
    ])  # fmt: skip
    assert len(entries) == 1
    e = entries[0]
    assert (e.imposer, e.target, e.new_rate_pct, e.status) == ("US", "China", 30, "delayed")
    assert e.effective == "2019-10-15"
    assert (e.first_seen, e.last_seen) == (D1, D2)
    assert e.sources == (
        LedgerSource("a", "story a", D1),
        LedgerSource("b", "story b", D2),
    )


def test_latest_status_follows_publication_not_input_order() -> None:
    entries = merge_ledger([
        row("late", D3, rate=10, status="in_effect"),
        row("early", D1, rate=10, status="proposed"),
    ])  # fmt: skip
    assert [e.status for e in entries] == ["in_effect"]
    assert [s.article_id for s in entries[0].sources] == ["early", "late"]


def test_same_day_stories_are_ordered_by_when_they_were_seen() -> None:
    first = datetime(2024, 1, 1, 8, tzinfo=UTC)
    later = datetime(2024, 1, 1, 9, tzinfo=UTC)
    entries = merge_ledger([
        row("b", D2, rate=10, status="removed", old=10, seen=later),
        row("a", D2, rate=10, status="announced", seen=first),
    ])  # fmt: skip
    assert [e.status for e in entries] == ["removed"]


def test_the_value_covered_also_identifies_a_measure() -> None:
    entries = merge_ledger([
        row("a", D1, rate=10, value=200_000_000_000, status="announced"),
        row("b", D2, value=200_000_000_000, status="in_effect"),
    ])  # fmt: skip
    assert len(entries) == 1
    assert (entries[0].new_rate_pct, entries[0].value_usd, entries[0].status) == (
        10, 200_000_000_000, "in_effect"
    )


def test_a_figure_that_disagrees_keeps_measures_apart() -> None:
    entries = merge_ledger([
        row("a", D1, rate=25, value=34_000_000_000),
        row("b", D2, rate=25, value=16_000_000_000),
        row("c", D3, rate=30, old=25, value=34_000_000_000),
    ])  # fmt: skip
    assert len(entries) == 3
    assert [len(e.sources) for e in entries] == [1, 1, 1]


def test_a_story_that_shares_no_figure_stands_alone() -> None:
    entries = merge_ledger([row("a", D1, rate=25), row("b", D2, value=5_000_000)])
    assert len(entries) == 2


def test_a_change_without_rate_or_value_is_never_merged() -> None:
    entries = merge_ledger([row("a", D1), row("b", D2)])
    assert len(entries) == 2


def test_a_removal_matches_the_rate_it_removes() -> None:
    entries = merge_ledger([
        row("a", D1, rate=15, status="in_effect"),
        row("b", D3, old=15, rate=0, status="removed"),
    ])  # fmt: skip
    assert len(entries) == 1
    e = entries[0]
    assert (e.status, e.old_rate_pct, e.new_rate_pct) == ("removed", 15, 0)


def test_country_names_are_compared_through_the_country_table() -> None:
    entries = merge_ledger([
        row("a", D1, imposer="United States", target="china", rate=25),
        row("b", D2, imposer="US", target="China", rate=25),
        row("c", D3, imposer="US", target="Japan", rate=25),
    ])  # fmt: skip
    assert [(e.imposer, e.target, len(e.sources)) for e in entries] == [
        ("US", "Japan", 1),
        ("US", "China", 2),
    ]


def test_entries_come_newest_first() -> None:
    entries = merge_ledger([
        row("a", D1, target="Japan", rate=5),
        row("b", D3, target="Canada", rate=5),
        row("c", D2, target="Mexico", rate=5),
    ])  # fmt: skip
    assert [e.target for e in entries] == ["Canada", "Mexico", "Japan"]


def test_one_story_is_one_source_and_undated_stories_use_when_they_were_seen() -> None:
    seen = datetime(2019, 9, 1, 10, tzinfo=UTC)
    entries = merge_ledger([
        row("a", None, rate=25, value=1_000_000, seen=seen),
        row("a", None, rate=25, position=1, seen=seen),
    ])  # fmt: skip
    assert len(entries) == 1
    assert entries[0].sources == (LedgerSource("a", "story a", None),)
    assert entries[0].first_seen == date(2019, 9, 1)


def test_latest_known_figures_win() -> None:
    entries = merge_ledger([
        row("a", D1, rate=25, value=50_000_000, products="steel pipes", effective="2019-06"),
        row("b", D2, rate=25, products=None, status="in_effect"),
    ])  # fmt: skip
    e = entries[0]
    assert (e.products, e.value_usd, e.effective) == ("steel pipes", 50_000_000, "2019-06")


ENTRIES = merge_ledger([
    row("a", D1, imposer="US", target="China", rate=25, status="in_effect"),
    row("b", D2, imposer="EU", target="US", rate=10, status="proposed", effective="2019-12"),
    row("c", D3, imposer="Japan", target="South Korea", rate=5, status="announced"),
])  # fmt: skip


@pytest.mark.parametrize("country", ["china", "China", "CHINA", "Chinese", "Beijing"])
def test_country_filter_accepts_any_name_of_the_country(country: str) -> None:
    assert [e.imposer for e in filter_ledger(ENTRIES, country=country)] == ["US"]


@pytest.mark.parametrize("country", ["us", "US", "United States", "u.s."])
def test_country_filter_matches_imposer_or_target(country: str) -> None:
    assert [e.imposer for e in filter_ledger(ENTRIES, country=country)] == ["EU", "US"]


def test_since_keeps_measures_reported_or_taking_effect_from_that_day() -> None:
    # the EU measure was reported before, but takes effect in December
    assert [e.imposer for e in filter_ledger(ENTRIES, since=D3)] == ["Japan", "EU"]
    assert [e.imposer for e in filter_ledger(ENTRIES, since=date(2019, 12, 20))] == ["EU"]
    assert filter_ledger(ENTRIES, since=date(2020, 1, 1)) == []


def test_status_filter_and_combination() -> None:
    assert [e.imposer for e in filter_ledger(ENTRIES, status="in_effect")] == ["US"]
    assert filter_ledger(ENTRIES, status="in_effect", country="japan") == []
    with pytest.raises(ValueError, match="unknown status"):
        filter_ledger(ENTRIES, status="imposed")
