"""A `Message` as plain text for a terminal (the console channel and the CLI).

Text from articles is untrusted: control characters and terminal escape sequences are
removed before anything is printed.
"""

from __future__ import annotations

import re
import textwrap

from bot.core.message import Message, Table

WIDTH = 88
_CONTROL = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[@-_]|[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def clean(text: str | None) -> str:
    """Untrusted text made safe for a terminal: no escape sequences, one line."""
    if not text:
        return ""
    return re.sub(r"\s+", " ", _CONTROL.sub("", text)).strip()


def table_lines(table: Table, indent: str = "    ", max_goods: int = 34) -> list[str]:
    rows = [tuple(clean(c) for c in r) for r in table.rows]
    header = table.header
    widths = [max(len(r[i]) for r in (header, *rows)) for i in range(len(header))]
    wide = header.index("goods") if "goods" in header else 1  # goods: the long free text
    if len(widths) > wide:
        widths[wide] = min(widths[wide], max_goods)

    def fmt(r: tuple[str, ...]) -> str:
        cells = [c if len(c) <= widths[i] else c[: widths[i] - 1] + "…" for i, c in enumerate(r)]
        return indent + "  ".join(c.ljust(widths[i]) for i, c in enumerate(cells)).rstrip()

    return [fmt(header), *(fmt(r) for r in rows)]


def render_text(m: Message) -> str:
    mark = {"alert": "■", "reply": "▸", "error": "✗"}[m.kind]
    lines = [f"{mark} {clean(m.title)}"]
    if m.facts:
        lines.append("  " + clean(m.facts))
    if m.url:
        lines.append("  " + clean(m.url))
    if m.text:
        for para in m.text.split("\n"):
            lines += textwrap.wrap(clean(para), WIDTH, initial_indent="  ", subsequent_indent="  ") or [""]
    for s in m.sections:
        lines += ["", f"  {clean(s.title)}"]
        if s.text:
            lines += textwrap.wrap(clean(s.text), WIDTH, initial_indent="    ", subsequent_indent="    ")
        lines += [f"    • {clean(i)}" for i in s.items]
        if s.table:
            lines += table_lines(s.table)
    if m.footer:
        lines += ["", "  " + clean(m.footer)]
    return "\n".join(lines)
