"""The analysis JSON is a public interface: every key present, numbers as numbers."""

from __future__ import annotations

import json
from datetime import date

from bot.codec import analysis_from_dict, analysis_to_dict
from bot.domain import Analysis, Article, DateMention, Person, TariffChange, TradeVerdict

CONTRACT_KEYS = {"id", "title", "published", "trade_policy", "people", "dates", "tariff_changes", "summary"}
CHANGE_KEYS = {"imposer", "target", "products", "value_usd", "old_rate_pct", "new_rate_pct",
               "effective", "status", "evidence"}


def test_round_trip_and_contract_shape() -> None:
    a = Analysis(
        article=Article("x", "T", "", date(2019, 9, 20), url="https://example.org/a"),
        trade_policy=TradeVerdict(True, 0.97, ("tariffs",), ("tariffs on",)),
        people=(Person("Liao Min", "vice-minister for finance", "China"),),
        dates=(DateMention("Oct 15", "2019-10-15", None),),
        tariff_changes=(TariffChange("US", "China", "Chinese goods", 250_000_000_000, 25.0, 30.0,
                                     "2019-10-15", "delayed", "evidence"),),
        summary="S.",
    )
    d = json.loads(json.dumps(analysis_to_dict(a)))
    assert d.keys() >= CONTRACT_KEYS
    assert d["tariff_changes"][0].keys() >= CHANGE_KEYS
    assert d["tariff_changes"][0]["old_rate_pct"] == 25 and isinstance(d["tariff_changes"][0]["old_rate_pct"], int)
    assert d["dates"][0]["event"] is None
    assert analysis_from_dict(d) == a
