"""The local fake Slack and fake Discord with network latency and the platforms' published
rate limits, answered the way each platform answers them (issue 13's fan-out benchmark,
`benchmarks/bench_scale.py`, and the dispatcher's rate-limit tests).

Slack, `chat.postMessage` (a "special tier" method). Published:
- https://docs.slack.dev/apis/web-api/rate-limits ("Rate limits"): chat.postMessage
  "generally allows posting one message per second per channel, while also maintaining a
  workspace-wide limit"; limits apply per method, per workspace, per app; an app over a limit
  gets HTTP 429 with a `Retry-After` header in whole seconds.
- https://docs.slack.dev/reference/methods/chat.postMessage ("Rate limiting"): about one
  message per second to a channel, and for the whole workspace "several hundred messages per
  minute", with generous bursts allowed.
`LimitedSlack` enforces both as token buckets: per channel 1 a second (a burst of 3), per
workspace (bot token) `workspace_per_minute`, 300 by default: the low end of "several
hundred", with a burst of `workspace_burst` (10: two seconds' worth; Slack gives no figure
for its "generous" bursts). Over either: 429, `Retry-After` = the whole seconds until a
message would be accepted (at least 1), body `{"ok": false, "error": "ratelimited"}`.

Discord. Published at https://docs.discord.com/developers/topics/rate-limits: every bot may
make 50 requests a second in all (the global limit), and each route has its own bucket, per
top-level resource (a channel's message create is a bucket per channel id), announced in
`X-RateLimit-Limit / -Remaining / -Reset / -Reset-After / -Bucket` headers on every answer;
over a limit: HTTP 429 with a JSON body `{"message", "retry_after" (seconds, float),
"global"}`, `Retry-After`, `X-RateLimit-Scope` (user or global) and, for the global one,
`X-RateLimit-Global: true`. Discord does not publish per-route figures (apps are to read the
headers); `LimitedDiscord` announces 5 messages per 5 seconds per channel, the figure
libraries observe. The global limit is counted in whole-second windows: the 51st request in
a second gets a global 429 whose `retry_after` is the rest of that second. Every answer
carries `Via`, as Discord's edge does, so discord.py's own rate-limit handling runs.

Both wait `latency` seconds before answering every request (a network round trip).
"""

from __future__ import annotations

import asyncio
import json
import math
import time
from collections.abc import Callable
from typing import Any

from aiohttp import web

from tests.chat.fake_discord import TOKEN as DISCORD_TOKEN
from tests.chat.fake_discord import FakeDiscord
from tests.chat.fake_slack import FakeSlack


class Bucket:
    """A token bucket: `rate` a second, holding at most `burst`."""

    def __init__(self, rate: float, burst: float, now: float) -> None:
        self.rate, self.burst, self.tokens, self.at = rate, burst, burst, now

    def take(self, now: float) -> float:
        """0 when a token was taken; otherwise the seconds until one will be there."""
        self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
        self.at = now
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        return (1 - self.tokens) / self.rate


class LimitedSlack(FakeSlack):
    def __init__(self, *, latency: float = 0.05, workspace_per_minute: float = 300.0,
                 workspace_burst: float = 10.0, channel_per_second: float = 1.0, channel_burst: float = 3.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self.latency = latency
        self.workspace_rate = workspace_per_minute / 60.0
        self.workspace_burst = workspace_burst
        self.channel_rate, self.channel_burst = channel_per_second, channel_burst
        self.clock = clock
        self._workspaces: dict[str, Bucket] = {}
        self._channels: dict[str, Bucket] = {}
        self.limited: list[tuple[float, str, str]] = []
        """(time, token, channel) of every chat.postMessage answered 429."""
        self.accepted: list[tuple[float, str, str]] = []
        """(time, token, channel) of every chat.postMessage let through to the fake."""

    def add_workspace(self, team: str, token: str) -> None:
        """A workspace the app is installed in, with its own bot token (OAuth mode)."""
        self.teams[token] = (team, f"UBOT{team}")

    async def _api(self, request: web.Request) -> web.Response:
        await asyncio.sleep(self.latency)
        if request.match_info["method"] == "chat.postMessage":
            args = await self._arguments(request)  # the body is read once and kept by aiohttp
            token = request.headers.get("Authorization", "").removeprefix("Bearer ")
            channel = str(args.get("channel"))
            now = self.clock()
            workspace = self._workspaces.setdefault(
                token, Bucket(self.workspace_rate, self.workspace_burst, now))
            per_channel = self._channels.setdefault(channel, Bucket(self.channel_rate, self.channel_burst, now))
            wait = per_channel.take(now)
            if wait == 0:
                wait = workspace.take(now)
                if wait:  # the channel's token is given back: the message was not accepted
                    per_channel.tokens += 1
            if wait:
                self.limited.append((now, token, channel))
                return web.json_response({"ok": False, "error": "ratelimited"}, status=429,
                                         headers={"Retry-After": str(max(1, math.ceil(wait)))})
            self.accepted.append((now, token, channel))
        return await super()._api(request)


class LimitedDiscord(FakeDiscord):
    GLOBAL_PER_SECOND = 50
    CHANNEL_LIMIT, CHANNEL_WINDOW = 5, 5.0

    def __init__(self, *, latency: float = 0.05, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self.latency = latency
        self.clock = clock
        self._window = (-1, 0)
        """(the whole second, requests counted in it) of the global limit."""
        self._channels: dict[str, tuple[float, int]] = {}
        """channel id -> (when its window resets, messages left in it)."""
        self.limited: list[tuple[float, str]] = []
        """(time, "global" or "user") of every 429."""
        self.accepted: list[tuple[float, str]] = []
        """(time, channel id) of every message create let through."""

    async def _rest(self, request: web.Request) -> web.Response:
        await asyncio.sleep(self.latency)
        now = self.clock()
        if request.headers.get("Authorization") == f"Bot {DISCORD_TOKEN}":
            second, count = self._window
            if int(now) != second:
                second, count = int(now), 0
            if count >= self.GLOBAL_PER_SECOND:
                self.limited.append((now, "global"))
                return self._limited(second + 1 - now, scope="global")
            self._window = (second, count + 1)
        parts = request.path.removeprefix("/api/v10/").strip("/").split("/")
        if request.method == "POST" and parts[0] == "channels" and parts[2:] == ["messages"]:
            resets, left = self._channels.get(parts[1], (now + self.CHANNEL_WINDOW, self.CHANNEL_LIMIT))
            if now >= resets:
                resets, left = now + self.CHANNEL_WINDOW, self.CHANNEL_LIMIT
            if left <= 0:
                self.limited.append((now, "user"))
                return self._limited(resets - now, scope="user", bucket=(resets, 0))
            self._channels[parts[1]] = (resets, left - 1)
            self.accepted.append((now, parts[1]))
            answer = await super()._rest(request)
            answer.headers.update(self._bucket_headers(resets - now, resets, left - 1))
            return answer
        answer = await super()._rest(request)
        answer.headers["Via"] = "1.1 google"
        return answer

    def _bucket_headers(self, reset_after: float, resets: float, remaining: int) -> dict[str, str]:
        wall_reset = time.time() + reset_after
        return {"Via": "1.1 google", "X-RateLimit-Limit": str(self.CHANNEL_LIMIT),
                "X-RateLimit-Remaining": str(remaining), "X-RateLimit-Reset": f"{wall_reset:.3f}",
                "X-RateLimit-Reset-After": f"{reset_after:.3f}", "X-RateLimit-Bucket": "fake-message-create"}

    def _limited(self, retry_after: float, *, scope: str, bucket: tuple[float, int] | None = None) -> web.Response:
        retry_after = max(0.001, round(retry_after, 3))
        body: dict[str, Any] = {"message": "You are being rate limited.", "retry_after": retry_after,
                                "global": scope == "global"}
        headers = {"Content-Type": "application/json", "Via": "1.1 google",
                   "Retry-After": str(max(1, math.ceil(retry_after))), "X-RateLimit-Scope": scope}
        if scope == "global":
            headers["X-RateLimit-Global"] = "true"
        elif bucket is not None:
            headers.update(self._bucket_headers(retry_after, bucket[0], bucket[1]))
        return web.Response(status=429, body=json.dumps(body).encode(), headers=headers)
