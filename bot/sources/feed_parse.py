"""From the bytes of an RSS/Atom feed to entries, and from an entry to an `Article` (pure).

feedparser reads RSS 0.9x/1.0/2.0 and Atom; this module decides what counts as a feed
(`FeedError` otherwise), how an entry is recognised when it is seen again (`entry_keys`:
its id, its link without tracking parameters, and its text), its timezone-aware
publication time, its text (entry HTML to plain paragraphs) and whether that text is only
a teaser. Entries are read one by one: one that cannot be read is a note, not the feed's
failure.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from html import unescape as html_unescape
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import feedparser

from bot.domain import Article

TRACKING_PARAMS = frozenset({
    "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid", "igshid",
    "mc_cid", "mc_eid", "_hsenc", "_hsmi", "mkt_tok", "oly_anon_id", "oly_enc_id", "vero_id",
    "cmpid", "ncid", "ocid", "sr_share", "at_medium", "at_campaign", "ref_src",
})  # fmt: skip
"""Query parameters that say how a reader arrived, not what they read (plus every utm_*)."""

_TEASER_END = re.compile(
    r"(?:\.\.\.|…|\[\s*(?:\.\.\.|…)\s*\]"
    r"|\b(?:read more|continue reading|read the full (?:story|article)|full story)\b[^\n]{0,60})\s*$",
    re.IGNORECASE,
)
_WORD = re.compile(r"\w+")
_ENTRY_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(?:item|entry)(?=[\s/>])")
_ROOT_END = re.compile(rb"</(?:[A-Za-z_][\w.-]*:)?(?:rss|feed|RDF)\s*>\s*\Z")
_BLOCK_TAGS = frozenset({"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6",
                         "blockquote", "pre", "tr", "table", "section", "article", "figure", "hr"})
_SKIP_TAGS = frozenset({"script", "style", "noscript", "template", "iframe", "object", "svg"})


class FeedError(ValueError):
    """The document is not a usable feed; the message says why (it becomes the feed's error)."""


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One item of a feed, as read (text already plain)."""

    entry_id: str | None
    link: str | None
    """Absolute, without tracking parameters or fragment."""
    title: str
    text: str
    published: datetime | None
    """Timezone-aware, in the offset the feed gave (UTC when it gave none)."""

    @property
    def keys(self) -> tuple[str, ...]:
        return entry_keys(self)


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    version: str
    """feedparser's name of the format: "rss20", "atom10", "rss10", ..."""
    title: str | None
    entries: tuple[FeedEntry, ...]
    warning: str | None = None
    """Something feedparser had to work around (a misdeclared encoding, an HTML entity, a
    bare `&`: see `_tolerable`)."""
    problems: tuple[str, ...] = ()
    """Entries skipped and dates not understood, one note each (the poller logs them)."""


# ---------------------------------------------------------------- URLs and keys


def canonical_url(url: str, base: str | None = None) -> str:
    """`url` made absolute against `base`, with scheme and host in lower case, no default
    port, no fragment, and no tracking parameters (utm_*, fbclid, gclid, ...)."""
    url = url.strip()
    if base:
        url = urljoin(base, url)
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return url
    scheme = parts.scheme.lower()
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        port = None
    netloc = host if port is None or (scheme, port) in (("http", 80), ("https", 443)) else f"{host}:{port}"
    if parts.username:
        netloc = f"{parts.username}@{netloc}"
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if not k.lower().startswith("utm_") and k.lower() not in TRACKING_PARAMS]
    return urlunsplit((scheme, netloc, parts.path or "/", urlencode(query, doseq=True), ""))


def entry_keys(entry: FeedEntry) -> tuple[str, ...]:
    """How the entry is known again: its id and its link (each when it has one), and its
    text (`text_key`). `feed_policy.new_entries` says which of them decides."""
    keys = []
    if entry.entry_id:
        keys.append("id:" + entry.entry_id)
    if entry.link:
        keys.append("link:" + entry.link)
    keys.append(text_key(entry))
    return tuple(keys)


def text_key(entry: FeedEntry) -> str:
    """The entry's title and text, hashed: equal for an entry repeated word for word (a feed
    that renews its ids on every build)."""
    return "text:" + hashlib.sha256(f"{entry.title}\n{entry.text}".encode()).hexdigest()[:32]


def article_id(entry: FeedEntry, feed_url: str, *, shared_link: bool = False) -> str:
    """A stable id: from the link when there is one (the same story in two feeds of one
    publisher is one article), else from the feed and the entry's id. `shared_link`: the
    link also carries other stories (a press-release index page gives every entry its own
    id and the same link), so the entry's id joins the link."""
    first = entry_keys(entry)[0]
    if entry.link:
        basis = f"{entry.link}\n{first}" if shared_link and entry.entry_id else entry.link
    else:
        basis = f"{canonical_url(feed_url)}\n{first}"
    return "feed-" + hashlib.sha256(basis.encode("utf-8")).hexdigest()[:20]


def to_article(entry: FeedEntry, feed_url: str, text: str | None = None, *, shared_link: bool = False) -> Article:
    """The entry as an article (`text`: a fuller body than the entry's, e.g. from its page;
    `shared_link`: see `article_id`).

    `source` is where the story can be read (its link), so the same story syndicated by two
    publishers is one article with two sources."""
    return Article(
        id=article_id(entry, feed_url, shared_link=shared_link),
        title=entry.title,
        body=text or entry.text or entry.title,
        published=entry.published.date() if entry.published else None,
        url=entry.link,
        source=entry.link or f"{canonical_url(feed_url)}#{entry_keys(entry)[0]}",
    )


def is_teaser(text: str, min_words: int) -> bool:
    """Is this only the start of a story: short, or cut off ("...", "Read more")?"""
    words = len(_WORD.findall(text))
    return words < min_words or (bool(_TEASER_END.search(text.rstrip())) and words < 4 * min_words)


# ---------------------------------------------------------------- parsing


def parse_feed(content: bytes, headers: Mapping[str, str], url: str) -> ParsedFeed:
    """Read a fetched feed. Raises FeedError for what is not a feed, or not well-formed."""
    if not content.strip():
        raise FeedError("empty response")
    lowered = {k.lower(): v for k, v in headers.items()}
    d = feedparser.parse(
        content,
        response_headers={k: v for k, v in lowered.items() if k in ("content-type", "content-location",
                                                                     "content-language")},
        sanitize_html=False,
        resolve_relative_uris=False,
    )
    version = str(d.get("version") or "")
    warning = _bozo_problem(d)
    if not version:
        kind = lowered.get("content-type", "").split(";")[0].strip() or "unknown content type"
        if "html" in kind or content.lstrip()[:15].lower().startswith((b"<!doctype html", b"<html")):
            raise FeedError(f"not a feed but a web page ({kind})")
        raise FeedError(f"not an RSS or Atom feed ({warning or kind})")
    if warning and not _tolerable(d, content):
        raise FeedError(f"not well-formed XML: {warning}")
    feed = d.get("feed", {})
    entries, problems = _entries(d.get("entries", []), url)
    title = _plain(str(feed.get("title") or "")) or None
    return ParsedFeed(version, title, entries, warning, problems)


def _entries(raws: Any, base: str) -> tuple[tuple[FeedEntry, ...], tuple[str, ...]]:
    """Each entry read on its own: one that cannot be read is skipped with a note, the others
    are kept; an unreadable date is a note too (the entry is kept without a date)."""
    entries: list[FeedEntry] = []
    problems: list[str] = []
    for n, raw in enumerate(raws, 1):
        try:
            entry, problem = _entry(raw, base)
        except Exception as e:  # whatever one entry holds, the others are read
            problems.append(f"entry {n} ({_entry_name(raw)}) skipped: {type(e).__name__}: {e}")
            continue
        if problem:
            problems.append(f"entry {n} ({_entry_name(raw)}): {problem}")
        if entry is not None:
            entries.append(entry)
    return tuple(entries), tuple(problems)


def _entry_name(raw: Any) -> str:
    try:
        name = str(raw.get("id") or raw.get("link") or raw.get("title") or "no id, link or title")
    except Exception:  # only used in a note
        return "unreadable"
    return name if len(name) <= 120 else name[:117] + "..."


def _bozo_problem(d: Any) -> str | None:
    if not d.get("bozo"):
        return None
    exc = d.get("bozo_exception")
    message = getattr(exc, "getMessage", lambda: str(exc))()
    line = getattr(exc, "getLineNumber", lambda: None)()
    return f"{message} (line {line})" if line else str(message)


def _tolerable(d: Any, content: bytes) -> bool:
    """Problems feedparser repairs faithfully: a wrongly declared character encoding (it
    decodes with the right one), HTML entities such as &nbsp; that XML does not define, and
    any other slip (a bare `&` in a link) in a document its lenient parser reads whole: the
    document ends with its root element closed and every item or entry in it was read. A
    truncated document (no closing root element) or one whose items the lenient parser
    could not all find means the entries cannot be trusted."""
    exc = d.get("bozo_exception")
    name = type(exc).__name__
    if name in ("CharacterEncodingOverride", "NonXMLContentType"):
        return True
    if name != "SAXParseException":
        return False
    message = str(getattr(exc, "getMessage", lambda: str(exc))())
    return "undefined entity" in message or _read_whole(d, content)


def _read_whole(d: Any, content: bytes) -> bool:
    """Did feedparser's lenient parser read the whole (ill-formed) document?"""
    found = len(d.get("entries", []))
    return bool(_ROOT_END.search(content)) and found == len(_ENTRY_TAG.findall(content))


def _entry(raw: Any, base: str) -> tuple[FeedEntry | None, str | None]:
    """The entry (None: it has neither title nor text), and a note on its date if it had
    one that could not be read."""
    link_value = raw.get("link") or next(
        (lk.get("href") for lk in raw.get("links", []) if lk.get("rel", "alternate") == "alternate"), None)
    link = canonical_url(str(link_value), base) if link_value else None
    if link and not link.startswith(("http://", "https://")):
        link = None
    entry_id = str(raw.get("id") or "").strip() or None
    title = _plain(str(raw.get("title") or ""))
    text = _entry_text(raw)
    if not title and not text:
        return None, None
    published, problem = _published(raw)
    return FeedEntry(entry_id, link, title or _first_words(text), text, published), problem


def _entry_text(raw: Any) -> str:
    """The fullest text the entry carries: its content, else its summary/description."""
    candidates = [c.get("value", "") for c in raw.get("content", []) or []]
    candidates.append(raw.get("summary") or "")
    texts = [html_to_text(str(c)) for c in candidates if c]
    return max(texts, key=len, default="")


def _published(raw: Any) -> tuple[datetime | None, str | None]:
    """The entry's time, keeping the offset the feed wrote; UTC from feedparser otherwise.
    A date that is no real time (`0000-00-00 00:00:00`, year 10000) is passed over: the next
    one the entry gives is tried, and with none the entry has no date (a note says why)."""
    unreadable: list[str] = []
    for name in ("published", "updated", "created"):
        # the entry's own values (dict.get): not feedparser's deprecated copy of one name to another
        written = dict.get(raw, name)
        if written:
            parsed = _parse_written_date(str(written))
            if parsed is not None:
                return parsed, None
        struct = dict.get(raw, f"{name}_parsed")
        if struct:
            try:
                year, month, day, hour, minute, second = (int(v) for v in struct[:6])
                return datetime(year, month, day, hour, minute, second, tzinfo=UTC), None
            except (ValueError, OverflowError, TypeError):
                pass
        if written and repr(str(written)[:40]) not in unreadable:  # feedparser copies one date to several names
            unreadable.append(repr(str(written)[:40]))
    if unreadable:
        return None, f"date {' / '.join(unreadable)} not understood (read as undated)"
    return None, None


def _parse_written_date(text: str) -> datetime | None:
    text = text.strip()
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
    if when.tzinfo is None:
        return None  # a time without an offset: feedparser's UTC reading decides
    return when


def _first_words(text: str, n: int = 12) -> str:
    words = text.split()
    return " ".join(words[:n]) + (" ..." if len(words) > n else "")


# ---------------------------------------------------------------- entry HTML to text


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self._skip += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self._skip = max(0, self._skip - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data.replace("\n", " "))  # in HTML a line break in text is a space


def html_to_text(html: str) -> str:
    """Entry HTML as plain text, one paragraph (block element) a line; text without tags
    keeps its own lines."""
    if "<" not in html:
        return _tidy(html_unescape(html))
    collector = _TextCollector()
    collector.feed(html)
    collector.close()
    return _tidy("".join(collector.parts))


def _tidy(text: str) -> str:
    lines = (" ".join(line.split()) for line in text.replace("\r", "\n").split("\n"))
    return "\n".join(line for line in lines if line)


def _plain(text: str) -> str:
    return " ".join(html_to_text(text).split())
