"""A `Message` as Slack Block Kit (pure): escaped for mrkdwn, within every Slack limit.

Everything in a `Message` is untrusted plain text. Here it is escaped (`&`, `<`, `>`), so an
article's `<!channel>`, `<@U123>` or `<https://evil|click>` is shown as written, never as a
ping or a link; a bare `@everyone`/`@here`/`@channel` gets a word joiner after the `@`; and
every mrkdwn text object is `verbatim`, so Slack does not turn bare URLs or names into links.
The only link in a message is the article's own http(s) URL, built here.

Limits (https://docs.slack.dev/reference/block-kit/blocks): 50 blocks, 3,000 characters a
section or context text, 150 a header, 10 context elements. Slack has also rejected messages
well below those with `msg_blocks_too_long`, so the blocks are kept under `BLOCKS_BUDGET`
characters of JSON in all. Whatever does not fit is shortened with a visible "…" and a
closing line saying how much was left out; nothing is ever sent that Slack would reject.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from bot.core.message import Message, Section, Table

MAX_BLOCKS = 50
SECTION_CHARS = 3000
HEADER_CHARS = 150
CONTEXT_CHARS = 3000
FALLBACK_CHARS = 3000
LINE_CHARS = 1000
"""One bullet or table row is shortened beyond this (a phone shows it whole)."""
BLOCKS_BUDGET = 11_000
"""Characters of block JSON in one message: under Slack's observed `msg_blocks_too_long`."""
MARK = "…"

Block = dict[str, Any]

_CONTROL = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_BROADCAST = re.compile(r"@(?=(?:everyone|here|channel)\b)", re.IGNORECASE)
_URL_SCHEME = re.compile(r"(?i)\b(https?|ftp|mailto|slack)(:)")
_MISSING = frozenset({"", "-", "?"})


@dataclass(frozen=True, slots=True)
class SlackMessage:
    """What `chat.postMessage` or a `response_url` gets: blocks and the notification text."""

    blocks: tuple[Block, ...]
    text: str


# ---------------------------------------------------------------- escaping


def escape(text: str | None) -> str:
    """Untrusted text made inert for mrkdwn: no pings, no links, no control characters."""
    if not text:
        return ""
    text = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\t", " "))
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _BROADCAST.sub("@\u2060", text)


def one_line(text: str | None) -> str:
    return " ".join(escape(text).split())


def fit(escaped: str, limit: int) -> str:
    """Shorten already escaped text to `limit` characters with a visible "…", never cutting
    an entity (`&amp;`) in half."""
    if len(escaped) <= limit:
        return escaped
    cut = escaped[: max(limit - len(MARK), 0)]
    amp = cut.rfind("&")
    if amp != -1 and ";" not in cut[amp:]:
        cut = cut[:amp]
    space = cut.rfind(" ")
    if space > len(cut) * 0.8:
        cut = cut[:space]
    return cut.rstrip() + MARK


def source_link(url: str | None, label: str = "Read the source") -> str:
    """A mrkdwn link to an http(s) URL, or "" for anything else."""
    if not url or not re.match(r"(?i)^https?://[^\s]+$", url.strip()):
        return ""
    safe = url.strip().replace("&", "&amp;").replace("<", "%3C").replace(">", "%3E").replace("|", "%7C")
    if len(safe) > 2000:
        return ""
    return f"<{safe}|{label}>"


def _defang(text: str) -> str:
    """Notification text: no bare URL a client would turn into a link."""
    return _URL_SCHEME.sub("\\1\u2060\\2", text)


# ---------------------------------------------------------------- blocks


def _mrkdwn(text: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": text, "verbatim": True}


def section(text: str) -> Block:
    return {"type": "section", "text": _mrkdwn(fit(text, SECTION_CHARS))}


def context(*texts: str) -> Block:
    return {"type": "context", "elements": [_mrkdwn(fit(t, CONTEXT_CHARS)) for t in texts if t][:10]}


def header(title: str) -> Block:
    text = fit(one_line(title), HEADER_CHARS) or "TradeWatch"
    return {"type": "header", "text": {"type": "plain_text", "text": text, "emoji": False}}


def size(block: Block) -> int:
    return len(json.dumps(block, ensure_ascii=False))


def table_rows(table: Table) -> Iterator[str]:
    """A table as phone-friendly lines: one bold line per row, then `label: value` pairs.

    Slack has no table block that reads well on a phone; two short lines a row do.
    """
    for row in table.rows:
        cells = [one_line(c) for c in row]
        first = " — ".join(c for c in cells[:2] if c not in _MISSING) or "?"
        rest = [f"{one_line(h)}: {c}" for h, c in zip(table.header[2:], cells[2:], strict=False)
                if c not in _MISSING]
        yield fit(f"*{first}*" + (f"\n{' · '.join(rest)}" if rest else ""), LINE_CHARS)


def section_lines(s: Section) -> list[str]:
    """A titled section as mrkdwn lines (each a unit that is kept or dropped whole)."""
    title = fit(one_line(s.title), 200)
    lines = [f"*{title}*"] if title else []
    if s.text:
        lines += [fit(escape(p), LINE_CHARS * 2) for p in s.text.split("\n") if p.strip()]
    lines += [fit(f"• {one_line(i)}", LINE_CHARS) for i in s.items]
    if s.table is not None:
        lines += table_rows(s.table)
    return lines


def pack(lines: Iterable[str], limit: int = SECTION_CHARS) -> list[list[str]]:
    """Group lines into chunks whose joined text stays within `limit`."""
    chunks: list[list[str]] = []
    current: list[str] = []
    length = 0
    for line in lines:
        line = fit(line, limit)
        if not line.strip():
            continue
        if current and length + 1 + len(line) > limit:
            chunks.append(current)
            current, length = [], 0
        length += len(line) + (1 if current else 0)
        current.append(line)
    if current:
        chunks.append(current)
    return chunks


def _body(m: Message) -> list[list[str]]:
    chunks: list[list[str]] = []
    if m.text:
        chunks += pack(fit(escape(p), SECTION_CHARS) for p in m.text.split("\n") if p.strip())
    for s in m.sections:
        chunks += pack(section_lines(s))
    return chunks


def _footer(m: Message) -> Block | None:
    parts = [fit(one_line(m.footer), 500) if m.footer else "", source_link(m.url)]
    parts = [p for p in parts if p]
    return context(*parts) if parts else None


def fit_blocks(fixed_head: list[Block], chunks: list[list[str]], tail: list[Block],
               budget: int = BLOCKS_BUDGET, max_blocks: int = MAX_BLOCKS) -> list[Block]:
    """Head blocks, then as many body lines as fit, then the tail; a closing line when
    anything was left out."""
    used = sum(size(b) for b in (*fixed_head, *tail))
    room_blocks = max_blocks - len(fixed_head) - len(tail) - 1  # one kept for the marker
    body: list[Block] = []
    omitted = 0
    for chunk in chunks:
        if omitted or len(body) >= room_blocks:
            omitted += len(chunk)
            continue
        kept: list[str] = []
        for i, line in enumerate(chunk):
            if used + size(section("\n".join([*kept, line]))) > budget - 300:
                omitted = len(chunk) - i
                break
            kept.append(line)
        if kept:
            block = section("\n".join(kept) + (f"\n{MARK}" if omitted else ""))
            body.append(block)
            used += size(block)
    if omitted:
        body.append(context(f"{MARK} {omitted} more line(s) not shown: shortened to fit Slack's limits."))
    return [*fixed_head, *body, *tail]


def fallback(m: Message) -> str:
    """The plain notification text (`text` of the message), escaped and without links."""
    title = one_line(m.title) or "TradeWatch"
    summary = one_line(m.text)
    text = f"{title}: {summary}" if summary else title
    if m.kind == "error":
        text = f"⚠ {text}"
    return fit(_defang(text), FALLBACK_CHARS)


def render(m: Message) -> SlackMessage:
    """The message as Block Kit: header, facts, summary, sections, then source and footer."""
    title = f"⚠ {m.title}" if m.kind == "error" else m.title
    head = [header(title)]
    facts = fit(one_line(m.facts), 500)
    if facts:
        head.append(context(facts))
    footer = _footer(m)
    blocks = fit_blocks(head, _body(m), [footer] if footer else [])
    return SlackMessage(tuple(blocks), fallback(m))


def block_texts(blocks: Iterable[Block]) -> Iterator[str]:
    """Every text in the blocks, in order (for checks and for `find`)."""
    for b in blocks:
        if "text" in b:
            yield b["text"]["text"]
        for e in b.get("elements", ()):
            if "text" in e:
                yield e["text"] if isinstance(e["text"], str) else e["text"]["text"]
        for f in b.get("fields", ()):
            yield f["text"]
