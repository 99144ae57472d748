"""Who gets an alert: a pure decision over an analysis and the subscriptions.

The same function answers "why was this (not) posted here?", so the reasons it gives are
the ones a person reads.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bot.analysis.countries import country_of, find_countries, resolve_country
from bot.domain import Analysis, Subscription


@dataclass(frozen=True, slots=True)
class RouteDecision:
    channel: str
    send: bool
    reasons: tuple[str, ...]
    """Why it was sent (the filters it matched) or why not (the first filter it failed)."""


def story_countries(a: Analysis) -> frozenset[str]:
    """The countries a story is about: tariff imposers and targets, the people's countries,
    and those named in the headline."""
    found: set[str] = set()
    for t in a.tariff_changes:
        for c in (t.imposer, t.target):
            short = country_of(c) if c else None
            if short:
                found.add(short)
    found |= {p.country for p in a.people if p.country}
    found |= {short for _, _, short in find_countries(a.article.title, capitals=False)}
    return frozenset(found)


def normalise_country(name: str) -> str:
    """"china" -> "China", "united states" -> "US", "Korea, Republic of" -> "South Korea",
    "VNM" -> "Vietnam"; unknown names kept as given."""
    return resolve_country(name) or name.strip()


def decide(a: Analysis, sub: Subscription) -> RouteDecision:
    """Does this alert go to this subscription's channel, and why (not)?"""
    tp = a.trade_policy
    if not tp.is_trade:
        return RouteDecision(sub.channel, False, (f"not trade policy (score {tp.score:.2f})",))
    if tp.score < sub.min_score:
        return RouteDecision(sub.channel, False,
                             (f"score {tp.score:.2f} is below this channel's minimum {sub.min_score:.2f}",))
    reasons = [f"trade policy (score {tp.score:.2f})"]
    if sub.tags:
        common = [t for t in sub.tags if t in tp.tags]
        if not common:
            have = ", ".join(tp.tags) or "none"
            return RouteDecision(sub.channel, False,
                                 (f"tags {have} match none of this channel's tags {', '.join(sub.tags)}",))
        reasons.append("tags " + ", ".join(common))
    if sub.countries:
        about = story_countries(a)
        wanted = [c for c in sub.countries if normalise_country(c) in about]
        if not wanted:
            have = ", ".join(sorted(about)) or "none found"
            return RouteDecision(sub.channel, False,
                                 (f"countries {have} match none of {', '.join(sub.countries)}",))
        reasons.append("countries " + ", ".join(wanted))
    if sub.tariff_changes_only:
        if not a.tariff_changes:
            return RouteDecision(sub.channel, False, ("no tariff change found, and this channel "
                                                      "wants tariff changes only",))
        reasons.append(f"{len(a.tariff_changes)} tariff change(s)")
    return RouteDecision(sub.channel, True, tuple(reasons))


def route(a: Analysis, subscriptions: Iterable[Subscription]) -> list[str]:
    """The channels this alert goes to, each once, in subscription order."""
    seen: dict[str, None] = {}
    for sub in subscriptions:
        if sub.channel not in seen and decide(a, sub).send:
            seen[sub.channel] = None
    return list(seen)
