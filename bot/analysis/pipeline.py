"""The analysis engine: one article in, one `Analysis` out.

The cheap decision runs on everything; the expensive language work (spaCy) only on what
the trade-policy check accepts, or on everything with `full=True` (on-demand analysis of
one article is always full). Every step is a pure function of the article; the spaCy
pipeline is loaded once, on first need, by the `Analyzer` that owns it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import Any

from bot.analysis.classifier import Classifier
from bot.analysis.dates import extract_dates
from bot.analysis.events import name_events
from bot.analysis.nlp import load_nlp
from bot.analysis.people import extract_people
from bot.analysis.summary import summarize
from bot.analysis.tariffs import extract_tariffs
from bot.analysis.text import Prepared, prepare
from bot.domain import Analysis, Article, TradeVerdict

BATCH = 64


def extract(article: Article, verdict: TradeVerdict, prepared: Prepared, doc: Any) -> Analysis:
    """The full analysis of a parsed article: people, dates, tariff changes, summary."""
    tariffs = extract_tariffs(prepared, doc)
    return Analysis(
        article=article,
        trade_policy=verdict,
        people=extract_people(prepared, doc),
        dates=name_events(extract_dates(prepared, doc), tariffs),
        tariff_changes=tariffs,
        summary=summarize(article.title, prepared),
        full=True,
    )


def shallow(article: Article, verdict: TradeVerdict, prepared: Prepared) -> Analysis:
    """The analysis of a story the check rejected: the verdict and a summary, empty lists."""
    return Analysis(
        article=article,
        trade_policy=verdict,
        summary=summarize(article.title, prepared),
        full=False,
    )


class Analyzer:
    """Classifies every article and extracts from those that deserve it."""

    def __init__(self, classifier: Classifier, nlp_factory: Callable[[], Any] = load_nlp) -> None:
        self._classifier = classifier
        self._nlp_factory = nlp_factory
        self._nlp: Any = None

    @property
    def nlp(self) -> Any:
        if self._nlp is None:
            self._nlp = self._nlp_factory()
        return self._nlp

    def classify(self, article: Article) -> TradeVerdict:
        return self._classifier.classify(article)

    def analyze(self, article: Article, *, full: bool = True) -> Analysis:
        """One article; full by default (on-demand analysis is always full)."""
        return next(self.analyze_many([article], full=full))

    def analyze_many(self, articles: Iterable[Article], *, full: bool = False) -> Iterator[Analysis]:
        """Many articles, in input order; spaCy parses the accepted ones in batches."""
        it = iter(articles)
        while batch := list(islice(it, BATCH)):
            yield from self._batch(batch, full=full)

    def _batch(self, batch: list[Article], *, full: bool) -> list[Analysis]:
        verdicts = [self._classifier.classify(a) for a in batch]
        prepared = [prepare(a.body, a.published) for a in batch]
        deep = [i for i, v in enumerate(verdicts) if full or v.is_trade]
        docs: dict[int, Any] = {}
        if deep:
            parsed = self.nlp.pipe([prepared[i].text for i in deep], batch_size=BATCH)
            docs = dict(zip(deep, parsed, strict=True))
        return [
            extract(a, v, p, docs[i]) if i in docs else shallow(a, v, p)
            for i, (a, v, p) in enumerate(zip(batch, verdicts, prepared, strict=True))
        ]
