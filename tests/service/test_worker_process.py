"""The analysis worker process ends with the bot, even after `kill -9` (issue 12, point 4).

A real `tradewatch run` in a temporary folder (SQLite, a watched folder, no chat, no feeds);
its worker process is found among its children, the bot is killed with SIGKILL, and the
worker must be gone within a generous guard.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.slow

CONFIG = """
[store]
data_dir = "{data}"
[[folders]]
path = "{news}"
[feeds]
enabled = false
"""


def _children(pid: int) -> list[int]:
    """The pids whose parent is `pid` (from /proc)."""
    out = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            out.append(int(entry.name))
    return out


def _alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has ended; only its exit status is left to collect


def _wait(predicate: object, timeout: float) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():  # type: ignore[operator]
            return True
        time.sleep(0.1)
    return False


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc (Linux)")
def test_the_worker_process_ends_when_the_bot_is_killed(tmp_path: Path) -> None:
    (tmp_path / "news").mkdir()
    config = tmp_path / "tradewatch.toml"
    config.write_text(CONFIG.format(data=tmp_path / "data", news=tmp_path / "news"), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRADEWATCH_")}
    bot = subprocess.Popen([sys.executable, "-m", "bot", "run", "--config", str(config)], cwd=ROOT, env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    workers: list[int] = []
    try:
        assert bot.stderr is not None
        for line in bot.stderr:  # the banner is printed once the worker has loaded its model
            if "TradeWatch is running" in line:
                break
        else:
            pytest.fail(f"the bot did not start (exit {bot.wait()})")
        workers = _children(bot.pid)
        assert workers, "the bot has no worker process"
        bot.send_signal(signal.SIGKILL)
        bot.wait(timeout=30)
        assert _wait(lambda: not any(_alive(w) for w in workers), 30.0), \
            f"worker process(es) {workers} still alive 30 s after the bot was killed"
    finally:
        if bot.poll() is None:
            bot.kill()
            bot.wait()
        for w in workers:  # never leave one behind, whatever the outcome
            if _alive(w):
                os.kill(w, signal.SIGKILL)
