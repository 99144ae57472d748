"""The analysis JSON of ../shared/CONTRACT.md, both ways.

`analysis_to_dict` is the public interface of `tradewatch analyze`; the store keeps the
same document, so `analysis_from_dict` must read back everything `analysis_to_dict` writes.
Additions to the contract (documented in the README): `url`, `source` (where the article
came from), `tariff_changes[].value_text` and `.change_text`, and `full`.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.domain import (
    STATUSES,
    Analysis,
    Article,
    DateMention,
    Person,
    Status,
    TariffChange,
    TradeVerdict,
)


def _num(x: float | int | None) -> float | int | None:
    if x is None:
        return None
    if isinstance(x, float) and x.is_integer():
        return int(x)
    return x


def analysis_to_dict(a: Analysis) -> dict[str, Any]:
    art = a.article
    return {
        "id": art.id,
        "title": art.title,
        "published": art.published.isoformat() if art.published else None,
        "url": art.url,
        "source": art.source,
        "trade_policy": {
            "is_trade": a.trade_policy.is_trade,
            "score": round(a.trade_policy.score, 3),
            "tags": list(a.trade_policy.tags),
            "reasons": list(a.trade_policy.reasons),
        },
        "people": [{"name": p.name, "role": p.role, "country": p.country} for p in a.people],
        "dates": [{"text": d.text, "date": d.date, "event": d.event} for d in a.dates],
        "tariff_changes": [
            {
                "imposer": t.imposer,
                "target": t.target,
                "products": t.products,
                "value_usd": t.value_usd,
                "old_rate_pct": _num(t.old_rate_pct),
                "new_rate_pct": _num(t.new_rate_pct),
                "effective": t.effective,
                "status": t.status,
                "evidence": t.evidence,
                "value_text": t.value_text,
                "change_text": t.change_text,
            }
            for t in a.tariff_changes
        ],
        "summary": a.summary,
        "full": a.full,
    }


def _opt_str(d: dict[str, Any], key: str) -> str | None:
    v = d.get(key)
    return None if v is None else str(v)


def _opt_float(d: dict[str, Any], key: str) -> float | None:
    v = d.get(key)
    return None if v is None else float(v)


def _status(v: object) -> Status:
    if v not in STATUSES:
        raise ValueError(f"unknown tariff status {v!r}")
    return v


def analysis_from_dict(d: dict[str, Any], body: str = "") -> Analysis:
    """Read back an analysis document (the article body is not part of it)."""
    tp = d.get("trade_policy") or {}
    published = d.get("published")
    article = Article(
        id=str(d["id"]),
        title=str(d.get("title") or ""),
        body=body,
        published=date.fromisoformat(published) if published else None,
        url=_opt_str(d, "url"),
        source=_opt_str(d, "source"),
    )
    return Analysis(
        article=article,
        trade_policy=TradeVerdict(
            is_trade=bool(tp.get("is_trade")),
            score=float(tp.get("score") or 0.0),
            tags=tuple(str(t) for t in tp.get("tags") or ()),
            reasons=tuple(str(r) for r in tp.get("reasons") or ()),
        ),
        people=tuple(
            Person(name=str(p["name"]), role=_opt_str(p, "role"), country=_opt_str(p, "country"))
            for p in d.get("people") or ()
        ),
        dates=tuple(
            DateMention(text=str(x["text"]), date=str(x["date"]), event=_opt_str(x, "event"))
            for x in d.get("dates") or ()
        ),
        tariff_changes=tuple(
            TariffChange(
                imposer=_opt_str(t, "imposer"),
                target=_opt_str(t, "target"),
                products=_opt_str(t, "products"),
                value_usd=None if t.get("value_usd") is None else int(t["value_usd"]),
                old_rate_pct=_opt_float(t, "old_rate_pct"),
                new_rate_pct=_opt_float(t, "new_rate_pct"),
                effective=_opt_str(t, "effective"),
                status=_status(t.get("status")),
                evidence=str(t.get("evidence") or ""),
                value_text=_opt_str(t, "value_text"),
                change_text=_opt_str(t, "change_text"),
            )
            for t in d.get("tariff_changes") or ()
        ),
        summary=str(d.get("summary") or ""),
        full=bool(d.get("full", True)),
    )
