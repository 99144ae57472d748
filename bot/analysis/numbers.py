"""Percentages and amounts of money as news copy writes them, with their offsets.

"15 per cent", "15%", "15 pct", "five per cent"; "US$250 billion", "$250bn",
"300 mln dlrs", "270 million U.S. dlrs", "S$413.66 billion", "50 billion yen", "£3m".
Pure functions over a string; nothing here knows what the numbers are about.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19,
}  # fmt: skip
_TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}  # fmt: skip

_WORD = (
    r"(?:(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:[- ](?:one|two|three|"
    r"four|five|six|seven|eight|nine))?|one hundred|a hundred|hundred|zero|one|two|three|four|"
    r"five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|"
    r"seventeen|eighteen|nineteen)"
)
NUMBER = r"(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|" + _WORD + r")"
"""A number written in figures ("1,700", "31.9") or in words ("five", "twenty-five")."""

_PERCENT = re.compile(
    r"(?<![\w.$])(?P<num>" + NUMBER + r")(?:\s*(?:-|–|to|and)\s*(?P<num2>" + NUMBER + r"))?"
    r"(?P<unit>\s*%|\s+per\s*cent\b|\s+percent\b|\s+pct\b|\s+pc\b"
    r"|\s+percentage\s+points?\b)",
    re.IGNORECASE,
)

_SCALE = {
    "thousand": 1e3, "k": 1e3, "mln": 1e6, "million": 1e6, "mn": 1e6, "m": 1e6,
    "billion": 1e9, "bn": 1e9, "bln": 1e9, "b": 1e9, "trillion": 1e12, "tn": 1e12,
    "trn": 1e12,
}  # fmt: skip
_SCALE_RE = r"(?:thousand|million|mln|mn|billion|bln|bn|trillion|trn|tn|k|m|b)\b"

# Currency marks written before the number. Only "US$", "USD" and a bare "$" are dollars
# of the United States.
_PREFIX = (
    r"(?P<prefix>US\s?\$|U\.S\.\s?\$|USD\s?|S\$|HK\$|NT\$|A\$|C\$|NZ\$|R\$|Can\$|\$|€|£|¥|"
    r"EUR\s?|GBP\s?|JPY\s?|CNY\s?|RMB\s?|Rs\.?\s?)"
)
_SUFFIX = (
    r"(?P<suffix>\s+(?:U\.S\.|US|American)\s+(?:dlrs?|dollars?)\b|\s+(?:dlrs?|dollars?)\b"
    r"|\s+(?:(?:Canadian|Australian|Taiwan|Hong\s+Kong|Singapore|New\s+Zealand|HK|NT|Singapore)"
    r"\s+(?:dlrs?|dollars?))\b|\s+(?:yen|stg|sterling|pounds?|euros?|marks|francs|lire|"
    r"yuan|renminbi|won|rupees?|pesos|guilders|crowns|kronor|roubles|rubles)\b)"
)
_MONEY = re.compile(
    r"(?<![\w$€£¥])(?:" + _PREFIX + r"\s?)?(?P<num>" + NUMBER + r")"
    r"(?P<scale>\s*-?\s*" + _SCALE_RE + r")?" + _SUFFIX + r"?",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Percent:
    """A percentage as written: `value` in per cent; `points` for percentage points."""

    start: int
    end: int
    text: str
    value: float
    high: float | None = None
    points: bool = False


@dataclass(frozen=True, slots=True)
class Money:
    """An amount of money as written; `usd` only when the text gives United States dollars."""

    start: int
    end: int
    text: str
    amount: float
    usd: bool


def parse_number(text: str) -> float | None:
    """A number in figures or words ("1,700", "31.9", "five", "twenty-five")."""
    s = text.strip().lower().replace(",", "")
    try:
        return float(s)
    except ValueError:
        pass
    if s in ("hundred", "a hundred", "one hundred"):
        return 100.0
    if s in _UNITS:
        return float(_UNITS[s])
    parts = re.split(r"[- ]", s)
    if parts and parts[0] in _TENS:
        total = _TENS[parts[0]]
        if len(parts) == 2 and parts[1] in _UNITS:
            total += _UNITS[parts[1]]
        elif len(parts) != 1:
            return None
        return float(total)
    return None


def find_percents(text: str) -> list[Percent]:
    """Every percentage in `text`, in order ("25-30%" keeps 30 as `high`)."""
    out: list[Percent] = []
    for m in _PERCENT.finditer(text):
        value = parse_number(m.group("num"))
        if value is None:
            continue
        high = parse_number(m.group("num2")) if m.group("num2") else None
        points = "point" in m.group("unit").lower()
        out.append(Percent(m.start(), m.end(), m.group(0), value, high, points))
    return out


def find_money(text: str) -> list[Money]:
    """Every amount of money in `text` that carries a currency, in order."""
    out: list[Money] = []
    for m in _MONEY.finditer(text):
        prefix = (m.group("prefix") or "").strip()
        suffix = (m.group("suffix") or "").strip()
        if not prefix and not suffix:
            continue
        scale_word = (m.group("scale") or "").strip(" -").lower()
        if scale_word in ("m", "b", "k") and not prefix:
            continue  # "5 m" without a currency mark is a length, not money
        value = parse_number(m.group("num"))
        if value is None:
            continue
        amount = value * _SCALE.get(scale_word, 1.0)
        out.append(Money(m.start(), m.end(), m.group(0), amount, _is_usd(prefix, suffix)))
    return out


def _is_usd(prefix: str, suffix: str) -> bool:
    p = prefix.replace(" ", "").upper()
    if p:
        return p in ("US$", "U.S.$", "USD", "$")
    s = " ".join(suffix.lower().split())
    return s in ("dlr", "dlrs", "dollar", "dollars") or s.startswith(("u.s. ", "us ", "american "))
