"""Who gets an alert, and the reasons a person reads for it."""

from __future__ import annotations

from bot.core.router import decide, route, story_countries
from bot.domain import Analysis, Article, Person, Subscription, TariffChange, TradeVerdict


def _a(is_trade: bool = True, score: float = 0.9, tags: tuple[str, ...] = ("tariffs",),
       changes: tuple[TariffChange, ...] = ()) -> Analysis:
    return Analysis(Article("a", "Canada answers US steel duties", "b"), TradeVerdict(is_trade, score, tags),
                    people=(Person("Paul Okafor", "Trade Minister", "Canada"),), tariff_changes=changes)


STEEL = TariffChange("US", "China", "steel", None, 25, 35, None, "announced", "e")


def test_non_trade_is_never_sent() -> None:
    d = decide(_a(is_trade=False, score=0.1), Subscription("console:x"))
    assert not d.send and "not trade policy" in d.reasons[0]


def test_min_score_tags_countries_and_tariffs_only() -> None:
    a = _a(changes=(STEEL,))
    assert decide(a, Subscription("c:1", min_score=0.95)).reasons[0].startswith("score 0.90 is below")
    assert not decide(a, Subscription("c:1", tags=("disputes",))).send
    assert decide(a, Subscription("c:1", tags=("disputes", "tariffs"))).send
    assert decide(a, Subscription("c:1", countries=("china",))).send
    assert decide(a, Subscription("c:1", countries=("canada",))).send  # a person's country
    miss = decide(a, Subscription("c:1", countries=("Japan",)))
    assert not miss.send and "Japan" in miss.reasons[0]
    assert not decide(_a(), Subscription("c:1", tariff_changes_only=True)).send
    assert decide(a, Subscription("c:1", tariff_changes_only=True)).send


def test_route_sends_once_per_channel() -> None:
    subs = [Subscription("c:1"), Subscription("c:1", tags=("tariffs",)), Subscription("c:2", tags=("disputes",))]
    assert route(_a(), subs) == ["c:1"]


def test_story_countries() -> None:
    assert story_countries(_a(changes=(STEEL,))) == {"US", "China", "Canada"}
