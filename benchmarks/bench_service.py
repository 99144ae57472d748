"""Benchmark: the running service under a backlog (issue 4).

Drops N stories (default 1,000, generated from the project's own example articles, each
made unique) into a watched folder at once, and while that backlog runs, drops single
"probe" files one at a time. Reports the time from the first file to the last alert, the
alert latency of the probes (median, 95th percentile), and the peak memory of the bot
(main process + analysis worker, VmHWM from /proc).

Folding near-duplicates (issue 14) is turned off here: the stories are copies of a few
examples by construction. An update of a measure counts as its story's alert.

Usage: python benchmarks/bench_service.py [--stories N] [--probes K]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.config import FolderSettings, Settings, StoreSettings, SubscriptionSettings  # noqa: E402
from bot.core.message import Message  # noqa: E402
from bot.service import ingest  # noqa: E402
from bot.service.app import Service  # noqa: E402
from bot.store.follow import split_update_key  # noqa: E402

EXAMPLES = sorted((ROOT / "examples" / "news").glob("*.txt"))
PROBE = ROOT / "examples" / "news" / "2025-07-14-tariff-delay.txt"
"""A trade story: every probe must end in an alert."""


class TimingSink:
    service = "console"

    def __init__(self) -> None:
        self.posted: dict[str, float] = {}

    async def post(self, channel_id: str, message: Message, *, thread: str | None = None) -> str | None:
        key = message.key or ""
        story_id = split_update_key(key)[0] if key.startswith(("update:", "change:")) else key
        self.posted[story_id] = time.monotonic()  # an update of a measure counts as its story's alert
        return message.key

    async def edit(self, channel_id: str, ref: str, message: Message) -> None:
        pass

    async def find(self, channel_id: str, key: str) -> str | None:
        return key if key in self.posted else None


def hwm_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def story(i: int) -> str:
    base = EXAMPLES[i % len(EXAMPLES)].read_text()
    return base.rstrip() + f"\n\nThis is benchmark copy number {i}, filed by desk {i % 17}.\n"


async def main_async(n: int, probes: int) -> dict[str, float]:
    # the stories are the examples made unique by a line: near-duplicates of each other by
    # design. Folding them into their first alert (issue 14) would leave little to post, so
    # the benchmark turns it off and measures the alert pipeline as before.
    ingest.FOLD_WITHIN = timedelta(0)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "news"
        folder.mkdir()
        sink = TimingSink()
        settings = Settings(store=StoreSettings(data_dir=Path(tmp) / "data"),
                            folders=(FolderSettings(path=folder),),
                            subscriptions=(SubscriptionSettings(channel="console:bench", min_score=0.0),))
        service = Service(settings, sinks={"console": sink})
        await service.start()
        worker_pids = list(getattr(service.worker._pool, "_processes", {}) or {})
        # the backlog: written elsewhere, then moved in at once
        staging = Path(tmp) / "staging"
        staging.mkdir()
        for i in range(n):
            (staging / f"story-{i:05d}.txt").write_text(story(i))
        t0 = time.monotonic()
        for p in sorted(staging.iterdir()):
            p.rename(folder / p.name)
        latencies = []
        for k in range(probes):
            await asyncio.sleep(0.4)
            key = f"probe-{k}"
            written = time.monotonic()
            (folder / f"{key}.txt").write_text(PROBE.read_text() + f"\nLive probe number {k}.\n")
            while key not in sink.posted and time.monotonic() - written < 60:
                await asyncio.sleep(0.005)
            latencies.append(sink.posted.get(key, float("inf")) - written)
        expected = {f"story-{i:05d}" for i in range(n)}
        trade = None
        while time.monotonic() - t0 < 600:
            done = service._ingest.processed
            if done >= n + probes:
                break
            await asyncio.sleep(0.1)
        last = max((sink.posted[k] for k in expected if k in sink.posted), default=t0)
        trade = sum(1 for k in expected if k in sink.posted)
        import os

        mem = hwm_mb(os.getpid()) + sum(hwm_mb(p) for p in worker_pids)
        await service.close()
    latencies.sort()
    return {
        "stories": n, "alerts": trade or 0, "not_trade": n - (trade or 0), "backlog_s": round(last - t0, 2),
        "probe_median_s": round(statistics.median(latencies), 3),
        "probe_p95_s": round(latencies[max(0, int(len(latencies) * 0.95) - 1)], 3),
        "probes": probes, "peak_mb": round(mem),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--stories", type=int, default=1000)
    ap.add_argument("--probes", type=int, default=20)
    args = ap.parse_args()
    res = asyncio.run(main_async(args.stories, args.probes))
    print(json.dumps(res))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
