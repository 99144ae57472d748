"""Does a sentence say that a government acts on a trade measure?

"The United States will raise tariffs on US$45 billion of imported steel to 35 per cent",
"Sylvania imposed anti-dumping duties of up to 62 per cent on solar panels", "Britain
suspended its 10 per cent tariff on cotton yarn": someone who governs (a country, a
ministry, an official, or a named subject of the action verb), a measure, and, attached to
the measure, what is done to it (raise, impose, cut, lift, suspend, delay, threaten ...) or
how much it is (a rate, a value of goods). Such a sentence is trade policy whatever the
goods are. A measure priced per unit of a commodity ("an export duty of 70 ringgit per
tonne") is a commodity desk's number, so such a sentence is flagged as priced instead. The
rate or value that belongs to the measure ("25% tariffs on $34 billion of Chinese imports",
"the tariff on Canada from 25% to 35%") is read with it (`rated_span`): a tariff reported so
is trade policy whatever the goods.

The classifier finds the measures (cues of `bot.analysis.classify.trade_lexicon.MEASURE_CUES`); this
module reads the sentence around one of them. Pure functions of the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.analysis.classify.trade_lexicon import ACTION_VERB, GOVERNMENT, PER_UNIT, RATE, VALUE
from bot.analysis.countries import mention_pattern
from bot.analysis.text import parse_dateline

LEFT_WORDS = 6  # an action verb this close before the measure is attached to it
RIGHT_WORDS = 12  # a rate or a value this close after it ("tariffs on US$45 billion of ...")
RIGHT_VERB_WORDS = 3  # "tariffs will rise", "the duty cut"
REACH = 400  # characters read on either side of the measure, however long the sentence

_SENTENCE_BREAK = re.compile(r"(?<=[a-z0-9%)][.!?])\s+(?=[\"'“‘(]?[A-Z0-9])|(?<=[.!?][\"'”’])\s+")
_GOVERNMENT = re.compile(r"(?<!\w)(?:" + GOVERNMENT + r")(?!\w)", re.IGNORECASE)
_ACTION_VERB = re.compile(r"(?<!\w)(?:" + ACTION_VERB + r")(?!\w)", re.IGNORECASE)
_AMOUNT = re.compile(r"(?<![\w.])(?:" + RATE + "|" + VALUE + r")", re.IGNORECASE)
_PER_UNIT = re.compile(r"(?<!\w)(?:" + PER_UNIT + r")(?!\w)", re.IGNORECASE)
# a named subject acting on the measure itself: "Freedonia will double (its) tariffs",
# "MAURITIUS LIFTS DUTY", "Sylvania imposed provisional anti-dumping duties", never "Acme
# raises prices to offset tariffs" (a preposition or an infinitive between them)
_NAMED_ACTOR = re.compile(
    r"\s*(?:The\s+)?(?:[A-Z][\w.'’&-]*\s+){1,4}(?i:(?:(?:will|would|has|have|had|is|are|was|to"
    r"|may|might|could|plans\s+to|wants\s+to|is\s+set\s+to|is\s+to)\s+)?(?:(?:" + ACTION_VERB
    + r")\s+(?:(?!(?:to|from|for|against|after|over|as|because|amid|by|with|in|at|on|of|that"
    r"|which|while|when)\s)\S+\s+){0,4})?)"
)
# a rate just before the measure: "its 10 per cent tariff", "a 25% levy", "50 pct duties"
_RATE_BEFORE = re.compile(r"(?:" + RATE + r")[\s-]+(?:[\w-]+\s+)?$", re.IGNORECASE)
_HEAD_OF_STATE = re.compile(r"(?<!\w)(?:President|Prime\s+Minister|Premier|Chancellor)\s+[A-Z]")


# a rate or a value that belongs to the measure, as a report of the measure states it:
# before it ("a 25% additional tariff", "maintain at 19 percent the reciprocal tariffs",
# "99 percent of tariff barriers") or after it ("tariffs of up to 62 per cent", "a tariff
# rate of 19%", "the tariff on Canada from 25% to 35%", "tariffs on $34 billion of Chinese
# imports"). Words between them that are another number's subject (prices, profits,
# growth ...) or a preposition of cause ("rose 3% on tariff fears") break the link.
_LINK_BREAKERS = (
    r"after|as|amid|because|despite|since|but|while|when|if|than|fears?|worries|news|prices?"
    r"|costs?|inflation|growth|gdp|output|economy|shares?|stocks?|profits?|earnings|revenues?"
    r"|sales|margins?|futures|index|yields?|demand|spending"
)
_LEAD_BREAKERS = _LINK_BREAKERS + r"|on|over|with|due|and|or|in"
_QUALIFIER = (
    r"(?:(?:up|as\s+much|as\s+high)\s+(?:to|as)\s+|about\s+|around\s+|nearly\s+|roughly\s+"
    r"|approximately\s+|some\s+|more\s+than\s+|an?\s+(?:additional|extra|further|flat)\s+)?"
)
_RATE_LEAD = re.compile(
    r"(?:" + RATE + r")(?:[\s-]+(?!(?:" + _LEAD_BREAKERS + r")(?![\w-]))[\w’'-]+){0,3}[\s-]+$",
    re.IGNORECASE,
)
_AMOUNT_AFTER = re.compile(
    r"(?:[\s-]+(?!(?:" + _LINK_BREAKERS + r")(?![\w-]))[\w’'-]+){0,6}?[\s-]+(?:(?:of|at|to|from|by)"
    r"\s+" + _QUALIFIER + r"(?:" + RATE + r")(?:\s+to\s+(?:" + RATE + r"))?|on\s+" + _QUALIFIER
    + r"(?:" + VALUE + r")[\d.,]*(?:\s*(?:mln|million|bln|billion|bn|trillion)(?!\w))?)",
    re.IGNORECASE,
)
LEAD_REACH = 80  # characters before a measure read for its rate
AFTER_REACH = 160  # characters after it read for its rate or value


@dataclass(frozen=True, slots=True)
class MeasureSentence:
    """The sentence around a measure, and what it says of it."""

    start: int
    end: int
    acted: bool  # a government acts on the measure
    priced: bool  # the measure is priced per unit of a commodity
    rated: tuple[int, int] | None = None  # the measure with its rate or value, as a span


def read_measure(text: str, start: int, end: int, lo: int, hi: int) -> MeasureSentence:
    """Read the sentence of text[lo:hi] (a headline or a paragraph) that holds the measure
    text[start:end]: is it priced per unit, and does a government act on the measure?"""
    first, last = sentence_around(text, start, end, max(lo, start - REACH), min(hi, end + REACH))
    sentence = text[first:last]
    if first == 0:
        sentence = parse_dateline(sentence, None)[1]  # "WASHINGTON (WIRE) - " is no actor
    if _PER_UNIT.search(sentence):
        return MeasureSentence(first, last, acted=False, priced=True)
    before = " ".join(text[first:start].split()[-LEFT_WORDS:]) + " "
    after = text[end:last].split()
    attached = bool(
        _ACTION_VERB.search(before + text[start:end])
        or _RATE_BEFORE.search(before)
        or _AMOUNT.search(text, start, end)
        or _AMOUNT.search(" ".join(after[:RIGHT_WORDS]))
        or _ACTION_VERB.search(" ".join(after[:RIGHT_VERB_WORDS]))
    )
    acted = attached and (governs(sentence) or named_actor(text, first, start, end))
    return MeasureSentence(first, last, acted=acted, priced=False, rated=rated_span(text, start, end, first, last))


def rated_span(text: str, start: int, end: int, first: int, last: int) -> tuple[int, int] | None:
    """The measure text[start:end] with the rate or value that belongs to it, within the
    sentence text[first:last]; None when the sentence gives it no rate or value."""
    lead = _RATE_LEAD.search(text, max(first, start - LEAD_REACH), start)
    after = _AMOUNT_AFTER.match(text, end, min(last, end + AFTER_REACH))
    if lead is None and after is None:
        return None
    return (lead.start() if lead else start, after.end() if after else end)


def sentence_around(text: str, start: int, end: int, lo: int, hi: int) -> tuple[int, int]:
    """The span of the sentence of text[lo:hi] that holds text[start:end]."""
    first = lo
    for brk in _SENTENCE_BREAK.finditer(text, lo, start):
        first = brk.end()
    after = _SENTENCE_BREAK.search(text, end, hi)
    return first, (after.start() if after else hi)


def governs(sentence: str) -> bool:
    """Whether a sentence names someone who governs: a country, a capital, a ministry, an
    official."""
    if _GOVERNMENT.search(sentence) or _HEAD_OF_STATE.search(sentence):
        return True
    if mention_pattern().search(sentence):
        return True
    return sentence.isupper() and bool(mention_pattern().search(sentence.title()))


def named_actor(text: str, first: int, start: int, end: int) -> bool:
    """Whether the sentence opening at `first` is a named subject acting on the measure at
    text[start:end] ("Freedonia doubles tariffs", "Sylvania bans rice exports")."""
    if start - first > REACH:
        return False
    head = parse_dateline(text[first:start], None)[1] if first == 0 else text[first:start]
    m = _NAMED_ACTOR.fullmatch(head)
    if not m:
        return False
    return bool(_ACTION_VERB.search(head)) or bool(_ACTION_VERB.match(text, start, end))
