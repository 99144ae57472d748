"""The trade-policy classifier: written examples, the dev articles, and the whole corpus split.

The examples are sentences written for these tests (fictional events). The corpus tests read
"Reuters-21578, Distribution 1.0" from ../shared and skip when it is absent.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from bot.analysis.classify.classifier import RuleClassifier, summarise
from bot.analysis.classify.cue_scanner import CueScanner, first_chars, lower_pattern
from bot.analysis.classify.policy_actions import read_measure
from bot.analysis.classify.taxonomy import TAG_NAMES, describe
from bot.analysis.classify.trade_lexicon import CUES
from bot.domain import Article
from bot.io.readers import read_path
from tests.conftest import EXAMPLES, ROOT

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


def test_the_scanner_reads_lower_cased_text_with_the_same_answers() -> None:
    """The fast path matches lower-cased text with lower-cased patterns; escapes, group names
    and back-references stay as written, and a text whose lower-casing changes its length is
    read the slow way. Either way the spans are the text's own."""
    assert lower_pattern(r"(?P<US_Cue>U\.S\.)\S+\B(?P=US_Cue)[A-Z]\N{DASH}") == \
        r"(?P<US_Cue>u\.s\.)\S+\B(?P=US_Cue)[a-z]\N{DASH}"
    scanner = CueScanner([("duty", r"dut(?:y|ies)"), ("us", r"U\.S\.")])
    assert [(m.lastgroup, m.span()) for m in scanner.finditer("U.S. DUTIES on Steel")] == \
        [("us", (0, 4)), ("duty", (5, 11))]
    # "İ".lower() is two characters: this text is read the slow way, spans still its own
    assert [(m.lastgroup, m.span()) for m in scanner.finditer("İstanbul: U.S. duties")] == \
        [("us", (10, 14)), ("duty", (15, 21))]


# --- modern trade-policy news: a government acting on a measure, whatever the goods ------
# Stories written for these tests (fictional events).

MODERN_POLICY = {
    "steel-aluminium": Article(
        id="steel-aluminium",
        title="Freedonia doubles tariffs on steel and aluminium imports",
        body=(
            "Freedonia will double its tariffs on imported steel and aluminium to 50 per cent "
            "from June 4, the trade ministry said on Tuesday, in a move meant to shield "
            "domestic mills.\n\nSteel makers in Ruritania, the largest supplier, said the "
            "higher duties would cut their sales by a third. Ruritania's economy minister said "
            "the government was studying a response."
        ),
    ),
    "rice-export-ban": Article(
        id="rice-export-ban",
        title="Sylvania bans rice exports to cool domestic prices",
        body=(
            "The government of Sylvania banned exports of white rice with immediate effect on "
            "Thursday, the food ministry said, to keep prices at home in check after a weak "
            "monsoon.\n\nSylvania sells about a third of the rice traded in the world. Buyers "
            "in West Africa said they were looking for other suppliers."
        ),
    ),
    "soybean-trade-war": Article(
        id="soybean-trade-war",
        title="China slaps extra 15% tariff on US soybeans as trade war deepens",
        body=(
            "China will impose an additional 15 per cent tariff on soybeans from the United "
            "States from next month, the finance ministry said on Friday, hitting back at new "
            "US duties on Chinese electronics.\n\nSoybean futures in Chicago fell 2 per cent "
            "after the announcement. Farm groups urged Washington to return to the "
            "negotiating table."
        ),
    ),
    "duty-suspension": Article(
        id="duty-suspension",
        title="Ruritania suspends duty on imported fertiliser for a year",
        body=(
            "Ruritania has suspended its 5 per cent import duty on fertiliser for twelve "
            "months to help farmers facing higher costs, the finance ministry said on "
            "Wednesday.\n\nThe suspension covers about 600 million dollars of imports a "
            "year, mostly from Freedonia and Sylvania."
        ),
    ),
    "solar-anti-dumping": Article(
        id="solar-anti-dumping",
        title="Sylvania imposes anti-dumping duties on solar panels from Freedonia",
        body=(
            "Sylvania imposed provisional anti-dumping duties of up to 62 per cent on solar "
            "panels made in Freedonia, the commerce ministry said on Monday, after finding that "
            "they were sold below cost.\n\nThe duties apply from May 2 for six months. "
            "Freedonia's trade ministry said it regretted the decision and would defend its "
            "exporters."
        ),
    ),
    "carbon-border-levy": Article(
        id="carbon-border-levy",
        title="EU starts charging carbon border levy on steel and cement imports",
        body=(
            "The European Union began charging its carbon border levy on steel, aluminium, "
            "cement and fertiliser on Thursday, so that importers pay the same carbon price as "
            "European producers.\n\nIndia and South Africa called the levy a disguised "
            "barrier and raised it at the World Trade Organization."
        ),
    ),
    "soybean-export-tax": Article(
        id="soybean-export-tax",
        title="Ruritania raises soybean export tax to 33%",
        body=(
            "Ruritania raised its export tax on soybeans to 33 per cent from 26 per cent on "
            "Tuesday, the economy ministry said, to bolster state revenue.\n\nFarm groups "
            "called the increase a blow to growers and threatened a strike."
        ),
    ),
}
WHEAT_MARKET_REPORT = Article(
    id="wheat-market",
    title="Wheat futures slip as harvest pressure builds",
    body=(
        "CHICAGO - Wheat futures fell for a third day on Tuesday as the harvest in the southern "
        "Plains moved ahead, traders said. The July contract lost 6 cents to $5.42 a bushel."
        "\n\nExport sales of 310,000 tonnes in the latest week were below expectations, and "
        "dealers said an Egyptian tender for 120,000 tonnes went to a French house. Crop "
        "estimates were raised by 2 per cent."
    ),
)
COMPANY_RESULTS = Article(
    id="company-results",
    title="Acme Tools profit rises 12% on strong demand",
    body=(
        "Acme Tools reported a 12 per cent rise in quarterly net profit on Thursday as demand "
        "for its cordless drills held up, and raised its forecast for the year.\n\nRevenue "
        "grew to 2.1 billion dollars. Chief executive Dana Roe said the company had absorbed "
        "some tariff headwinds in the quarter, but margins widened thanks to lower freight "
        "costs.\n\nThe board declared a dividend of 40 cents per share."
    ),
)
SOYBEAN_MARKET_REPORT = Article(
    id="soybean-market",
    title="Soybeans slump as China raises tariffs",
    body=(
        "CHICAGO - Soybean futures fell 3 per cent on Monday after China raised tariffs on US "
        "soybeans, traders said. The November contract lost 32 cents to $10.05 a bushel.\n\n"
        "Dealers said export sales of 450,000 tonnes last week were the lowest of the season, "
        "and crop estimates were trimmed."
    ),
)


@pytest.mark.parametrize("key", sorted(MODERN_POLICY))
def test_a_government_acting_on_a_measure_is_trade_whatever_the_goods(rules: RuleClassifier, key: str) -> None:
    article = MODERN_POLICY[key]
    verdict = rules.classify(article)
    assert verdict.is_trade and verdict.score >= 0.8, verdict
    assert rules.read(article).actions or key == "carbon-border-levy"  # that one is a cue of its own
    expected = "export-controls" if key == "rice-export-ban" else "tariffs"
    assert verdict.tags[0] == expected


def test_the_reasons_quote_the_measure_and_its_goods(rules: RuleClassifier) -> None:
    assert rules.classify(MODERN_POLICY["steel-aluminium"]).reasons[0] == "tariffs on imported steel and aluminium to 50 per cent"
    assert "banned exports of white rice with immediate effect" in rules.classify(MODERN_POLICY["rice-export-ban"]).reasons
    assert "carbon border levy on steel" in rules.classify(MODERN_POLICY["carbon-border-levy"]).reasons
    assert rules.classify(MODERN_POLICY["solar-anti-dumping"]).reasons[0].startswith(
        "anti-dumping duties of up to 62 per cent on solar panels")


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("Canberra will cut its duty on Chilean dried apricots to zero from 4 per cent, the trade minister said.",
         "duty on Chilean dried apricots to zero from 4 per cent"),
        ("Freedonia will impose a 25% tariff on imports from Sylvania, the trade minister said.",
         "25% tariff on imports from Sylvania"),
        ("Washington raised tariffs on 900 mln dlrs of Finnish processed wood goods to 40 pct, officials said.",
         "tariffs on 900 mln dlrs of Finnish processed wood goods"),
    ],
)
def test_a_reason_quotes_the_goods_whole(rules: RuleClassifier, body: str, reason: str) -> None:
    assert reason in rules.classify(Article("r", "", body)).reasons


def test_a_wheat_market_report_stays_out(rules: RuleClassifier) -> None:
    verdict = rules.classify(WHEAT_MARKET_REPORT)
    assert not verdict.is_trade and verdict.score < 0.2
    assert "reads as a commodity market report" in verdict.reasons


def test_a_market_report_blaming_a_tariff_in_its_headline_stays_out(rules: RuleClassifier) -> None:
    verdict = rules.classify(SOYBEAN_MARKET_REPORT)
    assert not verdict.is_trade, verdict
    assert "reads as a commodity market report" in verdict.reasons


def test_company_results_with_tariff_headwinds_in_passing_stay_out(rules: RuleClassifier) -> None:
    verdict = rules.classify(COMPANY_RESULTS)
    assert not verdict.is_trade and verdict.score < 0.2
    assert verdict.reasons[0] == 'best evidence: "tariff headwinds"'
    assert "reads as company news" in verdict.reasons
    assert rules.read(COMPANY_RESULTS).actions == ()


@pytest.mark.parametrize(
    ("sentence", "measure", "acted", "priced"),
    [
        ("The United States will raise tariffs on US$45 billion of imported steel.", "tariffs", True, False),
        ("MAURITANIA LIFTS DUTY ON TEXTILES", "DUTY ON", True, False),
        ("Britain suspended its 10 per cent tariff on cotton yarn.", "tariff", True, False),
        ("WASHINGTON (WIRE) - Freedonia will double its tariffs on steel.", "tariffs", True, False),
        ("Acme raises prices to offset tariffs", "tariffs", False, False),
        ("Soybean futures fell on fears of tariffs.", "tariffs", False, False),
        ("Sylvania raised its export duty on palm oil to 80 ringgit per tonne.", "export duty", False, True),
    ],
)
def test_reading_the_sentence_around_a_measure(sentence: str, measure: str, acted: bool, priced: bool) -> None:
    start = sentence.index(measure)
    read = read_measure(sentence, start, start + len(measure), 0, len(sentence))
    assert (read.acted, read.priced) == (acted, priced)
    assert (read.start, read.end) == (0, len(sentence))


def test_a_measure_priced_per_unit_is_commodity_price_news(rules: RuleClassifier) -> None:
    story = Article("palm-duty", "Sylvania raises palm oil export duty",
                    "Sylvania raised its export duty on crude palm oil to 80 ringgit per tonne for "
                    "May from 60 ringgit, the finance ministry said, as the reference price rose.")  # fmt: skip
    assert rules.read(story).actions == ()
    assert not rules.classify(story).is_trade


def test_the_examples_shipped_with_the_project_are_scored_as_documented(rules: RuleClassifier) -> None:
    scores = {a.id: rules.classify(a) for p in sorted(EXAMPLES.glob("*.txt"))
              for a in read_path(p) if isinstance(a, Article)}  # fmt: skip
    assert len(scores) >= 8
    assert scores.pop("2025-06-21-football").score < 0.2
    low = {k: v.score for k, v in scores.items() if not (v.is_trade and v.score >= 0.8)}
    assert low == {}
    assert "tariffs" in scores["2025-03-06-us-steel-tariffs"].tags


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


@pytest.fixture(scope="module")
def split_scores(shared: Path) -> list[tuple[float, bool, bool]]:
    """(rule score, labelled trade, has text) for every story of the split, read once."""
    rules = RuleClassifier()
    return [(rules.classify(a).score, is_trade, bool((a.title or "").strip() or a.body.split(" - ", 1)[-1].strip()))
            for a, is_trade in _corpus(shared)]  # fmt: skip


def _quality(scores: list[tuple[float, bool, bool]]) -> tuple[float, float, float]:
    tp = sum(s >= 0.5 and t for s, t, _ in scores)
    fp = sum(s >= 0.5 and not t for s, t, _ in scores)
    fn = sum(t and s < 0.5 for s, t, _ in scores)
    return tp / (tp + fp), tp / (tp + fn), 2 * tp / (2 * tp + fp + fn)


@pytest.mark.slow
def test_the_default_over_the_whole_split_keeps_its_measured_quality(split_scores: list[tuple[float, bool, bool]]) -> None:
    """Measured P 0.811, R 0.780, F1 0.7956 (issue 11). Issue 3's target of 0.85 is retired:
    the labels allow about 0.82 to any learner (README, "Trade-policy classifier")."""
    precision, recall, f1 = _quality(split_scores)
    assert f1 >= 0.795 and precision >= 0.80 and recall >= 0.77, (precision, recall, f1)


@pytest.mark.slow
def test_the_rule_score_means_what_it_says_over_the_split(split_scores: list[tuple[float, bool, bool]]) -> None:
    """Calibration (non-empty stories): measured 0.00 labelled trade below 0.1, 0.91 from 0.9,
    more above the line than below it, Brier score 0.0108."""
    scored = [(s, t) for s, t, has_text in split_scores if has_text]
    def share(lo: float, hi: float) -> float:
        band = [t for s, t in scored if lo <= s < hi]
        return sum(band) / len(band)
    assert share(0.0, 0.1) <= 0.005
    assert share(0.9, 1.01) >= 0.88
    assert share(0.1, 0.5) < 0.3 < 0.6 < share(0.5, 0.9)
    brier = sum((s - t) ** 2 for s, t in scored) / len(scored)
    assert brier <= 0.012, brier


@pytest.mark.slow
def test_rule_evidence_summary_is_consistent_with_the_verdict(shared: Path, rules: RuleClassifier) -> None:
    for article, _ in _corpus(shared)[:500]:
        summary = summarise(rules.read(article))
        verdict = rules.classify(article)
        assert verdict.score == round(summary.score, 4)
        assert verdict.is_trade or verdict.tags == ()


@pytest.mark.parametrize("story", [
    "Canada will impose a 25 per cent surtax on C$3 billion of US steel from Oct 1, the finance "
    "minister said on Monday.",
    "Washington added 30 Freedonian companies to its export blacklist, restricting sales of "
    "American chips to them.",
    "Freedonia will restrict exports of gallium and germanium from August 1, its commerce "
    "ministry said.",
])
def test_surtaxes_and_export_restrictions_are_trade_policy(rules: RuleClassifier, story: str) -> None:
    verdict = rules.classify(Article("x", story, story))
    assert verdict.is_trade, verdict
