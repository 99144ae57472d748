"""An `Analysis` as a chat-neutral alert `Message` (pure)."""

from __future__ import annotations

from collections.abc import Mapping

from bot.analysis.text import length_note
from bot.core.message import Message, Section, Table
from bot.domain import Analysis, TariffChange

TARIFF_HEADER = ("who → whom", "goods", "value", "rate", "effective", "status")
MEASURE = "measure"
"""The column naming each row's measure in the ledger (`tariffs show <id>`)."""


def money(value_usd: int | None, value_text: str | None = None) -> str:
    """US$300 bn, US$270 mln; the text's own words for other currencies; "" if unknown."""
    if value_usd is None:
        return value_text or ""
    for size, unit in ((1e12, "tn"), (1e9, "bn"), (1e6, "mln")):
        if value_usd >= size:
            return f"US${value_usd / size:.4g} {unit}"
    return f"US${value_usd:,}"


def rate(value: float | None) -> str:
    return "?" if value is None else f"{value:g}%"


def rates(t: TariffChange) -> str:
    if t.old_rate_pct is None and t.new_rate_pct is None:
        return t.change_text or "rate not given"
    if t.old_rate_pct is None:
        return rate(t.new_rate_pct)
    return f"{rate(t.old_rate_pct)} → {rate(t.new_rate_pct)}"


def tariff_row(t: TariffChange) -> tuple[str, ...]:
    """who → whom, goods, value, rates, effective, status."""
    return (
        f"{t.imposer or '?'} → {t.target or '?'}",
        t.products or "-",
        money(t.value_usd, t.value_text) or "-",
        rates(t),
        t.effective or "-",
        t.status.replace("_", " "),
    )


def facts_line(a: Analysis) -> str:
    tp = a.trade_policy
    verdict = "TRADE POLICY" if tp.is_trade else "not trade policy"
    facts = [a.article.published.isoformat() if a.article.published else "date unknown",
             f"{verdict} ({tp.score:.2f})"]
    if tp.tags:
        facts.append(", ".join(tp.tags))
    return " · ".join(facts)


def alert_message(a: Analysis, measures: Mapping[int, str] | None = None) -> Message:
    """The alert card: headline, facts, summary, people, dates, tariff table.

    `measures` names the measure of each tariff change (by its position), as the store's
    `measure_ids` finds it; each row then starts with its id, for `tariffs show <id>` (first,
    so that no shortening of a long row in a chat ever cuts it off)."""
    sections: list[Section] = []
    if a.trade_policy.reasons:
        sections.append(Section("Why", items=a.trade_policy.reasons[:4]))
    if a.people:
        sections.append(Section("People", items=tuple(
            p.name + (f" — {', '.join(x for x in (p.role, p.country) if x)}" if p.role or p.country else "")
            for p in a.people)))
    if a.dates:
        sections.append(Section("Dates", items=tuple(
            f"{d.date}  {d.text}" + (f" — {d.event}" if d.event else "") for d in a.dates)))
    if a.tariff_changes:
        rows: tuple[tuple[str, ...], ...] = tuple(tariff_row(t) for t in a.tariff_changes)
        header: tuple[str, ...] = TARIFF_HEADER
        if measures:
            header = (MEASURE, *header)
            rows = tuple((measures.get(i, "-"), *r) for i, r in enumerate(rows))
        sections.append(Section("Tariff changes", table=Table(header, rows)))
    footer = f"id: {a.article.id}"
    if a.article.source and not a.article.url:
        footer += f" · source: {a.article.source}"
    if not a.full:
        footer += " · not analysed further: below the trade-policy threshold"
    if note := length_note(a.article.body):
        footer += f" · {note}"
    return Message(
        kind="alert",
        title=a.article.title or a.article.id,
        text=a.summary,
        sections=tuple(sections),
        url=a.article.url,
        facts=facts_line(a),
        footer=footer,
        key=a.article.id,
    )
