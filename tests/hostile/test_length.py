"""Very long stories (issue 12, point 3): a story over spaCy's 1,000,000-character limit is
analysed (up to the documented cap, read in parts) without stopping the batch, and its card
says how much of it was analysed. Timings are in benchmarks/bench_length.py, not here."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.analysis.pipeline import Analyzer
from bot.analysis.text import ANALYSED_CHARS
from bot.domain import Article
from bot.render.card import render_card
from bot.training.model import load_classifier
from tests.conftest import EXAMPLES

pytestmark = pytest.mark.slow

PARAGRAPH = ("GENEVA, May {d} - Freedonia raised its duty on imported tractors to {p} percent from "
             "{q} percent on Monday, trade minister Ilse Varga said, and Sylvania said it would "
             "answer with a levy of its own on Freedonian cheese worth {n} million dollars a year.")


def long_story(chars: int) -> str:
    paragraphs, total, i = [], 0, 0
    while total < chars:
        text = PARAGRAPH.format(d=1 + i % 28, p=10 + i % 30, q=5 + i % 5, n=100 + i)
        paragraphs.append(text)
        total += len(text) + 2
        i += 1
    return "\n\n".join(paragraphs)


def test_a_story_over_a_million_characters_is_analysed_with_a_note_on_its_card() -> None:
    body = long_story(1_200_000)
    assert len(body) > 1_000_000
    analysis = Analyzer(load_classifier(None)).analyze(Article("huge", "Tractor duty raised", body))
    assert analysis.trade_policy.is_trade and analysis.full
    assert [p.name for p in analysis.people] == ["Ilse Varga"]
    assert analysis.tariff_changes
    card = render_card(analysis)
    analysed = int(card.split("analysed the first ")[1].split(" of ")[0].replace(",", ""))
    assert 0.9 * ANALYSED_CHARS < analysed <= ANALYSED_CHARS
    assert f"of {len(body):,} characters" in card


def test_analyze_goes_on_past_a_huge_story(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from bot.cli import main

    (tmp_path / "a-huge.txt").write_text(long_story(1_100_000), encoding="utf-8")
    (tmp_path / "steel.txt").write_text((EXAMPLES / "2025-03-06-us-steel-tariffs.txt").read_text("utf-8"),
                                        encoding="utf-8")
    assert main(["analyze", "--no-progress", "--format", "jsonl", str(tmp_path)]) == 0
    ids = [json.loads(line)["id"] for line in capsys.readouterr().out.splitlines()]
    assert ids == ["a-huge", "steel"]
