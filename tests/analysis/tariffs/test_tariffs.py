"""Tariff changes: one case per rule, on sentences written here, and the seed article."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.analysis.numbers import find_money, find_percents
from bot.analysis.tariffs.cues import mask_non_measures
from bot.analysis.tariffs.extract import extract_tariffs
from bot.analysis.text import prepare
from bot.domain import TariffChange
from bot.io.readers import parse_story

DAY = date(2024, 6, 12)


def changes(body: str, published: date | None = DAY) -> tuple[TariffChange, ...]:
    return extract_tariffs(prepare(body, published))


def one(body: str, published: date | None = DAY) -> TariffChange:
    [change] = changes(body, published)
    return change


# --- amounts and rates as written -------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "usd", "amount"),
    [
        ("US$250 billion", True, 250e9),
        ("$250bn", True, 250e9),
        ("300 mln dlrs", True, 300e6),
        ("270 million U.S. dlrs", True, 270e6),
        ("one billion dollars", True, 1e9),
        ("S$413.66 billion", False, 413.66e9),
        ("50 billion yen", False, 50e9),
        ("200 mln stg", False, 200e6),
        ("C$12 billion", False, 12e9),
        ("€3.5bn", False, 3.5e9),
    ],
)
def test_money(text: str, usd: bool, amount: float) -> None:
    [m] = find_money(f"tariffs on {text} of goods")
    assert (m.text, m.usd, m.amount) == (text, usd, pytest.approx(amount))


@pytest.mark.parametrize(
    ("text", "value"),
    [("15 per cent", 15), ("15%", 15), ("15 pct", 15), ("five per cent", 5),
     ("twenty-five percent", 25), ("31.9 pct", 31.9)],
)
def test_percent(text: str, value: float) -> None:
    [p] = find_percents(f"a duty of {text} on cars")
    assert (p.text, p.value) == (text, value)


# --- what a measure is --------------------------------------------------------------------


def test_modern_style_value_and_rates() -> None:
    c = one("WASHINGTON - The US said it would raise tariffs on $250bn of Chinese goods to 30% "
            "from 25% on October 1.")
    assert (c.imposer, c.target, c.products) == ("US", "China", "Chinese goods")
    assert (c.value_usd, c.old_rate_pct, c.new_rate_pct) == (250_000_000_000, 25, 30)
    assert (c.effective, c.status) == ("2024-10-01", "announced")


def test_a_levy_with_its_rate_before_the_noun() -> None:
    c = one("Ottawa imposed a 25% levy on steel from China.")
    assert (c.imposer, c.target, c.products, c.new_rate_pct) == ("Canada", "China", "steel from China", 25)
    assert c.value_usd is None and c.status == "in_effect"


def test_anti_dumping_duties_with_their_start_date() -> None:
    body = "BRUSSELS - The EU imposed anti-dumping duties of 35.6% on Chinese e-bikes from July 18."
    c = one(body, date(2024, 7, 30))
    assert (c.imposer, c.target, c.products) == ("EU", "China", "Chinese e-bikes")
    assert (c.new_rate_pct, c.effective, c.status) == (35.6, "2024-07-18", "in_effect")


def test_a_measure_that_starts_after_the_story_is_not_yet_in_force() -> None:
    body = "BRUSSELS - The EU imposed anti-dumping duties of 35.6% on Chinese e-bikes from July 18."
    assert (one(body, date(2024, 6, 12)).status) == "announced"


def test_wire_style_mentions_of_one_measure_are_merged() -> None:
    body = (
        "WASHINGTON, April 2 - Officials meet today over the 200 mln dlr penalty tariffs the "
        "President ordered imposed on Japanese television sets.\n"
        "Few expect a deal before the tariffs of 100 pct - up from about four pct - are to take "
        "effect on April 20."
    )
    c = one(body, date(1987, 4, 2))
    assert (c.imposer, c.target, c.value_usd) == ("US", "Japan", 200_000_000)
    assert (c.old_rate_pct, c.new_rate_pct, c.effective, c.status) == (4, 100, "1987-04-20", "announced")
    assert c.value_text == "200 mln dlr"


def test_amounts_in_other_currencies_are_kept_as_written() -> None:
    c = one("SINGAPORE - Jakarta will put a 10 per cent duty on S$2 billion of Singapore goods.")
    assert c.value_usd is None and c.value_text == "S$2 billion"
    assert (c.imposer, c.target, c.new_rate_pct) == ("Indonesia", "Singapore", 10)


def test_goods_named_before_the_measure_that_would_hit_them() -> None:
    c = one("OTTAWA - Canada listed Mexican goods worth C$3 billion that could face a 20% levy.")
    assert (c.imposer, c.target, c.products) == ("Canada", "Mexico", "Mexican goods")
    assert (c.value_usd, c.value_text, c.new_rate_pct, c.status) == (None, "C$3 billion", 20, "proposed")


def test_dollars_of_a_conversion_in_brackets_are_not_a_second_value() -> None:
    c = one("The US put tariffs on US$100 billion (S$137 billion) of Chinese goods.")
    assert (c.value_usd, c.value_text) == (100_000_000_000, "US$100 billion")


def test_trade_flow_figures_in_the_sentence_are_not_the_value_covered() -> None:
    c = one("WASHINGTON - Canadian timber shipments dropped 300 mln dlrs, or 30 pct, after a "
            "15 pct duty on imports from Canada.")
    assert (c.imposer, c.target, c.value_usd, c.new_rate_pct) == ("US", "Canada", None, 15)


def test_a_value_given_elsewhere_for_the_same_goods() -> None:
    body = ("OTTAWA - A U.S. panel found that Canadian zinc shipments valued at 90 mln U.S. dlrs "
            "last year hurt American mines. The mines are seeking a 30 pct tariff on Canada's "
            "zinc shipments.")
    c = one(body)
    assert (c.imposer, c.target, c.value_usd, c.new_rate_pct, c.status) == (
        "US", "Canada", 90_000_000, 30, "proposed")


def test_a_change_given_only_by_its_size_keeps_both_rates_null() -> None:
    c = one("TAIPEI - Taiwan cut import tariffs by up to 40 pct on 900 farm goods.")
    assert (c.old_rate_pct, c.new_rate_pct) == (None, None)
    assert c.change_text == "by up to 40 pct"


def test_number_words() -> None:
    c = one("Seoul imposed a duty of twenty-five per cent on Japanese bearings.")
    assert (c.imposer, c.target, c.new_rate_pct) == ("South Korea", "Japan", 25)


def test_an_export_tax_on_the_imposer_s_own_goods() -> None:
    c = one("Argentina agreed to impose a 12 pct export tax on its soybean exports last month.")
    assert (c.imposer, c.target, c.products, c.status) == ("Argentina", "Argentina", "soybean exports", "in_effect")


def test_a_demanded_cut_starts_from_the_rate_in_force() -> None:
    body = ("TOKYO - Japan's duties on cocoa butter were cut to 12 pct from 18 pct in May 1984.\n"
            "Washington has been demanding a cut to five pct.")
    first, second = changes(body)
    assert (first.imposer, first.target, first.old_rate_pct, first.new_rate_pct) == ("Japan", "all", 18, 12)
    assert (first.effective, first.status) == ("1984-05", "in_effect")
    assert (second.imposer, second.target, second.old_rate_pct, second.new_rate_pct) == ("Japan", "all", 12, 5)
    assert (second.effective, second.status) == (None, "proposed")


# --- status ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "status"),
    [
        ("The US threatened to impose 20 pct tariffs on French wine.", "proposed"),
        ("A panel recommended a 9 pct duty on Korean washers.", "proposed"),
        ("Canada will impose a 10% surtax on US whiskey from July 1.", "announced"),
        ("Brazil imposed a 35% tariff on imported cars.", "in_effect"),
        ("India began imposing a 20% duty on Chinese toys on Monday.", "in_effect"),
        ("Mexico postponed its 15% tariff on US pork.", "delayed"),
        ("The EU suspended its 25% duties on US motorcycles.", "removed"),
    ],
)
def test_status(sentence: str, status: str) -> None:
    assert one(sentence).status == status


def test_suspending_a_rate_in_force_takes_it_to_zero() -> None:
    c = one("The EU suspended its 25% duties on US motorcycles.")
    assert (c.imposer, c.target, c.old_rate_pct, c.new_rate_pct, c.status) == ("EU", "US", 25, 0, "removed")


def test_lifting_duties_is_a_removal_to_zero() -> None:
    c = one("Washington lifted duties on Canadian aluminium last month.")
    assert (c.imposer, c.target, c.new_rate_pct, c.status) == ("US", "Canada", 0, "removed")


def test_a_removal_still_to_come_is_announced_with_rate_zero() -> None:
    c = one("Washington will lift duties on Canadian aluminium next month.")
    assert (c.imposer, c.target, c.new_rate_pct, c.status) == ("US", "Canada", 0, "announced")


def test_a_delay_of_an_existing_measure_is_not_a_new_measure() -> None:
    body = ("The US imposed tariffs of 25% on $16bn of Chinese chips.\n"
            "On Friday the tariffs were delayed until March 1.")
    c = one(body)
    assert (c.value_usd, c.new_rate_pct, c.status, c.effective) == (16_000_000_000, 25, "delayed", "2025-03-01")


def test_a_suspension_of_an_existing_measure_is_not_a_new_measure() -> None:
    body = ("The EU imposed duties of 20 pct on imported bicycles last year.\n"
            "The duties were suspended on Monday.")
    c = one(body)
    assert (c.new_rate_pct, c.status) == (20, "removed")


def test_a_partial_delay_leaves_the_measure_in_effect() -> None:
    body = ("The US began imposing 15% tariffs on $110bn of Chinese goods on Sept 1.\n"
            "Tariffs on some goods were delayed to Dec 15.")
    c = one(body, date(2019, 9, 20))
    assert (c.status, c.effective) == ("in_effect", "2019-09-01")


def test_a_planned_rise_put_off_is_reported_without_numbers() -> None:
    c = one("South Korea said on Tuesday it would postpone a planned increase in its beef import duty "
            "until October, citing consumer prices.")
    assert (c.imposer, c.target, c.products, c.status, c.effective) == ("South Korea", "all", "beef", "delayed", "2024-10")
    assert (c.old_rate_pct, c.new_rate_pct, c.value_usd) == (None, None, None)


@pytest.mark.parametrize(
    ("sentence", "fields"),
    [
        ("The European Community delayed a planned cut in its wine tariffs.", ("EC", "all", "wine", None)),
        ("Brazil will put off the planned tariff increase on cars until September.",
         ("Brazil", "all", "cars", "2024-09")),
        ("Indonesia deferred a scheduled rise in its palm oil export tax to July.",
         ("Indonesia", "Indonesia", "palm oil", "2024-07")),
        ("Canada suspended a planned hike in its steel import duties.", ("Canada", "all", "steel", None)),
    ],
)
def test_wordings_of_a_planned_change_held_back(sentence: str, fields: tuple[str, str, str, str | None]) -> None:
    c = one(sentence)
    assert (c.imposer, c.target, c.products, c.effective) == fields
    assert (c.status, c.new_rate_pct) == ("delayed", None)  # a suspended rise is not a tariff lifted


def test_a_planned_rise_scrapped_or_merely_discussed_is_not_reported() -> None:
    assert changes("Chile scrapped a planned rise in its wheat import tariff.") == ()
    assert changes("The ministry delayed a decision on import duties for wheat.") == ()


def test_a_delay_of_a_rise_already_reported_moves_its_start() -> None:
    body = ("Taiwan plans to raise its sugar import tariff to 30 pct from 20 pct in August.\n"
            "On Friday the cabinet said it would delay the planned rise in the sugar tariff until November.")
    c = one(body)
    assert (c.imposer, c.products, c.old_rate_pct, c.new_rate_pct) == ("Taiwan", "sugar", 20, 30)
    assert (c.status, c.effective) == ("delayed", "2024-11")


def test_a_delay_on_other_goods_does_not_touch_the_measure_before_it() -> None:
    body = ("Vietnam raised its pork import tariff to 40 pct on Monday.\n"
            "Vietnam also said it would delay a planned rise in its sugar import tariff until August.")
    pork, sugar = changes(body)
    assert (pork.products, pork.new_rate_pct, pork.status) == ("pork", 40, "in_effect")
    assert (sugar.products, sugar.new_rate_pct, sugar.status, sugar.effective) == ("sugar", None, "delayed", "2024-08")


def test_goods_named_before_an_import_duty() -> None:
    c = one("Peru raised its maize import tariff to 15 pct.")
    assert (c.imposer, c.target, c.products, c.new_rate_pct) == ("Peru", "all", "maize", 15)


@pytest.mark.parametrize(
    ("sentence", "products", "new"),
    [
        ("Ecuador raised its soybean import duty to 18 pct.", "soybean", 18),
        ("Kenya lowered the duty to about eight per cent on Ugandan sugar.", "Ugandan sugar", 8),
    ],
)
def test_a_duty_raised_to_a_rate_is_the_measure_not_an_obligation(sentence: str, products: str, new: float) -> None:
    c = one(sentence)
    assert (c.products, c.new_rate_pct) == (products, new)


def test_a_duty_to_do_something_stays_an_obligation() -> None:
    assert "duty" not in mask_non_measures("Ports have a duty to inspect cargo.")
    assert "duty" in mask_non_measures("Nepal raised the duty to 400 rupees a tonne.")
    assert changes("Officials have a duty to protect 12 pct of farm jobs, the minister said.") == ()


@pytest.mark.parametrize(
    ("sentence", "fields"),
    [
        ("Norway cut its duty on Chilean salmon to zero from 4 per cent.", ("Chilean salmon", 4, 0, "removed")),
        ("Norway will cut its duty on Chilean salmon to zero from 4 per cent.", ("Chilean salmon", 4, 0, "announced")),
        ("Ghana cut its rice import duty to zero.", ("rice", None, 0, "removed")),
        ("Egypt proposed cutting its duty on wheat to nil.", ("wheat", None, 0, "proposed")),
    ],
)
def test_a_duty_cut_to_zero_is_a_removal(sentence: str, fields: tuple[str, float | None, float, str]) -> None:
    c = one(sentence)
    assert (c.products, c.old_rate_pct, c.new_rate_pct, c.status) == fields


@pytest.mark.parametrize(
    ("sentence", "products"),
    [
        ("Spain suspended its 8 per cent tariff on Moroccan tomatoes for eighteen months.", "Moroccan tomatoes"),
        ("Japan will cut its tariff on Thai shrimp to zero next year.", "Thai shrimp"),
        ("Chile raised tariffs on Argentine wine to 25 percent.", "Argentine wine"),
    ],
)
def test_goods_end_before_a_duration_or_a_rate(sentence: str, products: str) -> None:
    assert one(sentence).products == products


def test_a_following_sentence_dates_the_delayed_change_without_a_tariff_word() -> None:
    body = ("Peru postponed a planned increase in tariffs on US$2 billion of Chilean fruit to 20 pct "
            "from 10 pct, which had been due on Aug 1.\nThe increase is now set for Sept 15, officials said.")
    c = one(body)
    assert (c.value_usd, c.old_rate_pct, c.new_rate_pct) == (2_000_000_000, 10, 20)
    assert (c.status, c.effective) == ("delayed", "2024-09-15")


@pytest.mark.parametrize(
    ("second", "effective", "status"),
    [
        ("The rise will take effect in March.", "2025-03", "announced"),
        ("The tariffs are now due on July 1.", "2024-07-01", "announced"),
        ("The hike is scheduled for Oct 2.", "2024-10-02", "announced"),
    ],
)
def test_a_following_sentence_dates_the_change(second: str, effective: str, status: str) -> None:
    c = one("Uruguay will raise tariffs on Chilean fruit to 20 pct.\n" + second)
    assert (c.new_rate_pct, c.effective, c.status) == (20, effective, status)


def test_a_reported_start_of_a_suspension_dates_it() -> None:
    c = one("Norway suspended its 8 pct tariff on Peruvian asparagus for a year.\n"
            "The trade minister said the suspension would start on June 3 and end next spring.")
    assert (c.old_rate_pct, c.new_rate_pct, c.effective) == (8, 0, "2024-06-03")


def test_a_suspension_of_something_else_does_not_date_the_measure() -> None:
    c = one("Norway suspended its 8 pct tariff on Peruvian asparagus.\n"
            "The union said the strike would start on June 3.")
    assert c.effective is None


def test_a_change_of_something_else_does_not_date_the_measure() -> None:
    c = one("Uruguay raised tariffs on Chilean fruit to 20 pct.\nThe rise in fuel prices is set for Oct 2.")
    assert c.effective is None


@pytest.mark.parametrize(
    ("sentence", "imposer"),
    [
        ("The EU imposed 12 pct duties on olive oil.", "EU"),
        ("The U.S. will delay a planned increase in its sugar import duties.", "US"),
    ],
)
def test_an_abbreviated_country_before_a_verb_is_the_imposer_not_the_goods(sentence: str, imposer: str) -> None:
    c = one(sentence)
    assert (c.imposer, c.target) == (imposer, "all")


# --- what is not a measure -----------------------------------------------------------------


@pytest.mark.parametrize(
    "sentence",
    [
        "The General Agreement on Tariffs and Trade said world trade grew 3 pct last year.",
        "The government's electricity tariffs will rise 10 pct next year.",
        "Deregulation of service sector tariffs added 0.5 pct to prices.",
        "The trade deficit widened to $50bn, up 5% from May.",
        "Import quotas cut car shipments by 20 pct.",
        "The pact would permit subsidies of up to 2.5 pct without imposing countervailing duties.",
        "The island's import tariffs, still ranging up to 60 pct, were called unfair.",
        "The central bank cut interest rates to 5 pct.",
    ],
)
def test_not_a_tariff_change(sentence: str) -> None:
    assert changes(sentence) == ()


def test_evidence_is_the_sentence_read() -> None:
    c = one("Prices rose. Chile imposed a 24.9% duty on Chinese steel balls. Markets fell.")
    assert c.evidence == "Chile imposed a 24.9% duty on Chinese steel balls."


def test_seed_article_has_both_us_increases_with_every_field(shared: Path) -> None:
    path = shared / "articles" / "000_93b695e3e3035885.txt"
    article = parse_story(path.read_text(encoding="utf-8"), path.stem, str(path))
    got = [c for c in extract_tariffs(prepare(article.body, article.published))
           if c.new_rate_pct is not None or c.value_usd is not None]
    fields = [(c.imposer, c.target, c.value_usd, c.old_rate_pct, c.new_rate_pct, c.effective, c.status)
              for c in got]
    assert fields == [
        ("US", "China", 300_000_000_000, 10, 15, "2019-09-01", "in_effect"),
        ("US", "China", 250_000_000_000, 25, 30, "2019-10-15", "delayed"),
    ]
    assert all(c.products == "Chinese goods" for c in got)
    assert got[0].evidence.startswith("Frustrated by the lack of progress")
    assert got[1].evidence.startswith("Mr Trump later announced a two-week delay")
