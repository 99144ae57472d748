"""Reading one sentence for the tariff measures it mentions.

A mention is what one sentence says about one measure: the rates, the value of goods
covered, the goods, who levies it on whom, from when, and in what state (the parts are read
by `tariff_amounts`, `tariff_parties` and `tariff_timing`). `tariffs/extract.py` merges the mentions
of an article into measures.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from bot.analysis.countries import find_countries
from bot.analysis.dates.extract import DateSpan
from bot.analysis.tariffs.amounts import rates, value
from bot.analysis.tariffs.cues import DEMANDERS, MEASURE, NEGATED, PAST_TIME, Cue, status_cues
from bot.analysis.tariffs.parties import SELF, SUBJECT_VERB, Site, imposer, products, targets
from bot.analysis.tariffs.sentence import QUALIFIER, Noun, SentenceFacts, clause, read_facts
from bot.analysis.tariffs.timing import effective, governs, holds_back_change, status
from bot.domain import Status

__all__ = ["SELF", "Mention", "read_sentence"]

REMEDY = re.compile(
    r"\b(?:dumped|subsidi[sz]ed|sold\s+at\s+less\s+than\s+fair\s+value)\b"
    r"(?=[^;.]{0,80}?\bat\s+(?:a\s+|an\s+)?(?:weighted-average\s+)?(?:rates?|margins?)\b)",
    re.IGNORECASE,
)
"""A trade-remedy finding that stands for its duty: "olives from Spain were dumped at rates
ranging from 12.40 to 31.75 percent", "were subsidized at a rate of 7.5 percent"."""
_CHANGE_TAIL = re.compile(r"(?:increases?|hikes?|cuts?|reductions?|rises?)$", re.IGNORECASE)
_PARTIAL = re.compile(r"\b(?:some|certain|several|a\s+few|part\s+of|a\s+portion\s+of)\s+(?![\d,]+)", re.IGNORECASE)
_DEFINITE = re.compile(r"\b(?:the|these|those|such|this|that)\s+(?:[\w%.-]+\s+){0,3}$", re.IGNORECASE)
_CHANGE_ONLY = re.compile(
    r"\b(?:a|an|the|further)?\s*(?:cut|cuts|reduction|reductions|increase|increases|rise|hike|hikes)"
    r"\s+(?P<prep>to|of|by)\s+(?P<q>(?:" + QUALIFIER + r"|up\s+to)\s+)?$",
    re.IGNORECASE,
)
_CHANGE_VERB = re.compile(
    r"\b(?:rais|increas|lift|cut|lower|reduc|hik|doubl|slash|trim)\w*\s+(?:it|them|that|this|"
    r"the\s+(?:rate|rates|levy|levies|tariffs?|duty|duties|surcharges?))\s+(?P<prep>to|by)\s+"
    r"(?P<q>(?:" + QUALIFIER + r"|up\s+to)\s+)?$",
    re.IGNORECASE,
)
_CUT_WORDS = re.compile(r"\b(?:cut|cuts|reduc\w*|lower\w*|slash\w*|trim\w*)\b", re.IGNORECASE)
_LEVY_VERB = re.compile(r"\b(?:to|will|would|may|could|can|not)\s+$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Mention:
    """What one sentence says about one tariff measure."""

    sentence: int
    evidence: str
    new_rate: float | None = None
    old_rate: float | None = None
    change_text: str | None = None
    value_usd: int | None = None
    value_text: str | None = None
    products: str | None = None
    imposer: str | None = None
    target: str | None = None
    also: tuple[str, ...] = ()
    """Further targets the sentence lists with `target` ("from Canada and Mexico")."""
    effective: str | None = None
    effective_stated: bool = False
    """The effective date was read after "effective", "take effect", "from", "set for"."""
    status: Status = "in_effect"
    strength: int = 0
    cue_near: bool = False
    definite: bool = False
    partial: bool = False
    change_only: bool = False
    held_change: bool = False
    """The sentence delays or suspends a planned rise or cut of the measure ("delay a planned
    rise in its rice import tariff"): news of its own, even with no rate or value."""

    @property
    def has_numbers(self) -> bool:
        return any(v is not None for v in (self.new_rate, self.old_rate, self.value_usd,
                                            self.value_text, self.change_text))


def read_sentence(index: int, text: str, dates: list[DateSpan], in_context: bool) -> list[Mention]:
    """The tariff mentions of one sentence; `dates` are its calendar references (offsets in
    `text`); `in_context` says the story was just talking about a tariff measure, so a bare
    "a cut to seven pct" belongs to it."""
    s = read_facts(index, text, dates)
    out: list[Mention] = []
    used: set[int] = set()
    nouns = [m for m in MEASURE.finditer(s.masked) if _is_measure_noun(s.masked, m)]
    nouns = sorted([*nouns, *REMEDY.finditer(s.masked)], key=lambda m: m.start())[:MAX_NOUNS]
    for i, noun in enumerate(nouns):
        limit = nouns[i + 1].start() if i + 1 < len(nouns) else len(s.masked)
        mention = _read_noun(s, Noun.of(noun, s.masked), limit, used)
        out.append(mention)
        out.extend(_elided(s, noun.end(), limit, mention, used))
    if in_context or nouns:
        out.extend(_change_only(s, used))
    return out


_ELIDED = re.compile(
    r",?\s+and\s+(?:(?:those\s+|duties\s+|tariffs\s+)?on\s+)(?P<goods>[^,;%]{2,50}?)\s+(?:to|at|of)\s+(?:"
    + QUALIFIER + r"\s+)?$",
    re.IGNORECASE,
)


_ELIDED_AFTER = re.compile(
    r"\s+on\s+(?P<goods>[^,;.%]{2,50}?)(?=\s*[,;.]|\s+(?:and|from|starting|effective|beginning|as\s+of)\b|\s*$)",
    re.IGNORECASE,
)


def _elided(s: SentenceFacts, start: int, limit: int, first: Mention, used: set[int]) -> list[Mention]:
    """"doubled tariffs on U.S. cars to 120 percent and on alcohol to 140 percent", "tariffs of
    25 percent on steel imports and 10 percent on aluminum": a second measure with its noun
    left out, by the same imposer, on other goods."""
    out: list[Mention] = []
    if first.new_rate is None:
        return out
    for i, p in enumerate(s.percents):
        if i in used or p.start < start or p.start >= limit:
            continue
        found = _ELIDED.search(s.masked[max(start, p.start - 80) : p.start])
        if found is None and re.search(r"\band\s+$", s.masked[max(start, p.start - 6) : p.start]):
            found = _ELIDED_AFTER.match(s.masked, p.end)
        if found is None:
            continue
        used.add(i)
        goods = found["goods"].strip()
        countries = find_countries(goods)
        out.append(replace(first, new_rate=p.high if p.high is not None else p.value, old_rate=None,
                           change_text=None, value_usd=None, value_text=None, products=goods,
                           target=countries[0][2] if countries else first.target, also=()))
    return out


def _is_measure_noun(text: str, m: re.Match[str]) -> bool:
    word = m.group(0).lower()
    if word == "levy" and _LEVY_VERB.search(text[: m.start()]):
        return False  # "started to levy a bond": the verb
    if m.group(0) in ("Levy", "Duty") and m.start() > 0 and not re.match(r"\s+(?:on|of)\b", text[m.end() :]):
        return False  # "Levy predicts GNP will grow": a name
    return not NEGATED.search(text[max(0, m.start() - 30) : m.start()])


MAX_NOUNS = 24
"""Measure nouns read in one sentence: no real sentence has more; a hostile one could."""
CLAUSE_REACH = 320
"""How far (characters) from its noun a measure's clause reaches, so that a sentence with
no punctuation costs linear time, not quadratic."""


@dataclass(frozen=True, slots=True)
class Reading:
    """The state and rates of a measure while the status rules refine them."""

    state: Status
    strength: int
    new: float | None
    old: float | None
    change: str | None
    best: Cue | None
    near: bool
    """The strongest cue governs the noun ("lifted the duties", "tariffs were delayed")."""
    held: bool = False


@dataclass(frozen=True, slots=True)
class Clause:
    """What a status rule reads: the masked sentence, the measure's clause and its noun."""

    text: str
    lo: int
    hi: int
    noun: Noun
    cues: tuple[Cue, ...]
    goods: str | None = None
    targets: tuple[str, ...] = ()

    def cue_text(self, c: Cue) -> str:
        return self.text[self.lo + c.start : self.lo + c.end]


def status_held_change(c: Clause, r: Reading) -> Reading:
    """"Japan will delay a planned rise in its rice import tariff", "suspended the tariff
    increase": the change waits, the measure stays (delayed)."""
    if r.best is not None and r.near and holds_back_change(c.text, c.lo + r.best.start, c.lo + r.best.end, c.noun):
        return replace(r, state="delayed", held=True)
    return r


def status_cut_to_zero(c: Clause, r: Reading) -> Reading:
    """"Ghana cut its duty on sauces to zero from 5 per cent": a rate taken to 0 is a removal."""
    if r.new == 0.0 and r.state in ("in_effect", "announced") and not r.held:
        return replace(r, state="removed", strength=5)
    return r


def status_removal_sought(c: Clause, r: Reading) -> Reading:
    """"The US seeks to eliminate tariffs on ...": a removal only asked for is proposed."""
    if r.state == "removed" and any(x.status == "proposed" for x in c.cues):
        return replace(r, state="proposed", strength=3)
    return r


def status_removal_rates(c: Clause, r: Reading) -> Reading:
    """"the abolition of the five pct export tax" (old 5, new 0), "will lift duties on
    Canadian steel", "Indonesia will eliminate 99 percent of tariff barriers for U.S.
    products" (new 0): a removal that governs the noun takes its rate to 0 (with no rate
    given, only where the text names the goods or whose they are)."""
    if r.best is None or r.best.status != "removed" or not r.near or r.change is not None or r.held:
        return r
    if r.new is not None and r.old is None:
        return replace(r, old=r.new, new=0.0)
    if r.new is None and (c.goods or c.targets):
        return replace(r, new=0.0)
    return r


def status_removal_to_come(c: Clause, r: Reading) -> Reading:
    """"Indonesia will eliminate tariffs on US goods", "agreed to remove the additional 25%
    tariff", "China will suspend its 34% tariff": a removal still to come is announced (its
    new rate is 0 all the same); a later "signed an order removing" makes it removed."""
    if r.state != "removed" or r.best is None:
        return r
    before = c.text[max(0, c.lo + r.best.start - 40) : c.lo + r.best.start]
    if _TO_COME.search(before) or (r.best.status == "announced" and r.best.strength == 2):
        return replace(r, state="announced", strength=4)
    return r


def status_agreed_in_past(c: Clause, r: Reading) -> Reading:
    """"agreed to impose a duty ... earlier this year", "On August 30, 2019, the Trade
    Representative determined to increase the rate": a decision dated in the past is in
    force. ("has determined to" with no date is the notice's own decision: announced.)"""
    if r.best is not None and r.state == "announced" \
            and (PAST_TIME.search(c.text[c.lo : c.hi]) or _DATED_OPENING.match(c.text)) \
            and re.match(r"(?i)agree|decid|approv|determin", c.cue_text(r.best)):
        return replace(r, state="in_effect")
    return r


_DATED_OPENING = re.compile(r"\W*(?:On|In)\s+[A-Z][a-z]+\.?\s+\d{1,2},?\s+(?:19|20)\d\d\b(?![^,]{0,40}\bwill\b)")
"""A sentence that opens on a day of a year ("On August 20, 2019, ..."): a narrated step."""


def status_means_of(c: Clause, r: Reading) -> Reading:
    """"has determined to revise the action by increasing the rate on aircraft, and by
    modifying the list of products subject to additional 25 percent duties": a clause that
    only says by what means, with no cue of its own, takes the state of the verb it serves."""
    if r.best is not None or not _MEANS.match(c.text[c.lo : c.noun.start]):
        return r
    cues = [x for x in status_cues(c.text[: c.lo]) if x.strength >= 2]
    if not cues:
        return r
    best = max(cues, key=lambda x: (x.strength, x.start))
    return replace(r, state=best.status, strength=best.strength)


_MEANS = re.compile(r"\s*(?:and\s+)?by\s+\w+ing\b", re.IGNORECASE)


def status_maintained(c: Clause, r: Reading) -> Reading:
    """"Washington is to maintain at 19 percent the reciprocal tariffs it charges", "keep the
    duty at 10 pct": a rate a deal keeps is in force."""
    if _MAINTAIN.search(c.text[max(c.lo, c.noun.start - 80) : c.noun.start]):
        return replace(r, state="in_effect", strength=4)
    return r


def status_listed_under(c: Clause, r: Reading) -> Reading:
    """"USTR is proposing a range of actions, including suspension of benefits and additional
    duties of up to 100 percent": a measure listed as an item of what an earlier verb does,
    with no cue of its own, takes that verb's state."""
    if r.best is not None:
        return r
    head = c.text[: c.noun.start]
    listed = _LISTING.search(head)
    if listed is None:
        return r
    cues = [x for x in status_cues(head[: listed.start()]) if x.strength >= 2]
    if not cues:
        return r
    best = max(cues, key=lambda x: (x.strength, x.start))
    return replace(r, state=best.status, strength=best.strength)


STATUS_RULES: tuple[Callable[[Clause, Reading], Reading], ...] = (
    status_held_change,
    status_cut_to_zero,
    status_removal_sought,
    status_removal_rates,
    status_removal_to_come,
    status_agreed_in_past,
    status_maintained,
    status_listed_under,
    status_means_of,
)
"""After the strongest cue of the clause (`tariff_timing.status`), each rule in turn refines
the state (and the rates a removal implies)."""

_LISTING = re.compile(r"\b(?:including|such\s+as|among\s+them|notably)\b(?!.*\b(?:including|such\s+as)\b)",
                      re.IGNORECASE)
_TO_COME = re.compile(
    r"\b(?:will|shall|would|to)\s+(?:(?:also|further|fully|then|now|each|both|immediately|either)\s+)?"
    r"(?:(?:\w+\s+or|\w+\s+and)\s+)?$",
    re.IGNORECASE,
)
_MAINTAIN = re.compile(
    r"\b(?:maintain\w*|keep\w*|kept|retain\w*|hold\w*|held)\s+(?:it\s+|them\s+)?(?:at|to)\s+\S+\s+"
    r"(?:%|pct|per\s*cent|percent)\s+(?:the\s+|its\s+|their\s+)?(?:[\w-]+\s+){0,2}$"
    r"|\b(?:maintain\w*|keep\w*|kept|retain\w*)\s+(?:the\s+|its\s+|their\s+|a\s+|an\s+)?"
    r"(?:[\w%.-]+\s+){0,3}$",
    re.IGNORECASE,
)


def _read_noun(s: SentenceFacts, noun: Noun, limit: int, used: set[int]) -> Mention:
    text = s.masked
    lo, hi = clause(text, noun.start, noun.end)
    lo, hi = max(lo, noun.start - CLAUSE_REACH), min(hi, noun.end + CLAUSE_REACH)
    hi_rates = min(hi, limit, noun.end + 220)
    new, old, change, upto = rates(s, noun, lo, hi_rates, used)
    if new is not None and old is None and change is None and _CHANGE_TAIL.search(text[noun.start : noun.end]) \
            and not re.match(r"\s*(?:of|to)\b", text[noun.end :]):
        change, new = f"{_fmt(new)} pct", None  # "a 30 pct tariff increase"
    if upto and new is not None and old is None and _CUT_WORDS.search(text[lo:hi]):
        change, new = f"up to {_fmt(new)} pct", None  # "reduced tariffs of up to 50 pct"
    amount, dollars = value(s, noun, hi_rates)
    cues = tuple(status_cues(text[lo:hi]))
    state, strength, best = status(text, list(cues), lo, noun)
    near = best is not None and governs(text, lo + best.start, lo + best.end, noun)
    c = Clause(text, lo, hi, noun, cues)
    r = Reading(state, strength, new, old, change, best, near)
    r = status_held_change(c, r)  # first: the goods of a held change are read bare
    goods, goods_span = products(s, noun, lo, hi, bare=r.held)
    site = Site(s, noun, lo, hi, goods_span)
    whom = targets(site)
    c = replace(c, goods=goods, targets=whom)
    for rule in STATUS_RULES[1:]:
        r = rule(c, r)
    before = text[max(0, noun.start - 40) : noun.start]
    starts, stated = effective(s, lo, hi, noun)
    return Mention(
        sentence=s.index,
        evidence=s.text,
        new_rate=r.new,
        old_rate=r.old,
        change_text=r.change,
        value_usd=int(dollars.amount) if dollars is not None else None,
        value_text=amount.text if amount is not None else None,
        products=goods,
        imposer=imposer(site, whom),
        target=whom[0] if whom else None,
        also=whom[1:],
        effective=starts,
        effective_stated=stated,
        status=r.state,
        strength=r.strength,
        cue_near=near,
        held_change=r.held,
        definite=bool(_DEFINITE.search(before)),
        partial=bool(_PARTIAL.search(text[noun.end : noun.end + 25]) or _PARTIAL.search(before[-12:])),
    )


def _fmt(x: float) -> str:
    return f"{x:g}"


def _change_only(s: SentenceFacts, used: set[int]) -> list[Mention]:
    """"a cut to seven pct", "cuts of up to 50 pct", "raise it to 35 pct": a change with no
    measure noun of its own, in a story that was just talking about one."""
    out: list[Mention] = []
    for i, p in enumerate(s.percents):
        if i in used:
            continue
        lead = s.masked[max(0, p.start - 60) : p.start]
        m = _CHANGE_ONLY.search(lead) or _CHANGE_VERB.search(lead)
        if not m:
            continue
        used.add(i)
        lo, hi = clause(s.masked, p.start, p.end)
        cues = list(status_cues(s.masked[lo:hi]))
        state: Status = "in_effect"
        strength = 0
        if cues:
            best = max(cues, key=lambda c: c.strength)
            state, strength = best.status, best.strength
        new: float | None = None
        change: str | None = None
        if m.group("prep").lower() == "to" and "up" not in (m.group("q") or ""):
            new = p.value
        else:
            change = (m.group("q") or "") + p.text
        subjects = [c for c in s.countries if lo <= c[0] < hi and not DEMANDERS.match(s.masked[c[1] : c[1] + 60])
                    and SUBJECT_VERB.match(s.masked[c[1] : c[1] + 70])]
        out.append(Mention(
            sentence=s.index, evidence=s.text, new_rate=new, change_text=change,
            imposer=subjects[0][2] if subjects else None, status=state, strength=strength,
            effective=effective(s, lo, hi, Noun(p.start, p.end))[0], change_only=True,
        ))
    return out
