"""Fitting and cross-validating a trade-policy model (scikit-learn does the fitting).

Features: TF-IDF over word unigrams and bigrams of body and headline, plus the rule
classifier's evidence (its score, evidence strengths and per-tag strengths). Model:
L2-regularised logistic regression. The decision cut is chosen to maximise F1, and chosen
honestly: in each cross-validation fold it comes from an inner cross-validation on that
fold's training part only, so the reported precision, recall and F1 are what the method
gives on stories it has not seen.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import csr_matrix, hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from bot.analysis.classify.classifier import RuleClassifier, summarise
from bot.training.data import LabelledStory
from bot.training.features import RULE_FEATURES, rule_features, terms
from bot.training.model import LinearModel

Tick = Callable[[], None]


@dataclass(frozen=True, slots=True)
class Settings:
    c: float = 3.0  # inverse regularisation strength of the logistic regression
    min_df: int = 2  # a term must occur in this many training stories
    max_terms: int = 40_000  # the most frequent terms kept
    inner_folds: int = 3  # folds of the inner cross-validation that picks the cut


@dataclass(frozen=True, slots=True)
class Scores:
    tp: int
    fp: int
    fn: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        return 2 * self.tp / (2 * self.tp + self.fp + self.fn) if self.tp else 0.0

    def to_json(self) -> dict[str, float | int]:
        return {"precision": round(self.precision, 4), "recall": round(self.recall, 4),
                "f1": round(self.f1, 4), "tp": self.tp, "fp": self.fp, "fn": self.fn}  # fmt: skip


@dataclass(frozen=True, slots=True)
class FoldReport:
    fold: int
    stories: int
    positives: int
    cut: float
    scores: Scores


@dataclass(frozen=True, slots=True)
class CVReport:
    """k-fold cross-validation: per fold, and pooled over all folds' predictions."""

    folds: tuple[FoldReport, ...]
    overall: Scores
    stories: int
    positives: int
    seed: int

    def to_json(self) -> dict[str, Any]:
        return {
            "cross_validation": {"folds": len(self.folds), "seed": self.seed,
                                 "stories": self.stories, "positives": self.positives,
                                 **self.overall.to_json()},
            "per_fold": [{"fold": f.fold, "stories": f.stories, "cut": round(f.cut, 4),
                          **f.scores.to_json()} for f in self.folds],
        }  # fmt: skip


@dataclass(frozen=True, slots=True, eq=False)
class Dataset:
    """Stories turned into what the learner needs: terms, rule features, labels."""

    words: list[list[str]]
    rules: NDArray[np.float64]
    labels: NDArray[np.bool_]


def featurize(stories: Sequence[LabelledStory], rules: RuleClassifier | None = None, tick: Tick | None = None) -> Dataset:
    reader = rules or RuleClassifier()
    words: list[list[str]] = []
    rows: list[tuple[float, ...]] = []
    for story in stories:
        article = story.article
        words.append(terms(article.title or "", article.body or ""))
        rows.append(rule_features(summarise(reader.read(article))))
        if tick:
            tick()
    matrix = np.array(rows, dtype=np.float64).reshape(len(rows), len(RULE_FEATURES))
    return Dataset(words, matrix, np.array([s.is_trade for s in stories], dtype=np.bool_))


def _identity(words: list[str]) -> list[str]:
    return words


def _vectorizer(settings: Settings) -> TfidfVectorizer:
    return TfidfVectorizer(analyzer=_identity, sublinear_tf=True, min_df=settings.min_df,
                           max_features=settings.max_terms)  # fmt: skip


def _matrix(vectorizer: TfidfVectorizer, data: Dataset, rows: NDArray[np.intp], fit: bool) -> Any:
    docs = [data.words[i] for i in rows]
    text = vectorizer.fit_transform(docs) if fit else vectorizer.transform(docs)
    return hstack([text, csr_matrix(data.rules[rows])]).tocsr()


def _learner(settings: Settings, seed: int) -> LogisticRegression:
    return LogisticRegression(C=settings.c, solver="liblinear", max_iter=1000, random_state=seed)


def best_cut(probabilities: NDArray[np.float64], labels: NDArray[np.bool_]) -> float:
    """The probability cut that maximises F1 (midway between neighbouring scores)."""
    if not labels.any():
        return 0.5
    order = np.argsort(-probabilities, kind="stable")
    p = probabilities[order]
    tp = np.cumsum(labels[order])
    fp = np.cumsum(~labels[order])
    f1 = 2 * tp / (tp + fp + labels.sum())
    k = int(np.argmax(f1))
    below = p[k + 1] if k + 1 < len(p) else 0.0
    return float((p[k] + below) / 2)


def _inner_cut(x: Any, labels: NDArray[np.bool_], settings: Settings, seed: int, tick: Tick | None) -> float:
    k = min(settings.inner_folds, int(labels.sum()), int((~labels).sum()))
    if k < 2:
        return 0.5
    scores = np.zeros(len(labels))
    for train, test in StratifiedKFold(k, shuffle=True, random_state=seed).split(scores, labels):
        model = _learner(settings, seed).fit(x[train], labels[train])
        scores[test] = model.predict_proba(x[test])[:, 1]
        if tick:
            tick()
    return best_cut(scores, labels)


def steps(folds: int, settings: Settings) -> int:
    """How many model fits `cross_validate` + the final fit make (for a progress bar)."""
    return folds * (settings.inner_folds + 1) + 1


def cross_validate(data: Dataset, folds: int = 5, seed: int = 0, settings: Settings | None = None,
                   tick: Tick | None = None) -> tuple[CVReport, NDArray[np.float64]]:  # fmt: skip
    """k-fold cross-validation; also returns each story's out-of-fold probability."""
    settings = settings or Settings()
    labels = data.labels
    if folds < 2:
        raise ValueError("cross-validation needs at least 2 folds")
    if min(int(labels.sum()), int((~labels).sum())) < folds:
        raise ValueError(f"{folds}-fold cross-validation needs at least {folds} trade and "
                         f"{folds} other stories; there are {int(labels.sum())} and {int((~labels).sum())}")  # fmt: skip
    probabilities = np.zeros(len(labels))
    reports: list[FoldReport] = []
    splitter = StratifiedKFold(folds, shuffle=True, random_state=seed)
    for number, (train, test) in enumerate(splitter.split(probabilities, labels), start=1):
        vectorizer = _vectorizer(settings)
        x_train = _matrix(vectorizer, data, train, fit=True)
        cut = _inner_cut(x_train, labels[train], settings, seed, tick)
        model = _learner(settings, seed).fit(x_train, labels[train])
        probabilities[test] = model.predict_proba(_matrix(vectorizer, data, test, fit=False))[:, 1]
        reports.append(FoldReport(number, len(test), int(labels[test].sum()), cut,
                                  _scores(probabilities[test] >= cut, labels[test])))  # fmt: skip
        if tick:
            tick()
    overall = Scores(sum(r.scores.tp for r in reports), sum(r.scores.fp for r in reports),
                     sum(r.scores.fn for r in reports))  # fmt: skip
    return CVReport(tuple(reports), overall, len(labels), int(labels.sum()), seed), probabilities


def _scores(predicted: NDArray[np.bool_], labels: NDArray[np.bool_]) -> Scores:
    return Scores(int((predicted & labels).sum()), int((predicted & ~labels).sum()),
                  int((~predicted & labels).sum()))  # fmt: skip


def fit(data: Dataset, cut: float, seed: int = 0, settings: Settings | None = None,
        metrics: dict[str, Any] | None = None) -> LinearModel:  # fmt: skip
    """The final model on all stories, its score shifted so that `cut` becomes 0.5."""
    settings = settings or Settings()
    vectorizer = _vectorizer(settings)
    everything = np.arange(len(data.labels))
    learner = _learner(settings, seed).fit(_matrix(vectorizer, data, everything, fit=True), data.labels)
    vocabulary: dict[str, int] = vectorizer.vocabulary_
    words = sorted(vocabulary, key=vocabulary.__getitem__)
    coef = [float(w) for w in learner.coef_[0]]
    cut = min(max(cut, 1e-6), 1 - 1e-6)
    return LinearModel(
        terms=tuple(words),
        idf=tuple(float(v) for v in vectorizer.idf_),
        weights=tuple(coef[: len(words)]),
        rule_weights=tuple(coef[len(words) :]),
        intercept=float(learner.intercept_[0]) - math.log(cut / (1 - cut)),
        threshold=0.5,
        metrics={**(metrics or {}), "cut": round(cut, 4), "settings": {
            "c": settings.c, "min_df": settings.min_df, "max_terms": settings.max_terms,
            "inner_folds": settings.inner_folds}},
    )  # fmt: skip


def train(stories: Sequence[LabelledStory], folds: int = 5, seed: int = 0, settings: Settings | None = None,
          tick: Tick | None = None) -> tuple[LinearModel, CVReport]:  # fmt: skip
    """Cross-validate, then fit the final model with the cut the cross-validation found."""
    settings = settings or Settings()
    data = featurize(stories)
    report, probabilities = cross_validate(data, folds, seed, settings, tick)
    model = fit(data, best_cut(probabilities, data.labels), seed, settings, report.to_json())
    if tick:
        tick()
    return model, report
