"""Benchmark: scale out (issue 13). Two measurements in one run.

1. Fan-out: ONE alert enqueued for `--channels` Slack channels and as many Discord channels
   (one delivery each, in a real SQLite store), posted by the real Dispatcher through the
   real SlackSink (slack-sdk, OAuth mode: a bot token per workspace, the channels spread
   over `--workspaces` workspaces) and the real DiscordSink (discord.py), to the local fakes
   with network latency and the platforms' PUBLISHED rate limits (tests/chat/rate_limited.py
   says which, with the pages they come from). The fakes run in a child process, so their
   work is not charged to the bot.
   Allowed rate, for distinct channels (each gets one message, so no per-channel limit
   binds):
   - Discord: the global limit, 50 requests a second per bot
     (https://docs.discord.com/developers/topics/rate-limits). The per-channel bucket of
     message create is never reached by one message per channel.
   - Slack: chat.postMessage's per-channel limit (about 1 a second) does not bind either; the
     WORKSPACE-wide limit does: "several hundred messages per minute"
     (https://docs.slack.dev/reference/methods/chat.postMessage, "Rate limiting"; the
     overview https://docs.slack.dev/apis/web-api/rate-limits names the workspace-wide limit
     without a figure). The fake takes 300 a minute per workspace (the low end), burst 10.
     One workspace would then allow 5 posts a second: 5,000 channels in one workspace take
     17 minutes whatever the bot does. The scale-out case is many workspaces (the Add to
     Slack flow), so the channels are spread over `--workspaces` workspaces and the allowed
     rate is workspaces x 5 a second.
   Reported per platform: achieved rate = posts / (time from the wake-up to the last post),
   allowed = posts / the least time the fake's limits allow (bursts included), and the ratio
   (target >= 0.90); every channel got exactly one post; how many 429s were answered.
2. Feed cycle, 1 vs 3 instances on PostgreSQL (see `feed_cycle`).

Usage: python benchmarks/bench_scale.py [--channels 5000] [--workspaces 20] [--latency 0.05]
       [--feeds 5000] [--feed-latency 0.25] [--quick] [--no-fanout] [--no-feeds] [--json]
`--quick` is a smoke run: 200 channels in 4 workspaces, 200 feeds.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SLACK_PER_MINUTE = 300.0
SLACK_BURST = 10.0
DISCORD_PER_SECOND = 50
FEED_ENTRIES = 5


if TYPE_CHECKING:
    from aiohttp import web


async def _serve(app: web.Application) -> tuple[web.AppRunner, int]:
    """Serve `app` on 127.0.0.1 at a free port: its runner and the port."""
    from aiohttp import web

    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return runner, site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]


# ---------------------------------------------------------------- the chat fakes (child process)

def serve_chat(port_file: Path, latency: float, workspaces: int) -> None:
    from aiohttp import web

    from tests.chat.rate_limited import LimitedDiscord, LimitedSlack

    async def main() -> None:
        slack = LimitedSlack(latency=latency, workspace_per_minute=SLACK_PER_MINUTE, workspace_burst=SLACK_BURST)
        for w in range(workspaces):
            slack.add_workspace(f"T{w:03d}", f"xoxb-bench-{w:03d}")
        discord = LimitedDiscord(latency=latency)
        await slack.start()
        await discord.start()

        async def stats(request: web.Request) -> web.Response:
            return web.json_response({
                "slack": {"posts": {ch: len(ms) for ch, ms in slack.messages.items()},
                          "limited": len(slack.limited)},
                "discord": {"posts": {ch: len(ms) for ch, ms in discord.messages.items() if ms},
                            "limited": Counter(scope for _, scope in discord.limited)},
            })

        app = web.Application()
        app.router.add_get("/stats", stats)
        _, port = await _serve(app)
        port_file.write_text(json.dumps({"slack": slack.port, "discord": discord.port, "stats": port}))
        await asyncio.Event().wait()

    asyncio.run(main())


def child(args: list[str], port_file: Path) -> tuple[subprocess.Popen[bytes], Any]:
    proc = subprocess.Popen([sys.executable, __file__, *args, str(port_file)], cwd=ROOT)
    for _ in range(400):
        if port_file.exists() and port_file.read_text():
            return proc, json.loads(port_file.read_text())
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    proc.terminate()
    raise SystemExit(f"the child {args[0]} did not start")


# ---------------------------------------------------------------- fan-out (the bot side)


class Timed:
    """A sink that notes when each post returned (the benchmark's stopwatch, nothing else)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.service = inner.service
        self.done: list[float] = []

    async def post(self, channel_id: str, message: Any) -> str | None:
        ref = await self.inner.post(channel_id, message)
        self.done.append(time.perf_counter())
        return ref  # type: ignore[no-any-return]

    async def find(self, channel_id: str, key: str) -> str | None:
        return await self.inner.find(channel_id, key)  # type: ignore[no-any-return]


def slack_least_seconds(posts: int, workspaces: int) -> float:
    """The least time the fake Slack's workspace buckets allow for `posts` spread evenly."""
    per_workspace = posts / workspaces
    return max(0.0, per_workspace - SLACK_BURST) / (SLACK_PER_MINUTE / 60)


async def fanout(args: argparse.Namespace, ports: dict[str, int], data: Path) -> dict[str, Any]:
    import aiohttp
    import discord

    from bot.chat.discord_bot import DiscordSink, make_client
    from bot.chat.slack import SlackSink
    from bot.chat.slack import make_client as slack_client
    from bot.config import SlackSettings
    from bot.core.alert import alert_message
    from bot.domain import Analysis, Article, TradeVerdict
    from bot.service.dispatch import Dispatcher
    from bot.store import fingerprint, open_store
    from tests.chat.fake_discord import TOKEN

    n, w = args.channels, args.workspaces
    slack_channels = [f"C{i:06d}" for i in range(n)]
    discord_channels = [str(910_000_000_000_000_000 + i) for i in range(n)]
    token_of = {ch: f"xoxb-bench-{i % w:03d}" for i, ch in enumerate(slack_channels)}

    async def token_for(channel_id: str) -> str | None:
        return token_of.get(channel_id)

    store = open_store(None, data)
    await store.migrate()
    story = Article("bench-alert", "Freedonia raises duties on Sylvanian steel to 25%",
                    "Freedonia said on Monday it would raise its duty on steel from Sylvania to 25 per cent "
                    "from 10 per cent on July 1, the trade ministry said.")
    analysis = Analysis(story, TradeVerdict(True, 0.9, ("tariffs",), ("steel",)), summary=story.title)
    await store.add_article(story, fingerprint(story.title, story.body))

    discord.http.Route.BASE = f"http://127.0.0.1:{ports['discord']}/api/v10"
    client = make_client()
    await client.login(TOKEN)
    slack = Timed(SlackSink(slack_client("", SlackSettings(enabled=True, api_url=f"http://127.0.0.1:{ports['slack']}/api/")),
                            token_for=token_for))
    disc = Timed(DiscordSink(client))

    async def message_for(alert_id: str, channel: str = "") -> Any:
        a = await store.get_analysis(alert_id)
        return alert_message(a) if a else None

    dispatcher = Dispatcher(store, {"slack": slack, "discord": disc}, message_for,  # type: ignore[dict-item]
                            concurrency=args.concurrency)
    await store.save_analysis_and_enqueue(
        analysis, [f"slack:{c}" for c in slack_channels] + [f"discord:{c}" for c in discord_channels])
    print(f"fan-out: one alert queued for {n:,} Slack channels ({w} workspaces) and {n:,} Discord channels; "
          f"posting (concurrency {args.concurrency} per chat service, latency {args.latency * 1000:.0f} ms)",
          file=sys.stderr)
    try:
        start = time.perf_counter()
        running = asyncio.create_task(dispatcher.run())
        dispatcher.wake()
        while len(slack.done) + len(disc.done) < 2 * n:
            await asyncio.sleep(0.1)
            if running.done():
                running.result()
                break
        dispatcher.stop()
        await asyncio.wait_for(running, 60)
        async with aiohttp.ClientSession() as session, session.get(f"http://127.0.0.1:{ports['stats']}/stats") as r:
            stats = await r.json()
        states = Counter(d.state for d in await store.deliveries())
    finally:
        await client.close()
        await store.close()

    results: dict[str, Any] = {"channels_per_platform": n, "slack_workspaces": w, "latency_ms": args.latency * 1000,
                               "concurrency": args.concurrency, "delivery_states": dict(states)}
    for name, sink, channels, least in (
            ("slack", slack, slack_channels, slack_least_seconds(n, w)),
            ("discord", disc, discord_channels, n / DISCORD_PER_SECOND)):
        seconds = (sink.done[-1] - start) if sink.done else float("nan")
        posts = stats[name]["posts"]
        achieved, allowed = len(sink.done) / seconds, n / least if least else float("inf")
        results[name] = {
            "posted": len(sink.done), "seconds": round(seconds, 2), "achieved_per_s": round(achieved, 1),
            "allowed_per_s": round(allowed, 1), "ratio": round(achieved / allowed, 3),
            "exactly_one_post_each": all(posts.get(c) == 1 for c in channels) and len(posts) == n,
            "answered_429": stats[name]["limited"],
        }
        r = results[name]
        print(f"{name}: {r['posted']:,} posts in {r['seconds']} s = {r['achieved_per_s']}/s, allowed "
              f"{r['allowed_per_s']}/s, ratio {r['ratio']:.2f} (target 0.90); exactly one post in every channel: "
              f"{r['exactly_one_post_each']}; 429s answered: {r['answered_429']}", file=sys.stderr)
    return results


# ---------------------------------------------------------------- feed cycle: the feed server (child)


def serve_feeds(port_file: Path, latency: float, hosts: int, entries: int) -> None:
    """Feeds on `hosts` loopback addresses, each answer after `latency` seconds; ETag and 304
    as a real publisher; counts the requests each feed gets (GET /stats, POST /reset) and on
    POST /advance gives every tenth feed a new entry (the rest stay unchanged: 304)."""
    from aiohttp import web

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from bench_feeds import feed_xml

    first: dict[int, int] = {}
    state = {"round": 0}
    requests: Counter[int] = Counter()

    def document(feed: int) -> tuple[bytes, str]:
        body = feed_xml(feed, first.get(feed, 0), entries)
        return body, '"' + hashlib.sha256(body).hexdigest()[:16] + '"'

    cache: dict[tuple[int, int], tuple[bytes, str]] = {}

    async def handle(request: web.Request) -> web.StreamResponse:
        feed = int(request.match_info["n"])
        requests[feed] += 1
        await asyncio.sleep(latency)
        key = (feed, first.get(feed, 0))
        if key not in cache:
            cache[key] = document(feed)
        body, etag = cache[key]
        if request.headers.get("If-None-Match") == etag:
            return web.Response(status=304, headers={"ETag": etag})
        return web.Response(body=body, headers={"ETag": etag, "Content-Type": "application/rss+xml"})

    async def advance(request: web.Request) -> web.Response:
        state["round"] += 1
        count = int(request.query.get("feeds", "0"))
        for feed in range(0, count, 10):
            first[feed] = first.get(feed, 0) + 1
        return web.Response(text="ok")

    async def reset(request: web.Request) -> web.Response:
        requests.clear()
        return web.Response(text="ok")

    async def stats(request: web.Request) -> web.Response:
        return web.json_response({"distinct": len(requests), "requests": sum(requests.values()),
                                  "twice": sum(1 for n in requests.values() if n > 1)})

    async def main() -> None:
        app = web.Application()
        app.router.add_get("/feed/{n}.xml", handle)
        app.router.add_post("/advance", advance)
        app.router.add_post("/reset", reset)
        app.router.add_get("/stats", stats)
        runner, port = await _serve(app)
        for h in range(2, hosts + 1):
            await web.TCPSite(runner, f"127.0.0.{h}", port).start()
        port_file.write_text(json.dumps({"port": port}))
        await asyncio.Event().wait()

    asyncio.run(main())


# ---------------------------------------------------------------- feed cycle: one instance (child)


def feeds_settings() -> Any:
    from bot.config import FeedsSettings

    # the defaults (2 requests at once per host, 64 in all), a long interval: one poll a cycle
    return FeedsSettings(allow_private_addresses=True, every=3600.0, sync_seconds=3600.0)


def run_instance(name: str, schema: str, data: Path) -> None:
    """One bot instance's feeds duty: the real FeedsConnector on its own scheduler, on the
    shared PostgreSQL store. Says "ready" once connected, starts on "go", stops on "stop"
    (lines on stdin) and prints what it did as JSON."""
    from apscheduler.schedulers.asyncio import AsyncIOScheduler

    from bot.config import Settings, StoreSettings
    from bot.core.commands import Commands
    from bot.core.connector import Runtime
    from bot.domain import Analysis, Article, TradeVerdict
    from bot.service.ingest import Ingest
    from bot.sources.feeds import FeedsConnector
    from bot.store import fingerprint, open_store
    from tests.pg import POSTGRES_URL

    async def stand_in(article: Article, priority: int = 0) -> Analysis:
        return Analysis(article, TradeVerdict(True, 0.9, ("tariffs",), ("trade",)), summary=article.title)

    async def main() -> None:
        loop = asyncio.get_running_loop()
        settings = feeds_settings()
        store = open_store(POSTGRES_URL, data, schema=schema)
        await store.feeds()  # connected
        ingest = Ingest(store, stand_in, fingerprint, lambda: None)
        scheduler = AsyncIOScheduler()
        connector = FeedsConnector(settings)
        runtime = Runtime(Settings(store=StoreSettings(data_dir=data), feeds=settings), store,
                          Commands(store, stand_in, feeds=settings, feeds_changed=connector.sync), scheduler,
                          ingest.article, lambda: None, ingest.discovered, name)
        print("ready", flush=True)
        await loop.run_in_executor(None, sys.stdin.readline)
        cpu = time.process_time()
        scheduler.start()
        await connector.start(runtime)
        await loop.run_in_executor(None, sys.stdin.readline)
        await connector.stop()
        scheduler.shutdown(wait=False)
        await store.close()
        print(json.dumps({"instance": name, "polls": connector.polls, "claims": connector.claims,
                          "cpu_seconds": round(time.process_time() - cpu, 2)}), flush=True)

    asyncio.run(main())


# ---------------------------------------------------------------- feed cycle (the parent)


async def feed_cycle(args: argparse.Namespace, feed_port: int, tmp: Path) -> dict[str, Any]:
    """Cycle time of `--feeds` feeds with 1 instance and with `--instances` instances, each a
    separate process running the real FeedsConnector on one PostgreSQL (a fresh schema,
    dropped afterwards). Before the two measured cycles every feed is polled once (its
    entries recorded, its ETag kept); then before each measured cycle every tenth feed gets a
    new entry (fetched, parsed, its new entry ingested with a stand-in analysis) and the
    others are unchanged (304), and every feed is made due. Cycle time = from "go" to the
    moment the feed server has answered every feed once; after it, the server's count of
    feeds requested more than once in the cycle."""
    import aiohttp
    import asyncpg

    from bot.store import open_store
    from tests.pg import POSTGRES_URL

    schema = f"tw_bench_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(POSTGRES_URL, timeout=10)
    await admin.execute(f'CREATE SCHEMA "{schema}"')
    base = f"http://127.0.0.1:{feed_port}"
    results: dict[str, Any] = {"feeds": args.feeds, "feed_latency_ms": args.feed_latency * 1000,
                               "hosts": args.feed_hosts, "per_host": feeds_settings().per_host,
                               "max_connections": feeds_settings().max_connections}
    try:
        store = open_store(POSTGRES_URL, tmp, schema=schema)
        await store.migrate()
        for i in range(args.feeds):
            await store.add_feed(f"http://127.0.0.{1 + i % args.feed_hosts}:{feed_port}/feed/{i}.xml", 3600.0)
        await store.close()

        async with aiohttp.ClientSession() as http:
            async def server(path: str, method: str = "GET") -> Any:
                async with http.request(method, base + path) as r:
                    return await r.json() if method == "GET" else await r.text()

            async def cycle(instances: int, label: str, change: bool) -> dict[str, Any]:
                if change:
                    await server(f"/advance?feeds={args.feeds}", "POST")
                await server("/reset", "POST")
                await admin.execute(f'UPDATE "{schema}".feeds SET next_poll = now()')  # noqa: S608 (our schema)
                procs = [subprocess.Popen([sys.executable, __file__, "--feed-instance", f"bench-{label}-{k}",
                                           "--schema", schema], cwd=ROOT, stdin=subprocess.PIPE,
                                          stdout=subprocess.PIPE, text=True) for k in range(instances)]
                try:
                    for proc in procs:
                        assert proc.stdout is not None
                        if proc.stdout.readline().strip() != "ready":
                            raise SystemExit("an instance did not start")
                    start = time.perf_counter()
                    for proc in procs:
                        assert proc.stdin is not None
                        proc.stdin.write("go\n")
                        proc.stdin.flush()
                    deadline = start + args.cycle_limit
                    while (await server("/stats"))["distinct"] < args.feeds and time.perf_counter() < deadline:
                        await asyncio.sleep(0.1)  # (a feed whose poll failed is not asked again this cycle)
                    seconds = time.perf_counter() - start
                    await asyncio.sleep(2.0)  # time for a second poll of any feed to show
                    stats = await server("/stats")
                finally:
                    done = []
                    for proc in procs:
                        out, _ = proc.communicate("stop\n", timeout=120)
                        done.append(json.loads(out.strip().splitlines()[-1]) if out.strip() else {})
                r = {"instances": instances, "seconds": round(seconds, 2), "feeds_answered": stats["distinct"],
                     "complete": stats["distinct"] >= args.feeds, "requests": stats["requests"],
                     "feeds_polled_twice": stats["twice"],
                     "polls_per_instance": [d.get("polls") for d in done],
                     "claims_per_instance": [d.get("claims") for d in done],
                     "cpu_seconds_per_instance": [d.get("cpu_seconds") for d in done]}
                print(f"feed cycle, {label}: {r['feeds_answered']:,} of {args.feeds:,} feeds by {instances} "
                      f"instance(s) in {r['seconds']} s; "
                      f"{r['requests']:,} requests, {r['feeds_polled_twice']} feeds polled twice; polls per "
                      f"instance {r['polls_per_instance']}, claims {r['claims_per_instance']}, CPU seconds {r['cpu_seconds_per_instance']}",
                      file=sys.stderr)
                return r

            results["first_poll"] = await cycle(args.instances, "first poll", change=False)
            one = results["one_instance"] = await cycle(1, "1 instance", change=True)
            many = results["many_instances"] = await cycle(args.instances, f"{args.instances} instances",
                                                           change=True)
            results["ratio"] = round(one["seconds"] / many["seconds"], 2)
            print(f"feed cycle ratio, 1 instance / {args.instances}: {results['ratio']} (target 2.0)",
                  file=sys.stderr)
    finally:
        await admin.execute(f'DROP SCHEMA "{schema}" CASCADE')
        await admin.close()
    return results


# ---------------------------------------------------------------- main


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--channels", type=int, default=5000, help="channels per platform")
    p.add_argument("--workspaces", type=int, default=20, help="Slack workspaces the channels are spread over")
    p.add_argument("--latency", type=float, default=0.05, help="seconds the chat fakes take to answer")
    p.add_argument("--concurrency", type=int, default=16, help="the dispatcher's posts at once per chat service")
    p.add_argument("--feeds", type=int, default=5000)
    p.add_argument("--feed-latency", type=float, default=0.25, help="seconds the feed server takes to answer")
    p.add_argument("--feed-hosts", type=int, default=50, help="loopback addresses the feeds are spread over")
    p.add_argument("--instances", type=int, default=3)
    p.add_argument("--cycle-limit", type=float, default=600.0,
                   help="seconds after which a feed cycle is reported incomplete (a poll failed)")
    p.add_argument("--quick", action="store_true", help="a smoke run: 200 channels, 4 workspaces, 200 feeds")
    p.add_argument("--no-fanout", action="store_true")
    p.add_argument("--no-feeds", action="store_true")
    p.add_argument("--json", action="store_true")
    p.add_argument("--serve-chat", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--serve-feeds", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--feed-instance", default=None, help=argparse.SUPPRESS)
    p.add_argument("--schema", default=None, help=argparse.SUPPRESS)
    p.add_argument("port_file", nargs="?", type=Path, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.serve_chat:
        serve_chat(args.port_file, args.latency, args.workspaces)
        return 0
    if args.serve_feeds:
        serve_feeds(args.port_file, args.feed_latency, args.feed_hosts, FEED_ENTRIES)
        return 0
    if args.feed_instance:
        with tempfile.TemporaryDirectory() as tmp:
            run_instance(args.feed_instance, args.schema, Path(tmp))
        return 0
    if args.quick:
        args.channels, args.workspaces, args.feeds = 200, 4, 200
    results: dict[str, Any] = {"cpus": os.cpu_count()}
    with tempfile.TemporaryDirectory() as tmp:
        if not args.no_fanout:
            proc, ports = child(["--serve-chat", "--latency", str(args.latency), "--workspaces",
                                 str(args.workspaces)], Path(tmp) / "chat-ports")
            try:
                results["fanout"] = asyncio.run(fanout(args, ports, Path(tmp) / "fanout"))
            finally:
                proc.terminate()
                proc.wait(10)
        if not args.no_feeds:
            proc, ports = child(["--serve-feeds", "--feed-latency", str(args.feed_latency), "--feed-hosts",
                                 str(args.feed_hosts)], Path(tmp) / "feed-port")
            try:
                results["feed_cycle"] = asyncio.run(feed_cycle(args, ports["port"], Path(tmp) / "feeds"))
            finally:
                proc.terminate()
                proc.wait(10)
    print(json.dumps(results) if args.json else json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
