"""A real `tradewatch run` as a subprocess for the CLI tests, its stderr lines collected as
they come (a thread reads them, so a test can look while the process runs)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from tests.conftest import ROOT

PYTHON = sys.executable
START_GUARD = 180.0
"""Generous: a run loads spaCy first, and the machine is shared."""


class Run:
    """`tradewatch run --config CONFIG ARGS...`; `instance` sets TRADEWATCH_INSTANCE_ID."""

    def __init__(self, config: Path, *args: str, env: dict[str, str] | None = None,
                 instance: str | None = None) -> None:
        self.instance = instance or ""
        self.killed = False
        """Set by a test that kills it on purpose (its end is then expected)."""
        extra = {"TRADEWATCH_INSTANCE_ID": instance} if instance else {}
        self.proc = subprocess.Popen([PYTHON, "-m", "bot", "run", "--config", str(config), *args], cwd=ROOT,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                                     env={**os.environ, **(env or {}), **extra})
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.lines.append(line)

    def saw(self, words: str) -> bool:
        return any(words in ln for ln in list(self.lines))

    def wait_for(self, words: str, timeout: float = START_GUARD) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.saw(words):
                return
            if self.proc.poll() is not None:
                self._reader.join(timeout=10)
                if self.saw(words):
                    return
                break
            time.sleep(0.1)
        raise AssertionError(f"{words!r} not seen within {timeout} s:\n{''.join(self.lines)}")

    def end(self, sig: int = signal.SIGINT) -> int:
        """Send `sig` (if still running) and wait for the exit code; killed if it hangs."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            code = self.proc.wait(timeout=120)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = self.proc.wait(timeout=30)
        self._reader.join(timeout=10)
        return code
