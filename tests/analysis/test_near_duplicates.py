"""Near-duplicate stories (issue 14 point 1): the decision, and its measured quality on a
fixed-seed sample of pairs built from ../shared (skipped when it is absent)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from bot.analysis.near_duplicates import (
    best_match,
    containment,
    measures_differ,
    same_event,
    sketch,
)
from bot.domain import TariffChange
from tests.follow_stories import ANNOUNCE, DELAY, IN_FORCE, REMOVAL, SYNDICATED_COPY, WIRE_COPY

ROOT = Path(__file__).resolve().parents[2]


def test_copies_are_one_event_and_later_steps_are_not() -> None:
    first = sketch("", ANNOUNCE[1])
    for copy in (WIRE_COPY, SYNDICATED_COPY):
        assert same_event(first, sketch("", copy[1]))
    for step in (DELAY, IN_FORCE, REMOVAL):  # the same measure, but news: not a copy
        assert not same_event(first, sketch("", step[1]))
    assert best_match(sketch("", WIRE_COPY[1]), {"a": first, "d": sketch("", DELAY[1])}) == "a"
    assert best_match(sketch("", DELAY[1]), {"a": first}) is None


def test_the_same_text_is_the_same_sketch_and_briefs_are_never_matched() -> None:
    assert sketch("T", ANNOUNCE[1]) == sketch("T", ANNOUNCE[1])
    assert containment(sketch("T", ANNOUNCE[1]), sketch("T", ANNOUNCE[1])) == 1.0
    brief = sketch("", "Tariffs rose.")
    assert not same_event(brief, brief)  # too short to tell a copy from a cousin
    assert containment(sketch("", ""), brief) == 0.0


def test_a_template_report_with_other_figures_is_another_event() -> None:
    week = ("Canadian narrowly defined money supply fell {a} mln dlrs to {b} billion dlrs in the week "
            "ended March {d}, the central bank said. The broader measure rose {c} mln dlrs to {e} "
            "billion dlrs, and the bank's holdings of government bonds were little changed.")
    one = sketch("Money supply", week.format(a=555, b=32.42, c=120, d=18, e=71.3))
    two = sketch("Money supply", week.format(a=291, b=32.44, c=87, d=25, e=71.9))
    assert containment(one, two) > 0.4  # the wording is the same ...
    assert not same_event(one, two)  # ... the figures are not


def _change(imposer: str, target: str, products: str | None) -> TariffChange:
    return TariffChange(imposer=imposer, target=target, products=products, value_usd=None, old_rate_pct=5.0,
                        new_rate_pct=12.0, effective=None, status="announced", evidence="(our own sentence)")


def test_templated_notices_on_other_products_are_other_measures() -> None:
    """Two notices worded alike ("raise its duty on bicycles ..." / "... on cheese ...") are two
    events; a copy that reads as the same measure, or a story with no tariff change, is not
    split by this rule."""
    bikes = [_change("Freedonia", "Sylvania", "electric bicycles")]
    cheese = [_change("Freedonia", "Sylvania", "cheese")]
    assert measures_differ(bikes, cheese)
    assert measures_differ(bikes, [_change("Sylvania", "Freedonia", "electric bicycles")])
    assert not measures_differ(bikes, [_change("Freedonia", "Sylvania", "bicycles and parts")])
    assert not measures_differ(bikes, [_change("Freedonia", "Sylvania", None)])
    assert not measures_differ(bikes, [])
    assert not measures_differ([], cheese)


def test_measured_precision_and_recall_on_pairs_from_the_shared_corpus() -> None:
    shared = ROOT / ".." / "shared"
    if not (shared / "corpus").is_dir():
        pytest.skip("../shared is not there")
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from bench_near_duplicates import build_pairs, load, measure
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    files = ("corpus/reuters21578-modapte-train.jsonl", "articles/reuters-dev.jsonl",
             "articles-modern/classify-dev.jsonl", "articles-modern/federal-dev.jsonl",
             "articles-modern/modern-dev.jsonl")
    if not all((shared / f).is_file() for f in files):
        pytest.skip("the corpus or a dev set of ../shared is not there")
    result = measure(build_pairs(load(shared, files), 500, seed=14))
    assert result["precision"] >= 0.98, result
    assert result["recall"] >= 0.90, result
