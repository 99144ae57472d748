"""One `tradewatch run` per SQLite store (issue 13 point 3): the run lock next to the database."""

from __future__ import annotations

import multiprocessing
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from bot.store.engine import StoreUnavailable
from bot.store.lock import StoreInUse, hold_run_lock, lock_path

HOLD = """
import sys, time
from pathlib import Path
from typing import Any
from bot.store.lock import hold_run_lock
hold_run_lock(Path(sys.argv[1]))
print("held", flush=True)
time.sleep(600)
"""


def test_a_second_holder_is_refused_with_the_data_folder_named(tmp_path: Path) -> None:
    db = tmp_path / "data" / "tradewatch.sqlite3"
    first = hold_run_lock(db)
    try:
        with pytest.raises(StoreInUse) as refused:
            hold_run_lock(db)
        message = str(refused.value)
        assert f"another TradeWatch is running on the data folder {db.parent}/" in message
        assert "store.data_dir" in message
        assert isinstance(refused.value, StoreUnavailable)  # the CLI's store error: exit 1
    finally:
        first.release()
    hold_run_lock(db).release()  # released: the next one takes it
    assert lock_path(db) == tmp_path / "data" / "tradewatch.sqlite3.lock"


def test_a_killed_holder_leaves_no_stale_lock(tmp_path: Path) -> None:
    db = tmp_path / "tradewatch.sqlite3"
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(db)], stdout=subprocess.PIPE, text=True,
                              cwd=Path(__file__).resolve().parents[2])
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(StoreInUse, match=rf"\(pid {holder.pid}\)"):
            hold_run_lock(db)
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=60)
    assert lock_path(db).exists()  # the file stays; the lock went with the process
    hold_run_lock(db).release()


def _run_a_while(running: Any) -> None:
    running.set()
    time.sleep(600)


def test_a_forked_child_does_not_keep_the_lock(tmp_path: Path) -> None:
    """The analysis worker's pool forks after the bot took the lock: when the bot releases
    it (or dies), the next bot must get it even while that child still runs."""
    db = tmp_path / "tradewatch.sqlite3"
    lock = hold_run_lock(db)
    fork = multiprocessing.get_context("fork")
    running = fork.Event()
    child = fork.Process(target=_run_a_while, args=(running,))
    child.start()
    try:
        assert running.wait(timeout=60)
        lock.release()
        hold_run_lock(db).release()
    finally:
        child.kill()
        child.join(timeout=60)
