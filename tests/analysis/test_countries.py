"""Countries, territories and trading blocs: every one is a known place with a stable short name.

Sentences here are written for the tests.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pycountry
import pytest

from bot.analysis import countries
from bot.analysis.countries import (
    country_of,
    find_countries,
    is_place_name,
    mention_pattern,
    resolve_country,
    suggest_countries,
)
from bot.analysis.nlp import load_nlp
from bot.analysis.people.extract import extract_people
from bot.analysis.text import prepare
from bot.core.router import normalise_country


@pytest.fixture(scope="module")
def nlp() -> Any:
    return load_nlp()


def shorts(text: str) -> list[str]:
    return [short for _, _, short in find_countries(text)]


# The short names the gold annotations use must come out unchanged.
@pytest.mark.parametrize(("typed", "short"), [
    ("United States", "US"), ("U.S.", "US"), ("America", "US"), ("China", "China"),
    ("Japan", "Japan"), ("European Community", "EC"), ("European Union", "EU"),
    ("Britain", "UK"), ("United Kingdom", "UK"), ("Korea, Republic of", "South Korea"),
    ("Republic of Korea", "South Korea"), ("Taiwan, Province of China", "Taiwan"),
    ("Hong Kong", "Hong Kong"), ("Viet Nam", "Vietnam"), ("Macao", "Macau"),
    ("Russian Federation", "Russia"), ("Türkiye", "Turkey"), ("Lao People's Democratic Republic", "Laos"),
    ("Iran, Islamic Republic of", "Iran"), ("Liechtenstein", "Liechtenstein"),
    ("Nicaragua", "Nicaragua"), ("Yugoslavia", "Yugoslavia"), ("Colombia", "Colombia"),
])
def test_names_resolve_to_the_short_names_reports_use(typed: str, short: str) -> None:
    assert resolve_country(typed) == short
    assert resolve_country(typed.lower()) == short


def test_every_iso_country_and_its_short_form_resolve() -> None:
    for record in pycountry.countries:
        short = resolve_country(record.name)
        assert short, record.name
        assert resolve_country(short) == short, (record.name, short)
        assert resolve_country(record.alpha_3) == short, record.alpha_3
        assert "," not in short  # a subscription lists countries with commas
        assert short in countries.SHORT_NAMES


def test_every_iso_country_is_found_in_running_text() -> None:
    for record in pycountry.countries:
        short = resolve_country(record.name)
        name = record.name if record.name != "Georgia" else "Republic of Georgia"
        found = shorts(f"Officials from {name} met in Geneva on Monday.")
        assert found == [short], (record.name, found)


def test_no_iso_country_is_ever_a_person(nlp: Any) -> None:
    names = [str(getattr(r, "common_name", None) or r.name) for r in pycountry.countries]
    names = [n for n in names if "," not in n and "(" not in n]
    for i in range(0, len(names), 12):
        group = names[i : i + 12]
        body = (f"{', '.join(group[:-1])} and {group[-1]} signed the accord, officials said. "
                f"{group[0]} said it would cut duties. {group[-1]} told the meeting it agreed.")
        prepared = prepare(body, date(2018, 6, 5))
        found = extract_people(prepared, nlp(prepared.text))
        assert found == (), [p.name for p in found]


@pytest.mark.parametrize("sentence", [
    "PORT LOUIS, April 2 - Mauritius has lifted import duties on textiles, officials said. "
    "Malawi and Lesotho said they would follow.",
    "NAIROBI, May 4 - Malawi told the meeting it would cut tariffs. Zambia, Lesotho and Mauritius agreed.",
    "Oman, Togo and Mali joined the pact on Tuesday. Chad said it would sign later.",
])
def test_small_countries_acting_in_a_story_are_not_people(nlp: Any, sentence: str) -> None:
    prepared = prepare(sentence, date(1987, 4, 2))
    assert extract_people(prepared, nlp(prepared.text)) == ()


@pytest.mark.parametrize(("typed", "short"), [
    ("EU", "EU"), ("EC", "EC"), ("EEC", "EC"), ("Common Market", "EC"), ("ASEAN", "ASEAN"),
    ("Association of Southeast Asian Nations", "ASEAN"), ("mercosur", "Mercosur"),
    ("COMESA", "COMESA"), ("PTA", "COMESA"), ("Gulf Cooperation Council", "GCC"),
    ("EFTA", "EFTA"), ("USMCA", "USMCA"), ("CUSMA", "USMCA"), ("NAFTA", "NAFTA"),
])
def test_trading_blocs_are_known_places(typed: str, short: str) -> None:
    assert resolve_country(typed) == short
    assert is_place_name(typed)


def test_blocs_that_act_are_found_in_text_agreements_are_not_parties() -> None:
    assert shorts("ASEAN and Mercosur agreed to cut duties; the Gulf Cooperation Council did not.") == [
        "ASEAN", "Mercosur", "GCC"]
    assert shorts("USMCA-qualifying goods stay exempt under NAFTA rules.") == []


def test_demonyms_and_short_forms() -> None:
    assert shorts("Malawian tobacco, Filipino workers, Ivorian cocoa and Burmese teak") == [
        "Malawi", "Philippines", "Ivory Coast", "Myanmar"]
    assert shorts("the Netherlands and Holland, the ROK and the DPRK") == [
        "Netherlands", "Netherlands", "South Korea", "North Korea"]
    assert country_of("Kiwi") is None


def test_other_places_named_after_a_country_are_not_it() -> None:
    assert shorts("New Mexico, Latin America, the South China Sea, the Indian Ocean, New Jersey") == []
    assert shorts("South Korea, North Korea, Papua New Guinea, Equatorial Guinea") == [
        "South Korea", "North Korea", "Papua New Guinea", "Equatorial Guinea"]


def test_people_named_like_countries_are_not_countries() -> None:
    assert shorts("Chad Bown said the duties would hurt Chad.") == ["Chad"]
    assert shorts("Michael Jordan and Mr Jordan said Jordan would join.") == ["Jordan"]
    assert shorts("Visiting Jordan, King Hussein of Jordan met Israel's envoy.") == ["Jordan", "Jordan", "Israel"]
    assert shorts("Peter Welsh said French and Welsh farmers would suffer.") == ["France", "UK"]


def test_georgia_is_a_place_but_not_read_as_the_country_in_text() -> None:
    assert shorts("Georgia peanut farmers fear the tariffs.") == []
    assert shorts("The Republic of Georgia and Georgian wine") == ["Georgia", "Georgia"]
    assert resolve_country("georgia") == "Georgia" and is_place_name("Georgia")


def test_the_bird_and_the_porcelain_are_lower_case() -> None:
    assert shorts("turkey and fine china were on the list") == []


def test_unknown_places_get_suggestions() -> None:
    assert resolve_country("Phillipines") is None
    assert suggest_countries("Phillipines")[0] == "Philippines"
    assert suggest_countries("Columbia")[0] == "Colombia"
    assert "South Korea" in suggest_countries("south corea")
    assert len(suggest_countries("Narnia", limit=2)) <= 2
    assert resolve_country("") is None and suggest_countries("") == []


def test_one_compiled_pattern_is_reused() -> None:
    assert mention_pattern() is mention_pattern()


def test_subscriptions_normalise_every_country() -> None:
    assert normalise_country("viet nam") == "Vietnam"
    assert normalise_country("Korea, Republic of") == "South Korea"
    assert normalise_country("Atlantis") == "Atlantis"
