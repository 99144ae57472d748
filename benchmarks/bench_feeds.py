"""Benchmark: polling 1,000 feeds of 20 entries each from a local web server (issue 7).

A separate process serves the feeds (RSS 2.0, real ETag/Last-Modified, 304 when unchanged)
on `--hosts` loopback addresses (127.0.0.1, 127.0.0.2, ...), so the per-host limit applies
as it would to many publishers. The bot side is the real feeds connector on the real
scheduler and a real SQLite store, with the configuration's defaults (2 requests at once
per host, 64 overall). Three cycles:

1. first poll of every feed (fetch, parse, record 20,000 entries without alerting);
2. every feed polled again with nothing changed: all 304, nothing parsed;
3. (unless --no-new) every feed carries one new entry: parsed, and 1,000 articles handed
   to the service's real ingest step (store, dedupe, route, enqueue) with a stand-in
   analysis, since the language analysis has its own benchmark (bench_analyze.py).

Reports each cycle's wall time and the bot process's peak memory (VmHWM). Targets: first
cycle < 20 s, second < 5 s, memory < 500 MB.

Usage: python benchmarks/bench_feeds.py [--feeds 1000] [--entries 20] [--hosts 20] [--json]
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
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

WORDS = ("tariff duty ministry exporters importers steel grain quota talks officials said "
         "percent billion dollars trade surplus deficit customs tonnes shipments agreement "
         "negotiators subsidies dispute panel ruling markets prices harvest factories ports "
         "retaliation measures season review partners government rules").split()
COUNTRIES = ("Freedonia", "Sylvania", "Grand Fenwick", "Ruritania", "Latveria", "Genovia")


# ---------------------------------------------------------------- the web server (child process)


def entry_xml(feed: int, n: int) -> str:
    seed = int(hashlib.sha256(f"{feed}/{n}".encode()).hexdigest()[:8], 16)
    a, b = COUNTRIES[seed % 6], COUNTRIES[(seed // 6) % 6]
    words = " ".join(WORDS[(seed >> (i % 24)) % len(WORDS)] for i in range(90))
    text = (f"{a} said on Monday it would change its rules on trade with {b}, desk {feed} item {n}. "
            f"{words.capitalize()}.")
    when = datetime(2025, 6, 1, tzinfo=UTC) + timedelta(minutes=feed * 7 + n)
    return (f"<item><title>{a} and {b}: item {n} of feed {feed}</title>"
            f"<link>https://desk{feed % 97}.example/news/{feed}/{n}?utm_source=rss</link>"
            f'<guid isPermaLink="false">urn:bench:{feed}:{n}</guid><pubDate>{format_datetime(when)}</pubDate>'
            f"<description>&lt;p&gt;{text}&lt;/p&gt;</description></item>")


def feed_xml(feed: int, first: int, entries: int) -> bytes:
    items = "".join(entry_xml(feed, n) for n in range(first + entries - 1, first - 1, -1))
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Desk {feed}</title>'
            f"<link>https://desk{feed}.example/</link><description>Bench feed</description>"
            f"{items}</channel></rss>").encode()


def serve(hosts: int, entries: int, port_file: Path) -> None:
    from aiohttp import web

    state = {"first": 0}
    cache: dict[tuple[int, int], tuple[bytes, str]] = {}

    def document(feed: int) -> tuple[bytes, str]:
        key = (feed, state["first"])
        if key not in cache:
            body = feed_xml(feed, state["first"], entries)
            cache[key] = (body, '"' + hashlib.sha256(body).hexdigest()[:16] + '"')
        return cache[key]

    async def handle(request: web.Request) -> web.StreamResponse:
        body, etag = document(int(request.match_info["n"]))
        if request.headers.get("If-None-Match") == etag:
            return web.Response(status=304, headers={"ETag": etag})
        return web.Response(body=body, headers={"ETag": etag, "Content-Type": "application/rss+xml"})

    async def advance(request: web.Request) -> web.Response:
        state["first"] += 1
        return web.Response(text="ok")

    async def main() -> None:
        app = web.Application()
        app.router.add_get("/feed/{n}.xml", handle)
        app.router.add_post("/advance", advance)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        for h in range(2, hosts + 1):
            await web.TCPSite(runner, f"127.0.0.{h}", port).start()
        port_file.write_text(str(port))
        await asyncio.Event().wait()

    asyncio.run(main())


# ---------------------------------------------------------------- the bot side


def hwm_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def bench(args: argparse.Namespace, port: int, data: Path) -> dict[str, object]:
    import aiohttp
    from apscheduler.schedulers.asyncio import AsyncIOScheduler

    from bot.config import FeedsSettings, Settings, StoreSettings
    from bot.core.commands import Commands
    from bot.core.connector import Runtime
    from bot.domain import Analysis, Article, Subscription, TradeVerdict
    from bot.service.ingest import Ingest
    from bot.sources.feeds import FeedsConnector
    from bot.store import fingerprint, open_store

    async def stand_in(article: Article, priority: int = 0) -> Analysis:
        return Analysis(article, TradeVerdict(True, 0.9, ("tariffs",), ("trade",)), summary=article.title)

    settings = FeedsSettings(allow_private_addresses=True, every=3600.0, sync_seconds=3600.0)
    store = open_store(None, data)
    await store.migrate()
    await store.subscribe(Subscription("console:default"))
    urls = [f"http://127.0.0.{1 + i % args.hosts}:{port}/feed/{i}.xml" for i in range(args.feeds)]
    for url in urls:
        await store.add_feed(url, 3600.0)
    ingest = Ingest(store, stand_in, fingerprint, lambda: None)
    scheduler = AsyncIOScheduler()
    connector = FeedsConnector(settings)
    runtime = Runtime(Settings(store=StoreSettings(data_dir=data), feeds=settings), store,
                      Commands(store, stand_in, feeds=settings, feeds_changed=connector.sync), scheduler,
                      ingest.article, lambda: None, ingest.discovered)
    results: dict[str, object] = {"feeds": args.feeds, "entries_per_feed": args.entries, "hosts": args.hosts,
                                  "per_host": settings.per_host, "max_connections": settings.max_connections}

    cpu: dict[str, float] = {}

    async def cycle(target: int, name: str) -> float:
        start, used = time.perf_counter(), time.process_time()
        while connector.polls < target:
            await asyncio.sleep(0.005)
        cpu[name] = time.process_time() - used
        return time.perf_counter() - start

    async def due_now() -> None:
        for url in urls:
            await store.add_feed(url, 3600.0)  # an admin's re-add: due at once, state kept
        await connector.sync()

    try:
        scheduler.start()
        start = time.perf_counter()
        await connector.start(runtime)
        await cycle(args.feeds, "cycle1")
        first = time.perf_counter() - start
        feeds = await store.feeds()
        results["cycle1_seconds"] = round(first, 2)
        results["cycle1_ok"] = sum(1 for f in feeds if f.last_success and not f.failures)
        print(f"cycle 1 (first poll, {args.feeds * args.entries:,} entries recorded): {first:.2f} s, "
              f"{results['cycle1_ok']} feeds ok", file=sys.stderr)

        await due_now()
        second = await cycle(2 * args.feeds, "cycle2")
        results["cycle2_seconds"] = round(second, 2)
        feeds = await store.feeds()
        results["cycle2_ok"] = sum(1 for f in feeds if f.failures == 0)
        print(f"cycle 2 (nothing changed, all 304): {second:.2f} s", file=sys.stderr)

        if not args.no_new:
            async with aiohttp.ClientSession() as session:
                await session.post(f"http://127.0.0.1:{port}/advance")
            before = await store.count_articles()
            await due_now()
            third = await cycle(3 * args.feeds, "cycle3")
            results["cycle3_seconds"] = round(third, 2)
            results["cycle3_articles"] = await store.count_articles() - before
            print(f"cycle 3 (one new entry per feed, {results['cycle3_articles']} articles ingested): "
                  f"{third:.2f} s", file=sys.stderr)
        results.update({f"{k}_cpu_seconds": round(v, 2) for k, v in cpu.items()})
        results["peak_memory_mb"] = round(hwm_mb(), 1)
        print(f"peak memory of the bot process: {results['peak_memory_mb']} MB", file=sys.stderr)
    finally:
        scheduler.shutdown(wait=False)
        await connector.stop()
        await store.close()
    return results


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--feeds", type=int, default=1000)
    p.add_argument("--entries", type=int, default=20)
    p.add_argument("--hosts", type=int, default=20, help="loopback addresses the feeds are spread over")
    p.add_argument("--no-new", action="store_true", help="skip the third cycle (new entries)")
    p.add_argument("--json", action="store_true")
    p.add_argument("--serve", type=Path, default=None, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.serve is not None:
        serve(args.hosts, args.entries, args.serve)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        port_file = Path(tmp) / "port"
        server = subprocess.Popen([sys.executable, __file__, "--serve", str(port_file), "--hosts",
                                   str(args.hosts), "--entries", str(args.entries)])
        try:
            for _ in range(200):
                if port_file.exists() and port_file.read_text():
                    break
                time.sleep(0.05)
            else:
                raise SystemExit("the feed server did not start")
            results = asyncio.run(bench(args, int(port_file.read_text()), Path(tmp) / "data"))
        finally:
            server.terminate()
            server.wait(10)
    results["cpus"] = os.cpu_count()
    print(json.dumps(results) if args.json else "\n".join(f"{k}: {v}" for k, v in results.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
