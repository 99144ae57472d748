"""A fake Slack on 127.0.0.1: the Web API, `response_url`s and a Socket Mode WebSocket.

The real slack-sdk and slack-bolt talk to it over real sockets. It records every Web API
call and every `response_url` answer, keeps the messages posted per channel (with their
metadata, for `conversations.history`), and answers 429 or errors when told to:
`fake.queue("chat.postMessage", status=429, retry_after=0)` (answers taken in order), or
`fake.channel_errors["C1"] = "channel_not_found"`. `chat.update` edits a kept message (and is
recorded in `edits`); a post with `thread_ts` is a reply in that thread: left out of
`conversations.history`, listed by `conversations.replies` (as on Slack). `users.info` says who is a workspace
admin or owner: `fake.admins = {"UADMIN"}`, `fake.owners = {...}`.

Files arrive as slack-sdk's `files_upload_v2` sends them: `files.getUploadURLExternal` gives
an upload URL on the fake (`/upload/{file_id}`), the bytes are POSTed there, and
`files.completeUploadExternal` shares them in a channel; `fake.files` holds what was shared.

OAuth ("Add to Slack"): `fake.add_install_code("code-T2", team="T2", token="xoxb-T2")` makes
`oauth.v2.access` (called with CLIENT_ID / CLIENT_SECRET in HTTP Basic auth) trade that code
for a bot token of workspace T2; from then on the token is accepted, and `auth.test` with it
answers T2. `fake.tokens` records (method, channel, token) of every Web API call.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import WSMsgType, web

BOT_TOKEN = "xoxb-test-token"
APP_TOKEN = "xapp-test-token"
SIGNING_SECRET = "test-signing-secret"
BOT_USER = "UBOT"
CLIENT_ID = "1111.2222"
CLIENT_SECRET = "test-client-secret"


@dataclass
class Answer:
    status: int = 200
    body: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)


class FakeSlack:
    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        """Every Web API call received: (method, arguments)."""
        self.messages: dict[str, list[dict[str, Any]]] = {}
        """Messages accepted by chat.postMessage, per channel."""
        self.edits: list[dict[str, Any]] = []
        """chat.update calls that Slack accepted."""
        self.responses: list[dict[str, Any]] = []
        """Bodies POSTed to response_urls."""
        self.channel_errors: dict[str, str] = {}
        self.history_errors: dict[str, str] = {}
        self.auth_error: str | None = None
        self.app_token_error: str | None = None
        self.admins: set[str] = set()
        self.owners: set[str] = set()
        self._queued: dict[str, list[Answer]] = {}
        self._ts = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self.port = 0
        self.sockets: list[web.WebSocketResponse] = []
        self.acks: list[dict[str, Any]] = []
        self._socket_ready = asyncio.Event()
        self.uploads: dict[str, dict[str, Any]] = {}
        """file id -> the upload asked for (filename, length) and its bytes once POSTed."""
        self.files: list[dict[str, Any]] = []
        """Files shared by files.completeUploadExternal: id, title, channel, filename, data."""
        self._file_ids = itertools.count(1)
        self.teams: dict[str, tuple[str, str]] = {BOT_TOKEN: ("T1", BOT_USER)}
        """Accepted bot tokens -> (workspace id, bot user id)."""
        self.install_codes: dict[str, tuple[str, str, str]] = {}
        """OAuth codes -> (workspace id, bot token, bot user id), each good once."""
        self.tokens: list[tuple[str, str | None, str]] = []
        """(method, channel, bearer token) of every Web API call."""

    # ------------------------------------------------------------ control

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    def response_url(self, name: str = "r1") -> str:
        return f"http://127.0.0.1:{self.port}/response/{name}"

    def queue(self, method: str, *, status: int = 200, error: str | None = None,
              retry_after: int | None = None, channel: str | None = None) -> None:
        """Answer the next call of `method` (to `channel`, if given) with this, once."""
        body: dict[str, Any] = {"ok": False, "error": error or "ratelimited"} if status == 429 or error else {"ok": True}
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
        key = f"{method} {channel}" if channel else method
        self._queued.setdefault(key, []).append(Answer(status, body, headers))

    def add_install_code(self, code: str, *, team: str, token: str, bot_user: str = BOT_USER) -> None:
        """The code Slack would send to the redirect URL after an install into `team`."""
        self.install_codes[code] = (team, token, bot_user)

    def tokens_for(self, method: str, channel: str) -> list[str]:
        """The tokens that `method` calls about `channel` carried."""
        return [tok for m, ch, tok in self.tokens if m == method and ch == channel]

    def posts(self, channel: str | None = None) -> list[dict[str, Any]]:
        """chat.postMessage calls that Slack accepted."""
        return [m for ch, ms in self.messages.items() if channel in (None, ch) for m in ms]

    def called(self, method: str) -> list[dict[str, Any]]:
        return [args for m, args in self.calls if m == method]

    async def wait_for(self, predicate: Callable[[], object], timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise AssertionError(f"the fake Slack did not see it within {timeout} s; calls: "
                                     f"{[m for m, _ in self.calls]}, responses: {len(self.responses)}")
            await asyncio.sleep(0.02)

    # ------------------------------------------------------------ server

    async def start(self) -> FakeSlack:
        app = web.Application()
        app.router.add_post("/api/{method}", self._api)
        app.router.add_get("/api/{method}", self._api)
        app.router.add_post("/response/{name}", self._response)
        app.router.add_post("/upload/{file_id}", self._upload)
        app.router.add_get("/socket", self._socket)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = int(self._runner.addresses[0][1])
        return self

    async def close(self) -> None:
        for ws in self.sockets:
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def _arguments(self, request: web.Request) -> dict[str, Any]:
        args: dict[str, Any] = dict(request.query)  # slack-sdk sends `params` in the URL
        raw = await request.text()
        if request.content_type == "application/json":
            return {**args, **json.loads(raw or "{}")}
        args.update(parse_qsl(raw))
        for k in ("blocks", "metadata"):
            if isinstance(args.get(k), str):
                args[k] = json.loads(args[k])
        return args

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args = await self._arguments(request)
        self.calls.append((method, args))
        auth = request.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ")
        channel = args.get("channel") or args.get("channel_id")
        self.tokens.append((method, str(channel) if channel else None, token))
        if method == "oauth.v2.access":
            return web.json_response(self._oauth_access(auth, args))
        queued = self._queued.get(f"{method} {args.get('channel')}") or self._queued.get(method)
        if queued:
            a = queued.pop(0)
            return web.json_response(a.body, status=a.status, headers=a.headers)
        if method == "apps.connections.open":
            if token != APP_TOKEN or self.app_token_error:
                return web.json_response({"ok": False, "error": self.app_token_error or "invalid_auth"})
            return web.json_response({"ok": True, "url": f"ws://127.0.0.1:{self.port}/socket"})
        if token not in self.teams or (method == "auth.test" and self.auth_error):
            return web.json_response({"ok": False, "error": self.auth_error or "invalid_auth"})
        if method == "auth.test":
            return web.json_response(self._auth_test({**args, "token": token}))
        handler = {
            "chat.postMessage": self._post_message,
            "chat.update": self._update_message,
            "conversations.replies": self._replies,
            "conversations.history": self._history,
            "conversations.join": self._join,
            "users.info": self._user,
            "files.getUploadURLExternal": self._upload_url,
            "files.completeUploadExternal": self._complete_upload,
        }.get(method)
        if handler is None:
            return web.json_response({"ok": False, "error": "unknown_method"}, status=404)
        return web.json_response(handler(args))

    def _auth_test(self, args: dict[str, Any]) -> dict[str, Any]:
        team, bot_user = self.teams[args["token"]]
        return {"ok": True, "url": "https://fake.slack.test/", "team": f"Fake Team {team}", "user": "tradewatch",
                "team_id": team, "user_id": bot_user, "bot_id": f"B{team}"}

    def _oauth_access(self, auth: str, args: dict[str, Any]) -> dict[str, Any]:
        expected = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        if auth != f"Basic {expected}":
            return {"ok": False, "error": "invalid_client_id"}
        found = self.install_codes.pop(str(args.get("code")), None)
        if found is None:
            return {"ok": False, "error": "invalid_code"}
        team, token, bot_user = found
        self.teams[token] = (team, bot_user)
        return {"ok": True, "app_id": "A1", "authed_user": {"id": "UINSTALLER"}, "scope": "commands,chat:write",
                "token_type": "bot", "access_token": token, "bot_user_id": bot_user,
                "team": {"id": team, "name": f"Fake Team {team}"}, "enterprise": None,
                "is_enterprise_install": False}

    def _post_message(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = str(args.get("channel"))
        if channel in self.channel_errors:
            return {"ok": False, "error": self.channel_errors[channel]}
        ts = f"{1700000000 + next(self._ts)}.000100"
        message = {**args, "ts": ts}
        self.messages.setdefault(channel, []).append(message)
        return {"ok": True, "channel": channel, "ts": ts, "message": message}

    def _update_message(self, args: dict[str, Any]) -> dict[str, Any]:
        """chat.update: the message with that ts gets the new text, blocks and metadata."""
        channel = str(args.get("channel"))
        if channel in self.channel_errors:
            return {"ok": False, "error": self.channel_errors[channel]}
        for m in self.messages.get(channel, []):
            if m["ts"] == args.get("ts"):
                m.update({k: args[k] for k in ("text", "blocks", "metadata") if k in args})
                m["edited"] = m.get("edited", 0) + 1
                self.edits.append({**args})
                return {"ok": True, "channel": channel, "ts": m["ts"], "text": m.get("text", "")}
        return {"ok": False, "error": "message_not_found"}

    @staticmethod
    def _listed(m: dict[str, Any], with_meta: bool) -> dict[str, Any]:
        return {"type": "message", "ts": m["ts"], "text": m.get("text", ""),
                **({"thread_ts": m["thread_ts"]} if m.get("thread_ts") else {}),
                **({"metadata": m["metadata"]} if with_meta and m.get("metadata") else {})}

    def _history(self, args: dict[str, Any]) -> dict[str, Any]:
        """The channel's messages, newest first; replies in threads are not among them (as on
        Slack: they are read with conversations.replies)."""
        channel = str(args.get("channel"))
        error = self.history_errors.get(channel) or self.channel_errors.get(channel)
        if error:
            return {"ok": False, "error": error}
        with_meta = str(args.get("include_all_metadata", "")).lower() in ("1", "true")
        messages = [self._listed(m, with_meta) for m in reversed(self.messages.get(channel, []))
                    if not m.get("thread_ts")]
        return {"ok": True, "messages": messages, "has_more": False}

    def _replies(self, args: dict[str, Any]) -> dict[str, Any]:
        """The thread of message `ts`: that message first, then its replies, oldest first."""
        channel = str(args.get("channel"))
        error = self.history_errors.get(channel) or self.channel_errors.get(channel)
        if error:
            return {"ok": False, "error": error}
        ts = str(args.get("ts"))
        with_meta = str(args.get("include_all_metadata", "")).lower() in ("1", "true")
        thread = [m for m in self.messages.get(channel, []) if m["ts"] == ts or m.get("thread_ts") == ts]
        if not thread:
            return {"ok": False, "error": "thread_not_found"}
        return {"ok": True, "messages": [self._listed(m, with_meta) for m in thread], "has_more": False}

    def replies(self, channel: str, ts: str) -> list[dict[str, Any]]:
        """The replies posted in the thread of message `ts`."""
        return [m for m in self.messages.get(channel, []) if m.get("thread_ts") == ts]

    def top_level(self, channel: str) -> list[dict[str, Any]]:
        """The channel's messages that are not replies in a thread."""
        return [m for m in self.messages.get(channel, []) if not m.get("thread_ts")]

    def _user(self, args: dict[str, Any]) -> dict[str, Any]:
        user = str(args.get("user"))
        return {"ok": True, "user": {"id": user, "team_id": "T1", "name": user.lower(), "deleted": False,
                                     "is_admin": user in self.admins or user in self.owners,
                                     "is_owner": user in self.owners, "is_bot": False}}

    def _join(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = str(args.get("channel"))
        self.history_errors.pop(channel, None)
        return {"ok": True, "channel": {"id": channel}}

    def _upload_url(self, args: dict[str, Any]) -> dict[str, Any]:
        if not args.get("filename") or not str(args.get("length", "")).isdigit():
            return {"ok": False, "error": "invalid_arguments"}
        file_id = f"F{next(self._file_ids)}"
        self.uploads[file_id] = {"filename": args["filename"], "length": int(args["length"]),
                                 "alt_txt": args.get("alt_txt"), "data": None}
        return {"ok": True, "file_id": file_id, "upload_url": f"http://127.0.0.1:{self.port}/upload/{file_id}"}

    async def _upload(self, request: web.Request) -> web.Response:
        upload = self.uploads.get(request.match_info["file_id"])
        if upload is None:
            return web.Response(status=404, text="unknown upload")
        upload["data"] = await request.read()
        return web.Response(text=f"OK - {len(upload['data'])}")

    def _complete_upload(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = args.get("channel_id")
        if channel in self.channel_errors:
            return {"ok": False, "error": self.channel_errors[str(channel)]}
        shared = []
        for f in json.loads(args.get("files") or "[]"):
            upload = self.uploads.get(f["id"])
            if upload is None or upload["data"] is None or len(upload["data"]) != upload["length"]:
                return {"ok": False, "error": "file_upload_incomplete"}
            self.files.append({"id": f["id"], "title": f.get("title"), "channel": channel,
                               "filename": upload["filename"], "data": upload["data"]})
            shared.append({"id": f["id"], "title": f.get("title"), "name": upload["filename"]})
        return {"ok": True, "files": shared}

    async def _response(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.responses.append({"url_name": request.match_info["name"], **body})
        return web.Response(text="ok")

    # ------------------------------------------------------------ Socket Mode

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self.sockets.append(ws)
        await ws.send_json({"type": "hello", "num_connections": 1,
                            "connection_info": {"app_id": "A1"}, "debug_info": {"host": "fake"}})
        self._socket_ready.set()
        async for msg in ws:
            if msg.type == WSMsgType.TEXT:
                self.acks.append(json.loads(msg.data))
        return ws

    async def push_slash_command(self, envelope_id: str, payload: dict[str, Any]) -> None:
        """Send a slash command over the Socket Mode connection, as Slack does."""
        await asyncio.wait_for(self._socket_ready.wait(), 10)
        await self.sockets[-1].send_json({"envelope_id": envelope_id, "type": "slash_commands",
                                          "accepts_response_payload": True, "payload": payload})
