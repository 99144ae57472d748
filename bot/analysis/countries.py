"""Countries and trading blocs: names, adjectives and seats of government, to short names.

Short names follow the gold guidelines: "US", "China", "Japan", "EC" (the European
Community) or "EU", "South Korea", "Taiwan", "UK" ... Written knowledge, no model.
"""

from __future__ import annotations

import re
from functools import lru_cache

# short name -> (names and adjectives, seats of government used as metonyms)
_TABLE: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "US": (("United States", "U.S.", "US", "U.S.A.", "USA", "America", "American", "Americans"),
           ("Washington",)),
    "China": (("China", "Chinese", "People's Republic of China", "PRC"), ("Beijing", "Peking")),
    "Japan": (("Japan", "Japanese"), ("Tokyo",)),
    "EC": (("European Community", "European Economic Community", "EEC", "EC", "E.C.",
            "Common Market"), ()),
    "EU": (("European Union", "EU", "E.U."), ("Brussels",)),
    "Canada": (("Canada", "Canadian", "Canadians"), ("Ottawa",)),
    "Mexico": (("Mexico", "Mexican"), ("Mexico City",)),
    "UK": (("Britain", "British", "United Kingdom", "U.K.", "UK", "Great Britain", "England"),
           ("London",)),
    "South Korea": (("South Korea", "South Korean", "Korea", "Korean", "Republic of Korea"),
                    ("Seoul",)),
    "North Korea": (("North Korea", "North Korean"), ("Pyongyang",)),
    "Taiwan": (("Taiwan", "Taiwanese"), ("Taipei",)),
    "Hong Kong": (("Hong Kong",), ()),
    "Singapore": (("Singapore", "Singaporean"), ()),
    "Australia": (("Australia", "Australian"), ("Canberra",)),
    "New Zealand": (("New Zealand",), ("Wellington",)),
    "India": (("India", "Indian"), ("New Delhi",)),
    "Pakistan": (("Pakistan", "Pakistani"), ("Islamabad",)),
    "Indonesia": (("Indonesia", "Indonesian"), ("Jakarta",)),
    "Malaysia": (("Malaysia", "Malaysian"), ("Kuala Lumpur",)),
    "Thailand": (("Thailand", "Thai"), ("Bangkok",)),
    "Philippines": (("Philippines", "Philippine", "Filipino"), ("Manila",)),
    "Vietnam": (("Vietnam", "Vietnamese", "Viet Nam"), ("Hanoi",)),
    "Germany": (("Germany", "German", "West Germany", "West German"), ("Bonn", "Berlin")),
    "France": (("France", "French"), ("Paris",)),
    "Italy": (("Italy", "Italian"), ("Rome",)),
    "Spain": (("Spain", "Spanish"), ("Madrid",)),
    "Netherlands": (("Netherlands", "Dutch", "Holland"), ("The Hague",)),
    "Belgium": (("Belgium", "Belgian"), ()),
    "Switzerland": (("Switzerland", "Swiss"), ("Bern", "Berne")),
    "Sweden": (("Sweden", "Swedish"), ("Stockholm",)),
    "Norway": (("Norway", "Norwegian"), ("Oslo",)),
    "Denmark": (("Denmark", "Danish"), ("Copenhagen",)),
    "Finland": (("Finland", "Finnish"), ("Helsinki",)),
    "Austria": (("Austria", "Austrian"), ("Vienna",)),
    "Ireland": (("Ireland", "Irish"), ("Dublin",)),
    "Portugal": (("Portugal", "Portuguese"), ("Lisbon",)),
    "Greece": (("Greece", "Greek"), ("Athens",)),
    "Turkey": (("Turkey", "Turkish", "Turkiye"), ("Ankara",)),
    "Poland": (("Poland", "Polish"), ("Warsaw",)),
    "Hungary": (("Hungary", "Hungarian"), ("Budapest",)),
    "Yugoslavia": (("Yugoslavia", "Yugoslav", "Yugoslavian"), ("Belgrade",)),
    "Soviet Union": (("Soviet Union", "Soviet", "USSR", "U.S.S.R."), ("Moscow",)),
    "Russia": (("Russia", "Russian"), ()),
    "Ukraine": (("Ukraine", "Ukrainian"), ("Kyiv", "Kiev")),
    "Brazil": (("Brazil", "Brazilian"), ("Brasilia",)),
    "Argentina": (("Argentina", "Argentine", "Argentinian"), ("Buenos Aires",)),
    "Chile": (("Chile", "Chilean"), ("Santiago",)),
    "Colombia": (("Colombia", "Colombian"), ("Bogota",)),
    "Peru": (("Peru", "Peruvian"), ("Lima",)),
    "Venezuela": (("Venezuela", "Venezuelan"), ("Caracas",)),
    "South Africa": (("South Africa", "South African"), ("Pretoria",)),
    "Egypt": (("Egypt", "Egyptian"), ("Cairo",)),
    "Nigeria": (("Nigeria", "Nigerian"), ("Lagos", "Abuja")),
    "Saudi Arabia": (("Saudi Arabia", "Saudi"), ("Riyadh",)),
    "Iran": (("Iran", "Iranian"), ("Tehran",)),
    "Iraq": (("Iraq", "Iraqi"), ("Baghdad",)),
    "Israel": (("Israel", "Israeli"), ()),
    "Kuwait": (("Kuwait", "Kuwaiti"), ()),
    "United Arab Emirates": (("United Arab Emirates", "UAE"), ("Abu Dhabi",)),
    "Bangladesh": (("Bangladesh", "Bangladeshi"), ("Dhaka",)),
    "Sri Lanka": (("Sri Lanka", "Sri Lankan"), ("Colombo",)),
    "Ecuador": (("Ecuador", "Ecuadorean", "Ecuadorian"), ("Quito",)),
    "Cuba": (("Cuba", "Cuban"), ("Havana",)),
    "Zimbabwe": (("Zimbabwe",), ("Harare",)),
    "Kenya": (("Kenya", "Kenyan"), ("Nairobi",)),
    "Morocco": (("Morocco", "Moroccan"), ("Rabat",)),
    "Algeria": (("Algeria", "Algerian"), ("Algiers",)),
    "Czechoslovakia": (("Czechoslovakia", "Czechoslovak"), ("Prague",)),
    "Romania": (("Romania", "Romanian"), ("Bucharest",)),
    "Bulgaria": (("Bulgaria", "Bulgarian"), ("Sofia",)),
    "East Germany": (("East Germany", "East German"), ("East Berlin",)),
    "Iceland": (("Iceland", "Icelandic"), ("Reykjavik",)),
    "Luxembourg": (("Luxembourg",), ()),
    "Uruguay": (("Uruguay", "Uruguayan"), ("Montevideo",)),
}  # fmt: skip


def _build() -> tuple[dict[str, str], dict[str, str]]:
    names: dict[str, str] = {}
    capitals: dict[str, str] = {}
    for short, (aliases, seats) in _TABLE.items():
        for alias in aliases:
            names[alias.lower()] = short
        for seat in seats:
            capitals[seat.lower()] = short
    return names, capitals


_NAMES, _CAPITALS = _build()


def country_of(word: str, *, capitals: bool = True) -> str | None:
    """The short name for a country name, adjective or (if allowed) seat of government."""
    key = word.strip().lower().removeprefix("the ")
    return _NAMES.get(key) or (_CAPITALS.get(key) if capitals else None)


@lru_cache(maxsize=2)
def mention_pattern(capitals: bool = True) -> re.Pattern[str]:
    """A regex that finds country mentions (longest alias first), case-sensitive."""
    keys = [a for aliases, seats in _TABLE.values() for a in (*aliases, *(seats if capitals else ()))]
    keys.sort(key=len, reverse=True)
    alt = "|".join(re.escape(k) for k in keys)
    return re.compile(r"(?<![\w.])(?:" + alt + r")(?![\w])(?:'s)?")


def find_countries(text: str, *, capitals: bool = True) -> list[tuple[int, int, str]]:
    """Every country mention as (start, end, short name), in order."""
    out: list[tuple[int, int, str]] = []
    for m in mention_pattern(capitals).finditer(text):
        word = m.group(0).removesuffix("'s")
        short = country_of(word, capitals=capitals)
        if short:
            out.append((m.start(), m.end(), short))
    return out


SHORT_NAMES: tuple[str, ...] = tuple(_TABLE)
