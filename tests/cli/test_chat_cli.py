"""The chat commands from the command line, against a real SQLite store."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main


@pytest.fixture
def config(tmp_path: Path) -> Path:
    f = tmp_path / "tw.toml"
    f.write_text(f'[store]\ndata_dir = "{tmp_path / "data"}"\n')
    return f


def test_subscribe_then_list_then_unsubscribe(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["subscribe", "tags:tariffs,disputes", "countries:china", "--config", str(config)]) == 0
    assert "tags: tariffs, disputes" in capsys.readouterr().out
    assert main(["subscriptions", "--config", str(config)]) == 0
    out = capsys.readouterr().out
    assert "console:default" in out and "countries: China" in out
    assert main(["unsubscribe", "--config", str(config), "--channel", "console:other"]) == 0
    assert "had no subscription" in capsys.readouterr().out


def test_errors_go_to_stderr_with_a_failing_status(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tariffs", "--since", "someday", "--config", str(config)]) == 1
    captured = capsys.readouterr()
    assert "--since needs a date" in captured.err and captured.out == ""


def test_empty_ledger_and_unknown_article(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tariffs", "china", "--config", str(config)]) == 0
    assert "No tariff changes recorded" in capsys.readouterr().out
    assert main(["why", "no-such-article", "--config", str(config)]) == 1
    assert "No article 'no-such-article'" in capsys.readouterr().err


def test_summary_of_a_url_goes_through_the_safe_fetch(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["summary", "http://127.0.0.1:9/news/steel", "--config", str(config)]) == 1
    err = capsys.readouterr().err
    assert "I will not fetch that" in err and "allow_private_addresses" in err
