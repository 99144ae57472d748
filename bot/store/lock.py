"""One running bot per SQLite store (issue 13 point 3): an exclusive lock file next to the
database, held for the life of the process.

The lock is `fcntl.flock` on `<database file>.lock`: the operating system releases it when
the process ends, however it ends (a kill -9 included), so a stale lock never blocks a
restart; the file itself stays and is harmless. Only `tradewatch run` takes it: the
read-only commands (tariffs, summary, ...) and `feeds add` read and write the same SQLite
file beside the running bot (WAL), as before. PostgreSQL takes no lock here; several
instances on one PostgreSQL share the work through claims and leases (`bot/store/lease.py`).

A forked child (the analysis worker's process pool forks) would share the lock and keep it
after the bot released it or died; an at-fork hook closes the lock's descriptor in every
child, so only the bot holds it. (Descriptors are not inherited across exec anyway.)
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path

from bot.store.engine import StoreUnavailable

_HELD: set[int] = set()
"""Descriptors of the run locks this process holds (closed in forked children)."""


def _close_in_child() -> None:
    for fd in list(_HELD):
        with contextlib.suppress(OSError):
            os.close(fd)  # the child's copy only: the parent's lock stands
    _HELD.clear()


os.register_at_fork(after_in_child=_close_in_child)


class StoreInUse(StoreUnavailable):
    """Another `tradewatch run` holds this SQLite store."""


class RunLock:
    """The held lock; `release()` (or the process ending) lets the next bot start."""

    def __init__(self, path: Path, fd: int) -> None:
        self.path = path
        self._fd: int | None = fd

    def release(self) -> None:
        if self._fd is not None:
            _HELD.discard(self._fd)
            os.close(self._fd)  # closing the last descriptor drops the flock
            self._fd = None


def lock_path(database: Path) -> Path:
    return database.with_name(database.name + ".lock")


def hold_run_lock(database: Path) -> RunLock:
    """Take the run lock of the SQLite file `database`, or raise StoreInUse naming its folder.

    Does not wait: a second bot on the same file is refused at once. The lock file records
    the holder's pid for a person who looks (the lock, not the pid, is what counts)."""
    path = lock_path(database)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = _read_pid(fd)
        os.close(fd)
        raise StoreInUse(
            f"another TradeWatch is running on the data folder {database.parent}/"
            f"{f' (pid {holder})' if holder else ''}: one `tradewatch run` per SQLite store. "
            f"Stop it first, or give this one its own store.data_dir (or PostgreSQL)") from None
    except OSError:
        os.close(fd)
        raise
    os.ftruncate(fd, 0)
    os.write(fd, f"{os.getpid()}\n".encode())
    _HELD.add(fd)
    return RunLock(path, fd)


def _read_pid(fd: int) -> str:
    try:
        text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        return ""
    return text if text.isdigit() else ""
