"""Every rule of the tariff reader's tables, each on a sentence written here.

The tables (`TARGET_RULES`, `IMPOSER_RULES`, `STATUS_RULES`, `RATE_RULES`,
`VALUE_RULES`, `EFFECTIVE_RULES`) are the engine's
visible order; each rule below has at least one case, and a rule without one fails
`test_every_rule_has_a_docstring_and_a_case`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from bot.analysis.tariffs.amounts import RATE_RULES, VALUE_RULES
from bot.analysis.tariffs.extract import extract_tariffs
from bot.analysis.tariffs.mentions import STATUS_RULES
from bot.analysis.tariffs.parties import IMPOSER_RULES, TARGET_RULES
from bot.analysis.tariffs.timing import EFFECTIVE_RULES
from bot.analysis.text import prepare
from bot.domain import TariffChange

DAY = date(2025, 7, 1)


def changes(body: str, published: date = DAY) -> list[TariffChange]:
    return [c for c in extract_tariffs(prepare(body, published))
            if c.new_rate_pct is not None or c.value_usd is not None]


def fields(c: TariffChange) -> dict[str, Any]:
    return {"imposer": c.imposer, "target": c.target, "old": c.old_rate_pct, "new": c.new_rate_pct,
            "status": c.status, "effective": c.effective, "usd": c.value_usd, "value": c.value_text}


# (rule name, story, what each scored change must show, in order)
CASES: list[tuple[str, str, list[dict[str, Any]]]] = [
    # --- target
    ("target_own_goods", "Argentina raised the duty on its soybean exports to 33 per cent.",
     [{"imposer": "Argentina", "target": "Argentina", "new": 33}]),
    ("target_in_goods", "Ottawa will put a 25% tariff on imports from Mexico and Brazil.",
     [{"imposer": "Canada", "target": "Mexico", "new": 25}, {"imposer": "Canada", "target": "Brazil", "new": 25}]),
    ("target_in_goods", "Seoul promised to charge a 10% levy on all goods coming into South Korea from Peru.",
     [{"imposer": "South Korea", "target": "Peru", "new": 10}]),
    ("target_export_tax", "Indonesia doubled its export tax on palm oil to 10 pct.",
     [{"imposer": "Indonesia", "target": "Indonesia", "new": 10}]),
    ("target_charged", "The White House vowed to charge Chile and Peru a 30% tariff on copper.",
     [{"imposer": "US", "target": "Chile", "new": 30}, {"imposer": "US", "target": "Peru", "new": 30}]),
    ("target_product_from", "Under the order, if a car is from Germany, France or Italy, a 12% duty applies.",
     [{"target": "Germany", "new": 12}, {"target": "France", "new": 12}, {"target": "Italy", "new": 12}]),
    ("target_led_in_clause", "Brussels set a 40 pct anti-dumping duty on bicycles imported from Vietnam.",
     [{"imposer": "EU", "target": "Vietnam", "new": 40}]),
    ("target_led_in_clause", "The Executive Order sets the reciprocal tariff rates for Malaysia, Thailand and "
     "Vietnam to 19%.", [{"imposer": "US", "target": t, "new": 19} for t in ("Malaysia", "Thailand", "Vietnam")]),
    ("target_goods_adjective_in_clause", "Mexico slapped a 20% levy on American pork.",
     [{"imposer": "Mexico", "target": "US", "new": 20}]),
    ("target_led_in_sentence", "After talks on imports from Chile broke down, Lima put a 9 pct tariff in place.",
     [{"target": "Chile", "new": 9}]),
    ("target_goods_adjective_in_sentence", "Because Thai rice flooded in, Manila set a 35% tariff in place.",
     [{"imposer": "Philippines", "target": "Thailand", "new": 35}]),
    # --- imposer
    ("imposer_before_noun", "China's additional 15% tariffs on US soybeans stay.",
     [{"imposer": "China", "target": "US", "new": 15}]),
    ("imposer_by_agent", "Farmers fear the 25% tariffs imposed by China on US pork.",
     [{"imposer": "China", "target": "US", "new": 25}]),
    ("imposer_subject", "Washington slapped 25% tariffs on $34 billion of Chinese imports on Friday.",
     [{"imposer": "US", "target": "China", "new": 25}]),
    # --- status
    ("status_held_change", "Japan will delay a planned rise in its 20% beef tariff until October.",
     [{"status": "delayed"}]),
    ("status_cut_to_zero", "Norway cut its duty on Chilean salmon to zero from 4 per cent last year.",
     [{"old": 4, "new": 0, "status": "removed"}]),
    ("status_removal_sought", "Canada seeks to eliminate the 8% US duty on its lumber.",
     [{"new": 0, "status": "proposed"}]),
    ("status_removal_rates", "Ghana abolished its 5 pct import duty on rice.",
     [{"old": 5, "new": 0, "status": "removed"}]),
    ("status_removal_to_come", "Malaysia will eliminate tariffs on US industrial goods under the deal.",
     [{"imposer": "Malaysia", "target": "US", "new": 0, "status": "announced"}]),
    ("status_agreed_in_past", "Brazil agreed to impose a 12 pct duty on Chinese steel earlier this year.",
     [{"new": 12, "status": "in_effect"}]),
    ("status_agreed_in_past", "On March 4, 2024, the U.S. Trade Representative determined to raise the additional "
     "duties on goods of Vietnam to 20 percent.", [{"imposer": "US", "target": "Vietnam", "new": 20,
                                                   "status": "in_effect"}]),
    ("status_means_of", "After the hearings, the U.S. Trade Representative has determined to change the action by "
     "dropping electric motors from the list, and by adding products of Thailand to the list of goods subject "
     "to additional 15 percent duties.", [{"imposer": "US", "target": "Thailand", "new": 15, "status": "announced"}]),
    ("status_means_of", "The U.S. Trade Representative has determined to raise the additional duties on goods of "
     "Vietnam to 20 percent.", [{"target": "Vietnam", "new": 20, "status": "announced"}]),
    ("rate_named_rate", "For the exporters not selected for review, we have determined to apply a rate of 4.2 "
     "percent under the antidumping duty order on steel wire from Oman.", [{"new": 4.2, "status": "in_effect"}]),
    ("status_maintained", "The United States will maintain at 15 percent the tariffs on goods of Japan.",
     [{"imposer": "US", "target": "Japan", "new": 15, "status": "in_effect"}]),
    # --- rates
    ("rate_before_noun", "The United States will reduce to 18 percent the reciprocal tariff on goods of Peru.",
     [{"imposer": "US", "target": "Peru", "new": 18, "status": "announced"}]),
    ("rate_after_noun", "Seoul raised duties on Japanese beer to 30 pct from 10 pct.",
     [{"imposer": "South Korea", "target": "Japan", "old": 10, "new": 30}]),
    ("rate_to_zero", "Kenya will cut its levy on Indian sugar to nil.",
     [{"new": 0, "status": "announced"}]),
    ("rate_retained", "Mexico will suspend its 30% tariff on US cheese for 60 days, but will keep a 5% tariff.",
     [{"imposer": "Mexico", "target": "US", "old": 30, "new": 5, "status": "announced"}]),
    ("rate_rising_to", "The 10 percent tariffs on $50 billion of Korean goods will rise to 20 percent on Jan. 1, "
     "the White House said.", [{"imposer": "US", "target": "South Korea", "old": 10, "new": 20, "usd": 50e9,
                                "effective": "2026-01-01"}]),
    ("rate_named_rate", "Under the antidumping duty order, Commerce will apply a rate of 12.5 percent to steel "
     "nails from Oman.", [{"new": 12.5}]),
    ("rate_named_rate", "The court upheld the antidumping duty order on tires from China, assigning the exporter "
     "the 98.2 percent China-wide rate.", [{"target": "China", "new": 98.2}]),
    ("rate_after_noun", "The Commerce Department found that honey from India was dumped at rates ranging from 2.5 to 41.7 percent.",
     [{"imposer": "US", "target": "India", "new": 41.7, "old": None}]),
    ("status_listed_under", "The agency is proposing several actions, including quotas on cars and additional "
     "duties of up to 50 percent on goods of Chile.", [{"target": "Chile", "new": 50, "status": "proposed"}]),
    # --- values
    ("value_after_noun", "Mexico imposed tariffs of up to 20 percent on U.S. pork, apples and cheese worth about "
     "$3 billion.", [{"imposer": "Mexico", "target": "US", "new": 20, "usd": 3e9}]),
    ("value_after_noun", "Canada will impose a 10% surtax on C$16.6 billion ($12.6 billion) of U.S. goods.",
     [{"usd": 12.6e9, "value": "C$16.6 billion"}]),
    ("value_before_noun", "Washington announced 300 mln dlr penalty tariffs of 100 pct on Japanese chips.",
     [{"usd": 300e6, "new": 100}]),
    ("value_goods_facing", "Ottawa listed American goods worth C$12 billion that could face a 25% levy.",
     [{"value": "C$12 billion", "usd": None, "new": 25, "status": "proposed"}]),
    ("value_after_noun", "The duties of up to 20 percent will hit $1.9 billion of Korean steel, Commerce said.",
     [{"imposer": "US", "target": "South Korea", "new": 20, "usd": 1.9e9}]),
    ("rate_after_noun", "Chile announced tariffs on $2 billion of U.S. goods including pork, grapes and cheese, "
     "with rates of 10 to 20 percent.", [{"imposer": "Chile", "target": "US", "new": 20, "usd": 2e9}]),
    # --- effective dates
    ("effective_never_said", "On Friday, Washington announced a 25 pct tariff on Italian cheese.",
     [{"effective": None}]),
    ("effective_never_past_deed", "Seoul will remove the 20% tariffs it imposed on Japan on March 3.",
     [{"target": "Japan", "effective": None}]),
    ("effective_never_another_deed", "Mexico filed a complaint in March and imposed a 15% tariff on US apples "
     "in May.", [{"effective": "2025-05", "target": "US"}]),
    ("effective_never_an_end", "A 0% tariff will apply to Swiss watches through January 20.", [{"effective": None}]),
    ("effective_delayed_to", "The US delayed its 10% tariff on Chinese toys until Dec 15.",
     [{"effective": "2025-12-15", "status": "delayed"}]),
    ("effective_lead", "Canada will put a 25% surtax on US steel beginning on July 21.",
     [{"effective": "2025-07-21", "status": "announced"}]),
    ("effective_lead", "Duties of 10% on goods of Chile are effective at 12:01 a.m. eastern time on August 7, 2025.",
     [{"effective": "2025-08-07"}]),
    ("effective_lead", "The Commerce Department imposed duties of about 20 percent on Canadian lumber, "
     "effective on July 28.", [{"imposer": "US", "target": "Canada", "effective": "2025-07-28", "status": "announced"}]),
    ("effective_set_for", "A 15 pct duty on Korean washers is set for Sept 1.", [{"effective": "2025-09-01"}]),
    ("effective_signed_with", "The President signed an order on Monday removing the 25% tariff on goods of India.",
     [{"effective": "2025-06-30", "new": 0, "status": "removed"}]),
    ("effective_bare_relative", "TAIPEI, June 3 - Taiwan will cut import tariffs on 862 foreign goods to 20 pct "
     "next month.", [{"imposer": "Taiwan", "new": 20, "effective": "2025-07", "status": "announced"}]),
    ("effective_lead", "OTTAWA, May 2 - The new 15 pct duties on U.S. corn come into force tomorrow.",
     [{"imposer": "Canada", "target": "US", "effective": "2025-05-03", "status": "announced"}]),
    ("effective_next_to", "BRUSSELS - The EU began charging duties of 25 percent on U.S. jeans, bourbon and "
     "motorcycles on Friday.", [{"imposer": "EU", "target": "US", "effective": "2025-06-27", "status": "in_effect"}]),
    ("effective_next_to", "Beijing raised its tariff on US soybeans to 25 pct on July 6.",
     [{"effective": "2025-07-06"}]),
]


@pytest.mark.parametrize(("rule", "body", "want"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_rule(rule: str, body: str, want: list[dict[str, Any]]) -> None:
    got = changes(body)
    assert len(got) == len(want), [fields(c) for c in got]
    for c, w in zip(got, want, strict=True):
        assert {k: fields(c)[k] for k in w} == w, fields(c)


TABLES: list[tuple[Callable[..., Any], ...]] = [TARGET_RULES, IMPOSER_RULES, STATUS_RULES, RATE_RULES,
                                               EFFECTIVE_RULES, VALUE_RULES]


def test_every_rule_has_a_docstring_and_a_case() -> None:
    covered = {c[0] for c in CASES}
    for table in TABLES:
        for rule in table:
            assert rule.__doc__ and '"' in rule.__doc__, f"{rule.__name__} quotes no phrasing"
            assert rule.__name__ in covered, f"{rule.__name__} has no case"


def test_a_start_given_in_days_after_signing_in_the_next_sentence() -> None:
    body = ("Today, the President signed a Proclamation imposing a 40% tariff on Brazilian beef. "
            "The tariff will take effect 30 days after signing.")
    [c] = changes(body, date(2026, 3, 2))
    assert (c.imposer, c.target, c.new_rate_pct, c.effective, c.status) == ("US", "Brazil", 40, "2026-04-01",
                                                                            "announced")


def test_a_start_in_a_number_of_days() -> None:
    body = "The White House imposed a 60% tariff on imported drones. The tariffs will come into effect in 90 days."
    [c] = changes(body, date(2026, 1, 1))
    assert (c.effective, c.status) == ("2026-04-01", "announced")


def test_an_effective_time_of_day_before_the_date() -> None:
    body = "Duties of 10% on goods of Chile are effective at 12:01 a.m. eastern time on August 7, 2025."
    [c] = changes(body)
    assert c.effective == "2025-08-07"


def test_a_deadline_for_the_actions_of_a_deal() -> None:
    body = ("Peru will eliminate tariffs on US wheat. The United States will lower the tariff on goods of "
            "Peru from 20% to 10%. Both sides will take these actions by June 30, 2025.")
    got = changes(body, date(2025, 6, 1))
    assert [(c.imposer, c.new_rate_pct, c.effective, c.status) for c in got] == [
        ("US", 10, "2025-06-30", "announced"), ("Peru", 0, "2025-06-30", "announced")]


def test_the_story_governments_measures_come_first_grouped_by_target() -> None:
    body = ("Under the framework, Chile will eliminate tariffs on US beef. The United States will keep a "
            "10% tariff on goods of Peru and lower to 15% the tariff on goods of Chile under Section 301.")
    got = changes(body)
    assert [(c.imposer, c.target) for c in got] == [("US", "Chile"), ("US", "Peru"), ("Chile", "US")]


@pytest.mark.parametrize(
    ("body", "usd", "text"),
    [
        ("Britain will impose a 20 pct tariff on U.S. whiskey. The measure covers 400 mln stg of imports.",
         None, "400 mln stg"),
        ("The EU imposed a 25 pct duty on U.S. bourbon. The duties cover $350 million of imports.",
         350e6, "$350 million"),
    ],
)
def test_a_value_given_in_the_next_sentence(body: str, usd: float | None, text: str) -> None:
    [c] = changes(body)
    assert (c.value_usd, c.value_text, c.new_rate_pct) == (usd, text, c.new_rate_pct)


@pytest.mark.parametrize(
    "body",
    [
        "The bill includes a 1% excise tax on stock buybacks.",
        "Lawmakers backed a 5% surtax on incomes above $10 million.",
        "The city adopted a 2% levy on sugary drinks.",
    ],
)
def test_a_tax_not_levied_on_traded_goods_is_no_tariff_change(body: str) -> None:
    assert changes(body) == []


def test_a_second_measure_with_its_noun_left_out() -> None:
    got = changes("Ankara doubled tariffs on U.S. cars to 120 percent and on alcohol to 140 percent.")
    assert [(c.imposer, c.target, c.products, c.new_rate_pct) for c in got] == [
        ("Turkey", "US", "U.S. cars", 120), ("Turkey", "US", "alcohol", 140)]


def test_retaliation_on_the_same_amount_covers_the_same_value() -> None:
    body = ("WASHINGTON - Washington slapped 25% tariffs on $34 billion of Chinese imports on Friday, and Beijing "
            "retaliated with duties on the same amount of U.S. goods.")
    got = changes(body, date(2018, 7, 6))
    assert [(c.imposer, c.target, c.value_usd, c.new_rate_pct) for c in got] == [
        ("US", "China", 34e9, 25), ("China", "US", 34e9, None)]


def test_goods_keep_the_words_the_reader_masked() -> None:
    [c] = changes("The Proclamation imposes a 25% tariff on heavy-duty trucks from Mexico.")
    assert (c.products, c.target) == ("heavy-duty trucks from Mexico", "Mexico")


def test_a_second_rate_on_other_goods_with_the_noun_left_out() -> None:
    got = changes("WASHINGTON - The President said he would impose tariffs of 25 percent on steel imports and "
                  "10 percent on aluminum.")
    assert [(c.imposer, c.products, c.new_rate_pct, c.status) for c in got] == [
        ("US", "steel imports", 25, "announced"), ("US", "aluminum", 10, "announced")]


def test_a_start_given_in_days_after_the_date_of_the_order() -> None:
    body = ("Sec. 2. An additional ad valorem duty of 20 percent shall apply to articles of Peru under this "
            "Executive Order. The duty shall take effect 7 days after the date of this order.")
    [c] = changes(body, date(2025, 7, 31))
    assert (c.imposer, c.target, c.new_rate_pct, c.effective, c.status) == ("US", "Peru", 20, "2025-08-07",
                                                                            "announced")


def test_a_lower_rate_for_part_of_the_goods_is_a_tier_of_the_measure() -> None:
    body = ("Under the Executive Order, the President is imposing a 25% tariff on imports from Chile. "
            "Copper from Chile will have a lower 10% tariff.")
    got = changes(body)
    assert [(c.target, c.new_rate_pct, c.status) for c in got] == [("Chile", 25, "in_effect"),
                                                                   ("Chile", 10, "in_effect")]


def test_a_notice_refers_back_to_this_order() -> None:
    body = ("The Department of Commerce published the results of the review of the antidumping duty order on "
            "steel nails from India. Some companies reported no sales. Others did not respond. For the rest, "
            "we have determined to apply a rate of 9.1 percent under this antidumping duty order.")
    got = changes(body)
    assert [(c.imposer, c.target, c.new_rate_pct) for c in got] == [("US", "India", 9.1)]
