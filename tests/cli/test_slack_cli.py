"""`tradewatch slack manifest`: the app manifest a workspace admin pastes into Slack."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from bot.chat.slack_app import SLASH_COMMANDS
from bot.cli import main
from bot.cli.slack import ManifestError, fill, request_url
from bot.config import load_settings
from tests.conftest import ROOT

TEMPLATE = ROOT / "config" / "slack-manifest.yaml"


def read_yaml(text: str) -> Any:
    """The small YAML the manifest uses (block mappings and lists, quoted or plain scalars,
    comments): enough to check its structure without a YAML library."""
    lines = [(len(raw) - len(raw.lstrip(" ")), raw.strip()) for raw in text.splitlines()
             if raw.strip() and not raw.strip().startswith("#")]

    def scalar(v: str) -> Any:
        v = re.sub(r"\s+#.*$", "", v) if not v.startswith('"') else v
        if v.startswith('"'):
            assert v.endswith('"'), v
            return v[1:-1]
        return {"true": True, "false": False}.get(v, v)

    def block(i: int, indent: int) -> tuple[Any, int]:
        if lines[i][1].startswith("- "):
            items = []
            while i < len(lines) and lines[i][0] == indent and lines[i][1].startswith("- "):
                rest = lines[i][1][2:]
                if re.match(r"^[\w.]+:(\s|$)", rest):  # a mapping inside the list
                    lines[i] = (indent + 2, rest)
                    value, i = block(i, indent + 2)
                    items.append(value)
                else:
                    items.append(scalar(rest))
                    i += 1
            return items, i
        mapping: dict[str, Any] = {}
        while i < len(lines) and lines[i][0] == indent:
            key, _, value = lines[i][1].partition(":")
            value = value.strip()
            i += 1
            if value and not value.startswith("#"):
                mapping[key] = scalar(value)
            else:
                mapping[key], i = block(i, lines[i][0])
        return mapping, i

    value, end = block(0, 0)
    assert end == len(lines), f"unparsed from line {end}: {lines[end]}"
    return value


def _manifest(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    assert main(["slack", "manifest", *args]) == 0
    out = capsys.readouterr().out
    m = read_yaml(out)
    assert isinstance(m, dict)
    return m


def test_http_manifest_points_every_command_at_the_bot(capsys: pytest.CaptureFixture[str]) -> None:
    m = _manifest(capsys, "--url", "https://tw.example.org/")
    commands = m["features"]["slash_commands"]
    assert [c["command"] for c in commands] == list(SLASH_COMMANDS)
    assert {c["url"] for c in commands} == {"https://tw.example.org/slack/events"}
    assert all(c["description"] and c["should_escape"] is False for c in commands)
    scopes = m["oauth_config"]["scopes"]["bot"]
    assert {"commands", "chat:write", "channels:history", "groups:history", "files:write"} <= set(scopes)
    assert m["settings"]["socket_mode_enabled"] is False
    assert m["display_information"]["name"] == m["features"]["bot_user"]["display_name"] == "TradeWatch"


def test_socket_mode_manifest_needs_no_url(capsys: pytest.CaptureFixture[str]) -> None:
    m = _manifest(capsys, "--socket", "--name", "Trade Desk")
    assert m["settings"]["socket_mode_enabled"] is True
    assert all("url" not in c for c in m["features"]["slash_commands"])
    assert m["display_information"]["name"] == "Trade Desk"


@pytest.mark.parametrize("url", ["http://tw.example.org", "tw.example.org", "https://", 'https://a"b',
                                 "https://tw.example.org/x?y=1", "https://tw.example.org/#x"])
def test_a_url_slack_would_not_call_is_refused(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["slack", "manifest", "--url", url]) == 2
    err = capsys.readouterr().err
    assert "tradewatch slack manifest: --url" in err


def test_request_url_keeps_a_prefix_and_the_configured_path() -> None:
    assert request_url("https://h.example/bots") == "https://h.example/bots/slack/events"
    assert request_url("https://h.example/slack/events") == "https://h.example/slack/events"
    assert request_url("https://h.example", "/hooks/slack") == "https://h.example/hooks/slack"


def test_bad_name_and_unknown_placeholders_are_refused() -> None:
    template = TEMPLATE.read_text(encoding="utf-8")
    with pytest.raises(ManifestError, match="--name"):
        fill(template, url=None, name='x"\n  evil: 1')
    with pytest.raises(ManifestError, match="NEW_THING"):
        fill(template + "x: {{NEW_THING}}\n", url=None)


def test_a_template_can_be_given(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    t = tmp_path / "m.yaml"
    t.write_text('display_information:\n  name: "{{NAME}}"\nsettings:\n  socket_mode_enabled: {{SOCKET_MODE}}\n')
    m = _manifest(capsys, "--socket", "--template", str(t))
    assert m == {"display_information": {"name": "TradeWatch"}, "settings": {"socket_mode_enabled": True}}
    assert main(["slack", "manifest", "--socket", "--template", str(tmp_path / "missing.yaml")]) == 2


def test_the_slack_configuration_of_the_readme_loads() -> None:
    s = load_settings(ROOT / "config" / "slack.toml")
    assert s.slack.enabled and s.slack.mode == "auto"


def test_run_without_the_tokens_stops_with_one_clear_line(monkeypatch: pytest.MonkeyPatch,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    for var in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET"):
        monkeypatch.delenv(var, raising=False)
    assert main(["run", "--config", str(ROOT / "config" / "slack.toml")]) == 2
    err = capsys.readouterr().err
    assert err.strip() == ("tradewatch run: Slack is enabled (http mode) but SLACK_BOT_TOKEN and "
                           "SLACK_SIGNING_SECRET are not set in the environment (README: Slack in five minutes)")
