"""A `Message` as Discord embeds, within every Discord limit (pure).

Text from articles is untrusted: markdown is escaped (no bold, links or headings an
article did not earn) and mentions are broken with a zero-width space; the sender also
disables mentions on every message, which is what really stops pings.

Limits (Discord rejects a message over any of them): title 256, description 4,096,
25 fields a embed of name 256 and value 1,024, footer 2,048, 6,000 characters across all
embeds, 10 embeds a message. Long content is shortened with a visible "…" and fields that
do not fit are counted in a last "…" field; nothing is ever rejected.

The alert key goes at the end of the footer of the last embed as `id: <key>`: that is
what `DiscordSink.find` looks for in a channel's history after a crash.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

import discord
from discord.utils import escape_markdown, escape_mentions

from bot.core.message import Message, Section, Table

TITLE = 256
DESCRIPTION = 4096
FIELDS = 25
FIELD_NAME = 256
FIELD_VALUE = 1024
FOOTER = 2048
TOTAL = 6000
EMBEDS = 10

MARK = "…"
BLANK = "\u200b"  # Discord refuses empty field names and values
KEY_PREFIX = "id: "
SEP = " · "
SUMMARY_FLOOR = 1024
"""A description keeps at least this much before fields make it shorter."""
MARKER_ROOM = 48
"""Kept free while fields are added, for the "… N more not shown" field."""

COLOURS = {"alert": 0x2B6CB0, "reply": 0x4A5568, "error": 0xC53030}
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_URL = re.compile(r"https?://[^\s<>\"']+", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    value: str
    inline: bool = False

    @property
    def size(self) -> int:
        return len(self.name) + len(self.value)


# ---------------------------------------------------------------- text


def plain(text: str | None, *, lines: bool = False) -> str:
    """Untrusted text without control characters; one line unless `lines`."""
    if not text:
        return ""
    text = _CONTROL.sub(" ", text.replace("\r\n", "\n").replace("\r", "\n")) if lines else _CONTROL.sub(" ", text)
    if lines:
        return "\n".join(re.sub(r"[ \t\f\v]+", " ", line).strip() for line in text.split("\n")).strip()
    return re.sub(r"\s+", " ", text).strip()


def escape(text: str | None, *, lines: bool = False) -> str:
    """Plain text made inert for Discord markdown: no formatting, links or mentions."""
    return escape_mentions(escape_markdown(plain(text, lines=lines)))


def shorten(text: str, limit: int) -> str:
    """`text` in at most `limit` characters, ending in "…" when cut (at a word if one is near)."""
    if len(text) <= limit:
        return text
    if limit <= len(MARK):
        return MARK[:limit]
    cut = text[: limit - len(MARK)]
    space = cut.rfind(" ")
    if space >= len(cut) * 4 // 5:
        cut = cut[:space]
    cut = cut.rstrip()
    if (len(cut) - len(cut.rstrip("\\"))) % 2:  # never leave a lone escape to swallow the mark
        cut = cut[:-1]
    return cut + MARK


def link(url: str | None) -> str | None:
    """The article's address if Discord will take it as a link (else none, never a rejection)."""
    if not url:
        return None
    url = url.strip()
    return url if _URL.fullmatch(url) and len(url) <= 2048 else None


# ---------------------------------------------------------------- fields


def _list_value(items: Sequence[str]) -> str:
    """Bulleted items, as many as fit in one field value, then "… N more"."""
    lines = [f"• {escape(i)}" for i in items]
    out: list[str] = []
    used = 0
    for n, line in enumerate(lines):
        rest = len(lines) - n - 1
        more = f"\n{MARK} {rest} more" if rest else ""
        line = shorten(line, FIELD_VALUE - len(more))
        sep = 1 if out else 0
        if used + sep + len(line) + len(more) > FIELD_VALUE:
            out.append(f"{MARK} {len(lines) - n} more")
            break
        out.append(line)
        used += sep + len(line)
    return "\n".join(out)


def _table_fields(title: str, table: Table) -> Iterator[Field]:
    """One inline field a row: the first cell names it, the others are labelled lines."""
    for row in table.rows:
        head = escape(row[0]) if row else ""
        name = f"{escape(title)} — {head}" if head else escape(title)
        lines = [f"{escape(h)}: {escape(c)}" for h, c in zip(table.header[1:], row[1:], strict=False)
                 if plain(c) not in ("", "-")]
        yield Field(shorten(name, FIELD_NAME) or BLANK, shorten("\n".join(lines), FIELD_VALUE) or BLANK,
                    inline=True)


def section_fields(s: Section) -> Iterator[Field]:
    name = shorten(escape(s.title), FIELD_NAME) or BLANK
    if s.text or s.items:
        parts = [shorten(escape(s.text, lines=True), FIELD_VALUE)] if s.text else []
        if s.items:
            parts.append(_list_value(s.items))
        value = "\n".join(parts)
        yield Field(name, shorten(value, FIELD_VALUE) or BLANK)
    if s.table is not None:
        yield from _table_fields(s.title, s.table)


# ---------------------------------------------------------------- footer


def footer_text(m: Message) -> str:
    """Facts (date, score, tags), the source, and the alert key last: `id: <key>`."""
    parts = [plain(m.facts)] if m.facts else []
    key_part = f"{KEY_PREFIX}{plain(m.key)}" if m.key else ""
    parts += [p for p in (plain(x) for x in m.footer.split(SEP)) if p and p != key_part]
    url = link(m.url)
    if url:
        parts.append(f"source: {urlsplit(url).hostname or url}")
    head = SEP.join(parts)
    if not key_part:
        return shorten(head, FOOTER)
    key_part = shorten(key_part, FOOTER)
    room = FOOTER - len(key_part) - len(SEP)
    return f"{shorten(head, room)}{SEP}{key_part}" if head and room > len(MARK) else key_part


# ---------------------------------------------------------------- embeds


def _fit_fields(fields: list[Field], room: int) -> list[Field]:
    """The fields that fit in `room` characters and in 10 embeds of 25, then a "…" field
    counting the ones left out (the first of those shortened in, if there is room)."""
    most = FIELDS * EMBEDS
    kept: list[Field] = []
    for n, f in enumerate(fields):
        after = len(fields) - n - 1
        slots = 2 if after else 1
        if len(kept) + slots <= most and f.size + (MARKER_ROOM if after else 0) <= room:
            kept.append(f)
            room -= f.size
            continue
        missing = len(fields) - n
        space = room - MARKER_ROOM - len(f.name)
        if len(kept) + 2 <= most and space >= 64:
            kept.append(Field(f.name, shorten(f.value, min(FIELD_VALUE, space)), f.inline))
            missing -= 1
        if missing:
            kept.append(Field(MARK, f"{missing} more not shown (Discord's size limit)"))
        break
    return kept


def render_embeds(m: Message) -> list[discord.Embed]:
    """The message as 1 to 10 embeds that Discord accepts, whatever the article said."""
    colour = COLOURS.get(m.kind, COLOURS["reply"])
    title = shorten(escape(m.title), TITLE)
    footer = footer_text(m)
    fields = [f for s in m.sections for f in section_fields(s)]
    budget = TOTAL - len(title) - len(footer)
    description = shorten(escape(m.text, lines=True), DESCRIPTION)
    wanted = sum(f.size for f in fields)
    description = shorten(description, max(0, min(DESCRIPTION, budget, max(SUMMARY_FLOOR, budget - wanted))))
    kept = _fit_fields(fields, budget - len(description))

    first = discord.Embed(title=title or None, url=link(m.url) if title else None,
                          description=description or None, colour=colour)
    embeds = [first]
    for n, f in enumerate(kept):
        if n and n % FIELDS == 0:
            embeds.append(discord.Embed(colour=colour))
        embeds[-1].add_field(name=f.name, value=f.value, inline=f.inline)
    if footer:
        embeds[-1].set_footer(text=footer)
    if not any(embeds[0].to_dict().get(k) for k in ("title", "description", "fields", "footer")):
        first.description = BLANK  # Discord refuses an empty embed
    return embeds


def total_size(embeds: Sequence[discord.Embed]) -> int:
    """Characters Discord counts towards its 6,000 limit."""
    return sum(len(e) for e in embeds)
