"""`tradewatch run` on the embedded default shows issue 14's flow on the console: the
example stories of one measure (an announcement, a wire copy of it, its delay) give one
alert card, a line saying it was edited to name the copy, and the update indented under a
line naming the alert. A real subprocess on the project's own `examples/news` files."""

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
STORIES = ("2025-09-02-furniture-tariff.txt", "2025-09-02-furniture-wire-copy.txt", "2025-09-24-furniture-delay.txt")
GUARD = 180.0


def test_the_console_shows_one_alert_its_edit_and_the_update_under_it(tmp_path: Path) -> None:
    (tmp_path / "news").mkdir()
    for name in STORIES:
        shutil.copy(EXAMPLES / name, tmp_path / "news" / name)
    config = tmp_path / "bot.toml"
    config.write_text(f'[store]\ndata_dir = "{(tmp_path / "data").as_posix()}"\n'
                      f'[[folders]]\npath = "{(tmp_path / "news").as_posix()}"\n'
                      "[feeds]\nenabled = false\n", encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "bot", "run", "--config", str(config)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    out: list[str] = []
    reader = threading.Thread(target=lambda: out.extend(proc.stdout or ()), daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + GUARD
        while time.monotonic() < deadline and not any("│ ■ Update" in line for line in out):
            time.sleep(0.1)
    finally:
        proc.terminate()
        proc.wait(timeout=120)
        reader.join(timeout=10)
    text = "".join(out)
    assert text.count("■ ") == 2, text  # the alert, and the update (inside the thread bar)
    alert = text.index("■ The United States will put a 25 per cent tariff")
    edit = text.index("✎ alert 2025-09-02-furniture-tariff updated: also reported by "
                      "2025-09-02-furniture-wire-copy.txt")
    thread = text.index("↳ in reply to alert 2025-09-02-furniture-tariff")
    assert alert < edit and alert < thread  # the edit and the update may come in either order
    update = text[thread:].splitlines()
    assert update[1].startswith("    │ ■ Update m-") and "announced → delayed" in update[1]
    assert "effective Oct 1 2025 → Oct 15 2025" in update[1]
