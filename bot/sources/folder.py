"""Articles from watched folders: file-system events, with a full scan as the safety net.

Only files directly inside a folder count, as `tradewatch analyze FOLDER` reads them: `.txt`,
`.md` and `.jsonl`, not hidden and not an editor's or downloader's temp file. Files are parsed
by `bot.io.readers.read_file`. A file is read only once it has stopped changing (the same size
and mtime `settle_seconds` apart) and only if it did not change while it was read, so a file
still being written is never read half-way.

Files are keyed by their resolved absolute path (`str(Discovered.path)`), which is the key
the service gives `FileState`. Start `watch()` before the catch-up `scan()`, so that a file
written between the two is not missed (at worst it is found twice; the service deduplicates).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import os
import stat
import time
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from watchfiles import Change, awatch

from bot.core.source import Discovered, FileState
from bot.domain import Article
from bot.io.readers import ARTICLE_SUFFIXES, MAX_FILE_BYTES, ReadError, read_file

log = logging.getLogger(__name__)

BULK_BATCH = 5
"""An event batch with more files than this is marked bulk (a copy of many files at once)."""
PROGRESS_EVERY = 100
"""scan() reports progress after each this many files (and at the end)."""
WATCH_STEP_MS = 50
SCAN_SETTLE_CHECKS = 10
"""When scanning, how many times a file still changing is looked at again before it is left
for the next scan."""
SCAN_READ_ATTEMPTS = 3
TRUST_AFTER_NS = 2_000_000_000
"""A signature computed this long after the file's mtime is reused while the file's stat is
unchanged (a later write always moves the mtime); fresher ones are computed again, since a
rewrite within one timestamp tick could keep size and mtime."""
SHOWN_ERRORS = 3


def is_article_file(name: str) -> bool:
    """Is this file name one the folder source reads?

    `.txt`, `.md` or `.jsonl`, and not hidden or a temp file: `.x.txt.swp`, `.#x.txt`,
    `~$x.txt`, `#x.txt#`, `x.txt~`, `x.txt.tmp` and `x.txt.part` are all left alone.
    """
    if name.startswith((".", "~", "#")):
        return False
    return os.path.splitext(name)[1].lower() in ARTICLE_SUFFIXES  # "x.txt~", "x.part" fail here


@dataclass(frozen=True, slots=True)
class _Stat:
    """What changes when a file is written, replaced or has its permissions changed."""

    size: int
    mtime_ns: int
    ctime_ns: int
    ino: int


@dataclass(frozen=True, slots=True)
class _Seen:
    stat: _Stat
    signature: str
    trusted: bool


def _stat(path: Path) -> _Stat | None:
    """The file's stat, or None when it is gone or not a regular file."""
    try:
        st = path.stat()
    except OSError:
        return None
    if not stat.S_ISREG(st.st_mode):
        return None
    return _Stat(st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


def _fingerprint(path: Path, st: _Stat) -> _Seen | None:
    """`size:mtime_ns:sha256-prefix` of the file; None when it changed while being read."""
    started = time.time_ns()
    if st.size > MAX_FILE_BYTES:
        content = "too-large"  # read_file refuses it; no need to read it to say so
    else:
        try:
            content = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
        except OSError:
            content = f"unreadable-{st.ctime_ns}"  # a chmod moves ctime, so a fix is noticed
    if _stat(path) != st:
        return None
    return _Seen(st, f"{st.size}:{st.mtime_ns}:{content}", started - st.mtime_ns > TRUST_AFTER_NS)


def _read(path: Path, st: _Stat) -> list[Article | ReadError] | None:
    """The file's articles and errors; None when it changed while being read."""
    items = list(read_file(path))
    return items if _stat(path) == st else None


def _check_folders(folders: Sequence[Path]) -> tuple[list[Path], list[Path]]:
    """(the folders that exist, resolved and without repeats; those that do not)."""
    present: dict[Path, None] = {}
    missing: list[Path] = []
    for folder in folders:
        real = folder.resolve()
        if real.is_dir():
            present.setdefault(real, None)
        else:
            missing.append(folder)
    return list(present), missing


def _list_files(folders: Sequence[Path]) -> list[Path]:
    """The article files directly in the folders, in name order."""
    files: list[Path] = []
    for folder in folders:
        with contextlib.suppress(OSError), os.scandir(folder) as entries:
            names = sorted(e.name for e in entries if is_article_file(e.name) and e.is_file())
            files.extend(folder / n for n in names)
    return files


def _warning(path: Path, articles: Sequence[Article], errors: Sequence[ReadError]) -> str:
    reasons = "; ".join(
        f"line {e.line}: {e.message}" if e.line is not None else e.message
        for e in errors[:SHOWN_ERRORS]
    )
    if len(errors) > SHOWN_ERRORS:
        reasons += f"; and {len(errors) - SHOWN_ERRORS} more"
    if not articles:
        return f"skipped {path}: {reasons}"
    return f"{path}: read {len(articles)} article(s), skipped {len(errors)} bad line(s): {reasons}"


def _wanted_change(change: Change, path: str) -> bool:
    return change != Change.deleted and is_article_file(os.path.basename(path))


class FolderSource:
    """New and changed article files in some folders, as `Discovered` batches."""

    def __init__(
        self,
        folders: Sequence[Path],
        state: FileState,
        *,
        settle_seconds: float = 0.12,
        debounce_ms: int = 80,
        progress: Callable[[int, int], None] | None = None,
    ) -> None:
        self._folders = tuple(Path(f).expanduser() for f in folders)
        self._state = state
        self._settle_seconds = settle_seconds
        self._debounce_ms = debounce_ms
        self._progress = progress
        self._seen: dict[str, _Seen] = {}  # signatures, reused while a file's stat is unchanged
        self._yielded: dict[str, str] = {}  # path -> signature last handed over
        self._broken: dict[str, str] = {}  # path -> signature of a version with no article in it
        self._warned: dict[str, str] = {}  # path -> signature whose read errors were logged
        self._missing: set[Path] = set()  # folders already reported missing

    async def scan(self) -> list[Discovered]:
        """Every article file that is new or changed since its signature was recorded.

        Marked bulk. Signatures are not recorded here: the service does that once the
        articles are stored. A broken file is logged once and then skipped until it changes.
        """
        files = await asyncio.to_thread(_list_files, await self._present_folders())
        total = len(files)
        found: list[Discovered] = []
        for start in range(0, total, PROGRESS_EVERY):
            chunk = files[start : start + PROGRESS_EVERY]
            done = await asyncio.gather(*(self._examine(p, watching=False, bulk=True) for p in chunk))
            found.extend(d for d in done if d is not None)
            if self._progress:
                self._progress(start + len(chunk), total)
        if self._progress and total == 0:
            self._progress(0, 0)
        self._forget_except({str(p) for p in files})
        return found

    async def watch(self, stop: asyncio.Event) -> AsyncIterator[list[Discovered]]:
        """Batches of files created or modified while watching, until `stop` is set.

        Deletions are ignored. A batch of more than five files is marked bulk. A folder that
        does not exist is logged (a WARNING, once) and the others are watched; with none, it
        returns at once (`scan` still reads a folder that appears later).
        """
        folders = await self._present_folders()
        if not folders:
            log.debug("no article folder exists: no live watch")
            return
        changes = awatch(*folders, watch_filter=_wanted_change, debounce=self._debounce_ms,
                         step=WATCH_STEP_MS, stop_event=stop, recursive=False)
        async with contextlib.aclosing(changes):
            async for batch in changes:
                paths = sorted({Path(p) for _, p in batch})
                bulk = len(paths) > BULK_BATCH
                done = await asyncio.gather(*(self._examine(p, watching=True, bulk=bulk) for p in paths))
                found = [d for d in done if d is not None]
                if found:
                    yield found

    async def _present_folders(self) -> list[Path]:
        """The watched folders that exist; each missing one is logged as a WARNING once (and
        again if it comes back and then goes missing again)."""
        present, missing = await asyncio.to_thread(_check_folders, self._folders)
        for folder in missing:
            if folder not in self._missing:
                log.warning("article folder %s (folders.path in the configuration) does not exist or is "
                            "not a folder: it is not watched; the periodic scan reads it if it appears", folder)
        for folder in self._missing - set(missing):
            log.warning("article folder %s appeared: the periodic scan reads it", folder)
        self._missing = set(missing)
        return present

    async def _examine(self, path: Path, *, watching: bool, bulk: bool) -> Discovered | None:
        """The file as a `Discovered` if it is new or changed and has settled, else None.

        When watching, a file found still changing is dropped: the write that changed it
        has already queued a new event, which brings it back.
        """
        key = str(path)
        for _ in range(1 if watching else SCAN_READ_ATTEMPTS):
            st = await asyncio.to_thread(_stat, path)
            if st is None or st.size == 0:  # gone, not a file, or just created and not written yet
                return None
            seen = self._seen.get(key)
            if seen is None or not seen.trusted or seen.stat != st:
                settled = await self._settle(path, st, watching=watching)
                if settled is None:
                    return None
                seen = await asyncio.to_thread(_fingerprint, path, settled)
                if seen is None:
                    continue
                self._seen[key] = seen
            signature = seen.signature
            if self._broken.get(key) == signature or (watching and self._yielded.get(key) == signature):
                return None
            if await self._state.file_signature(key) == signature:
                return None
            items = await asyncio.to_thread(_read, path, seen.stat)
            if items is None:
                continue
            return self._discovered(path, signature, items, bulk)
        log.debug("%s is still changing; it is read once it settles", path)
        return None

    async def _settle(self, path: Path, st: _Stat, *, watching: bool) -> _Stat | None:
        """`st` once the file keeps its size and mtime over `settle_seconds`; None if it
        vanished or is still changing. A scan takes a file untouched for that long as settled;
        a watched file has just changed, so it is always looked at twice."""
        if not watching and time.time_ns() - st.mtime_ns >= self._settle_seconds * 1e9:
            return st
        for _ in range(1 if watching else SCAN_SETTLE_CHECKS):
            await asyncio.sleep(self._settle_seconds)
            again = await asyncio.to_thread(_stat, path)
            if again is None or again == st:
                return again
            st = again
        return None

    def _discovered(self, path: Path, signature: str, items: list[Article | ReadError],
                    bulk: bool) -> Discovered:
        key = str(path)
        articles = tuple(x for x in items if isinstance(x, Article))
        errors = tuple(x for x in items if isinstance(x, ReadError))
        if errors and self._warned.get(key) != signature:
            self._warned[key] = signature
            log.warning("%s", _warning(path, articles, errors))
        if articles:
            self._broken.pop(key, None)
        else:
            self._broken[key] = signature
        self._yielded[key] = signature
        return Discovered(path, signature, articles, errors, bulk)

    def _forget_except(self, present: set[str]) -> None:
        """Drop what is remembered about files that are gone."""
        for memo in (self._seen, self._yielded, self._broken, self._warned):
            for key in [k for k in memo if k not in present]:
                del memo[key]
