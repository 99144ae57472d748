"""`tradewatch run` shows issue 14's flow on the console: the example stories of one measure
(an announcement, a wire copy of it, its delay) give one alert card, a line saying it was
edited to name the copy, and the update indented under a line naming the alert. A real
subprocess on the project's own `examples/news` files, dropped into its folder one by one
(read all at once, as on a first `make run`, which of the two reports is the alert depends
on which was analysed first)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, ROOT

pytestmark = pytest.mark.slow
GUARD = 180.0


def _until(out: list[str], words: str) -> None:
    deadline = time.monotonic() + GUARD
    while not any(words in line for line in out):
        if time.monotonic() > deadline:
            raise AssertionError(f"{words!r} not shown within {GUARD} s:\n{''.join(out)}")
        time.sleep(0.1)


def test_the_console_shows_one_alert_its_edit_and_the_update_under_it(tmp_path: Path) -> None:
    news = tmp_path / "news"
    news.mkdir()
    config = tmp_path / "bot.toml"
    config.write_text(f'[store]\ndata_dir = "{(tmp_path / "data").as_posix()}"\n'
                      f'[[folders]]\npath = "{news.as_posix()}"\n'
                      "[feeds]\nenabled = false\n", encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "bot", "run", "--config", str(config)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    out: list[str] = []
    reader = threading.Thread(target=lambda: out.extend(proc.stdout or ()), daemon=True)
    reader.start()
    try:
        for name, shown in (("2025-09-02-furniture-tariff.txt", "■ The United States will put a 25 per cent"),
                            ("2025-09-02-furniture-wire-copy.txt", "✎ alert"),
                            ("2025-09-24-furniture-delay.txt", "│ ■ Update")):
            shutil.copy(EXAMPLES / name, news / name)
            _until(out, shown)
    finally:
        proc.terminate()
        proc.wait(timeout=120)
        reader.join(timeout=10)
    text = "".join(out)
    assert text.count("■ ") == 2, text  # the alert, and the update (inside the thread bar)
    assert ("✎ alert 2025-09-02-furniture-tariff updated: also reported by "
            "2025-09-02-furniture-wire-copy.txt") in text
    thread = text.index("↳ in reply to alert 2025-09-02-furniture-tariff\n")
    update = text[thread:].splitlines()
    assert update[1].startswith("    │ ■ Update m-") and "announced → delayed" in update[1]
    assert "effective Oct 1 2025 → Oct 15 2025" in update[1]
