"""`tradewatch analyze` as a user runs it: formats, stdin, bad input, exit status."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from bot.cli import main
from tests.conftest import EXAMPLES

STEEL = EXAMPLES / "2025-03-06-us-steel-tariffs.txt"
FOOTBALL = EXAMPLES / "2025-06-21-football.txt"


def test_text_card_for_a_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["analyze", "--no-progress", str(STEEL)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("■ The United States will raise tariffs")
    assert "Helen Marsh" in out and "Tariff changes" in out and "35%" in out


def test_jsonl_keeps_every_key_and_input_order(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["analyze", "--format", "jsonl", "--no-progress", str(FOOTBALL), str(STEEL)]) == 0
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [d["id"] for d in lines] == ["2025-06-21-football", "2025-03-06-us-steel-tariffs"]
    football, steel = lines
    assert football["trade_policy"]["is_trade"] is False
    assert football["people"] == [] and football["dates"] == [] and football["tariff_changes"] == []
    assert football["full"] is False
    assert steel["trade_policy"]["is_trade"] is True and steel["tariff_changes"]
    for key in ("value_usd", "old_rate_pct", "new_rate_pct", "effective", "status", "evidence"):
        assert key in steel["tariff_changes"][0]


def test_full_extracts_from_a_rejected_story(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["analyze", "--format", "json", "--full", "--no-progress", str(FOOTBALL)]) == 0
    (doc,) = json.loads(capsys.readouterr().out)
    assert doc["full"] is True
    assert any(p["name"] == "Jonas Pike" for p in doc["people"])


def test_stdin_jsonl_with_a_bad_line(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    stdin = io.StringIO('{"id": "s1", "title": "Duties", "body": "The EU imposed duties of 20% on bicycles from China.", '
                        '"published": "2025-01-02"}\n[1]\n')
    monkeypatch.setattr(sys, "stdin", stdin)
    assert main(["analyze", "--format", "jsonl", "-"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["id"] == "s1"
    assert "-:2: a JSON list, not an object" in captured.err


def test_nothing_analysable_is_a_failure(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\xff\xfe\x00")
    assert main(["analyze", str(bad), str(tmp_path / "missing.txt")]) == 1
    err = capsys.readouterr().err
    assert "bad.txt: binary file" in err and "missing.txt: no such file" in err
    assert "nothing could be analysed" in err


def test_a_broken_model_file_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    model = tmp_path / "m.json"
    model.write_text("{not json")
    assert main(["analyze", "--model", str(model), str(STEEL)]) == 2
    assert "m.json" in capsys.readouterr().err


def test_a_story_whose_analysis_fails_is_skipped_and_the_others_output(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from bot.analysis import pipeline

    real = pipeline.extract_people

    def meets_a_bug(prepared: object, doc: object) -> object:
        if "Ruritania" in prepared.text:  # type: ignore[attr-defined]
            raise IndexError("a bug met by this story")
        return real(prepared, doc)  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline, "extract_people", meets_a_bug)
    (tmp_path / "a.txt").write_text("Ruritania raised its tariff on steel to 25 percent.", encoding="utf-8")
    (tmp_path / "b.txt").write_text(STEEL.read_text("utf-8"), encoding="utf-8")
    assert main(["analyze", "--format", "jsonl", "--no-progress", str(tmp_path)]) == 0
    captured = capsys.readouterr()
    assert [json.loads(line)["id"] for line in captured.out.splitlines()] == ["b"]
    assert "a.txt: article 'a' could not be analysed (IndexError: a bug met by this story)" in captured.err
    assert "1 analysed, 1 skipped" in captured.err
