"""Helpers for the Slack tests: a signed slash command over a real socket, and the checks
every posted message must pass (Slack's limits, nothing that pings or links)."""

from __future__ import annotations

import json
import re
import time
from typing import Any
from urllib.parse import urlencode

import aiohttp
from slack_sdk.signature import SignatureVerifier

from bot.render.slack_blocks import block_texts
from tests.chat.fake_slack import SIGNING_SECRET

ENV_HTTP = {"SLACK_BOT_TOKEN": "xoxb-test-token", "SLACK_SIGNING_SECRET": SIGNING_SECRET}
ENV_SOCKET = {"SLACK_BOT_TOKEN": "xoxb-test-token", "SLACK_APP_TOKEN": "xapp-test-token"}


def slash_payload(command: str, text: str, response_url: str, *, channel: str = "C1",
                  user: str = "U1", team: str = "T1") -> dict[str, str]:
    return {"token": "unused", "team_id": team, "team_domain": "fake", "channel_id": channel,
            "channel_name": "trade-desk", "user_id": user, "user_name": "ana", "command": command,
            "text": text, "api_app_id": "A1", "response_url": response_url, "trigger_id": "1.2.3"}


async def send_slash(address: tuple[str, int], command: str, text: str, response_url: str, *,
                     channel: str = "C1", user: str = "U1", secret: str = SIGNING_SECRET,
                     age_seconds: float = 0.0, team: str = "T1") -> tuple[int, str]:
    """POST a slash command to the bot's endpoint as Slack does, signed with `secret`."""
    body = urlencode(slash_payload(command, text, response_url, channel=channel, user=user, team=team))
    ts = str(int(time.time() - age_seconds))
    signature = SignatureVerifier(secret).generate_signature(timestamp=ts, body=body)
    assert signature
    headers = {"content-type": "application/x-www-form-urlencoded",
               "x-slack-request-timestamp": ts, "x-slack-signature": signature}
    url = f"http://{address[0]}:{address[1]}/slack/events"
    async with aiohttp.ClientSession() as session, session.post(url, data=body, headers=headers) as r:
        return r.status, await r.text()


async def send_event(address: tuple[str, int], team: str, event: dict[str, Any], *,
                     secret: str = SIGNING_SECRET) -> int:
    """POST an Events API callback (`app_uninstalled`, ...) to the bot, signed like Slack signs."""
    body = json.dumps({"token": "unused", "team_id": team, "api_app_id": "A1", "event": event,
                       "type": "event_callback", "event_id": f"Ev{int(time.time() * 1000)}",
                       "event_time": int(time.time())})
    ts = str(int(time.time()))
    signature = SignatureVerifier(secret).generate_signature(timestamp=ts, body=body)
    assert signature
    headers = {"content-type": "application/json", "x-slack-request-timestamp": ts,
               "x-slack-signature": signature}
    url = f"http://{address[0]}:{address[1]}/slack/events"
    async with aiohttp.ClientSession() as session, session.post(url, data=body, headers=headers) as r:
        return r.status


def assert_within_slack_limits(message: dict[str, Any]) -> None:
    """What Slack checks before it accepts blocks (and a margin under msg_blocks_too_long)."""
    blocks = message["blocks"]
    assert 1 <= len(blocks) <= 50
    assert len(json.dumps(blocks, ensure_ascii=False)) <= 12_000
    assert 0 < len(message["text"]) <= 40_000
    for b in blocks:
        if b["type"] == "header":
            assert b["text"]["type"] == "plain_text" and 1 <= len(b["text"]["text"]) <= 150
        elif b["type"] == "section":
            assert 1 <= len(b["text"]["text"]) <= 3000
        elif b["type"] == "context":
            assert 1 <= len(b["elements"]) <= 10
            assert all(1 <= len(e["text"]) <= 3000 for e in b["elements"])
        else:
            raise AssertionError(f"unexpected block type {b['type']}")


_PING = re.compile(r"<[!@#]|<https?:|@(everyone|here|channel)\b", re.IGNORECASE)


def pings_or_links(message: dict[str, Any], allowed_link: str | None = None) -> list[str]:
    """Every place where Slack would ping someone or show a link the bot did not make."""
    found = []
    texts = [*block_texts(message["blocks"]), message["text"]]
    for t in texts:
        if allowed_link:
            t = t.replace(allowed_link, "")
        found += [m.group(0) for m in _PING.finditer(t)]
    for b in message["blocks"]:
        for obj in [b.get("text"), *b.get("elements", ())]:
            if obj and obj.get("type") == "mrkdwn" and obj.get("verbatim") is not True:
                found.append(f"mrkdwn text that Slack would auto-link: {obj['text'][:40]!r}")
    return found
