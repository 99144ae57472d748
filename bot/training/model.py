"""A trained trade-policy classifier, stored as plain JSON, and how the bot loads one.

The file holds words and numbers only (vocabulary, IDF and term weights, the weights of the
rule-evidence features, intercept, threshold, feature settings and the cross-validation
report), so loading a model can never execute code. `load_classifier(None)` is the shipped
rule classifier.

The intercept is shifted at training time so that the model's F1-best cut lies at score
0.5: a trained model and the rules share the same default threshold.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.analysis.classify.classifier import Classifier, RuleClassifier, reasons_for, summarise
from bot.domain import Article, TradeVerdict
from bot.training.features import RULE_FEATURES, TITLE_PREFIX, rule_features, terms, tfidf

FORMAT = "tradewatch-linear-model"
VERSION = 1
MAX_TERM_REASONS = 3


@dataclass(frozen=True, slots=True, eq=False)
class LinearModel:
    """Logistic regression over TF-IDF terms plus the rule classifier's evidence."""

    terms: tuple[str, ...]
    idf: tuple[float, ...]
    weights: tuple[float, ...]  # one per term
    rule_weights: tuple[float, ...]  # one per RULE_FEATURES entry
    intercept: float
    threshold: float = 0.5
    metrics: Mapping[str, Any] = field(default_factory=dict)
    vocabulary: Mapping[str, int] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "vocabulary", {t: i for i, t in enumerate(self.terms)})

    def score(self, words: list[str], rules: tuple[float, ...]) -> tuple[float, dict[int, float]]:
        """The calibrated score of a story, and each present term's contribution to it."""
        vector = tfidf(words, self.vocabulary, self.idf)
        contributions = {j: v * self.weights[j] for j, v in vector.items()}
        z = self.intercept + sum(contributions.values())
        z += sum(w * x for w, x in zip(self.rule_weights, rules, strict=True))
        return _sigmoid(z), contributions

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "version": VERSION,
            "features": {
                "terms": "lower-cased word unigrams and bigrams (\\b\\w\\w+\\b) of the body, "
                f"and of the headline prefixed {TITLE_PREFIX!r}",
                "weighting": "sublinear tf * idf, L2-normalised",
                "rule_features": list(RULE_FEATURES),
            },
            "threshold": self.threshold,
            "intercept": self.intercept,
            "rule_weights": list(self.rule_weights),
            "terms": list(self.terms),
            "idf": list(self.idf),
            "weights": list(self.weights),
            "metrics": dict(self.metrics),
        }

    @classmethod
    def from_json(cls, obj: Any) -> LinearModel:
        """Validate a decoded model file; `ValueError` says what is wrong."""
        if not isinstance(obj, dict) or obj.get("format") != FORMAT:
            raise ValueError(f'not a TradeWatch model (no "format": "{FORMAT}")')
        if obj.get("version") != VERSION:
            raise ValueError(f"model version {obj.get('version')!r}, this bot reads version {VERSION}")
        features = obj.get("features")
        if not isinstance(features, dict) or features.get("rule_features") != list(RULE_FEATURES):
            raise ValueError("the model was trained with different rule features; train it again")
        words = obj.get("terms")
        if not isinstance(words, list) or not all(isinstance(t, str) for t in words):
            raise ValueError('"terms" must be a list of strings')
        idf = _numbers(obj, "idf", len(words))
        weights = _numbers(obj, "weights", len(words))
        rule_weights = _numbers(obj, "rule_weights", len(RULE_FEATURES))
        intercept = _number(obj, "intercept")
        threshold = _number(obj, "threshold")
        if not 0.0 <= threshold <= 1.0:
            raise ValueError('"threshold" must be within [0, 1]')
        metrics = obj.get("metrics", {})
        return cls(
            terms=tuple(words),
            idf=idf,
            weights=weights,
            rule_weights=rule_weights,
            intercept=intercept,
            threshold=threshold,
            metrics=metrics if isinstance(metrics, dict) else {},
        )


def _number(obj: dict[str, Any], key: str) -> float:
    value = obj.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f'"{key}" must be a finite number')
    return float(value)


def _numbers(obj: dict[str, Any], key: str, length: int) -> tuple[float, ...]:
    values = obj.get(key)
    if not isinstance(values, list) or len(values) != length:
        raise ValueError(f'"{key}" must be a list of {length} numbers')
    if not all(isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) for v in values):
        raise ValueError(f'"{key}" must hold finite numbers only')
    return tuple(float(v) for v in values)


def _sigmoid(z: float) -> float:
    if z < -500:
        return 0.0
    return 1.0 / (1.0 + math.exp(-z))


class TrainedClassifier:
    """A `Classifier` that decides with a trained model.

    Tags and the reasons quoted from the text come from the rule classifier's reading of
    the story; the reasons add the terms that weighed most in the model's decision.
    """

    def __init__(self, model: LinearModel, threshold: float | None = None, rules: RuleClassifier | None = None) -> None:
        self.model = model
        self.threshold = model.threshold if threshold is None else threshold
        if not 0.0 <= self.threshold <= 1.0:
            raise ValueError(f"threshold must be within [0, 1], got {self.threshold}")
        self._rules = rules or RuleClassifier()

    def classify(self, article: Article) -> TradeVerdict:
        evidence = self._rules.read(article)
        summary = summarise(evidence)
        words = terms(article.title or "", article.body or "")
        score, contributions = self.model.score(words, rule_features(summary))
        score = round(score, 4)
        is_trade = score >= self.threshold
        ranked = sorted(contributions.items(), key=lambda item: item[1], reverse=is_trade)
        top = [self._display(j) for j, c in ranked[:MAX_TERM_REASONS] if (c > 0) == is_trade and c != 0]
        if is_trade:
            tags = tuple(name for name, _ in summary.tags)
            reasons = reasons_for(evidence)[:3]
            if top:
                reasons += ("model terms: " + ", ".join(f'"{t}"' for t in top),)
            return TradeVerdict(True, score, tags, reasons)
        reasons = (f"trained model score {score:.2f} < {self.threshold:.2f}",)
        if top:
            reasons += ("terms against: " + ", ".join(f'"{t}"' for t in top),)
        elif not evidence.positive():
            reasons += ("no trade-policy terms",)
        return TradeVerdict(False, score, (), reasons)

    def _display(self, column: int) -> str:
        term = self.model.terms[column]
        return "headline: " + term.removeprefix(TITLE_PREFIX) if term.startswith(TITLE_PREFIX) else term


def save_model(model: LinearModel, path: Path) -> None:
    """Write the model as JSON (creating the folder if needed)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(model.to_json(), ensure_ascii=False) + "\n", encoding="utf-8")


def read_model(path: Path) -> LinearModel:
    """Load a model file; `ValueError` naming the file when it is missing or malformed."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ValueError(f"model file {path} does not exist") from None
    except (OSError, UnicodeDecodeError) as e:
        raise ValueError(f"model file {path} cannot be read: {e}") from None
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as e:
        raise ValueError(f"model file {path} is not valid JSON ({e.msg}, line {e.lineno})") from None
    try:
        return LinearModel.from_json(obj)
    except ValueError as e:
        raise ValueError(f"model file {path} is malformed: {e}") from None


def load_classifier(path: Path | None, threshold: float | None = None) -> Classifier:
    """The classifier the bot should use: the rules when `path` is None, else the model.

    `threshold` overrides the default cut (0.5 for both; a trained model's score is
    shifted so that its best cut is 0.5).
    """
    if path is None:
        return RuleClassifier() if threshold is None else RuleClassifier(threshold)
    return TrainedClassifier(read_model(path), threshold=threshold)
