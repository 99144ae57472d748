"""What a story says about its tariff measures beyond the sentence that names them.

The steps of `tariffs.extract_tariffs` that read the story as a whole, each a named function:
sentences without a measure noun that speak of the measure just read ("The increase is now
set for Sept 15", "The measure covers 400 mln stg of imports", "duties on the same amount of
U.S. goods"); starts said for several measures at once ("The tariffs will come into effect in
120 days", "Both sides will take these actions by May 14"); whether a start is still to come;
the government a story speaks for and its countries (who levies a measure its sentence leaves
unsaid); and the order an analyst lists the measures in. Pure functions.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace
from datetime import date

from bot.analysis.countries import country_of, find_countries
from bot.analysis.dates.extract import DateSpan, find_dates
from bot.analysis.numbers import Money, find_money
from bot.analysis.tariffs.amounts import dollars_in_brackets
from bot.analysis.tariffs.mentions import Mention
from bot.analysis.tariffs.sentence import INSTITUTIONS, read_facts
from bot.analysis.text import Prepared
from bot.domain import TariffChange


def in_reading_order(changes: list[TariffChange], prepared: Prepared) -> tuple[TariffChange, ...]:
    """The measures as an analyst lists them: those of the government the story speaks for
    first ("the United States will ...", then what the partner will do), grouped by whose
    goods they hit in the order the story first names them (a measure on everyone first),
    the text's order otherwise."""
    government = story_government(prepared)
    first_named: dict[str, int] = {}
    for start, _, short in find_countries(prepared.text):
        first_named.setdefault(short, start)
    return tuple(sorted(changes, key=lambda c: (government is not None and c.imposer != government,
                                                 first_named.get(c.target or "", -1))))


def story_government(prepared: Prepared) -> str | None:
    """The government a story speaks for: the one whose legal instruments it cites, else the
    dateline's country."""
    if US_INSTRUMENTS.search(prepared.text):
        return "US"
    return country_of(prepared.dateline.place) if prepared.dateline else None


_PLURAL_START = re.compile(
    r"^(?:[^,]{0,40},\s+)?(?:The|These|Those|All|Both|All\s+(?:the|these))\s+(?:[\w-]+\s+){0,3}?"
    r"(?:tariffs|duties|levies|measures|rates)\s+(?:will|would|shall|are\s+to|are\s+set\s+to|are\s+due\s+to)\b"
)
PLURAL_REACH = 4
"""How many sentences around it a start said of "the tariffs" in the plural reaches."""


def plural_starts(mentions: list[Mention]) -> list[tuple[int, str]]:
    """"The tariffs will come into effect in 120 days", "These duties will take effect on
    March 1": a start said of the measures in the plural, without a rate of its own, dates
    every measure of the passage that has none (sentence index, date)."""
    return [(m.sentence, m.effective) for m in mentions
            if m.effective and m.effective_stated and not m.has_numbers and _PLURAL_START.match(m.evidence)]


_SAME_AMOUNT = re.compile(r"^(?:the\s+|an\s+)?(?:same|equal|identical|similar|matching)\s+(?:amount|value)\s+of\s+",
                          re.IGNORECASE)


def same_amount(mentions: list[Mention]) -> list[Mention]:
    """"and Beijing retaliated with duties on the same amount of U.S. goods": a measure on "the
    same amount" covers the value of the measure just named before it."""
    out: list[Mention] = []
    last: Mention | None = None
    for m in mentions:
        if m.products and last is not None and m.value_text is None and _SAME_AMOUNT.match(m.products):
            m = replace(m, value_usd=last.value_usd, value_text=last.value_text,
                        products=_SAME_AMOUNT.sub("", m.products))
        if m.value_text is not None:
            last = m
        out.append(m)
    return out


_CHANGE_DATED = re.compile(
    r"^(?:[^,;]*?\b(?:said|says|announced|added)\s+(?:that\s+)?)?"
    r"(?:The|This|That|Its|Their)\s+(?:[\w-]+\s+){0,3}?"
    r"(?:increase|rise|cut|hike|reduction|suspension|removal|exemption)s?\s+"
    r"(?:(?:is|are|was|will|would|has|have|been|be|now|also|then)\s+){0,3}"
    r"(?:set\s+for|due\s+(?:on|in|from)|(?:scheduled|slated)\s+for|(?:to\s+)?take\s+effect\s+(?:on|in|from)"
    r"|(?:to\s+)?(?:start|begin|apply)s?\s+(?:on|in|from))"
    r"\s+(?:the\s+)?$",
    re.IGNORECASE,
)
"""A sentence that dates the change the story is about without a measure word: "The increase
is now set for Sept 15", "The cut will take effect on July 1", "... said the suspension would
start on March 1"."""


_VALUE_STATED = re.compile(
    r"^(?:[^,;]{0,60}?\b(?:said|says|added)\s+(?:that\s+)?)?(?:The|This|That|These|Those|It|They|Its|Their)\s+"
    r"(?:[\w-]+\s+){0,2}?(?:measures?|moves?|actions?|steps?|list|package|retaliation|decision|order|proclamation)?\s*"
    r"(?:(?:will|would|could|is|are|also|to)\s+)*(?:covers?|covering|affects?|hits?|targets?|applies\s+to|apply\s+to"
    r"|includes?|concerns?)\s+(?:imports\s+(?:worth|valued\s+at)\s+|goods\s+(?:worth|valued\s+at)\s+)?"
    r"(?:about\s+|some\s+|nearly\s+|around\s+|roughly\s+|an\s+estimated\s+|more\s+than\s+|up\s+to\s+)?$",
    re.IGNORECASE,
)
"""A sentence after a measure that gives the value it covers: "The measure covers 400 mln stg
of imports", "It will hit goods worth $350 million"."""


def value_stated(index: int, text: str) -> list[Mention]:
    facts = None
    for money in find_money(text):
        if not _VALUE_STATED.match(text[: money.start]):
            continue
        dollars: Money | None = money if money.usd else None
        if dollars is None:
            facts = facts or read_facts(index, text, [])
            dollars = dollars_in_brackets(facts, money)
        return [Mention(sentence=index, evidence=text, value_usd=int(dollars.amount) if dollars else None,
                        value_text=money.text, definite=True)]
    return []


def change_dated(index: int, text: str, dates: list[DateSpan]) -> list[Mention]:
    for d in dates:
        if _CHANGE_DATED.match(text[: d.start]):
            return [Mention(sentence=index, evidence=text, effective=d.value, effective_stated=True,
                            definite=True, change_only=True)]
    return []


def not_yet_in_force(m: Mention, anchor: date | None) -> Mention:
    """A measure the story only calls in force by default, or by a bare past tense, but
    whose start date is still to come, is announced."""
    if anchor is None or m.effective is None or m.status != "in_effect":
        return m
    if m.strength > 1 and not (m.strength <= 4 and (_FUTURE_START.search(m.evidence)
                                                    or not _PAST_START.search(m.evidence))):
        return m  # "set to go into effect on August 1", "come into force tomorrow" are still to come
    today = anchor.isoformat()[: len(m.effective)]
    return replace(m, status="announced") if m.effective > today else m


_FUTURE_START = re.compile(
    r"\b(?:will|shall|set\s+to|due\s+to|scheduled\s+to|slated\s+to|to\s+(?:take|go|come)\s+into)\b", re.IGNORECASE
)
_PAST_START = re.compile(
    r"\b(?:took|came|went)\s+(?:into\s+)?(?:effect|force)|\b(?:has|have|had)\s+(?:already\s+)?been\b|\balready\b"
    r"|\bnow\s+in\s+(?:effect|force)",
    re.IGNORECASE,
)
_ACTIONS_BY = re.compile(
    r"\b(?:take|implement|complete|carry\s+out)\s+(?:all\s+)?(?:these|the|those|such)\s+"
    r"(?:actions|steps|measures|changes|commitments)\s+(?:by|on|no\s+later\s+than|before)\s+$",
    re.IGNORECASE,
)


def deadline(prepared: Prepared) -> str | None:
    """"Both sides will take these actions by May 14, 2025": the day by which the story's
    announced measures take effect, when a sentence of its own gives it."""
    for d in find_dates(prepared.text, prepared.anchor):
        if _ACTIONS_BY.search(prepared.text[max(0, d.start - 80) : d.start]):
            return d.value
    return None


def story_countries(prepared: Prepared) -> list[str]:
    """The story's countries, most mentioned first (the dateline's breaks a tie); the
    government whose legal instruments the story cites (`US_INSTRUMENTS`) first of all."""
    text = prepared.text
    for money in find_money(text):
        text = text[: money.start] + "_" * (money.end - money.start) + text[money.end :]
    counts = Counter(c[2] for c in find_countries(text))
    counts.update("US" if m["us"] else "EU" if m["eu"] else "Japan" for m in INSTITUTIONS.finditer(text))
    home = country_of(prepared.dateline.place) if prepared.dateline else None
    ranked = sorted(counts, key=lambda c: (-counts[c], c != home))
    ranked = [*ranked, home] if home and home not in counts else ranked
    if US_INSTRUMENTS.search(text):
        ranked = ["US", *(c for c in ranked if c != "US")]
    return ranked


US_INSTRUMENTS = re.compile(
    r"\b(?:Section\s+(?:201|232|301|338)\b|Executive\s+Order|Proclamations?\b|IEEPA\b|HTSUS\b"
    r"|Harmonized\s+Tariff\s+Schedule\s+of\s+the\s+United\s+States|Customs\s+and\s+Border\s+Protection"
    r"|Federal\s+Register)"
)
"""The legal instruments of US trade measures ("Section 232", "an Executive Order", "a
Proclamation", "the HTSUS"): a story that cites them speaks for the US government, so a measure
whose sentence names no one who levies it is the US's. (Agencies such as "the White House" or
"the Commerce Department" only count as mentions of the US: wire stories name them in
reports on other countries' measures too.)"""



_TIER = re.compile(r"\b(?:a|an)\s+(?:lower|higher|reduced|separate|different)\s+(?:rate\s+of\s+)?[\d.]+\s*(?:%|percent|pct)",
                   re.IGNORECASE)


def tier_of(m: Mention, earlier: list[Mention]) -> Mention:
    """"(a 25% tariff on imports from Canada and Mexico ...) Canadian energy products get a
    lower 10% tariff": a lower or higher rate for part of the goods of a measure just
    read, on the same target, is a tier of that measure and shares its state."""
    if not _TIER.search(m.evidence):
        return m
    mine = {t for t in (m.target, *m.also) if t}
    for before in reversed(earlier):
        if m.sentence - before.sentence > 1:
            break
        theirs = {t for t in (before.target, *before.also) if t}
        if mine and mine <= theirs and (m.imposer is None or m.imposer == before.imposer):
            return replace(m, status=before.status, strength=before.strength)
    return m
