"""Between database rows and domain types (the only place that reads row columns)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy.engine import RowMapping

from bot.codec import analysis_from_dict
from bot.domain import (
    UPDATES,
    Analysis,
    Article,
    Delivery,
    DeliveryState,
    Status,
    Subscription,
    TariffChange,
    Updates,
)
from bot.store.ledger import LedgerRow, country_key


def opt_str(v: Any) -> str | None:
    return None if v is None else str(v)


def _opt_float(v: Any) -> float | None:
    return None if v is None else float(v)


def article_values(article: Article, fingerprint: str, now: datetime) -> dict[str, Any]:
    return {
        "id": article.id,
        "title": article.title,
        "body": article.body,
        "published": article.published,
        "url": article.url,
        "source": article.source,
        "fingerprint": fingerprint,
        "first_seen": now,
    }


def article_from(row: RowMapping) -> Article:
    return Article(
        id=str(row["id"]),
        title=str(row["title"]),
        body=str(row["body"]),
        published=row["published"],
        url=opt_str(row["url"]),
        source=opt_str(row["source"]),
    )


def analysis_from(row: RowMapping) -> Analysis:
    document = row["document"]
    if not isinstance(document, dict):
        raise TypeError(f"stored analysis is not a JSON object: {type(document).__name__}")
    return analysis_from_dict(document, body=str(row["body"]))


def ledger_values(article_id: str, position: int, published: Any, c: TariffChange) -> dict[str, Any]:
    return {
        "article_id": article_id,
        "position": position,
        "published": published,
        "imposer": c.imposer,
        "target": c.target,
        "imposer_key": country_key(c.imposer),
        "target_key": country_key(c.target),
        "products": c.products,
        "value_usd": c.value_usd,
        "value_text": c.value_text,
        "old_rate_pct": c.old_rate_pct,
        "new_rate_pct": c.new_rate_pct,
        "effective": c.effective,
        "status": c.status,
        "evidence": c.evidence,
        "change_text": c.change_text,
    }


def ledger_row_from(row: RowMapping) -> LedgerRow:
    change = TariffChange(
        imposer=opt_str(row["imposer"]),
        target=opt_str(row["target"]),
        products=opt_str(row["products"]),
        value_usd=None if row["value_usd"] is None else int(row["value_usd"]),
        old_rate_pct=_opt_float(row["old_rate_pct"]),
        new_rate_pct=_opt_float(row["new_rate_pct"]),
        effective=opt_str(row["effective"]),
        status=cast(Status, row["status"]),
        evidence=str(row["evidence"]),
        value_text=opt_str(row["value_text"]),
        change_text=opt_str(row["change_text"]),
    )
    return LedgerRow(
        article_id=str(row["article_id"]),
        title=str(row["title"]),
        published=row["published"],
        seen_at=row["first_seen"],
        position=int(row["position"]),
        change=change,
        url=opt_str(row.get("url")),
    )


def subscription_values(sub: Subscription, now: datetime) -> dict[str, Any]:
    return {
        "channel": sub.channel,
        "tags": list(sub.tags),
        "countries": list(sub.countries),
        "min_score": float(sub.min_score),
        "tariff_changes_only": sub.tariff_changes_only,
        "created_by": sub.created_by,
        "remind_seconds": sub.remind_seconds,
        "digest": sub.digest,
        "tz": sub.tz,
        "updates": sub.updates,
        "created_at": now,
        "updated_at": now,
    }


def subscription_from(row: RowMapping) -> Subscription:
    return Subscription(
        channel=str(row["channel"]),
        tags=tuple(str(t) for t in row["tags"]),
        countries=tuple(str(c) for c in row["countries"]),
        min_score=float(row["min_score"]),
        tariff_changes_only=bool(row["tariff_changes_only"]),
        created_by=opt_str(row["created_by"]),
        remind_seconds=_opt_float(row.get("remind_seconds")),
        digest=opt_str(row.get("digest")),
        tz=opt_str(row.get("tz")),
        updates=cast(Updates, row["updates"]) if row["updates"] in UPDATES else "thread",
    )


def delivery_from(row: RowMapping) -> Delivery:
    return Delivery(
        alert_id=str(row["alert_id"]),
        channel=str(row["channel"]),
        state=cast(DeliveryState, row["state"]),
        attempts=int(row["attempts"]),
        last_error=opt_str(row["last_error"]),
        message_ref=opt_str(row["message_ref"]),
        queued_at=row.get("created_at"),
    )
