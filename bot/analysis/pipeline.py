"""The analysis engine: one article in, one `Analysis` out.

The cheap decision runs on everything; the expensive language work (spaCy) only on what
the trade-policy check accepts, or on everything with `full=True` (on-demand analysis of
one article is always full). Every step is a pure function of the article; the spaCy
pipeline is loaded once, on first need, by the `Analyzer` that owns it.

Length: a story is analysed up to `ANALYSED_CHARS` (its card says when it was cut), and
the language work reads it in parts of about `PART_CHARS`, each parsed, extracted and
dropped before the next, so cost grows linearly with length and memory stays bounded.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from itertools import islice
from typing import Any

from bot.analysis.classify.classifier import Classifier
from bot.analysis.dates.extract import extract_dates
from bot.analysis.events import name_events
from bot.analysis.nlp import load_nlp
from bot.analysis.people.extract import extract_people
from bot.analysis.summary.extract import summarize
from bot.analysis.tariffs.extract import extract_tariffs
from bot.analysis.text import Prepared, analysed_body, parts, prepare
from bot.domain import Analysis, Article, DateMention, Person, TariffChange, TradeVerdict

BATCH = 64
PIPE_CHARS = 50_000
"""The model parses at most about this many characters (or `BATCH` stories) at a time."""

Found = tuple[tuple[Person, ...], tuple[DateMention, ...], tuple[TariffChange, ...]]
"""The people, dates and tariff changes found in a story or a part of it."""


def extract(article: Article, verdict: TradeVerdict, prepared: Prepared, doc: Any) -> Analysis:
    """The full analysis of a parsed article: people, dates, tariff changes, summary."""
    return _full(article, verdict, prepared, [_extract_part(prepared, doc)])


def _extract_part(prepared: Prepared, doc: Any) -> Found:
    """People, dates and tariff changes of one parsed part of a story."""
    tariffs = extract_tariffs(prepared, doc)
    return extract_people(prepared, doc), extract_dates(prepared, doc), tariffs


def _full(article: Article, verdict: TradeVerdict, prepared: Prepared, found: list[Found]) -> Analysis:
    """The analysis from what the parts of a story gave (a short story is one part, taken as
    it is), in story order, each fact once."""
    people, dates, tariffs = found[0] if len(found) == 1 else merge_parts(found)
    return Analysis(
        article=article,
        trade_policy=verdict,
        people=people,
        dates=name_events(dates, tariffs),
        tariff_changes=tariffs,
        summary=summarize(article.title, prepared),
        full=True,
    )


def merge_parts(found: Iterable[Found]) -> Found:
    """What several parts of one story gave, as one: in story order, each fact once."""
    found = list(found)
    return (merge_people(p for f in found for p in f[0]),
            tuple(dict.fromkeys(d for f in found for d in f[1])),
            tuple(dict.fromkeys(t for f in found for t in f[2])))


def merge_people(people: Iterable[Person]) -> tuple[Person, ...]:
    """People found in several parts of a story, once each, in order of first mention: a
    name seen again fills in a role or country the first mention lacked, and a lone surname
    of someone already named in full ("Alvarez" after "Maria Alvarez") is that person."""
    merged: dict[str, Person] = {}
    for p in people:
        first = merged.get(p.name)
        if first is None:
            if " " not in p.name and any(n.endswith(" " + p.name) for n in merged):
                continue
            merged[p.name] = p
        elif first.role is None or first.country is None:
            merged[p.name] = Person(p.name, first.role or p.role, first.country or p.country)
    return tuple(merged.values())


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

    def analyze_many(self, articles: Iterable[Article], *, full: bool = False,
                     on_error: Callable[[Article, Exception], None] | None = None) -> Iterator[Analysis]:
        """Many articles, in input order; spaCy parses the accepted ones in batches.

        With `on_error`, an article whose analysis fails (a bug met by that input) is handed
        to it and left out, and the others are analysed; without, the error is raised."""
        it = iter(articles)
        while batch := list(islice(it, BATCH)):
            if on_error is None:
                yield from self._batch(batch, full=full)
                continue
            try:
                done = self._batch(batch, full=full)
            except Exception:  # find the article that failed: each alone
                for article in batch:
                    try:
                        yield from self._batch([article], full=full)
                    except Exception as e:
                        on_error(article, e)
            else:
                yield from done

    def _batch(self, batch: list[Article], *, full: bool) -> list[Analysis]:
        work = [_head(a) for a in batch]
        verdicts = [self._classifier.classify(w) for w in work]
        prepared = [prepare(w.body, w.published) for w in work]
        deep = [i for i, v in enumerate(verdicts) if full or v.is_trade]
        pieces = [(i, part) for i in deep for part in parts(prepared[i])]
        found: dict[int, list[Found]] = {i: [] for i in deep}
        for group in _by_length(pieces):
            # the model parses a few parts at a time and each Doc is dropped once read, so
            # memory stays that of a few parts however long the story
            docs = self.nlp.pipe([part.text for _, part in group], batch_size=len(group))
            for (i, part), doc in zip(group, docs, strict=True):
                found[i].append(_extract_part(part, doc))
        return [
            _full(a, v, p, found[i]) if i in found else shallow(a, v, p)
            for i, (a, v, p) in enumerate(zip(batch, verdicts, prepared, strict=True))
        ]


def _by_length(pieces: list[tuple[int, Prepared]]) -> Iterator[list[tuple[int, Prepared]]]:
    """The parts in consecutive groups of at most `BATCH` parts and about `PIPE_CHARS`."""
    group: list[tuple[int, Prepared]] = []
    chars = 0
    for piece in pieces:
        if group and (len(group) == BATCH or chars + len(piece[1].text) > PIPE_CHARS):
            yield group
            group, chars = [], 0
        group.append(piece)
        chars += len(piece[1].text)
    if group:
        yield group


def _head(article: Article) -> Article:
    """The article with the body cut to what is analysed (itself when it is not too long)."""
    body = analysed_body(article.body)
    return article if body is article.body else replace(article, body=body)
