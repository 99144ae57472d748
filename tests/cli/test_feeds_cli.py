"""`tradewatch feeds add|list|remove` through the real command line, on a store in a
temporary folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import build_parser, main
from bot.cli.feeds import command_line

URL = "https://desk.example/trade.xml"


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "tradewatch.toml"
    path.write_text(f'[store]\ndata_dir = "{(tmp_path / "data").as_posix()}"\n\n[feeds]\nmin_every = "5m"\n')
    return path


def test_the_command_line_stands_for_the_chat_command() -> None:
    argv = ["feeds", "add", URL, "--every", "15m", "--backfill"]
    parser, module = build_parser(argv)
    assert module is not None
    assert command_line(parser.parse_args(argv)) == f"feeds add {URL} --every 15m --backfill"
    assert command_line(parser.parse_args(["feeds"])) == "feeds list"


def test_add_list_remove(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["feeds", "add", URL, "--every", "15m", "--config", str(config)]) == 0
    out = capsys.readouterr().out
    assert "Feed added" in out and "every 15 min" in out and "without alerting" in out

    assert main(["feeds", "--config", str(config), "list"]) == 0
    out = capsys.readouterr().out
    for column in ("feed", "interval", "state", "last success", "last error", "next poll"):
        assert column in out
    assert URL in out and "never" in out

    assert main(["feeds", "remove", URL, "--config", str(config)]) == 0
    assert "Feed removed" in capsys.readouterr().out
    assert main(["feeds", "list", "--config", str(config)]) == 0
    assert "No feeds yet" in capsys.readouterr().out


def test_mistakes_are_reported_with_a_failing_status(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["feeds", "add", URL, "--every", "1m", "--config", str(config)]) == 1
    assert "at least 5 min" in capsys.readouterr().err
    assert main(["feeds", "add", "ftp://desk.example/f", "--config", str(config)]) == 1
    assert "http:// or https://" in capsys.readouterr().err
    assert main(["feeds", "remove", URL, "--config", str(config)]) == 1
    assert "No feed" in capsys.readouterr().err
    assert main(["feeds", "list", "--config", str(config.with_name("missing.toml"))]) == 2
    assert "no such configuration file" in capsys.readouterr().err


def test_summary_of_a_loopback_url_is_refused_by_default(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["summary", "http://127.0.0.1:9/news/story", "--config", str(config)]) == 1
    err = capsys.readouterr().err
    assert "will not fetch" in err and "loopback" in err and "allow_private_addresses" in err
