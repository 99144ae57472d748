"""The trade-policy tags a subscriber can filter alerts on.

Data only: each tag has a stable name (used in the analysis JSON and in subscriptions) and a
one-line description (shown by the bot and in docs/taxonomy.md).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Tag:
    name: str
    description: str


TAGS: tuple[Tag, ...] = (
    Tag("tariffs", "Tariffs, customs duties, levies, surcharges, anti-dumping and "
        "countervailing duties, tariff preferences."),
    Tag("negotiations", "Trade talks, trade agreements and deals, free-trade areas, "
        "GATT/WTO rounds, trade missions."),
    Tag("disputes", "Trade disputes and frictions: WTO/GATT cases, complaints, unfair-trade "
        "charges, retaliation, trade wars."),
    Tag("export-controls", "Sanctions, embargoes, boycotts, export bans and export licensing "
        "of goods and technology."),
    Tag("market-access", "Import quotas, import curbs and licensing, trade barriers, "
        "opening of markets, voluntary export restraints."),
    Tag("trade-data", "Trade balances, surpluses and deficits, current accounts, import "
        "and export figures."),
    Tag("agriculture", "Farm trade: agricultural tariffs and quotas, farm and export "
        "subsidies, farm-trade reform."),
)  # fmt: skip

TAG_NAMES: tuple[str, ...] = tuple(tag.name for tag in TAGS)


def describe(name: str) -> str:
    """The one-line description of a tag; `KeyError` for an unknown name."""
    for tag in TAGS:
        if tag.name == name:
            return tag.description
    raise KeyError(name)
