"""Two real `tradewatch run` processes on one SQLite store (issue 13 point 3), and the
structured logs of a real run (point 4).

The first run holds the store; a second is refused with a message naming the data folder,
while the read-only commands still read the same SQLite file; after the first is killed
with SIGKILL a new run starts (the OS released the lock). Waits have generous guards.
"""

from __future__ import annotations

import json
import shutil
import signal
import socket
import subprocess
from pathlib import Path

import pytest

from tests.cli.runs import PYTHON, START_GUARD, Run
from tests.conftest import EXAMPLES, ROOT

pytestmark = pytest.mark.slow
def _config(tmp_path: Path) -> Path:
    (tmp_path / "news").mkdir()
    shutil.copy(EXAMPLES / "2025-03-06-us-steel-tariffs.txt", tmp_path / "news" / "steel.txt")
    config = tmp_path / "bot.toml"
    config.write_text(f'[store]\ndata_dir = "{(tmp_path / "data").as_posix()}"\n'
                      f'[[folders]]\npath = "{(tmp_path / "news").as_posix()}"\n'
                      "[feeds]\nenabled = false\n", encoding="utf-8")
    return config


def test_a_second_run_on_the_same_sqlite_is_refused_and_readers_still_work(tmp_path: Path) -> None:
    config = _config(tmp_path)
    first = Run(config, "--log-format", "json", env={"TRADEWATCH_INSTANCE_ID": "tw-one"})
    try:
        first.wait_for("TradeWatch is running")
        first.wait_for("steel: trade policy")  # the folder's story is stored: something to read

        second = subprocess.run([PYTHON, "-m", "bot", "run", "--config", str(config)], cwd=ROOT,
                                capture_output=True, text=True, timeout=START_GUARD)
        assert second.returncode == 1, second.stderr
        assert (f"tradewatch run: store.data_dir: another TradeWatch is running on the data folder "
                f"{tmp_path / 'data'}/ (pid {first.proc.pid})") in second.stderr
        assert "Traceback" not in second.stderr

        for command in (["tariffs"], ["summary", "steel"], ["subscriptions"]):
            read = subprocess.run([PYTHON, "-m", "bot", *command, "--config", str(config)], cwd=ROOT,
                                  capture_output=True, text=True, timeout=START_GUARD)
            assert read.returncode == 0, (command, read.stderr)
        assert first.proc.poll() is None  # the first bot runs on
    finally:
        first.end(signal.SIGKILL)

    logged = [json.loads(ln) for ln in first.lines if ln.startswith("{")]
    assert logged, "".join(first.lines)
    for entry in logged:
        assert entry["instance"] == "tw-one"
        assert {"time", "level", "logger", "message"} <= entry.keys()
    assert any(e["logger"].startswith("bot.") and "steel" in e["message"] for e in logged)

    again = Run(config)  # the kill -9 left no stale lock
    try:
        again.wait_for("TradeWatch is running")
    finally:
        assert again.end() == 0
    tag = f"[{socket.gethostname()}-{again.proc.pid}]: "  # the default instance id: hostname-pid
    assert any(" INFO bot." in ln and tag in ln for ln in again.lines), "".join(again.lines)
