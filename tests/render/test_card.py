"""The text alert card: what a person reads, and nothing an article can smuggle in."""

from __future__ import annotations

from datetime import date

from bot.domain import Analysis, Article, DateMention, Person, TariffChange, TradeVerdict
from bot.render.card import money, render_card


def _analysis(title: str = "US raises steel tariffs") -> Analysis:
    return Analysis(
        article=Article("a1", title, "body", date(2025, 3, 6)),
        trade_policy=TradeVerdict(True, 0.93, ("tariffs",), ("tariffs on US$45 billion",)),
        people=(Person("Helen Marsh", "Commerce Secretary", "US"),),
        dates=(DateMention("April 1", "2025-04-01", "higher duties take effect"),),
        tariff_changes=(
            TariffChange("US", "all", "steel and aluminium", 45_000_000_000, 25, 35,
                         "2025-04-01", "announced", "The United States will raise ..."),
            TariffChange("Canada", "US", "American goods", None, None, 25, None, "proposed",
                         "...", value_text="C$12 billion"),
        ),
        summary="The United States will raise tariffs on steel. Canada plans a response.",
    )


def test_card_shows_headline_people_dates_and_tariff_table() -> None:
    card = render_card(_analysis())
    assert card.startswith("■ US raises steel tariffs")
    assert "TRADE POLICY (0.93)" in card and "tariffs" in card
    assert "Helen Marsh — Commerce Secretary, US" in card
    assert "2025-04-01" in card and "higher duties take effect" in card
    row = next(line for line in card.splitlines() if "US → all" in line)
    for cell in ("steel and aluminium", "US$45 bn", "25% → 35%", "2025-04-01", "announced"):
        assert cell in row
    row2 = next(line for line in card.splitlines() if "Canada → US" in line)
    assert "C$12 billion" in row2 and "proposed" in row2


def test_terminal_escapes_in_a_title_are_removed() -> None:
    card = render_card(_analysis("Evil \x1b[2J\x1b[31mred\x07 title\r\nline"))
    assert "\x1b" not in card and "\x07" not in card and "\r" not in card
    assert "Evil red title line" in card


def test_money_formats() -> None:
    assert money(300_000_000) == "US$300 mln"
    assert money(250_000_000_000) == "US$250 bn"
    assert money(1_700_000_000) == "US$1.7 bn"
    assert money(None, "S$413.66 billion") == "S$413.66 billion"
    assert money(None) == ""
