"""The trade-policy classifier: written examples, the dev articles, and the whole corpus split.

The examples are sentences written for these tests (fictional events). The corpus tests read
"Reuters-21578, Distribution 1.0" from ../shared and skip when it is absent.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from bot.analysis.classifier import RuleClassifier, summarise
from bot.analysis.cue_scanner import CueScanner, first_chars
from bot.analysis.taxonomy import TAG_NAMES, describe
from bot.analysis.trade_lexicon import CUES
from bot.domain import Article
from bot.io.readers import read_path
from tests.conftest import ROOT

TARIFF_STORY = Article(
    id="tariff-story",
    title="Ruritania raises tariffs on imported bicycles",
    body=(
        "OSTRAVA (WIRE) - Ruritania will raise tariffs on US$4 billion of Freedonian "
        "bicycles to 25 per cent from 10 per cent next month, the trade ministry said on "
        "Monday, escalating a trade dispute with its largest trading partner.\n\n"
        "Freedonia said it would retaliate and file a complaint at the World Trade "
        "Organization. Trade talks between the two countries broke down in May.\n\n"
        "Bicycle exports to Ruritania were worth US$4.2 billion last year."
    ),
)
FOOTBALL_STORY = Article(
    id="football",
    title="United beat City 2-1 in the derby",
    body=(
        "MANCHESTER - A late header gave United a 2-1 win over City on Saturday, lifting "
        "them to third in the table.\n\nThe manager praised his defence and said the squad "
        "would rest before the cup tie on Wednesday. Ticket sales for the season reached a "
        "record, the club said."
    ),
)
EXPORT_BAN_STORY = Article(
    id="export-ban",
    title="Government bans exports of rare-earth magnets",
    body=(
        "The government banned exports of rare-earth magnets to five countries and said "
        "chip-making tools would need an export licence from July, widening export controls "
        "it introduced last year.\n\nOfficials said the sanctions were a response to "
        "security concerns. Manufacturers warned that the export ban would hurt sales."
    ),
)
DEFICIT_STORY = Article(
    id="deficit",
    title="Freedonia trade deficit narrows in March",
    body=(
        "Freedonia's trade deficit narrowed to 1.2 billion dollars in March from 2.3 billion "
        "in February as imports fell 8 per cent and exports rose 3 per cent, the statistics "
        "office said.\n\nThe deficit with its largest trading partner shrank by a third."
    ),
)
COMMODITY_REPORT = Article(
    id="cocoa-report",
    title="Cocoa prices steady as arrivals slow",
    body=(
        "LONDON - Cocoa futures were steady on Tuesday as arrivals at ports slowed, traders "
        "said. Exporters shipped 120,000 tonnes in the week, against 150,000 tonnes a week "
        "earlier.\n\nDealers said demand from grinders was thin and the crop outlook mixed."
    ),
)


@pytest.fixture(scope="module")
def rules() -> RuleClassifier:
    return RuleClassifier()


def test_a_tariff_story_is_trade_tagged_tariffs_with_a_quoted_reason(rules: RuleClassifier) -> None:
    verdict = rules.classify(TARIFF_STORY)
    assert verdict.is_trade
    assert verdict.score >= 0.9
    assert "tariffs" in verdict.tags and "disputes" in verdict.tags
    assert "tariffs on US$4 billion of Freedonian bicycles" in verdict.reasons
    assert all(reason.lower() in TARIFF_STORY.body.lower() or reason.lower() in TARIFF_STORY.title.lower()
               for reason in verdict.reasons)  # fmt: skip


def test_a_football_story_is_not_trade_and_says_why(rules: RuleClassifier) -> None:
    verdict = rules.classify(FOOTBALL_STORY)
    assert not verdict.is_trade
    assert verdict.score < 0.1
    assert verdict.tags == ()
    assert verdict.reasons == ("no trade-policy terms",)


def test_an_export_ban_story_is_tagged_export_controls(rules: RuleClassifier) -> None:
    verdict = rules.classify(EXPORT_BAN_STORY)
    assert verdict.is_trade
    assert verdict.tags[0] == "export-controls"
    assert any("exports of rare-earth magnets" in r for r in verdict.reasons)


def test_trade_figures_are_tagged_trade_data(rules: RuleClassifier) -> None:
    verdict = rules.classify(DEFICIT_STORY)
    assert verdict.is_trade
    assert verdict.tags[0] == "trade-data"


def test_a_commodity_market_report_is_not_trade_and_the_reason_says_what_it_is(rules: RuleClassifier) -> None:
    verdict = rules.classify(COMMODITY_REPORT)
    assert not verdict.is_trade
    assert verdict.reasons[0].startswith('best evidence: "')
    assert "reads as a commodity market report" in verdict.reasons


@pytest.mark.parametrize(
    ("title", "body"),
    [
        ("", ""),
        ("", " - "),
        ("\x00\x07", "\u202e\ufeff trade \x00 tariffs"),
        ("((((trade", "[[[tariff)))) \\ ^$ (?P<x>" * 50),
        ("TRADE " * 5_000, "trade deficit tariff " * 20_000),
        ("Tarifs douaniers", "Les droits de douane sur l'acier augmentent de 25 %."),
    ],
)
def test_hostile_or_empty_input_gives_a_valid_verdict(rules: RuleClassifier, title: str, body: str) -> None:
    verdict = rules.classify(Article(id="x", title=title, body=body))
    assert 0.0 <= verdict.score <= 1.0
    assert verdict.is_trade == (verdict.score >= 0.5)
    assert set(verdict.tags) <= set(TAG_NAMES)
    assert verdict.reasons
    assert verdict.is_trade or verdict.tags == ()


def test_the_threshold_is_the_decision_line() -> None:
    strict = RuleClassifier(threshold=0.999)
    verdict = strict.classify(DEFICIT_STORY)
    assert verdict.score < 0.999 and not verdict.is_trade
    assert "< 1.00" in verdict.reasons[1]
    assert RuleClassifier(threshold=0.0).classify(FOOTBALL_STORY).is_trade
    with pytest.raises(ValueError, match="threshold"):
        RuleClassifier(threshold=1.5)


def test_every_tag_a_cue_speaks_for_is_in_the_taxonomy_and_documented() -> None:
    used = {cue.tag for cue in CUES if cue.tag}
    assert used <= set(TAG_NAMES)
    doc = (ROOT / "docs" / "taxonomy.md").read_text(encoding="utf-8")
    for name in TAG_NAMES:
        assert f"`{name}`" in doc and describe(name)


def test_the_cue_scanner_finds_what_one_big_alternation_finds() -> None:
    named = [(c.name, c.pattern) for c in CUES]
    big = re.compile(r"(?<!\w)(?:" + "|".join(f"(?P<{n}>{p})" for n, p in named) + r")(?!\w)", re.IGNORECASE)
    scanner = CueScanner(named)
    texts = [TARIFF_STORY.body, EXPORT_BAN_STORY.body, DEFICIT_STORY.body, COMMODITY_REPORT.body,
             "U.S.-Japan trade talks - TRADE\nEEP wheat, anti-dumping duties; GATT/WTO rules -- trade",
             "The Federal Trade Commission met; trade was thin in early trade."]  # fmt: skip
    for text in texts:
        expected = [(m.lastgroup, m.span()) for m in big.finditer(text)]
        assert [(m.lastgroup, m.span()) for m in scanner.finditer(text)] == expected
    assert first_chars(r"(?:import|export)s?\s+dut(?:y|ies)") == frozenset("ie")
    assert first_chars(r"\w+ trade") is None


# --- the dev articles and the corpus split (../shared) --------------------------------


def test_every_dev_article_is_accepted(shared: Path, rules: RuleClassifier) -> None:
    articles = [a for p in (shared / "articles").iterdir() if p.suffix in (".txt", ".jsonl")
                for a in read_path(p) if isinstance(a, Article)]  # fmt: skip
    assert len(articles) == 22
    rejected = {a.id: rules.classify(a).score for a in articles if not rules.classify(a).is_trade}
    assert rejected == {}


def _corpus(shared: Path) -> list[tuple[Article, bool]]:
    path = shared / "corpus" / "reuters21578-modapte-train.jsonl"
    if not path.is_file():
        pytest.skip(f"the corpus split is not in {path.parent}")
    out = []
    with path.open(encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            article = Article(r["id"], r["title"], r["dateline"] + " - " + r["body"])
            out.append((article, "trade" in r["topics"]))
    return out


def _f1(rules: RuleClassifier, corpus: list[tuple[Article, bool]]) -> tuple[float, float, float]:
    tp = fp = fn = 0
    for article, is_trade in corpus:
        predicted = rules.classify(article).is_trade
        tp += predicted and is_trade
        fp += predicted and not is_trade
        fn += is_trade and not predicted
    return tp / (tp + fp), tp / (tp + fn), 2 * tp / (2 * tp + fp + fn)


@pytest.mark.slow
def test_the_default_over_the_whole_split_keeps_its_measured_quality(shared: Path, rules: RuleClassifier) -> None:
    precision, recall, f1 = _f1(rules, _corpus(shared))
    assert f1 >= 0.79, (precision, recall, f1)


@pytest.mark.slow
@pytest.mark.xfail(reason="issue 3 target F1 >= 0.85 not reached by the written rules: measured 0.795 "
                   "(P 0.813, R 0.778); 32 of the 369 trade stories have no text at all", strict=False)  # fmt: skip
def test_the_default_over_the_whole_split_reaches_the_target(shared: Path, rules: RuleClassifier) -> None:
    precision, recall, f1 = _f1(rules, _corpus(shared))
    assert f1 >= 0.85, (precision, recall, f1)


@pytest.mark.slow
def test_rule_evidence_summary_is_consistent_with_the_verdict(shared: Path, rules: RuleClassifier) -> None:
    for article, _ in _corpus(shared)[:500]:
        summary = summarise(rules.read(article))
        verdict = rules.classify(article)
        assert verdict.score == round(summary.score, 4)
        assert verdict.is_trade or verdict.tags == ()
