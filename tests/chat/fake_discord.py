"""A fake Discord on 127.0.0.1: the REST routes discord.py calls and a gateway websocket.

The real discord.py code talks to it over real sockets once `discord.http.Route.BASE` and
`DiscordWebSocket.DEFAULT_GATEWAY` point here (the `discord_fake` fixture in conftest does
that). The gateway performs HELLO (op 10), takes IDENTIFY (op 2), dispatches READY, answers
heartbeats (op 11) and pushes `INTERACTION_CREATE` on demand (`interact`).
Sharding (issue 13): `GET /gateway/bot` recommends `shard_count` shards; each IDENTIFY with
`shard: [i, n]` is a connection of its own (`sockets[i]`, every IDENTIFY kept in
`identifies`) whose READY lists only the guilds of that shard (`(guild_id >> 22) % n == i`),
and an event about a guild goes to its shard's connection. Every REST call
is recorded (`calls`); messages are kept per channel (newest last) for
`GET /channels/{id}/messages`; `gone[channel_id] = 403 or 404` makes a channel refuse.
`PATCH /channels/{id}/messages/{message id}` edits a kept message (recorded in `edits`); a
post with a `message_reference` is a reply to that message (`replies_to`).
Every answer carries `content-type: application/json` exactly, as discord.py expects.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import discord
import pytest
import yarl
from aiohttp import BodyPartReader, WSMsgType, web
from discord.gateway import DiscordWebSocket

TOKEN = "fake-bot-token"
APP_ID = "900000000000000001"
BOT_ID = "900000000000000002"
GUILD_ID = "900000000000000100"
CHANNEL_ID = "900000000000000200"
OTHER_GUILD_ID = "900000000004194404"
"""A second server, on shard 0 of 2 (GUILD_ID is on shard 1 of 2)."""
OTHER_CHANNEL_ID = "900000000004194504"
MANAGE_CHANNELS = 1 << 4
MANAGE_GUILD = 1 << 5
SEND_MESSAGES = 1 << 11

BOT_USER = {"id": BOT_ID, "username": "TradeWatch", "discriminator": "0", "global_name": None,
            "avatar": None, "bot": True, "flags": 0, "verified": True, "mfa_enabled": False}


@dataclass
class Call:
    method: str
    path: str
    query: dict[str, str]
    body: Any
    headers: dict[str, str] = field(default_factory=dict)
    files: list[tuple[str, bytes]] = field(default_factory=list)
    """Files sent with it (multipart `files[n]`): (filename, bytes)."""


def _json(data: Any, status: int = 200) -> web.Response:
    return web.Response(status=status, body=json.dumps(data).encode(),
                        headers={"Content-Type": "application/json"})


def _error(status: int, code: int, message: str) -> web.Response:
    return _json({"message": message, "code": code}, status)


def rate_limited(retry_after: float = 0.0) -> web.Response:
    """A 429 as Discord's edge sends it (discord.py only waits out a 429 with a Via header)."""
    answer = _json({"message": "You are being rate limited.", "retry_after": retry_after, "global": False}, 429)
    answer.headers.update({"Via": "1.1 google", "Retry-After": str(retry_after),
                           "X-RateLimit-Scope": "user"})
    return answer


def bad_request(message: str = "Invalid Form Body") -> web.Response:
    return _error(400, 50035, message)


class FakeDiscord:
    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.messages: dict[str, list[dict[str, Any]]] = {}
        self.edits: list[dict[str, Any]] = []
        """PATCHes of messages accepted: channel_id, message_id and the new body."""
        self.gone: dict[str, int] = {}
        """channel id -> 403 (the bot lost access) or 404 (the channel was deleted)."""
        self.queued: dict[str, list[web.Response]] = {}
        """channel id -> answers given to its next posts, in order (429s, 400s, ...)."""
        self.token = TOKEN
        self.gateway_token: str | None = None
        """Set to make the gateway refuse the token REST accepted (close code 4004)."""
        self.identify: dict[str, Any] | None = None
        """The last IDENTIFY."""
        self.identifies: list[dict[str, Any]] = []
        self.shard_count = 1
        """The shards `GET /gateway/bot` recommends."""
        self.guilds = [GUILD_ID]
        """The servers the bot is in (READY lists each on its shard)."""
        self.sockets: dict[int, web.WebSocketResponse] = {}
        """Shard id -> its gateway connection (shard 0 without sharding)."""
        self._counts: dict[int, int] = {}
        self.heartbeats = 0
        self.callbacks: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self._ids = itertools.count(910_000_000_000_000_000)
        self._seq = itertools.count(1)
        self._socket: web.WebSocketResponse | None = None
        self._identified = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.port = 0

    # ------------------------------------------------------------ control

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    def new_id(self) -> str:
        return str(next(self._ids))

    def of(self, method: str, fragment: str) -> list[Call]:
        """The calls with this method whose path contains `fragment`."""
        return [c for c in self.calls if c.method == method and fragment in c.path]

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/gateway", self._gateway)
        app.router.add_route("*", "/api/v10/{tail:.*}", self._rest)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def close(self) -> None:
        for ws in {id(w): w for w in [*self.sockets.values(), *([self._socket] if self._socket else [])]}.values():
            if not ws.closed:
                await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def wait_identified(self, timeout: float = 20.0) -> None:
        await asyncio.wait_for(self._identified.wait(), timeout)

    def shard_of(self, guild_id: str, shard_count: int) -> int:
        return (int(guild_id) >> 22) % shard_count

    async def dispatch(self, event: str, data: dict[str, Any], *, shard: int | None = None) -> None:
        """Send an event on shard `shard`'s connection; by default on the shard of the event's
        guild, as Discord does (without sharding: the one connection)."""
        if shard is None and data.get("guild_id") and self.sockets:
            count = next(iter(self._counts.values()), 1)
            shard = self.shard_of(data["guild_id"], count)
            assert shard in self.sockets, f"no gateway connection for shard {shard} (guild {data['guild_id']})"
        socket = self.sockets[shard] if shard is not None else self._socket
        assert socket is not None, "no gateway connection"
        await socket.send_str(json.dumps({"op": 0, "t": event, "s": next(self._seq), "d": data}))

    def interaction(self, name: str, options: dict[str, Any] | None = None, *, permissions: int = 0,
                    channel_id: str = CHANNEL_ID, guild_id: str = GUILD_ID, user_id: str = "700000000000000001",
                    kind: int = 2, focused: str | None = None, subcommand: str | None = None) -> dict[str, Any]:
        """An INTERACTION_CREATE payload for `/name option:value ...` by a guild member; with
        `subcommand`, `/name subcommand option:value ...` (the options nested under a type 1
        option, as Discord sends a group's subcommand)."""
        types = {bool: 5, int: 4, float: 10, str: 3}
        opts = []
        for key, value in (options or {}).items():
            opt: dict[str, Any] = {"name": key, "type": types[type(value)], "value": value}
            if key == focused:
                opt["focused"] = True
            opts.append(opt)
        if subcommand is not None:
            opts = [{"name": subcommand, "type": 1, "options": opts}]
        return {
            "id": self.new_id(), "application_id": APP_ID, "type": kind, "token": f"itoken-{self.new_id()}",
            "version": 1, "guild_id": guild_id, "channel_id": channel_id,
            "channel": {"id": channel_id, "type": 0, "guild_id": guild_id, "name": "trade-desk", "position": 0,
                        "permission_overwrites": [], "nsfw": False, "parent_id": None},
            "member": {"user": {"id": user_id, "username": "member", "discriminator": "0", "global_name": None,
                                "avatar": None},
                       "roles": [], "joined_at": "2024-01-01T00:00:00+00:00", "deaf": False, "mute": False,
                       "flags": 0, "permissions": str(permissions)},
            "data": {"id": self.new_id(), "name": name, "type": 1, "options": opts},
            "app_permissions": str(SEND_MESSAGES), "locale": "en-US", "guild_locale": "en-US",
            "entitlements": [], "authorizing_integration_owners": {"0": guild_id}, "context": 0,
            "attachment_size_limit": 8 * 1024 * 1024,
        }

    async def interact(self, payload: dict[str, Any], timeout: float = 20.0) -> dict[str, Any]:
        """Push the interaction and return the body of its callback (the response)."""
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self.callbacks[payload["id"]] = future
        await self.dispatch("INTERACTION_CREATE", payload)
        return await asyncio.wait_for(future, timeout)

    # ------------------------------------------------------------ gateway

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._socket = ws
        await ws.send_str(json.dumps({"op": 10, "d": {"heartbeat_interval": 41250}}))
        async for msg in ws:
            if msg.type != WSMsgType.TEXT:
                continue
            frame = json.loads(msg.data)
            if frame["op"] == 1:
                self.heartbeats += 1
                await ws.send_str(json.dumps({"op": 11}))
            elif frame["op"] == 2:
                self.identify = frame["d"]
                self.identifies.append(frame["d"])
                if frame["d"].get("token") != (self.gateway_token or self.token):
                    await ws.close(code=4004, message=b"Authentication failed.")
                    break
                shard, count = frame["d"].get("shard") or [0, 1]
                self.sockets[shard] = ws
                self._counts[shard] = count
                guilds = [g for g in self.guilds if self.shard_of(g, count) == shard]
                await self.dispatch("READY", {
                    "v": 10, "user": BOT_USER, "guilds": [{"id": g, "unavailable": True} for g in guilds],
                    "session_id": f"fake-session-{shard}", "resume_gateway_url": self.gateway_url,
                    "application": {"id": APP_ID, "flags": 0}, "private_channels": [], "relationships": [],
                    "shard": [shard, count],
                }, shard=shard)
                self._identified.set()
        return ws

    # ------------------------------------------------------------ REST

    def _message(self, channel_id: str, body: dict[str, Any], *, flags: int = 0,
                 author: dict[str, Any] | None = None) -> dict[str, Any]:
        return {
            "id": self.new_id(), "channel_id": channel_id, "author": author or BOT_USER, "type": 0,
            "content": body.get("content") or "", "embeds": body.get("embeds") or [],
            "timestamp": datetime.now(UTC).isoformat(), "edited_timestamp": None, "tts": False,
            "mention_everyone": False, "mentions": [], "mention_roles": [], "attachments": [],
            "pinned": False, "flags": flags | int(body.get("flags") or 0), "components": [],
            "nonce": body.get("nonce"),
            **({"message_reference": body["message_reference"]} if body.get("message_reference") else {}),
        }

    async def _rest(self, request: web.Request) -> web.Response:
        path = "/" + request.match_info["tail"]
        files: list[tuple[str, bytes]] = []
        if request.content_type == "multipart/form-data":  # discord.py sending files
            body = await self._multipart(request, files)
        else:
            body = await request.json() if request.can_read_body else None
        self.calls.append(Call(request.method, path, dict(request.query), body, dict(request.headers), files))
        if files and isinstance(body, dict):
            target = body.get("data", body) if "type" in body else body
            target["attachments_received"] = [{"filename": n, "size": len(d)} for n, d in files]
        parts = path.strip("/").split("/")
        if request.headers.get("Authorization") != f"Bot {self.token}" and parts[0] not in ("interactions", "webhooks"):
            return _error(401, 0, "401: Unauthorized")
        if path == "/gateway/bot":
            return _json({"url": self.gateway_url, "shards": self.shard_count,
                          "session_start_limit": {"total": 1000, "remaining": 1000, "reset_after": 0,
                                                  "max_concurrency": 1}})
        if path == "/users/@me":
            return _json(BOT_USER)
        if path == "/oauth2/applications/@me":
            return _json({"id": APP_ID, "name": "TradeWatch", "description": "", "icon": None,
                          "bot_public": False, "bot_require_code_grant": False, "verify_key": "00",
                          "owner": {**BOT_USER, "id": "700000000000000009", "bot": False}, "flags": 0,
                          "summary": "", "team": None, "interactions_endpoint_url": None})
        if parts[0] == "interactions" and parts[-1] == "callback":
            return self._callback(parts[1], body or {})
        if parts[0] == "channels" and parts[2:] == ["messages"]:
            return self._channel_messages(request.method, parts[1], body or {}, request.query)
        if parts[0] == "channels" and len(parts) == 4 and parts[2] == "messages" and request.method == "PATCH":
            return self._edit_message(parts[1], parts[3], body or {})
        if parts[0] == "applications" and parts[-1] == "commands" and request.method == "PUT":
            return _json([{**c, "id": self.new_id(), "application_id": APP_ID, "version": "1",
                           "guild_id": parts[3] if "guilds" in parts else None} for c in body or []])
        if parts[0] == "webhooks":
            return self._webhook(request.method, parts, body or {})
        return _error(404, 0, f"404: the fake has no route {request.method} {path}")

    @staticmethod
    async def _multipart(request: web.Request, files: list[tuple[str, bytes]]) -> Any:
        """`payload_json` (the JSON body) and `files[n]` parts, as discord.py sends them."""
        body: Any = None
        reader = await request.multipart()
        while (part := await reader.next()) is not None:
            if not isinstance(part, BodyPartReader):
                continue
            if part.name == "payload_json":
                body = json.loads(await part.text())
            elif part.name and part.name.startswith("files["):
                files.append((part.filename or "", bytes(await part.read())))
        return body

    def _callback(self, interaction_id: str, body: dict[str, Any]) -> web.Response:
        future = self.callbacks.get(interaction_id)
        if future is not None and not future.done():
            future.set_result(body)
        data = body.get("data") or {}
        ephemeral = bool(int(data.get("flags") or 0) & 64)
        reply: dict[str, Any] = {"interaction": {"id": interaction_id, "type": 2,
                                                 "response_message_id": self.new_id(),
                                                 "response_message_loading": body.get("type") == 5,
                                                 "response_message_ephemeral": ephemeral}}
        if body.get("type") in (4, 5):
            reply["resource"] = {"type": body["type"], "message": self._message(CHANNEL_ID, data)}
        return _json(reply)

    def _channel_messages(self, method: str, channel_id: str, body: dict[str, Any], query: Any) -> web.Response:
        status = self.gone.get(channel_id)
        if status == 403:
            return _error(403, 50001, "Missing Access")
        if status == 404:
            return _error(404, 10003, "Unknown Channel")
        kept = self.messages.setdefault(channel_id, [])
        if method == "POST" and self.queued.get(channel_id):
            return self.queued[channel_id].pop(0)
        if method == "GET":
            limit = int(query.get("limit", 50))
            return _json(list(reversed(kept))[:limit])
        if body.get("enforce_nonce") and body.get("nonce"):
            same = [m for m in kept if m.get("nonce") == body["nonce"]]
            if same:
                return _json(same[-1])
        message = self._message(channel_id, body)
        kept.append(message)
        return _json(message)

    def _edit_message(self, channel_id: str, message_id: str, body: dict[str, Any]) -> web.Response:
        """PATCH a message: its embeds (and content) replaced, `edited_timestamp` set."""
        status = self.gone.get(channel_id)
        if status:
            return _error(status, 10003 if status == 404 else 50001, "Unknown Channel" if status == 404 else "Missing Access")
        for m in self.messages.get(channel_id, []):
            if m["id"] == message_id:
                m.update({k: body[k] for k in ("embeds", "content") if k in body})
                m["edited_timestamp"] = datetime.now(UTC).isoformat()
                self.edits.append({"channel_id": channel_id, "message_id": message_id, **body})
                return _json(m)
        return _error(404, 10008, "Unknown Message")

    def replies_to(self, channel_id: str, message_id: str) -> list[dict[str, Any]]:
        """The messages posted as replies to that message (with a message reference to it)."""
        return [m for m in self.messages.get(channel_id, [])
                if str((m.get("message_reference") or {}).get("message_id")) == message_id]

    def _webhook(self, method: str, parts: list[str], body: dict[str, Any]) -> web.Response:
        if method == "POST":  # a follow-up message
            return _json(self._message(CHANNEL_ID, body))
        if method == "DELETE":
            return web.Response(status=204)
        return _json(self._message(CHANNEL_ID, body))


@contextlib.asynccontextmanager
async def running(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeDiscord]:
    """A started fake with discord.py pointed at it and DISCORD_BOT_TOKEN set."""
    fake = FakeDiscord()
    await fake.start()
    monkeypatch.setattr(discord.http.Route, "BASE", fake.api_base)
    monkeypatch.setattr(DiscordWebSocket, "DEFAULT_GATEWAY", yarl.URL(fake.gateway_url))
    monkeypatch.setenv("DISCORD_BOT_TOKEN", TOKEN)
    try:
        yield fake
    finally:
        await fake.close()
