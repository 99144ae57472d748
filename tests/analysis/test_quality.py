"""Extraction quality on the dev sets, measured with the team's scorer (issue 2's and issue 11's targets).

Runs the real command line (`python -m bot analyze --format jsonl`) over the seed article
and the 21 training-split stories in ../shared/articles, and over the modern dev sets in
../shared/articles-modern (White House fact sheets and joint statements; Federal Register and
USTR notices), then ../shared/tools/score_extraction.py. Skips cleanly when ../shared is absent.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT

SEED = "000_93b695e3e3035885"


@pytest.fixture(scope="module")
def predictions(shared: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("quality") / "pred.jsonl"
    with out.open("w") as f:
        subprocess.run(
            [sys.executable, "-m", "bot", "analyze", "--format", "jsonl", "--no-progress",
             str(shared / "articles" / f"{SEED}.txt"), str(shared / "articles" / "reuters-dev.jsonl")],
            cwd=ROOT, stdout=f, check=True, timeout=300,
        )
    return out


@pytest.fixture(scope="module")
def scores(shared: Path, predictions: Path) -> dict[str, Any]:
    res = subprocess.run(
        [sys.executable, str(shared / "tools" / "score_extraction.py"), str(shared / "gold" / "dev"),
         str(predictions), "--json"],
        capture_output=True, text=True, check=True, timeout=120,
    )
    scores: dict[str, Any] = json.loads(res.stdout.strip().splitlines()[-1])
    return scores


def test_every_dev_article_is_analysed(scores: dict[str, Any]) -> None:
    assert scores["articles"] == 22 and scores["missing_predictions"] == 0


def test_people_f1(scores: dict[str, Any]) -> None:
    assert scores["people"]["f1"] >= 0.95, scores["people"]


def test_dates_f1(scores: dict[str, Any]) -> None:
    assert scores["dates"]["f1"] >= 0.90, scores["dates"]


def test_tariff_changes_f1_and_fields(scores: dict[str, Any]) -> None:
    assert scores["tariff_changes"]["f1"] >= 0.85, scores["tariff_changes"]
    for field, accuracy in scores["tariff_fields"].items():
        assert accuracy is not None and accuracy >= 0.90, (field, scores["tariff_fields"])


def _seed(predictions: Path) -> dict[str, Any]:
    for line in predictions.read_text().splitlines():
        d: dict[str, Any] = json.loads(line)
        if d["id"] == SEED:
            return d
    raise AssertionError("no prediction for the seed article")


def test_seed_article_exactly_right(predictions: Path, shared: Path) -> None:
    pred = _seed(predictions)
    gold = json.loads((shared / "gold" / "dev" / f"{SEED}.json").read_text())
    assert pred["trade_policy"]["is_trade"] is True
    assert sorted(p["name"] for p in pred["people"]) == sorted(p["name"] for p in gold["people"])
    assert sorted(d["date"] for d in pred["dates"]) == sorted(d["date"] for d in gold["dates"])
    got = sorted((t for t in pred["tariff_changes"] if t["new_rate_pct"] is not None or t["value_usd"]),
                 key=lambda t: t["value_usd"] or 0)
    want = sorted((t for t in gold["tariff_changes"] if not t["optional"]), key=lambda t: t["value_usd"] or 0)
    assert len(got) == len(want) == 2
    for g, w in zip(got, want, strict=True):
        for field in ("imposer", "target", "value_usd", "old_rate_pct", "new_rate_pct", "status"):
            assert g[field] == w[field], (field, g, w)
        assert g["effective"] in {w["effective"], w.get("effective_alt")}
        assert g["evidence"]


# --- the modern dev sets (issue 11): fact sheets, joint statements, Federal Register notices -----

MODERN_TARGET = 0.90
"""Modern dev: tariff changes F1 and every tariff field at least this (issue 11)."""
MODERN_DATES_TARGET = 0.95
MODERN_PEOPLE_F1 = 0.95


def _score_set(shared: Path, tmp: Path, articles: str, gold: str) -> dict[str, Any]:
    path = shared / "articles-modern" / articles
    if not path.is_file() or not (shared / "gold" / gold).is_dir():
        pytest.skip(f"{path} or its gold is not in ../shared")
    out = tmp / f"{gold}.jsonl"
    with out.open("w") as f:
        subprocess.run([sys.executable, "-m", "bot", "analyze", "--format", "jsonl", "--no-progress", str(path)],
                       cwd=ROOT, stdout=f, check=True, timeout=300)
    res = subprocess.run(
        [sys.executable, str(shared / "tools" / "score_extraction.py"), str(shared / "gold" / gold), str(out), "--json"],
        capture_output=True, text=True, check=True, timeout=120,
    )
    scores: dict[str, Any] = json.loads(res.stdout.strip().splitlines()[-1])
    return scores


@pytest.fixture(scope="module")
def modern(shared: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return _score_set(shared, tmp_path_factory.mktemp("modern"), "modern-dev.jsonl", "dev-modern")


@pytest.fixture(scope="module")
def federal(shared: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return _score_set(shared, tmp_path_factory.mktemp("federal"), "federal-dev.jsonl", "dev-federal")


def test_modern_tariff_changes_and_every_field(modern: dict[str, Any]) -> None:
    assert modern["missing_predictions"] == 0
    assert modern["tariff_changes"]["f1"] >= MODERN_TARGET, modern["tariff_changes"]
    for field, accuracy in modern["tariff_fields"].items():
        assert accuracy is not None and accuracy >= MODERN_TARGET, (field, modern["tariff_fields"])


def test_modern_dates(modern: dict[str, Any]) -> None:
    assert modern["dates"]["f1"] >= MODERN_DATES_TARGET, modern["dates"]


def test_federal_notices_do_not_fall_back(federal: dict[str, Any]) -> None:
    """No fixed target for the Federal Register and USTR notices; a floor under what they
    score today (tariff changes 0.91, dates 0.93) so a regression shows."""
    assert federal["tariff_changes"]["f1"] >= 0.85, federal["tariff_changes"]
    assert federal["dates"]["f1"] >= 0.90, federal["dates"]


def test_modern_dev_people_f1(modern: dict[str, Any]) -> None:
    assert modern["missing_predictions"] == 0
    assert modern["people"]["f1"] >= MODERN_PEOPLE_F1, modern["people"]
