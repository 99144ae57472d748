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


def test_tariffs_chart_csv_and_show_write_files(config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import asyncio
    from datetime import date

    from bot.domain import Analysis, Article, TariffChange, TradeVerdict
    from bot.store import fingerprint, open_store

    async def fill() -> str:
        store = open_store(None, tmp_path / "data")
        await store.migrate()
        try:
            art = Article("pipes", "US to tax steel pipes", "The US will tax Chinese steel pipes.", date(2025, 3, 6))
            change = TariffChange("US", "China", "=steel pipes", None, None, 25, None, "announced", "tax")
            await store.add_article(art, fingerprint(art.title, art.body))
            await store.save_analysis(Analysis(art, TradeVerdict(True, 0.9, ("tariffs",), ()), tariff_changes=(change,)))
            return (await store.ledger())[0].id
        finally:
            await store.close()

    measure = asyncio.run(fill())
    chart = tmp_path / "china.png"
    assert main(["tariffs", "china", "--chart", str(chart), "--config", str(config)]) == 0
    assert chart.read_bytes().startswith(b"\x89PNG\r\n\x1a\n") and f"written to {chart}" in capsys.readouterr().out
    table = tmp_path / "china.csv"
    assert main(["tariffs", "china", "--csv", str(table), "--config", str(config)]) == 0
    assert table.read_text().splitlines()[1].startswith(f"{measure},2025-03-06,announced,US,China,'=steel pipes")
    capsys.readouterr()
    assert main(["tariffs", "show", measure, "--config", str(config)]) == 0
    assert f"Measure {measure}: US → China" in capsys.readouterr().out
    assert main(["tariffs", "china", "chart", "--config", str(config)]) == 0
    assert "tariffs-china.png was not written: name a file with --chart FILE" in capsys.readouterr().out
    assert main(["tariffs", "--help"]) == 0
    assert "--chart FILE.png" in capsys.readouterr().out
