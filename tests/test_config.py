"""Configuration: the documented files load, and mistakes are named clearly."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, Settings, load_settings
from tests.conftest import ROOT


def test_default_toml_spells_out_the_builtin_defaults() -> None:
    assert load_settings(ROOT / "config" / "default.toml") == Settings()


def test_example_toml_is_valid() -> None:
    s = load_settings(ROOT / "config" / "example.toml")
    assert any(sub.tariff_changes_only for sub in s.subscriptions)


@pytest.mark.parametrize(("text", "words"), [
    ("[analysis]\nthreshold = 2\n", "analysis.threshold"),
    ("[[subscriptions]]\nchannel = 'console:x'\ntags = ['nonsense']\n", "unknown tag(s) nonsense"),
    ("[store]\nbogus = 1\n", "store.bogus"),
    ("database_url = 'postgresql://u:secret@h/db'\n", "secret"),
    ("[analysis\n", "not valid TOML"),
    ("[ops]\nport = 70000\n", "ops.port"),
    ("[ops]\ninstance_id = 'two words'\n", "ops.instance_id"),
    ("[ops]\nlog_format = 'xml'\n", "ops.log_format"),
])
def test_mistakes_name_the_file_and_setting(tmp_path: Path, text: str, words: str) -> None:
    f = tmp_path / "bad.toml"
    f.write_text(text)
    with pytest.raises(ConfigError) as e:
        load_settings(f)
    assert str(f) in str(e.value) and words in str(e.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such configuration file"):
        load_settings(tmp_path / "nope.toml")


def test_database_url_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRADEWATCH_DATABASE_URL", "postgresql://tw@db/tradewatch")
    assert load_settings(None).database_url == "postgresql://tw@db/tradewatch"


def test_deploy_toml_is_valid_and_serves_the_ops_port() -> None:
    s = load_settings(ROOT / "deploy" / "tradewatch.toml")
    assert s.ops.enabled and s.ops.port == 9090 and s.ops.log_format == "json"


def test_subscriptions_take_reminders_digests_and_zones(tmp_path: Path) -> None:
    f = tmp_path / "c.toml"
    f.write_text("[[subscriptions]]\nchannel = 'console:d'\nremind = '3d'\ndigest = 'weekly@mon 08:00'\n"
                 "tz = 'europe/brussels'\n")
    [sub] = load_settings(f).subscriptions
    assert (sub.remind, sub.digest, sub.tz) == (3 * 86400, "weekly@mon@08:00", "Europe/Brussels")
    f.write_text("[[subscriptions]]\nchannel = 'console:d'\ntz = 'Europe/Brusels'\n")
    with pytest.raises(ConfigError, match="did you mean Europe/Brussels"):
        load_settings(f)
