"""The folder source: real files in a temporary folder, the real watchfiles watcher."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from bot.core.source import Discovered, MemoryFileState
from bot.sources.folder import FolderSource, is_article_file

STEEL = """date 2025-02-03
OSLO (TRADEWATCH) - Norway said it would put a 12% duty on imported rolled steel.

The duty would apply from March 1."""

SALMON = "# Salmon quota\n\nIceland and the Faroe Islands agreed a quota for salmon exports."

WAIT = 5.0  # generous: timings belong in benchmarks, not tests


def _source(
    folder: Path,
    state: MemoryFileState | None = None,
    *,
    settle_seconds: float = 0.12,
    progress: Callable[[int, int], None] | None = None,
) -> FolderSource:
    return FolderSource([folder], state or MemoryFileState(), settle_seconds=settle_seconds,
                        progress=progress)


def _by_name(found: list[Discovered]) -> dict[str, Discovered]:
    return {d.path.name: d for d in found}


def _jsonl_line(i: int) -> str:
    return f'{{"id": "fx-{i}", "title": "Fixture {i}", "body": "Ruritania set a {i}% levy on cheese."}}'


# ---- which files count ----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["story.txt", "notes.MD", "feed.jsonl"])
def test_article_files_are_read(name: str) -> None:
    assert is_article_file(name)


@pytest.mark.parametrize(
    "name",
    [".hidden.txt", ".story.txt.swp", "story.txt~", "story.txt.tmp", "story.txt.part",
     "story.swp", "~$story.txt", ".#story.txt", "#story.txt#", "story.pdf", "story"],
)
def test_hidden_temp_and_other_files_are_not(name: str) -> None:
    assert not is_article_file(name)


# ---- scan -----------------------------------------------------------------------------------


async def test_scan_finds_new_files_and_skips_recorded_ones(tmp_path: Path) -> None:
    (tmp_path / "steel.txt").write_text(STEEL)
    (tmp_path / "salmon.md").write_text(SALMON)
    state = MemoryFileState()
    source = _source(tmp_path, state)

    found = _by_name(await source.scan())
    assert sorted(found) == ["salmon.md", "steel.txt"]
    steel = found["steel.txt"]
    assert steel.bulk and steel.errors == ()
    assert [a.id for a in steel.articles] == ["steel"]
    assert steel.articles[0].body.endswith("The duty would apply from March 1.")
    assert found["salmon.md"].articles[0].title == "Salmon quota"
    size, mtime_ns, digest = steel.signature.split(":")
    assert int(size) == (tmp_path / "steel.txt").stat().st_size and len(digest) == 16
    assert int(mtime_ns) == (tmp_path / "steel.txt").stat().st_mtime_ns

    await state.set_file_signature(str(steel.path), steel.signature)
    assert [d.path.name for d in await source.scan()] == ["salmon.md"]  # not yet recorded
    await state.set_file_signature(str(found["salmon.md"].path), found["salmon.md"].signature)
    assert await source.scan() == []


async def test_a_fresh_source_over_recorded_state_finds_nothing(tmp_path: Path) -> None:
    """After a restart the state (not the memory of the old source) says what was stored."""
    (tmp_path / "steel.txt").write_text(STEEL)
    state = MemoryFileState()
    for d in await _source(tmp_path, state).scan():
        await state.set_file_signature(str(d.path), d.signature)
    assert await _source(tmp_path, state).scan() == []


async def test_a_changed_file_is_found_again(tmp_path: Path) -> None:
    story = tmp_path / "steel.txt"
    story.write_text(STEEL)
    state = MemoryFileState()
    source = _source(tmp_path, state)
    (first,) = await source.scan()
    await state.set_file_signature(str(first.path), first.signature)

    story.write_text(STEEL.replace("12%", "15%"))
    (again,) = await source.scan()
    assert again.signature != first.signature
    assert "15% duty" in again.articles[0].body


async def test_hidden_and_temp_files_are_not_scanned(tmp_path: Path) -> None:
    for name in (".steel.txt", "steel.txt~", "steel.txt.part", "steel.tmp", ".steel.txt.swp"):
        (tmp_path / name).write_text(STEEL)
    (tmp_path / "sub.txt").mkdir()  # a folder with an article's name is not a file
    (tmp_path / "steel.txt").write_text(STEEL)
    assert [d.path.name for d in await _source(tmp_path).scan()] == ["steel.txt"]


async def test_jsonl_file_yields_each_of_its_articles(tmp_path: Path) -> None:
    (tmp_path / "feed.jsonl").write_text("\n".join(_jsonl_line(i) for i in range(3)) + "\n")
    (found,) = await _source(tmp_path).scan()
    assert [a.id for a in found.articles] == ["fx-0", "fx-1", "fx-2"]
    assert found.articles[2].body == "Ruritania set a 2% levy on cheese."


@pytest.mark.parametrize(
    ("content", "why"),
    [(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file"),
     (b"Ruritania raised duties by 5\xff percent.", "not valid UTF-8")],
)
async def test_broken_file_is_logged_once_and_its_fixed_version_picked_up(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, content: bytes, why: str
) -> None:
    caplog.set_level(logging.WARNING, logger="bot.sources.folder")
    broken = tmp_path / "broken.txt"
    broken.write_bytes(content)
    source = _source(tmp_path)

    (found,) = await source.scan()
    assert found.articles == () and why in found.errors[0].message
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert str(broken) in warnings[0].getMessage() and why in warnings[0].getMessage()

    assert await source.scan() == []  # unchanged: neither yielded nor logged again
    assert await source.scan() == []
    assert len([r for r in caplog.records if r.levelno == logging.WARNING]) == 1

    broken.write_text(STEEL)
    (fixed,) = await source.scan()
    assert fixed.errors == () and fixed.articles[0].id == "broken"


async def test_jsonl_with_bad_lines_gives_its_good_articles_and_one_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="bot.sources.folder")
    lines = [_jsonl_line(0), "not json", _jsonl_line(2), "[1, 2]"]
    (tmp_path / "feed.jsonl").write_text("\n".join(lines))
    source = _source(tmp_path)
    (found,) = await source.scan()
    assert [a.id for a in found.articles] == ["fx-0", "fx-2"]
    assert [e.line for e in found.errors] == [2, 4]
    await source.scan()  # not recorded yet, so found again, but not logged again
    (warning,) = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert "feed.jsonl" in warning and "line 2: not valid JSON" in warning and "line 4" in warning


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads any file")
async def test_unreadable_file_is_reported_then_read_once_permitted(tmp_path: Path) -> None:
    story = tmp_path / "steel.txt"
    story.write_text(STEEL)
    story.chmod(0)
    source = _source(tmp_path)
    (found,) = await source.scan()
    assert found.articles == () and "cannot read" in found.errors[0].message
    assert await source.scan() == []
    story.chmod(0o644)
    (fixed,) = await source.scan()
    assert fixed.articles[0].id == "steel"


async def test_empty_file_waits_silently_for_its_content(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "steel.txt").touch()
    source = _source(tmp_path)
    assert await source.scan() == []
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


async def test_progress_is_reported_every_hundred_files_and_at_the_end(tmp_path: Path) -> None:
    for i in range(250):
        (tmp_path / f"story-{i:03}.txt").write_text(f"Ruritania set a {i}% levy on cheese.")
    calls: list[tuple[int, int]] = []
    found = await _source(tmp_path, progress=lambda done, total: calls.append((done, total))).scan()
    assert len(found) == 250
    assert calls == [(100, 250), (200, 250), (250, 250)]


async def test_progress_of_an_empty_folder_still_ends(tmp_path: Path) -> None:
    calls: list[tuple[int, int]] = []
    await _source(tmp_path, progress=lambda done, total: calls.append((done, total))).scan()
    assert calls == [(0, 0)]


async def test_scan_waits_for_a_file_still_being_written(tmp_path: Path) -> None:
    """Started while the file is half there, scan reads it whole (or not at all), never half."""
    lines = [_jsonl_line(i) + "\n" for i in range(8)]
    path = tmp_path / "feed.jsonl"

    async def write_slowly() -> None:
        with path.open("w") as f:
            for line in lines:
                f.write(line)
                f.flush()
                await asyncio.sleep(0.05)

    writer = asyncio.create_task(write_slowly())
    await asyncio.sleep(0.08)
    found = await _source(tmp_path).scan()
    await writer
    assert [len(d.articles) for d in found] in ([], [8])


async def test_missing_folder_is_logged_and_the_others_scanned(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "steel.txt").write_text(STEEL)
    gone = tmp_path / "no-such-folder"
    source = FolderSource([gone, tmp_path], MemoryFileState())
    assert [d.path.name for d in await source.scan()] == ["steel.txt"]
    await source.scan()
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1 and str(gone) in warnings[0]


# ---- watch ----------------------------------------------------------------------------------


@contextlib.asynccontextmanager
async def watching(source: FolderSource, folder: Path) -> AsyncIterator[asyncio.Queue[list[Discovered]]]:
    """A running watch() whose batches arrive on a queue; the watcher is known to be live."""
    stop = asyncio.Event()
    batches: asyncio.Queue[list[Discovered]] = asyncio.Queue()

    async def pump() -> None:
        async for batch in source.watch(stop):
            await batches.put(batch)

    task = asyncio.create_task(pump())
    try:
        await _until_live(folder, batches)
        yield batches
    finally:
        stop.set()
        await asyncio.wait_for(task, WAIT)


async def _until_live(folder: Path, batches: asyncio.Queue[list[Discovered]]) -> None:
    """Write probe files (a new one each time) until the watcher reports one, then forget them."""
    probes: list[Path] = []
    for i in range(int(WAIT / 0.25)):
        probes.append(folder / f"probe-{i}.txt")
        probes[-1].write_text(f"Probe number {i} about nothing.")
        with contextlib.suppress(TimeoutError):
            batch = await asyncio.wait_for(batches.get(), 0.25)
            if any(d.path.name.startswith("probe-") for d in batch):
                for p in probes:
                    p.unlink()
                await _drain(batches, 0.5)
                return
    raise AssertionError("the watcher never reported a probe file")


async def _next_with(batches: asyncio.Queue[list[Discovered]], name: str) -> tuple[Discovered, list[Discovered]]:
    """The next discovered file called `name`, and the batch it came in."""
    async def wait() -> tuple[Discovered, list[Discovered]]:
        while True:
            batch = await batches.get()
            for d in batch:
                if d.path.name == name:
                    return d, batch
    return await asyncio.wait_for(wait(), WAIT)


async def _drain(batches: asyncio.Queue[list[Discovered]], seconds: float) -> list[Discovered]:
    await asyncio.sleep(seconds)
    found: list[Discovered] = []
    while not batches.empty():
        found.extend(batches.get_nowait())
    return found


@pytest.mark.slow
async def test_watch_yields_a_file_written_after_it_started(tmp_path: Path) -> None:
    async with watching(_source(tmp_path), tmp_path) as batches:
        (tmp_path / "steel.txt").write_text(STEEL)
        found, batch = await _next_with(batches, "steel.txt")
    assert found.articles[0].published is not None
    assert found.articles[0].body.startswith("OSLO (TRADEWATCH) - Norway")
    assert not found.bulk and len(batch) == 1
    assert found.path == (tmp_path / "steel.txt").resolve()


@pytest.mark.slow
@pytest.mark.parametrize(
    ("pause", "settle"),
    [(0.05, 0.12),  # the defaults
     (0.2, 0.3)],  # a pause well past the watcher's 50 ms step: the event comes mid-write
)
async def test_watch_never_yields_a_half_written_file(tmp_path: Path, pause: float, settle: float) -> None:
    half = len(STEEL) // 2
    async with watching(_source(tmp_path, settle_seconds=settle), tmp_path) as batches:
        with (tmp_path / "steel.txt").open("w") as f:
            f.write(STEEL[:half])
            f.flush()
            await asyncio.sleep(pause)
            f.write(STEEL[half:])
        found, _ = await _next_with(batches, "steel.txt")
        later = await _drain(batches, 0.8)
    assert found.articles[0].body.endswith("The duty would apply from March 1.")
    assert [d for d in later if d.path.name == "steel.txt"] == []  # yielded once


@pytest.mark.slow
async def test_an_event_that_leaves_the_file_as_it_was_yields_nothing_new(tmp_path: Path) -> None:
    story = tmp_path / "steel.txt"
    async with watching(_source(tmp_path), tmp_path) as batches:
        story.write_text(STEEL)
        await _next_with(batches, "steel.txt")
        st = story.stat()
        os.utime(story, ns=(st.st_atime_ns, st.st_mtime_ns))  # an event; the same content
        (tmp_path / "salmon.md").write_text(SALMON)
        _, batch = await _next_with(batches, "salmon.md")
        later = await _drain(batches, 0.5)
    assert [d.path.name for d in batch + later] == ["salmon.md"]


@pytest.mark.slow
async def test_watch_ignores_hidden_and_temp_files_and_takes_a_renamed_one(tmp_path: Path) -> None:
    async with watching(_source(tmp_path), tmp_path) as batches:
        for name in (".steel.txt", "steel.txt~", ".steel.txt.swp"):
            (tmp_path / name).write_text(STEEL)
        part = tmp_path / "salmon.md.part"
        part.write_text(SALMON)
        part.rename(tmp_path / "salmon.md")  # how downloaders and many editors save
        found, batch = await _next_with(batches, "salmon.md")
        later = await _drain(batches, 0.5)
    assert found.articles[0].title == "Salmon quota"
    assert [d.path.name for d in batch + later] == ["salmon.md"]


@pytest.mark.slow
async def test_watch_skips_a_file_whose_signature_is_recorded(tmp_path: Path) -> None:
    """After a restart, an event for a file the service already stored yields nothing."""
    story = tmp_path / "steel.txt"
    story.write_text(STEEL)
    state = MemoryFileState()
    for d in await _source(tmp_path, state).scan():
        await state.set_file_signature(str(d.path), d.signature)
    async with watching(_source(tmp_path, state), tmp_path) as batches:
        st = story.stat()
        os.utime(story, ns=(st.st_atime_ns, st.st_mtime_ns))  # an event; the same content
        (tmp_path / "salmon.md").write_text(SALMON)
        _, batch = await _next_with(batches, "salmon.md")
        later = await _drain(batches, 0.5)
    assert [d.path.name for d in batch + later] == ["salmon.md"]


@pytest.mark.slow
async def test_a_burst_of_files_is_one_bulk_batch_with_jsonl_articles(tmp_path: Path) -> None:
    staging = tmp_path / "staging"
    inbox = tmp_path / "inbox"
    staging.mkdir()
    inbox.mkdir()
    for i in range(8):
        (staging / f"story-{i}.txt").write_text(f"Ruritania set a {i}% levy on cheese.")
    (staging / "feed.jsonl").write_text("\n".join(_jsonl_line(i) for i in range(3)))
    async with watching(_source(inbox), inbox) as batches:
        for f in sorted(staging.iterdir()):
            f.rename(inbox / f.name)  # all at once, as a copy or an unzip does
        found, batch = await _next_with(batches, "feed.jsonl")
    assert sorted(d.path.name for d in batch) == ["feed.jsonl"] + [f"story-{i}.txt" for i in range(8)]
    assert all(d.bulk for d in batch)
    assert [a.id for a in found.articles] == ["fx-0", "fx-1", "fx-2"]


@pytest.mark.slow
async def test_watch_logs_a_missing_folder_and_watches_the_others(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    gone = tmp_path / "no-such-folder"
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    source = FolderSource([gone, inbox], MemoryFileState())
    async with watching(source, inbox) as batches:
        (inbox / "steel.txt").write_text(STEEL)
        await _next_with(batches, "steel.txt")
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1 and str(gone) in warnings[0] and "folders.path" in warnings[0]


async def test_watch_with_no_existing_folder_returns(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    source = FolderSource([tmp_path / "a", tmp_path / "b"], MemoryFileState())
    batches = [b async for b in source.watch(asyncio.Event())]
    assert batches == []
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 2 and all("is not watched" in w for w in warnings)


async def test_stop_event_ends_watch(tmp_path: Path) -> None:
    stop = asyncio.Event()
    source = _source(tmp_path)

    async def consume() -> list[list[Discovered]]:
        return [b async for b in source.watch(stop)]

    task = asyncio.create_task(consume())
    await asyncio.sleep(0.2)
    assert not task.done()  # it is watching
    stop.set()
    assert await asyncio.wait_for(task, WAIT) == []
