"""Extraction quality on the dev set, measured with the team's scorer (issue 2's targets).

Runs the real command line (`python -m bot analyze --format jsonl`) over the seed article
and the 21 training-split stories in ../shared/articles, then ../shared/tools/score_extraction.py.
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


# ---- the modern dev set (issue 11): US government fact sheets and joint statements, 2025-2026

MODERN_PEOPLE_F1 = 0.95


@pytest.fixture(scope="module")
def modern_scores(shared: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("quality-modern") / "pred.jsonl"
    with out.open("w") as f:
        subprocess.run(
            [sys.executable, "-m", "bot", "analyze", "--format", "jsonl", "--no-progress",
             str(shared / "articles-modern" / "modern-dev.jsonl")],
            cwd=ROOT, stdout=f, check=True, timeout=300,
        )
    res = subprocess.run(
        [sys.executable, str(shared / "tools" / "score_extraction.py"), str(shared / "gold" / "dev-modern"),
         str(out), "--json"],
        capture_output=True, text=True, check=True, timeout=120,
    )
    scores: dict[str, Any] = json.loads(res.stdout.strip().splitlines()[-1])
    return scores


def test_modern_dev_people_f1(modern_scores: dict[str, Any]) -> None:
    assert modern_scores["missing_predictions"] == 0
    assert modern_scores["people"]["f1"] >= MODERN_PEOPLE_F1, modern_scores["people"]
