"""Near-duplicate stories: rewrites and syndicated copies of one report (pure).

A story is sketched once (`sketch`): the word 3-shingles of its headline and body
(lower-cased words, digits kept, punctuation dropped) go into a MinHash of `PERMUTATIONS`
permutations (the maintained `datasketch` library), kept with the number of shingles. Two
sketches estimate the Jaccard similarity J of the two shingle sets; with the set sizes that
gives the shared shingles, and `containment` is that over the SMALLER set: a copy that cut
or added paragraphs still shares most of the shorter version, where Jaccard alone would
drop. `same_event` says yes at `THRESHOLD` or more, for stories of at least `MIN_SHINGLES`
shingles (a two-line brief shares too few words to tell a copy from a cousin).

Measured (`benchmarks/bench_near_duplicates.py`, README "Measured"): copies with a
rewritten lead, a changed headline, cut or added paragraphs and wire boilerplate against
different stories of the same topic and country.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
from datasketch import MinHash

from bot.domain import TariffChange

PERMUTATIONS = 128
SHINGLE = 3
THRESHOLD = 0.45
"""Containment at or above which two stories are one event (see the benchmark)."""
MIN_SHINGLES = 12
SEED = 14
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_FIGURE = re.compile(r"\d+(?:[.,]\d+)*")
MIN_FIGURES = 3
FIGURES_AGREE = 0.5
"""Stories that both give `MIN_FIGURES` numbers or more must share this share of the smaller
set: a weekly report written from one template (money supply, slaughter estimates) shares
its wording with last week's, not its figures."""


@dataclass(frozen=True, slots=True)
class Sketch:
    """A story's MinHash signature and how many distinct shingles it had."""

    hashvalues: bytes
    shingles: int
    figures: tuple[str, ...] = ()
    """The distinct numbers the story gives ("25", "34", "2019"), sorted."""

    def values(self) -> np.ndarray[tuple[int], np.dtype[np.uint64]]:
        return np.frombuffer(self.hashvalues, dtype=np.uint64)


def shingles(text: str, size: int = SHINGLE) -> set[str]:
    words = [w.lower() for w in _WORD.findall(text)]
    if len(words) < size:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i : i + size]) for i in range(len(words) - size + 1)}


@cache
def _permutations() -> tuple[Any, Any]:
    """The permutations of the seed, drawn once (datasketch draws them for every MinHash)."""
    return MinHash(num_perm=PERMUTATIONS, seed=SEED).permutations  # type: ignore[no-any-return]


def sketch(title: str, body: str) -> Sketch:
    found = shingles(f"{title}\n{body}")
    m = MinHash(num_perm=PERMUTATIONS, seed=SEED, permutations=_permutations(), scheme="affine32")
    m.update_batch([s.encode("utf-8") for s in found])
    figures = sorted({f.replace(",", "") for f in _FIGURE.findall(f"{title}\n{body}")})
    return Sketch(np.asarray(m.hashvalues, dtype=np.uint64).tobytes(), len(found), tuple(figures))


def figures_agree(a: Sketch, b: Sketch) -> bool:
    if min(len(a.figures), len(b.figures)) < MIN_FIGURES:
        return True
    shared = len(set(a.figures) & set(b.figures))
    return shared / min(len(a.figures), len(b.figures)) >= FIGURES_AGREE


def containment(a: Sketch, b: Sketch) -> float:
    """The estimated share of the smaller story's shingles that the other one has too."""
    if a.shingles == 0 or b.shingles == 0:
        return 0.0
    va, vb = a.values(), b.values()
    if len(va) != len(vb) or not len(va):
        return 0.0
    j = np.count_nonzero(va == vb) / len(va)  # MinHash.jaccard, without rebuilding the objects
    shared = j * (a.shingles + b.shingles) / (1.0 + j)
    return min(1.0, shared / min(a.shingles, b.shingles))


def same_event(a: Sketch, b: Sketch, threshold: float = THRESHOLD) -> bool:
    """True when one story is a copy or rewrite of the other (see the module's doc)."""
    if min(a.shingles, b.shingles) < MIN_SHINGLES:
        return False
    return containment(a, b) >= threshold and figures_agree(a, b)


def best_match(new: Sketch, known: dict[str, Sketch], threshold: float = THRESHOLD) -> str | None:
    """The known story (by id) the new one is a copy of, the most similar; None if none."""
    best: tuple[float, str] | None = None
    for story_id, other in known.items():
        if not same_event(new, other, threshold):
            continue
        score = containment(new, other)
        if best is None or score > best[0] or (score == best[0] and story_id < best[1]):
            best = (score, story_id)
    return None if best is None else best[1]


_PRODUCT_WORDS = re.compile(r"[a-z]{3,}")
_NOT_A_PRODUCT = frozenset({"and", "the", "other", "products", "goods", "imports", "exports", "from", "certain"})


def _product_words(products: str | None) -> frozenset[str]:
    return frozenset(_PRODUCT_WORDS.findall((products or "").lower())) - _NOT_A_PRODUCT


def _same_measure(a: TariffChange, b: TariffChange) -> bool:
    """The two changes could be one measure: the same parties, and products that share a word
    (or one of them names none)."""
    if (a.imposer or "").lower() != (b.imposer or "").lower() or (a.target or "").lower() != (b.target or "").lower():
        return False
    wa, wb = _product_words(a.products), _product_words(b.products)
    return not wa or not wb or bool(wa & wb)


def measures_differ(a: Sequence[TariffChange], b: Sequence[TariffChange]) -> bool:
    """True when both stories report tariff changes and none of one's could be one of the
    other's: templated notices ("duty on bicycles ... 13 percent", "duty on cheese ... 14
    percent") share most of their words and are still two events. A copy of a report reads
    as the same measures, so this never splits one."""
    return bool(a) and bool(b) and not any(_same_measure(x, y) for x in a for y in b)
