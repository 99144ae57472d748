"""Hostile and broken stories never crash the analysis (full extraction on everything)."""

from __future__ import annotations

import random
import string
from datetime import date

import pytest

from bot.analysis.classify.classifier import RuleClassifier
from bot.analysis.pipeline import Analyzer
from bot.domain import Article
from bot.render.card import render_card

FIXED = [
    "", " ", "\n\n\n", "-", "WASHINGTON -", "TOKYO, April 5 -", "date 2020-01-01",
    "<!channel> @everyone <https://evil|click> tariffs of 25% on $3bn of <@U123> goods",
    "A" * 50_000, "tariff " * 3000,
    "Tariffs 25% 30% pct per cent from to on of $ US$ bn mln dlrs " * 100,
    "\u202e\u200b\x00\x1b[31m tariffs \ud7ff 25 %", "Mr. Mr. Dr. U.S. U.S. . . . . ",
    "Monday Sunday today tomorrow yesterday last month next week Jan 32 Feb 30 April 31, 99999",
    "The U.S. raised tariffs to 1e308 per cent from -5 per cent on US$999999999999999999999 "
    "billion of goods on Feb 29.",
    "Tariffs of 25 per cent on goods from ( ( ( [ [ { ", "\t\t\t    REUTER", "(" * 200,
]
WORDS = ("tariff duty US$ bn pct per cent from to on of Chinese goods raise cut Sept 15 Mr Trump "
         "said the U.S. , . - ( ) $ % 2019 Thursday next last month levy imposed delayed 2.5 "
         "billion mln dlrs stg S$ yen Oct late mid-July Washington Beijing EC Japan").split()


def _random(seed: int) -> str:
    rng = random.Random(seed)
    if seed % 2:
        return "".join(rng.choice(string.printable) for _ in range(rng.randint(1, 400)))
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 400)))


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer(RuleClassifier())


@pytest.mark.parametrize("body", FIXED + [_random(i) for i in range(40)])
def test_never_crashes_and_renders(analyzer: Analyzer, body: str) -> None:
    a = analyzer.analyze(Article("h", body[:60], body, date(2020, 2, 29)), full=True)
    assert 0.0 <= a.trade_policy.score <= 1.0
    card = render_card(a)
    assert "\x1b" not in card and "\x00" not in card
    for d in a.dates:
        assert len(d.date) in (7, 10)
