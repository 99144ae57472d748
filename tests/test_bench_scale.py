"""Smoke run of benchmarks/bench_scale.py (issue 13) at a small size: the harness works end to
end, not how fast (the timings are in the README). 50 Slack channels in 2 workspaces and 50
Discord channels through the rate-limited fakes; 50 feeds polled by 1 and by 3 instance
processes on PostgreSQL."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.pg import drop_schema, postgres_schema

pytestmark = [pytest.mark.slow, pytest.mark.postgres]
ROOT = Path(__file__).resolve().parents[1]


def test_the_scale_benchmark_posts_every_channel_once_and_polls_every_feed_once() -> None:
    asyncio.run(drop_schema(asyncio.run(postgres_schema())))  # skips with a reason without PostgreSQL
    run = subprocess.run([sys.executable, "benchmarks/bench_scale.py", "--channels", "50", "--workspaces", "2",
                          "--feeds", "50", "--feed-hosts", "5", "--feed-latency", "0.05", "--json"],
                         cwd=ROOT, capture_output=True, text=True, timeout=600, check=False)
    assert run.returncode == 0, run.stderr[-3000:]
    results = json.loads(run.stdout.strip().splitlines()[-1])
    fanout = results["fanout"]
    assert fanout["delivery_states"] == {"sent": 100}
    for platform in ("slack", "discord"):
        assert fanout[platform]["posted"] == 50 and fanout[platform]["exactly_one_post_each"]
    cycle = results["feed_cycle"]
    for run_ in ("one_instance", "many_instances"):
        assert cycle[run_]["complete"] and cycle[run_]["requests"] == 50 and cycle[run_]["feeds_polled_twice"] == 0
        assert sum(cycle[run_]["polls_per_instance"]) == 50
    assert len(cycle["many_instances"]["polls_per_instance"]) == 3
