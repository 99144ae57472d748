"""What a trained model sees of a story: TF-IDF terms and the rule classifier's evidence.

Pure functions, shared by training (which hands `terms` to scikit-learn's
`TfidfVectorizer` as its analyzer) and by the loaded model (which applies the stored
vocabulary and IDF weights itself, the way the vectorizer does: sublinear term frequency,
IDF, L2 norm), so a model scores a story exactly as it was trained to.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from itertools import pairwise

from bot.analysis.classify.classifier import Summary
from bot.analysis.classify.taxonomy import TAG_NAMES

TOKEN = re.compile(r"\b\w\w+\b")
TITLE_PREFIX = "t:"  # headline terms are features of their own

RULE_FEATURES: tuple[str, ...] = (
    "rule:score",
    "rule:evidence",
    "rule:headline",
    "rule:text",
    "rule:headline_counter",
    "rule:counter",
    *(f"rule:tag:{name}" for name in TAG_NAMES),
)


def _grams(words: list[str], prefix: str = "") -> list[str]:
    return [prefix + w for w in words] + [f"{prefix}{a} {b}" for a, b in pairwise(words)]


def terms(title: str, body: str) -> list[str]:
    """Word unigrams and bigrams of the body, and of the headline (prefixed `t:`)."""
    return _grams(TOKEN.findall(title.lower()), TITLE_PREFIX) + _grams(TOKEN.findall(body.lower()))


def rule_features(summary: Summary) -> tuple[float, ...]:
    """The rule classifier's evidence as numbers of about unit size, in RULE_FEATURES order."""
    tags = dict(summary.tags)
    return (
        summary.score,
        summary.evidence / 8.0,
        min(summary.headline, 16.0) / 8.0,
        min(summary.text, 32.0) / 16.0,
        min(summary.headline_counter, 4.0),
        summary.counter / 12.0,
        *(min(tags.get(name, 0.0), 16.0) / 8.0 for name in TAG_NAMES),
    )


def tfidf(words: Sequence[str], vocabulary: Mapping[str, int], idf: Sequence[float]) -> dict[int, float]:
    """The sparse TF-IDF vector of a story's terms: {column: value}, L2-normalised."""
    counts = Counter(vocabulary[w] for w in words if w in vocabulary)
    vector = {j: (1.0 + math.log(n)) * idf[j] for j, n in counts.items()}
    norm = math.sqrt(sum(v * v for v in vector.values()))
    if norm > 0:
        vector = {j: v / norm for j, v in vector.items()}
    return vector
