"""Reading articles from the formats of ../shared/CONTRACT.md.

- the folder format: an optional leading `date YYYY-MM-DD`, then the story;
- a plain `.txt` / `.md` file (publication date unknown);
- JSONL: one article a line (`id`, `title`, `body`, optional `published`, `url`), read a
  line at a time, so a batch file may be of any size (a story file is refused over 5 MB);
- a folder: every such file in it, in name order.

Readers never raise on bad input: they yield a `ReadError` naming the file (and line) and
go on with the rest.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from itertools import count
from pathlib import Path

from bot.domain import Article

ARTICLE_SUFFIXES = frozenset({".txt", ".md", ".jsonl"})
MAX_FILE_BYTES = 5_000_000

_DATE_HEADER = re.compile(r"^\s*date\s+(\d{4}-\d{2}-\d{2})(?:[ \t]*\n|[ \t]+|$)", re.IGNORECASE)
_MD_TITLE = re.compile(r"^\s*#\s+(.+?)\s*(?:\n|$)")
TITLE_CHARS = 120


@dataclass(frozen=True, slots=True)
class ReadError:
    """An input that could not be read as an article, and why."""

    source: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line is not None else self.source
        return f"{where}: {self.message}"


def derive_title(body: str) -> str:
    """A headline for a story that has none: its first sentence, shortened at a word."""
    from bot.analysis.text import parse_dateline, split_sentences, unwrap

    _, rest = parse_dateline(body.lstrip(), None)
    text = unwrap(rest)
    sentences = split_sentences(text)
    first = sentences[0].text if sentences else text.strip()
    if len(first) <= TITLE_CHARS:
        return first
    cut = first[:TITLE_CHARS].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + " ..."


def parse_story(text: str, article_id: str, source: str | None = None) -> Article:
    """An article from the folder format (or a plain text/Markdown story)."""
    published: date | None = None
    m = _DATE_HEADER.match(text)
    if m:
        published = date.fromisoformat(m.group(1))
        text = text[m.end() :]
    title = ""
    t = _MD_TITLE.match(text)
    if t:
        title = t.group(1)
        text = text[t.end() :]
    body = text.strip("\n").rstrip()
    return Article(
        id=article_id,
        title=title or derive_title(body),
        body=body,
        published=published,
        source=source,
    )


def _decode(data: bytes, source: str) -> str | ReadError:
    if b"\x00" in data:
        return ReadError(source, "binary file (contains NUL bytes), not an article")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        return ReadError(source, f"not valid UTF-8 (byte 0x{data[e.start]:02x} at offset {e.start})")


def _date_field(value: object) -> date | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise ValueError(f"'published' must be a YYYY-MM-DD string, not {value!r}")
    return date.fromisoformat(value[:10])


def article_from_record(record: dict[str, object], fallback_id: str, source: str) -> Article:
    """An article from one JSONL object; ValueError says what is wrong with it."""
    body = record.get("body")
    title = record.get("title")
    if not isinstance(body, str):
        raise ValueError("missing 'body'" if body is None else "'body' must be a string")
    if not body.strip() and isinstance(title, str):
        body = title  # a headline-only story: its headline is all there is to read
    raw_id = record.get("id")
    article_id = str(raw_id) if raw_id not in (None, "") else fallback_id
    url = record.get("url")
    dateline = record.get("dateline")
    if isinstance(dateline, str) and dateline.strip() and not body.lstrip().startswith(dateline.strip()):
        # the corpus keeps the wire dateline apart; the contract joins it to the body
        body = f"{dateline.strip()} - {body}"
    return Article(
        id=article_id,
        title=title.strip() if isinstance(title, str) and title.strip() else derive_title(body),
        body=body,
        published=_date_field(record.get("published")),
        url=url if isinstance(url, str) and url else None,
        source=source,
    )


def read_jsonl(lines: Iterable[str], source: str) -> Iterator[Article | ReadError]:
    """Articles from JSONL lines; each bad line is a ReadError with its line number."""
    stem = Path(source).stem if source != "-" else "stdin"
    for n, line in enumerate(lines, start=1):
        yield from _jsonl_line(line, n, stem, source)


def _jsonl_line(line: str, n: int, stem: str, source: str) -> Iterator[Article | ReadError]:
    if not line.strip():
        return
    try:
        record = json.loads(line)
    except json.JSONDecodeError as e:
        yield ReadError(source, f"not valid JSON ({e.msg} at column {e.colno})", n)
        return
    except RecursionError:
        yield ReadError(source, "JSON nested too deeply to read", n)
        return
    if not isinstance(record, dict):
        yield ReadError(source, f"a JSON {type(record).__name__}, not an object", n)
        return
    try:
        yield article_from_record(record, f"{stem}-{n}", source)
    except ValueError as e:
        yield ReadError(source, str(e), n)


def read_jsonl_file(path: Path) -> Iterator[Article | ReadError]:
    """A JSONL file of any size, read a line at a time; a line over MAX_FILE_BYTES, or one
    that is not UTF-8, is a ReadError with its number and the rest is read."""
    source = str(path)
    try:
        with path.open("rb") as f:
            for n in count(1):
                raw = f.readline(MAX_FILE_BYTES + 1)
                if not raw:
                    return
                if len(raw) > MAX_FILE_BYTES and not raw.endswith(b"\n"):
                    while (more := f.readline(1 << 20)) and not more.endswith(b"\n"):
                        pass  # the rest of the overlong line
                    yield ReadError(source, f"line longer than {MAX_FILE_BYTES // 1_000_000} MB, skipped", n)
                    continue
                text = _decode(raw.removeprefix(b"\xef\xbb\xbf") if n == 1 else raw, source)
                if isinstance(text, ReadError):
                    yield ReadError(source, text.message, n)
                    continue
                yield from _jsonl_line(text, n, path.stem, source)
    except OSError as e:
        yield ReadError(source, f"cannot read: {e.strerror or e}")


def read_file(path: Path) -> Iterator[Article | ReadError]:
    """The article(s) in one file. Whatever goes wrong reading it is this file's ReadError
    (after the articles read before it), never an exception: one file never stops a batch."""
    try:
        yield from _read_file(path)
    except Exception as e:  # a bug met by this input: the file's skip, not the caller's crash
        yield ReadError(str(path), f"could not be read ({type(e).__name__}: {e})")


def _read_file(path: Path) -> Iterator[Article | ReadError]:
    source = str(path)
    if path.suffix.lower() == ".jsonl":
        yield from read_jsonl_file(path)
        return
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            yield ReadError(source, f"larger than {MAX_FILE_BYTES // 1_000_000} MB, skipped")
            return
        data = path.read_bytes()
    except OSError as e:
        yield ReadError(source, f"cannot read: {e.strerror or e}")
        return
    text = _decode(data, source)
    if isinstance(text, ReadError):
        yield text
        return
    if not text.strip():
        yield ReadError(source, "empty file")
        return
    try:
        yield parse_story(text, path.stem, source)
    except ValueError as e:
        yield ReadError(source, f"bad date header: {e}")


def read_path(path: Path) -> Iterator[Article | ReadError]:
    """A file, or every article file in a folder (in name order)."""
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in ARTICLE_SUFFIXES)
        if not files:
            yield ReadError(str(path), "folder holds no .txt, .md or .jsonl files")
        for f in files:
            yield from read_file(f)
    elif path.exists():
        yield from read_file(path)
    else:
        yield ReadError(str(path), "no such file or folder")
