"""The alert card as plain text: what a person reads on a console or in `analyze` output.

Pure functions of an `Analysis`. Text from articles is untrusted: control characters and
terminal escape sequences are removed before anything is printed.
"""

from __future__ import annotations

import re
import textwrap

from bot.domain import Analysis, TariffChange

WIDTH = 88
_CONTROL = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def clean(text: str | None) -> str:
    """Untrusted text made safe for a terminal: no escape sequences, one line."""
    if not text:
        return ""
    return re.sub(r"\s+", " ", _CONTROL.sub("", text)).strip()


def money(value_usd: int | None, value_text: str | None = None) -> str:
    """US$300 bn, US$270 mln; the text's own words for other currencies; "" if unknown."""
    if value_usd is None:
        return clean(value_text)
    for size, unit in ((1e12, "tn"), (1e9, "bn"), (1e6, "mln")):
        if value_usd >= size:
            return f"US${value_usd / size:.4g} {unit}"
    return f"US${value_usd:,}"


def rate(value: float | None) -> str:
    return "?" if value is None else f"{value:g}%"


def rates(t: TariffChange) -> str:
    if t.old_rate_pct is None and t.new_rate_pct is None:
        return clean(t.change_text) or "rate not given"
    if t.old_rate_pct is None:
        return rate(t.new_rate_pct)
    return f"{rate(t.old_rate_pct)} → {rate(t.new_rate_pct)}"


def status_label(status: str) -> str:
    return status.replace("_", " ")


def tariff_rows(changes: tuple[TariffChange, ...]) -> list[tuple[str, ...]]:
    """One row a measure: who → whom, goods, value, rates, effective, status."""
    return [
        (
            f"{clean(t.imposer) or '?'} → {clean(t.target) or '?'}",
            clean(t.products) or "-",
            money(t.value_usd, t.value_text) or "-",
            rates(t),
            t.effective or "-",
            status_label(t.status),
        )
        for t in changes
    ]


def _table(header: tuple[str, ...], rows: list[tuple[str, ...]], indent: str = "  ") -> list[str]:
    widths = [max(len(r[i]) for r in (header, *rows)) for i in range(len(header))]
    widths[1] = min(widths[1], 34)

    def fmt(r: tuple[str, ...]) -> str:
        cells = [c if len(c) <= widths[i] else c[: widths[i] - 1] + "…" for i, c in enumerate(r)]
        return indent + "  ".join(c.ljust(widths[i]) for i, c in enumerate(cells)).rstrip()

    return [fmt(header), *(fmt(r) for r in rows)]


def render_card(a: Analysis) -> str:
    """The alert card: headline, facts line, summary, people, dates, tariff table."""
    tp = a.trade_policy
    verdict = "TRADE POLICY" if tp.is_trade else "not trade policy"
    facts = [a.article.published.isoformat() if a.article.published else "date unknown",
             f"{verdict} ({tp.score:.2f})"]
    if tp.tags:
        facts.append(", ".join(tp.tags))
    lines = [f"■ {clean(a.article.title) or a.article.id}", "  " + " · ".join(facts)]
    if tp.reasons:
        lines.append("  why: " + "; ".join(clean(r) for r in tp.reasons[:4]))
    if a.article.url:
        lines.append(f"  {clean(a.article.url)}")
    if a.summary:
        lines.append("")
        lines += textwrap.wrap(clean(a.summary), WIDTH, initial_indent="  ", subsequent_indent="  ")
    if a.people:
        lines += ["", "  People"]
        for p in a.people:
            extra = ", ".join(x for x in (clean(p.role), clean(p.country)) if x)
            lines.append(f"    • {clean(p.name)}" + (f" — {extra}" if extra else ""))
    if a.dates:
        lines += ["", "  Dates"]
        for d in a.dates:
            what = f" — {clean(d.event)}" if d.event else ""
            lines.append(f"    • {d.date:<10}  {clean(d.text)}{what}")
    if a.tariff_changes:
        lines += ["", "  Tariff changes"]
        header = ("who → whom", "goods", "value", "rate", "effective", "status")
        lines += _table(header, tariff_rows(a.tariff_changes), indent="    ")
    if not a.full:
        lines += ["", "  (not analysed further: below the trade-policy threshold; use --full)"]
    lines.append(f"  id: {a.article.id}")
    return "\n".join(lines)
