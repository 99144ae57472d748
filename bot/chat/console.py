"""The console channel: alerts as text cards, for running without any chat service.

Posting an alert means showing its card on the terminal (written and flushed to standard
output): that is what "posted" means for the console. Only then is the card appended to the
channel's log file (one write, flushed and synced, with the alert key on its first line), the
record of what was shown, which `find` reads. So an alert in the log always reached the
terminal: a crash before the terminal write leaves nothing in the log and the alert is posted
again after the restart; a crash in the instant between the terminal write and the log
append shows that one card twice. Never lost, at worst shown twice in that instant.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path
from typing import TextIO

from bot.core.message import Message
from bot.render.text import clean, render_text

KEY_PREFIX = "## alert "
THREAD_INDENT = "    │ "


class ConsoleSink:
    service = "console"

    def __init__(self, log_dir: Path, stream: TextIO | None = None) -> None:
        self._dir = log_dir
        self._stream = stream if stream is not None else sys.stdout
        self._lock = asyncio.Lock()

    def log_path(self, channel_id: str) -> Path:
        safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in channel_id) or "default"
        return self._dir / f"console-{safe}.log"

    async def post(self, channel_id: str, message: Message, *, thread: str | None = None) -> str | None:
        """Show the card; with `thread` (a reply to an alert), indented under a line naming it."""
        card = render_text(message)
        if thread:
            card = f"  ↳ in reply to alert {clean(thread)}\n" + "\n".join(
                THREAD_INDENT + line if line else THREAD_INDENT.rstrip() for line in card.splitlines())
        key = clean(message.key) if message.key else None
        async with self._lock:
            self._stream.write(card + "\n\n")
            self._stream.flush()  # posted: on the terminal; the log then records it
            if key:
                await asyncio.to_thread(self._append, channel_id, f"{KEY_PREFIX}{key}\n{card}\n\n")
        return key

    async def edit(self, channel_id: str, ref: str, message: Message) -> None:
        """A terminal cannot change what it showed: a line says how the alert changed."""
        also = message.extra.get("also", "")
        line = f"  ✎ alert {clean(ref)} updated" + (f": also reported by {clean(also)}" if also else "")
        async with self._lock:
            self._stream.write(line + "\n\n")
            self._stream.flush()

    def _append(self, channel_id: str, text: str) -> None:
        path = self.log_path(channel_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())

    async def find(self, channel_id: str, key: str, *, thread: str | None = None) -> str | None:
        path = self.log_path(channel_id)
        line = f"{KEY_PREFIX}{clean(key)}"
        try:
            text = await asyncio.to_thread(path.read_text, encoding="utf-8")
        except FileNotFoundError:
            return None
        return key if line in text.splitlines() else None
