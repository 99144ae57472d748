"""What a sentence holds for the tariff reader: its numbers, countries and dates, found once.

`read_facts` masks the words that are not measures, finds the percentages, the amounts of
money, the countries (and a few institutions that stand for them) and takes the sentence's
calendar references; `clause` bounds the stretch of a sentence a measure noun belongs to.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.analysis.countries import find_countries
from bot.analysis.dates.extract import DateSpan
from bot.analysis.numbers import Money, Percent, find_money, find_percents
from bot.analysis.tariffs.cues import mask_non_measures

Country = tuple[int, int, str]
"""A country mention: start, end, short name."""

FUNCTION_WORDS = frozenset(
    """of on to from in for by at with and or but the a an which that was were is are be been
    has have had because than as while after before against into over under said its their
    his her this these those it they he she who whom without not no per""".split()
)
_CLAUSE_BREAK = re.compile(
    r";|\s(?:but|while|whereas|although|though|because|after|before|since|unless|if)\s|,\s+(?:and|but)\s",
    re.IGNORECASE,
)
QUALIFIER = (r"(?:about|around|some|nearly|almost|roughly|approximately|just|only|over|under|between"
             r"|an?\s+average\s+of)")
"""Words that may stand between a preposition and its number ("to about 5 pct")."""
_NOUN_TAIL = re.compile(
    r"\s+(?:rates?|increases?|hikes?|cuts?|reductions?|rises?|levels?)\b", re.IGNORECASE
)
INSTITUTIONS = re.compile(
    r"\b(?P<us>White\s+House|USTR|U\.S\.\s+Trade\s+Representative|Commerce\s+Department|Department\s+of\s+Commerce"
    r"|Customs\s+Bureau|(?<!of\s)(?<!'s\s)(?<!’s\s)Commerce(?=\s+(?:said|says|set|imposed|found|determined|announced"
    r"|issued|will|would|also)\b))\b"
    r"|\b(?P<eu>European\s+Commission)\b|\b(?P<jp>MITI)\b"
)
_US_PLACES = re.compile(r"\bNew\s+(?:Mexico|England|South\s+Wales|Caledonia)\b")


@dataclass(frozen=True, slots=True)
class Noun:
    """A measure noun's span, stretched over a following "increase" or "rate"."""

    start: int
    end: int

    @classmethod
    def of(cls, m: re.Match[str], text: str) -> Noun:
        tail = _NOUN_TAIL.match(text, m.end())
        return cls(m.start(), tail.end() if tail else m.end())


@dataclass(frozen=True, slots=True)
class SentenceFacts:
    """One sentence as the tariff reader sees it; offsets are offsets in `text`."""

    index: int
    text: str
    masked: str
    """`text` with the words that are not measures blanked ("General Agreement on Tariffs")."""
    percents: list[Percent]
    money: list[Money]
    countries: list[Country]
    dates: list[DateSpan]


def read_facts(index: int, text: str, dates: list[DateSpan]) -> SentenceFacts:
    """Mask, then find the sentence's numbers and countries; `dates` are passed through."""
    masked = mask_non_measures(text)
    money = find_money(masked)
    blanked = blank(masked, [(m.start, m.end) for m in money])  # "US$" is not the US
    blanked = _US_PLACES.sub(lambda m: "_" * len(m.group(0)), blanked)
    countries = find_countries(blanked)
    for m in INSTITUTIONS.finditer(blanked):
        countries.append((m.start(), m.end(), "US" if m["us"] else "EU" if m["eu"] else "Japan"))
    countries.sort()
    return SentenceFacts(index, text, masked, find_percents(masked), money, countries, dates)


def blank(text: str, spans: list[tuple[int, int]]) -> str:
    for start, end in spans:
        text = text[:start] + "_" * (end - start) + text[end:]
    return text


def clause(text: str, start: int, end: int) -> tuple[int, int]:
    """The bounds of the clause around text[start:end] ("; ", " but ", " because ", ", and ")."""
    lo = 0
    for m in _CLAUSE_BREAK.finditer(text[:start]):
        lo = m.end()
    after = _CLAUSE_BREAK.search(text, end)
    return lo, after.start() if after else len(text)
