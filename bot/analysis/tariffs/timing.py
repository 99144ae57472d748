"""When a measure starts and what state it is in, as one sentence says it.

`status` takes the strongest cue of the clause (a delay or a removal only where it governs
the noun); `effective` the date after "from", "effective", "take effect on", "set for",
"delayed to", or a bare "on"/"in" right next to the measure, never the day something was
said or announced.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from bot.analysis.dates.extract import DateSpan
from bot.analysis.numbers import parse_number
from bot.analysis.tariffs.cues import HOLD, Cue
from bot.analysis.tariffs.sentence import Noun, SentenceFacts
from bot.domain import Status

_EFFECT_LEAD = re.compile(
    r"(?P<lead>\b(?:effective(?:\s+from)?|starting(?:\s+from)?|beginning(?:\s+on)?|as\s+of|from|on|in|since|effect"
    r"|force|for|to|until|through|retroactive\s+to)\s+(?:the\s+)?)$",
    re.IGNORECASE,
)
_SPEECH_BEFORE = re.compile(
    r"\b(?:said|says|told|announced|announces|ordered|ruled|reported|decided|agreed|met|added|"
    r"stated|threatened|warned|proposed|recommended|voted|unveiled|confirmed|ordering|announcing|"
    r"meeting|talks|statement|letter)\s+(?:\w+\s+){0,2}?(?:on|in)\s+(?:the\s+)?$",
    re.IGNORECASE,
)
_ANNOUNCING = re.compile(
    r"\b(?:said|says|told|announc\w*|threaten\w*|propos\w*|unveil\w*|warn\w*|recommend\w*|decided|"
    r"ordered|vowed|pledged)\b", re.IGNORECASE
)
_SET_FOR = re.compile(r"\b(?:set|scheduled|slated|planned|due)\s+(?:\w+\s+)?for\s+$", re.IGNORECASE)
_DELAY_TO = re.compile(
    r"\b(?:delay\w*|postpone\w*|defer\w*|pushed\s+back|moved|put\s+off|extended)\b[^,;]{0,100}?\s(?:to|until)\s+$",
    re.IGNORECASE,
)
_STRONG_LEAD = re.compile(r"effective|starting|beginning|as\s+of|from|effect|force", re.IGNORECASE)
_PLANNED_CHANGE = re.compile(
    r"\s+(?:of\s+)?(?:a|an|the|its|their)\s+(?:(?:planned|proposed|scheduled|expected|promised|announced"
    r"|further|new|next|second|threatened)\s+)*(?:rise|increase|hike|raise|cut|reduction)s?"
    r"\s+(?:in|of|to)\s+(?:[\w.%'’-]+\s+){0,4}",
    re.IGNORECASE,
)
"""Between a delay and its measure: "(delay) a planned rise in its rice import (tariff)"."""
_SHARE_OF = re.compile(
    r"\s+(?:(?:approximately|about|nearly|some|over|almost|around)\s+)?[\d.]+\s*(?:%|percent|per\s*cent|pct)\s+of\s+"
    r"(?:(?:its|their|the|all)\s+)?(?:[\w-]+\s+)?",
    re.IGNORECASE,
)
_CHANGE_NOUN = re.compile(r"(?:increases?|hikes?|cuts?|reductions?|rises?)$", re.IGNORECASE)


def status(text: str, cues: list[Cue], lo: int, noun: Noun) -> tuple[Status, int, Cue | None]:
    """The strongest cue of the clause (the nearest of equals) decides the state; a delay or
    a removal counts only where it governs the noun ("eliminated the duties on X and cut to
    2 pct the duty on Y": the second duty was cut, not eliminated)."""
    if not cues:
        return "in_effect", 0, None
    pos = noun.start - lo

    def rank(c: Cue) -> tuple[int, int]:
        strength = c.strength
        if strength >= 5 and not governs(text, lo + c.start, lo + c.end, noun):
            strength = 0
        return strength, -min(abs(c.start - pos), abs(c.end - (noun.end - lo)))

    best = max(cues, key=rank)
    return best.status, best.strength, best


def governs(text: str, start: int, end: int, noun: Noun) -> bool:
    """A cue word right before the noun ("lifted the duties") or right after it ("tariffs
    were delayed")."""
    if end <= noun.start:
        gap = text[end : noun.start] + " "
        if _PLANNED_CHANGE.fullmatch(gap):
            return HOLD.fullmatch(text[start:end]) is not None  # not "scrapped a planned rise in ..."
        if re.search(r"(?:ion|al|ment)$", text[start:end]):  # "abolition of the duties"
            return re.fullmatch(r"\s+of\s+(?:[\w.%$-]+\s+){0,5}", gap) is not None
        if _SHARE_OF.fullmatch(gap):
            return True  # "eliminate approximately 99 percent of tariff barriers"
        return re.fullmatch(r"\s+(?:[\w.%$-]+\s+){0,4}", gap) is not None \
            and not re.search(r"\b(?:to|of|right|power|ability|threat)\b", gap)
    return start >= noun.end and re.fullmatch(
        r"(?:\s+on\s+[^,;]{0,60}?)?\s+(?:(?:will|would|could|was|were|is|are|be|been|being|has|have|"
        r"had|to|now|also)\s+){0,3}", text[noun.end : start] + " "
    ) is not None


def holds_back_change(text: str, start: int, end: int, noun: Noun) -> bool:
    """The cue text[start:end] delays or suspends a planned change of the measure, not the
    measure itself: "delay a planned rise in its rice import tariff", "postponed the tariff
    increase"."""
    if end > noun.start or HOLD.fullmatch(text[start:end]) is None:
        return False
    gap = text[end : noun.start] + " "
    if _PLANNED_CHANGE.fullmatch(gap):
        return True
    return _CHANGE_NOUN.search(text[noun.start : noun.end]) is not None and governs(text, start, end, noun)


@dataclass(frozen=True, slots=True)
class DateSite:
    """One date of a measure's sentence, as the effective-date rules see it."""

    text: str
    noun: Noun
    lo: int
    date: DateSpan
    before: str
    """Up to 50 characters before the date."""
    lead: str | None
    """The preposition or word that leads to the date ("from", "effective", "on"), lower case."""


STRONG, WEAK, NEVER = "strong", "weak", "never"


def effective_never_said(d: DateSite) -> str | None:
    """"officials said on Friday", "On Friday, Washington announced plans for tariffs": the
    day something was said is not a start."""
    if _SPEECH_BEFORE.search(d.before) or _ANNOUNCING.search(d.text[d.date.end : d.noun.start]):
        return NEVER
    return None


def effective_never_past_deed(d: DateSite) -> str | None:
    """"remove the tariffs it imposed on China on April 8", "its 34% tariff imposed on April
    2": the day a measure was once imposed, told after its noun, is not when this change
    starts."""
    if d.date.start > d.noun.end and _PAST_DEED.search(d.text[d.noun.end : d.date.start]):
        return NEVER
    return None


def effective_never_another_deed(d: DateSite) -> str | None:
    """"filed the complaint in October and imposed a 10 percent tariff in May": a date before
    the measure that belongs to another verb of the sentence ("... and imposed") is not its
    start."""
    if d.date.end <= d.noun.start and _ANOTHER_VERB.search(d.text[d.date.end : d.noun.start]):
        return NEVER
    return None


def effective_never_an_end(d: DateSite) -> str | None:
    """"a 0% tariff will apply through January 20", "for a year to March 31", "retroactive to
    May 1": an end, a span or a backdating is not a start (a delay "to" is: see below)."""
    word = d.lead or ""
    if word.startswith(("through", "retroactive")) or (re.match(r"for\b", word) and not _SET_FOR.search(d.before)):
        return NEVER
    if word.startswith(("to", "until")) and not _DELAY_TO.search(d.text[max(d.lo, d.date.start - 160) : d.date.start]):
        return NEVER
    return None


def effective_delayed_to(d: DateSite) -> str | None:
    """"the tariffs were delayed until March 1", "postponed the rise to Dec 15": the new start."""
    if d.lead and _DELAY_TO.search(d.text[max(d.lo, d.date.start - 160) : d.date.start]):
        return STRONG
    return None


def effective_lead(d: DateSite) -> str | None:
    """"effective July 1", "from March 5", "starting May 2, 2025", "beginning on", "as of",
    "take effect on", "come into force in", "effective at 12:01 a.m. eastern time on": a
    start said outright."""
    if d.lead is None:
        return None
    if _STRONG_LEAD.search(d.lead) or re.search(
        r"(?:imposing|effective|beginning|starting|effect|force|due|a\.m\.|p\.m\.|EDT|EST|ET|eastern\s+time)\s+(?:on|in)\s+$",
        d.before, re.IGNORECASE
    ):
        return STRONG
    return None


def effective_set_for(d: DateSite) -> str | None:
    """"the increase is set for Sept 15", "scheduled for July 1"."""
    return STRONG if d.lead and _SET_FOR.search(d.before) else None


def effective_signed_with(d: DateSite) -> str | None:
    """"signed an Executive Order last Friday removing that tariff": an order that does
    the change itself dates it, when nothing else does."""
    if d.date.end <= d.noun.start and _SIGNED.search(d.text[max(d.lo, d.date.start - 60) : d.date.start]) \
            and _DOING.match(d.text[d.date.end : d.noun.start]):
        return WEAK
    return None


def effective_bare_relative(d: DateSite) -> str | None:
    """"Taiwan will cut import tariffs on 862 goods to 20 pct next month", "the duties rise to
    15 pct tomorrow": a coming day or month right after the measure, with no preposition, is
    its start."""
    if d.lead is None and d.date.start > d.noun.end and re.match(r"(?i)(?:next|coming|tomorrow)\b", d.date.text) \
            and _close(d.text, d.date, d.noun):
        return WEAK
    return None


def effective_next_to(d: DateSite) -> str | None:
    """"duties on steel on Oct 15", "In March, a 10 pct duty": a date only "on" or "in" ties
    to the measure, standing right next to it."""
    return WEAK if d.lead and _close(d.text, d.date, d.noun) else None


EFFECTIVE_RULES: tuple[Callable[[DateSite], str | None], ...] = (
    effective_never_said,
    effective_never_past_deed,
    effective_never_another_deed,
    effective_never_an_end,
    effective_delayed_to,
    effective_lead,
    effective_set_for,
    effective_signed_with,
    effective_bare_relative,
    effective_next_to,
)
"""What a date of the sentence is to the measure: the first rule that answers decides
(STRONG: said outright; WEAK: only placed next to it; NEVER: not its start)."""

_ANOTHER_VERB = re.compile(r"\b(?:and|but|then|before|after)\s+(?:later\s+|then\s+|also\s+)?[a-z]{3,}ed\b", re.IGNORECASE)
_PAST_DEED = re.compile(
    r"^[^;,]{0,60}?\b(?:(?:it|they|which|that|was|were|had\s+been|has\s+been)\s+)?(?:imposed|announced|introduced|levied|"
    r"adopted|placed)\b[^;,]{0,40}?\s(?:on|in|since)\s+$",
    re.IGNORECASE,
)
_SIGNED = re.compile(r"\b(?:signed|issued)\s+(?:an?\s+|the\s+|three\s+|two\s+)?(?:[\w-]+\s+){0,3}$", re.IGNORECASE)
_DOING = re.compile(r"\s+(?:removing|lifting|imposing|raising|increasing|reducing|lowering|eliminating|cutting|"
                    r"modifying|suspending)\s+(?:[\w%.-]+\s+){0,4}$", re.IGNORECASE)


def effective(s: SentenceFacts, lo: int, hi: int, noun: Noun) -> tuple[str | None, bool]:
    """The date the measure takes effect by `EFFECTIVE_RULES`, and whether the text says so
    outright; the first strong date wins, else the first weak one."""
    text = s.masked
    strong: str | None = None
    weak: str | None = None
    for d in s.dates:
        if d.start < lo or d.start >= hi:
            continue
        before = text[max(0, d.start - 50) : d.start]
        lead = _EFFECT_LEAD.search(before) or re.search(r"(?P<lead>\beffect)\s+$", before)
        site = DateSite(text, noun, lo, d, before, lead.group("lead").lower() if lead else None)
        verdict = next((v for rule in EFFECTIVE_RULES if (v := rule(site)) is not None), None)
        if verdict == STRONG:
            strong = strong or d.value
        elif verdict == WEAK:
            weak = weak or d.value
    return strong or weak, strong is not None


def _close(text: str, d: DateSpan, noun: Noun) -> bool:
    """A date that only "on" or "in" ties to the measure must stand next to it: after it in
    the same stretch of the clause, or opening the clause a few words before it."""
    if d.start >= noun.end:
        between = text[noun.end : d.start]
        listed = not _NOT_A_LIST.search(between)  # "on jeans, bourbon and motorcycles on Friday"
        return ("," not in between or listed) and d.start - noun.end <= 120
    return len(text[d.end : noun.start].split()) <= 8


_NOT_A_LIST = re.compile(
    r"\b(?:said|says|which|that|who|while|when|after|before|since|because|but|were|was|is|are|has|have|had)\b",
    re.IGNORECASE,
)
"""Between a measure and a date: a clause of its own, not just a list of goods."""
_DAYS_LATER = re.compile(
    r"\b(?P<n>\d{1,3}|[a-z]+(?:-[a-z]+)?)\s+days\s+(?:after|following|from)\s+(?:the\s+)?"
    r"(?:signing|its\s+signing|publication|(?:date\s+of\s+)?(?:this|the)\s+(?:order|proclamation|notice|memorandum)"
    r"|date\s+of\s+(?:this|the)\s+(?:order|proclamation|notice))\b"
    r"|\b(?:into\s+effect|effective|take\s+effect|go\s+into\s+effect)\s+in\s+(?P<n2>\d{1,3}|[a-z]+(?:-[a-z]+)?)\s+days\b",
    re.IGNORECASE,
)


def days_later(text: str, anchor: date | None) -> list[DateSpan]:
    """"will take effect 30 days after signing", "N days after the date of this order",
    "will come into effect in 120 days": a start given as days after the story's own day
    (the day the order is signed), as a date for the tariff reader only (the dates of a
    story leave durations out)."""
    out: list[DateSpan] = []
    if anchor is None:
        return out
    for m in _DAYS_LATER.finditer(text):
        key = "n" if m["n"] else "n2"
        n = parse_number(m[key])
        if n is None or n > 400:
            continue
        value = (anchor + timedelta(days=int(n))).isoformat()
        start = m.start(key)
        out.append(DateSpan(start, m.end(), text[start : m.end()], value))
    return out
