"""The rates and the value of goods a measure noun carries, by the constructions of news copy.

"a 15 pct duty", "levies of 60 per cent - up from about eight per cent", "duties on
US$40 billion of Korean goods to 35 per cent from 10 per cent", "200 mln dlr penalty
tariffs", "duties cut by up to 50 pct": a number belongs to the measure only through one of
these, so trade-flow figures in the same sentence stay out.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from bot.analysis.numbers import Money, Percent
from bot.analysis.tariffs.cues import MEASURE
from bot.analysis.tariffs.sentence import FUNCTION_WORDS, QUALIFIER, Noun, SentenceFacts

_TO_LEAD = re.compile(r"\bto\s+(?:" + QUALIFIER + r"\s+)?$", re.IGNORECASE)
_UPTO_LEAD = re.compile(r"\b(?:up\s+to|as\s+much\s+as|as\s+high\s+as|of\s+up\s+to)\s+$", re.IGNORECASE)
_FROM_LEAD = re.compile(
    r"(?:\bfrom|\bcompared\s+with|\bagainst|\bversus|\bvs\.?)\s+(?:" + QUALIFIER + r"\s+)?$",
    re.IGNORECASE,
)
_BY_LEAD = re.compile(r"\bby\s+(?:" + QUALIFIER + r"\s+|up\s+to\s+|as\s+much\s+as\s+)?$", re.IGNORECASE)
_OTHER_VERB = re.compile(r"\b(?:and|but)\s+(?:\w+\s+)?(?:\w+ed|cut|set|raise|lower|reduce)\s+to\s+", re.IGNORECASE)
_TO_ZERO = re.compile(r"[^,;]{0,80}?\bto\s+(?:zero|nil)\b(?!\s*(?:-|to)\s*\d)", re.IGNORECASE)
_VERB_FIRST = re.compile(
    r"\b(?:cut|rais\w*|lower\w*|reduc\w*|increas\w*|set|lift\w*)\s+to\s+(?:" + QUALIFIER + r"\s+)?$"
    r"|\b(?:maintain\w*|keep\w*|kept|hold\w*|held|set)\s+at\s+(?:" + QUALIFIER + r"\s+)?$",
    re.IGNORECASE,
)
_BY_OWN = re.compile(
    r"^\s*,?\s*(?:(?:on|for)\s+[^;]{0,80}?\s+)?(?:(?:will|would|could|should|to|was|were|are|is|be|been|"
    r"being|have|has|had|also|further)\s+)*(?:[a-z]+ed|cut|raise|lower|reduce|increase|rise|fall|"
    r"go\s+up|come\s+down|slash|trim)?\s*\bby\s+(?:" + QUALIFIER + r"\s+|up\s+to\s+|as\s+much\s+as\s+)?$",
    re.IGNORECASE,
)
_OF_LEAD = re.compile(
    r"^\s*,?\s*(?:(?:on|against|for)\s+[^,;]{1,80}?,?\s+)?(?:(?:at\s+)?(?:a\s+)?rates?\s+of|of|at)\s+(?:" + QUALIFIER
    + r"\s+|up\s+to\s+|between\s+|as\s+much\s+as\s+|as\s+high\s+as\s+)?$",
    re.IGNORECASE,
)
_RATE_PHRASE = r"(?:(?:of|at|to)\s+[^,;]{0,40}?(?:%|pct|per\s*cent|percent)\s+)?"
_AMOUNT_QUALIFIER = r"(?:as\s+much\s+as\s+|up\s+to\s+|about\s+|some\s+|nearly\s+|almost\s+|around\s+|an\s+estimated\s+)?"
_VALUE_LEAD = re.compile(
    r"^\s*(?:" + _RATE_PHRASE + r"(?:on|against|covering|affecting|hitting|targeting|for)\s+(?:[\w.'-]+,?\s+){0,10}?"
    r"(?:worth\s+|valued\s+at\s+)?|(?:worth|of|totall?ing|covering)\s+|on\s+[^,;]{0,60}?\s+by\s+"
    r"|" + _RATE_PHRASE + r"(?:will\s+|would\s+|could\s+|to\s+)?(?:affect|cover|hit|target)s?\s+"
    r"|(?=(?:as\s+much\s+as|up\s+to)\s))"
    + _AMOUNT_QUALIFIER + r"$",
    re.IGNORECASE,
)
_VALUE_BEFORE = re.compile(
    r"^(?:\s+(?:[\w-]+\s+){0,2}|\s+(?:worth\s+of|in)\s+(?:(?:U\.S\.|US|[A-Z][a-z]+)\s+)?"
    r"(?:(?:new|penalty|retaliatory|punitive|additional|higher|import|proposed)\s+)*)$"
)
_FACING = re.compile(
    r"^\s+(?:that|which)\s+(?:could|would|will|may|might|are\s+to|is\s+to)?\s*(?:face|be\s+(?:hit|subject(?:ed)?)"
    r"\s+(?:by|with|to))\s+[^,;]{0,30}$",
    re.IGNORECASE,
)
"""Goods named before the measure: "American goods worth C$12 billion that could face a 25% levy"."""
_REVENUE = re.compile(r"\b(?:collect\w*|paid|pay\w*|rais\w*|generat\w*|brought\s+in|revenue\w*|earn\w*)\s+"
                      r"(?:\w+\s+){0,3}$", re.IGNORECASE)


def top(p: Percent) -> float:
    """The top of a range ("5 to 25 pct"), or the number."""
    return p.high if p.high is not None else p.value


@dataclass(slots=True)
class Rates:
    """The rates read so far for one measure noun (the rules fill it in order)."""

    new: float | None = None
    old: float | None = None
    change: str | None = None
    upto: bool = False


def rate_before_noun(s: SentenceFacts, noun: Noun, lo: int, hi: int, used: set[int], r: Rates) -> None:
    """"a 15 pct duty", "a 25% additional tariff", "reduce to 19 percent the reciprocal
    tariffs", "maintain at 20 percent the tariffs": a rate right before the noun, or after
    the verb that sets it."""
    text = s.masked
    for i, p in enumerate(s.percents):
        if i in used or p.end > noun.start or p.start < lo:
            continue
        gap = text[p.end : noun.start]
        words = gap.split()
        verb_first = re.fullmatch(r"\s+the\s+(?:[\w-]+\s+){0,2}", gap) and _VERB_FIRST.search(text[lo : p.start])
        if verb_first or (len(words) <= 3 and not any(w.lower().strip(",") in FUNCTION_WORDS for w in words)
                          and "," not in gap):
            if p.points:
                r.change = p.text
            else:
                r.new = p.high if p.high is not None else p.value
            used.add(i)


def rate_after_noun(s: SentenceFacts, noun: Noun, lo: int, hi: int, used: set[int], r: Rates) -> None:
    """"duties of 60 per cent - up from about eight per cent", "tariffs to 35 per cent from 10
    per cent", "cut by up to 50 pct", "tariffs of up to 100 percent": the rates the noun's
    own phrases give."""
    text = s.masked
    for i, p in enumerate(s.percents):
        if i in used or p.start < noun.end or p.end > hi:
            continue
        lead = text[noun.end : p.start]
        tail = lead[-40:]
        by = _BY_LEAD.search(tail)
        if p.points or by:
            if r.change is None and _BY_OWN.match(lead):
                r.change = (" ".join(by.group(0).split()) + " " if by else "") + p.text
                used.add(i)
        elif _RATES_OF.search(tail):
            if r.new is None:
                r.new = top(p)  # "on $3 billion of U.S. goods, with rates of 15 to 25 percent"
                used.add(i)
        elif _RANGING.search(tail):
            if r.new is None:
                r.new = top(p)  # "dumped at rates ranging from 12.40 to 31.75 percent": the top of the range
                used.add(i)
        elif _FROM_LEAD.search(tail):
            if r.old is None:
                r.old = p.value
                used.add(i)
        elif _UPTO_LEAD.search(tail):
            if r.new is None and (_OF_LEAD.search(lead) or re.search(r"^\W*(?:of\s+|to\s+)?up\s+to\s+$", lead)):
                r.new, r.upto = top(p), True
                used.add(i)
        elif _TO_LEAD.search(tail):
            if _OTHER_VERB.search(lead):
                continue  # "eliminated the duties on X and cut to 2 pct the duty on Y"
            if r.new is None:
                r.new = top(p)
                used.add(i)
            elif i - 1 in used and re.fullmatch(r"\s*(?:to|-|–)\s*", text[s.percents[i - 1].end : p.start]):
                r.new = top(p)  # "tariffs of 5% to 25%": the top of the range
                used.add(i)
        elif _OF_LEAD.search(lead) and r.new is None:
            r.new = top(p)
            used.add(i)


def rate_to_zero(s: SentenceFacts, noun: Noun, lo: int, hi: int, used: set[int], r: Rates) -> None:
    """"cut its duty on packaged sauces to zero", "reduce the levy to nil": a new rate of 0."""
    if r.new is None and r.change is None:
        r.new = _to_zero(s.masked, noun, hi)


def rate_retained(s: SentenceFacts, noun: Noun, lo: int, hi: int, used: set[int], r: Rates) -> None:
    """"China will suspend its 34% tariff for 90 days, but will retain a 10% tariff", "lift
    the 25 pct duty but keep 10 pct of it": what a suspension keeps is the new rate, the
    suspended one the old."""
    text = s.masked
    if r.new is None or r.old is not None or r.change is not None:
        return
    if not _SUSPEND_BEFORE.search(text[max(0, noun.start - 60) : noun.start]):
        return
    for i, p in enumerate(s.percents):
        if i in used or p.start < noun.end:
            continue
        if _RETAIN_LEAD.search(text[noun.end : p.start]):
            r.old, r.new = r.new, top(p)
            used.add(i)
            return


def rate_named_rate(s: SentenceFacts, noun: Noun, lo: int, hi: int, used: set[int], r: Rates) -> None:
    """"the Department determined to apply a rate of 6.12 percent ... under the antidumping duty
    order", "assign the company the 105.31 percent China-wide rate": a percentage the text
    calls a rate, that a verb applies or assigns, with no other measure between it and the
    noun, is the measure's rate (not "GNP will grow at a 1.5 pct rate")."""
    if r.new is not None or r.change is not None:
        return
    text = s.masked
    for i, p in enumerate(s.percents):
        if i in used or p.points:
            continue
        a, b = (p.end, noun.start) if p.end <= noun.start else (noun.end, p.start)
        if MEASURE.search(text, a, b):
            continue
        if not _RATE_VERB.search(text[max(0, p.start - 90) : p.start]):
            continue  # "GNP will grow at a 1.5 pct rate" is no duty's rate
        if _RATE_OF.search(text[max(0, p.start - 40) : p.start]) or _RATE_AFTER.match(text, p.end):
            r.new = top(p)
            used.add(i)
            return


def rate_rising_to(s: SentenceFacts, noun: Noun, lo: int, hi: int, used: set[int], r: Rates) -> None:
    """"the 10 percent tariffs on $200 billion of Chinese goods would rise to 25 percent on
    Jan. 1", "its 5% duty will fall to 2%": the rate before the noun is the old one when the
    measure itself rises or falls to a new one."""
    if r.new is None or r.old is not None or r.change is not None:
        return
    text = s.masked
    for i, p in enumerate(s.percents):
        if i in used or p.start < noun.end or p.end > hi:
            continue
        if _RISE_TO.search(text[noun.end : p.start]):
            r.old, r.new = r.new, top(p)
            used.add(i)
        return


RATE_RULES: tuple[Callable[[SentenceFacts, Noun, int, int, set[int], Rates], None], ...] = (
    rate_before_noun,
    rate_rising_to,
    rate_after_noun,
    rate_to_zero,
    rate_retained,
    rate_named_rate,
)
"""The rates of one measure noun: each rule in turn claims the percentages it reads (a
claimed one is `used`, so trade figures in the same sentence stay out)."""

_RISE_TO = re.compile(
    r"^[^;,]{0,90}?\b(?:will|would|to|could|should|is\s+set\s+to|are\s+set\s+to|is\s+due\s+to|are\s+due\s+to)\s+"
    r"(?:then\s+|later\s+|eventually\s+)?(?:rise|increase|go\s+up|climb|jump|fall|drop|go\s+down|decrease)\s+to\s+"
    r"(?:" + QUALIFIER + r"\s+)?$",
    re.IGNORECASE,
)
_RATES_OF = re.compile(r"\b(?:with|at|carrying)\s+(?:a\s+)?rates?\s+(?:of\s+)?(?:between\s+|up\s+to\s+|" + QUALIFIER
                       + r"\s+)?$", re.IGNORECASE)
_RANGING = re.compile(r"\b(?:ranging|range|ranged|varying)\s+from\s+$|\bbetween\s+$", re.IGNORECASE)
_RATE_VERB = re.compile(r"\b(?:appl\w*|assign\w*|impos\w*|set|calculat\w*|determin\w*|establish\w*|collect\w*)\b",
                        re.IGNORECASE)
_RATE_OF = re.compile(r"\b(?:a|an|the)\s+(?:[\w-]+\s+){0,2}(?:rate|margin)\s+of\s+$", re.IGNORECASE)
_RATE_AFTER = re.compile(r"\s+(?:[A-Za-z][\w-]*\s+){0,2}(?:rate|margin)\b", re.IGNORECASE)
_SUSPEND_BEFORE = re.compile(r"\b(?:suspend\w*|lift\w*|remov\w*|pause\w*)\s+(?:[\w%.-]+\s+){0,4}$", re.IGNORECASE)
_RETAIN_LEAD = re.compile(
    r"^[^;.]{0,120}?\b(?:but|while|and)\s+(?:will\s+|would\s+|to\s+)?(?:retain\w*|keep\w*|maintain\w*)\s+"
    r"(?:a|an|the|its|their)?\s*(?:\w+\s+)?$",
    re.IGNORECASE,
)


def rates(
    s: SentenceFacts, noun: Noun, lo: int, hi: int, used: set[int]
) -> tuple[float | None, float | None, str | None, bool]:
    """new rate, old rate, change given by size, and whether the new rate is a ceiling, by
    the rules of `RATE_RULES` in order."""
    r = Rates()
    for rule in RATE_RULES:
        rule(s, noun, lo, hi, used, r)
    return r.new, r.old, r.change, r.upto


def _to_zero(text: str, noun: Noun, hi: int) -> float | None:
    """"cut its duty on packaged sauces to zero", "reduce the levy to nil": a new rate of 0."""
    z = _TO_ZERO.match(text, noun.end, hi)
    if z is None or _OTHER_VERB.search(text[noun.end : z.end()]):
        return None
    return 0.0


def value_after_noun(s: SentenceFacts, noun: Noun, hi: int) -> list[Money]:
    """"tariffs on US$300 billion of Chinese goods", "duties on U.S. pork, apples and steel
    worth about $3 billion", "levies covering 200 mln dlrs": an amount the noun's phrase gives
    (not one in brackets after another)."""
    text = s.masked
    return [m for m in s.money if m.start >= noun.end and m.end <= hi
            and _VALUE_LEAD.match(text[noun.end : m.start]) and not _in_parens(text, m)]


def value_before_noun(s: SentenceFacts, noun: Noun, hi: int) -> list[Money]:
    """"200 mln dlr penalty tariffs", "$50 billion worth of tariffs": an amount right before
    the noun (not money collected: "raised $2 billion in duties")."""
    text = s.masked
    found: list[Money] = []
    for m in s.money:
        if m.end > noun.start:
            continue
        gap = text[m.end : noun.start]
        words = [w for w in gap.split() if w not in ("in", "worth", "of")]
        if _VALUE_BEFORE.match(gap) and not any(w.lower() in FUNCTION_WORDS for w in words) \
                and not _REVENUE.search(text[max(0, m.start - 40) : m.start]):
            found.append(m)
    return found


def value_goods_facing(s: SentenceFacts, noun: Noun, hi: int) -> list[Money]:
    """"American goods worth C$12 billion that could face a 25% levy": goods named before the
    measure that would hit them."""
    return [m for m in s.money if m.end <= noun.start and _FACING.match(s.masked[m.end : noun.start])]


VALUE_RULES: tuple[Callable[[SentenceFacts, Noun, int], list[Money]], ...] = (
    value_after_noun,
    value_before_noun,
    value_goods_facing,
)
"""The value of goods a measure covers: every rule's amounts, in US dollars first."""


def value(s: SentenceFacts, noun: Noun, hi: int) -> tuple[Money | None, Money | None]:
    """The amount a measure covers as written, and the same in US dollars where the text gives
    them ("2.8 billion euros ($3.2 billion)": the bracketed dollars)."""
    found = sorted({m for rule in VALUE_RULES for m in rule(s, noun, hi)}, key=lambda m: m.start)
    if not found:
        return None, None
    usd = [m for m in found if m.usd]
    if usd:
        return usd[0], usd[0]
    return found[0], dollars_in_brackets(s, found[0])


def dollars_in_brackets(s: SentenceFacts, money: Money) -> Money | None:
    """"C$16.6 billion ($12.6 billion)", "400 mln stg (about $540 mln)": the US dollars a text
    gives in brackets right after another currency."""
    for m in s.money:
        if m.usd and m.start > money.end and _BRACKET_GAP.fullmatch(s.masked[money.end : m.start]):
            return m
    return None


_BRACKET_GAP = re.compile(r"\s*[(\[]\s*(?:about\s+|some\s+|around\s+|roughly\s+|nearly\s+|or\s+)?(?:US\s+)?", re.IGNORECASE)


def _in_parens(text: str, m: Money) -> bool:
    return text[:m.start].rstrip().endswith("(")
