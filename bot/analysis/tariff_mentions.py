"""Reading one sentence for the tariff measures it mentions.

A mention is what one sentence says about one measure: the rates, the value of goods
covered, the goods, who levies it on whom, from when, and in what state. Numbers are
linked to a measure noun only through the constructions news copy uses for that
("a 15 pct duty", "tariffs of 100 per cent - up from about five per cent", "tariffs on
US$250 billion of Chinese goods to 30 per cent from 25 per cent", "300 mln dlr penalty
tariffs"), so trade-flow figures in the same sentence stay out. `tariffs.py` merges the
mentions of an article into measures.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.analysis.countries import find_countries
from bot.analysis.dates import DateSpan
from bot.analysis.numbers import Money, Percent, find_money, find_percents
from bot.analysis.tariff_cues import (
    DEMANDERS,
    MEASURE,
    NEGATED,
    PAST_TIME,
    Cue,
    mask_non_measures,
    status_cues,
)
from bot.domain import Status

SELF = "<self>"
"""Target placeholder: a measure on the imposer's own exports ("on its lumber exports")."""

_FUNCTION_WORDS = frozenset(
    """of on to from in for by at with and or but the a an which that was were is are be been
    has have had because than as while after before against into over under said its their
    his her this these those it they he she who whom without not no per""".split()
)
_CLAUSE_BREAK = re.compile(
    r";|\s(?:but|while|whereas|although|though|because|after|before|since|unless|if)\s|,\s+(?:and|but)\s",
    re.IGNORECASE,
)
_QUALIFIER = (r"(?:about|around|some|nearly|almost|roughly|approximately|just|only|over|under|between"
              r"|an?\s+average\s+of)")
_TO_LEAD = re.compile(r"\bto\s+(?:" + _QUALIFIER + r"\s+)?$", re.IGNORECASE)
_UPTO_LEAD = re.compile(r"\b(?:up\s+to|as\s+much\s+as|as\s+high\s+as|of\s+up\s+to)\s+$", re.IGNORECASE)
_FROM_LEAD = re.compile(
    r"(?:\bfrom|\bcompared\s+with|\bagainst|\bversus|\bvs\.?)\s+(?:" + _QUALIFIER + r"\s+)?$",
    re.IGNORECASE,
)
_BY_LEAD = re.compile(r"\bby\s+(?:" + _QUALIFIER + r"\s+|up\s+to\s+|as\s+much\s+as\s+)?$", re.IGNORECASE)
_OTHER_VERB = re.compile(r"\b(?:and|but)\s+(?:\w+\s+)?(?:\w+ed|cut|set|raise|lower|reduce)\s+to\s+", re.IGNORECASE)
_VERB_FIRST = re.compile(r"\b(?:cut|raised|lowered|reduced|increased|set|lifted)\s+to\s+(?:" + _QUALIFIER + r"\s+)?$",
                         re.IGNORECASE)
_BY_OWN = re.compile(
    r"^\s*,?\s*(?:(?:on|for)\s+[^;]{0,80}?\s+)?(?:(?:will|would|could|should|to|was|were|are|is|be|been|"
    r"being|have|has|had|also|further)\s+)*(?:[a-z]+ed|cut|raise|lower|reduce|increase|rise|fall|"
    r"go\s+up|come\s+down|slash|trim)?\s*\bby\s+(?:" + _QUALIFIER + r"\s+|up\s+to\s+|as\s+much\s+as\s+)?$",
    re.IGNORECASE,
)
_OF_LEAD = re.compile(
    r"^\s*,?\s*(?:(?:on|against|for)\s+[^,;]{1,80}?\s+)?(?:of|at)\s+(?:" + _QUALIFIER
    + r"\s+|up\s+to\s+|between\s+|as\s+much\s+as\s+|as\s+high\s+as\s+)?$",
    re.IGNORECASE,
)
_RATE_PHRASE = r"(?:(?:of|at|to)\s+[^,;]{0,40}?(?:%|pct|per\s*cent|percent)\s+)?"
_AMOUNT_QUALIFIER = r"(?:as\s+much\s+as\s+|up\s+to\s+|about\s+|some\s+|nearly\s+|almost\s+|around\s+|an\s+estimated\s+)?"
_VALUE_LEAD = re.compile(
    r"^\s*(?:" + _RATE_PHRASE + r"(?:on|against|covering|affecting|hitting|targeting|for)\s+(?:[\w'-]+,?\s+){0,10}?"
    r"(?:worth\s+|valued\s+at\s+)?|(?:worth|of|totall?ing|covering)\s+|on\s+[^,;]{0,60}?\s+by\s+"
    r"|(?:will\s+|would\s+|could\s+|to\s+)?(?:affect|cover|hit|target)s?\s+)" + _AMOUNT_QUALIFIER + r"$",
    re.IGNORECASE,
)
_VALUE_BEFORE = re.compile(
    r"^(?:\s+(?:[\w-]+\s+){0,2}|\s+(?:worth\s+of|in)\s+(?:(?:U\.S\.|US|[A-Z][a-z]+)\s+)?"
    r"(?:(?:new|penalty|retaliatory|punitive|additional|higher|import|proposed)\s+)*)$"
)
_REVENUE = re.compile(r"\b(?:collect\w*|paid|pay\w*|rais\w*|generat\w*|brought\s+in|revenue\w*|earn\w*)\s+"
                      r"(?:\w+\s+){0,3}$", re.IGNORECASE)
_ON_PHRASE = re.compile(
    r"\s*" + _RATE_PHRASE.replace("[^,;]", "[^,;]") + r"(?:on|against)\s+"
    r"(?!(?:the\s+)?(?:grounds|behalf|top|basis|condition|average|Monday|Tuesday|Wednesday|Thursday|"
    r"Friday|Saturday|Sunday)\b)(?P<p>[^;:]+)",
    re.IGNORECASE,
)
_CHANGE_TAIL = re.compile(r"(?:increases?|hikes?|cuts?|reductions?|rises?)$", re.IGNORECASE)
_NOUN_TAIL = re.compile(
    r"\s+(?:rates?|increases?|hikes?|cuts?|reductions?|rises?|levels?)\b", re.IGNORECASE
)
_PRODUCT_END = re.compile(
    r"\s+(?:to|from|by|at|of)\s+(?:" + _QUALIFIER + r"\s+)?(?:[\w.]+\s*(?:and|to|-|–)\s*)?[\w.]+\s*"
    r"(?:%|per\s*cent|pct|percent)"
    r"|\s*(?:,(?!\d)|[;:(])|\s+-\s|\s+(?:which|that|was|were|is|are|will|would|has|have|had|could|should"
    r"|from\s+(?:the\s+)?\w+\s+\d+|for\s+(?:a|an|the|another|\d+|one|two|three|four|five|six|several)\s+"
    r"(?:\w+\s+)?(?:days?|weeks?|months?|years?)|starting|effective|beginning|as\s+of|in\s+(?:19|20)\d\d"
    r"|on\s+(?:grounds|the\s+grounds)|until|unless|because|after|before|when|if|and\s+(?:the|a|an|to|is)"
    r"|by\s+(?:as\s+much\s+as|up\s+to|about|some|\d)|for\s+(?:its|their|[A-Z]\w+'s)|set\s+to|due\s+to"
    r"|scheduled|slated|expected|alleging|claiming|saying|took|take|takes|went|came|come|rose|fell|rise"
    r"|fall|remain|remained|hurt|hurts|affect|affects|affected|cover|covers|covered|double|doubled"
    r"|earlier|later|last|next|this\s+(?:year|month|week)|in\s+(?:an?\s+)?(?:effort|bid|move|attempt|"
    r"response|retaliation)|to\s+(?:end|help|protect|counter|offset|punish|retaliate|force|pressure|curb"
    r"|encourage|promote|boost|support|reduce|raise|stem|discourage|limit|prevent|ease|narrow|cut|"
    r"compensate|give|allow|make|stop|keep|shield|defend))\b",
    re.IGNORECASE,
)
_GOODS_OF = re.compile(
    r"\b(?:imports|exports|shipments|purchases)\s+of\s+(?:goods\s+such\s+as\s+|products\s+such\s+as\s+)?"
    r"(?P<p>[\w' -]{2,60}?)(?=[,;.]|\s+(?:where|which|that|from|to|into|worth|valued)\b|$)",
    re.IGNORECASE,
)
_DETERMINERS = re.compile(
    r"^(?:the|a|an|some|all|any|those|these|such|its|their|an\s+additional\s+batch\s+of|additional|other"
    r"|another|further|more)\s+",
    re.IGNORECASE,
)
_OWN_GOODS = re.compile(r"^(?:its|their)\s+(?:own\s+)?", re.IGNORECASE)
_SUBJECT_VERB = re.compile(
    r"^(?:'s)?\s*(?:[A-Za-z.'-]+\s+){0,4}?(?:has\s+|have\s+|had\s+|will\s+|would\s+|is\s+|are\s+|was\s+|"
    r"were\s+|also\s+|then\s+|later\s+|now\s+|already\s+)*(?:impos|levi|levy|rais|rais|cut|lower|reduc|"
    r"increas|announc|decid|order|agree|plan|threat|slap|lift|remov|eliminat|abolish|scrap|suspend|"
    r"delay|postpon|hik|introduc|applie|apply|charg|set|began|start|approv|propos|recommend|consider)",
    re.IGNORECASE,
)
_OBJECT_PREPS = frozenset("on against from of with to for in by over between into".split())
_EFFECT_LEAD = re.compile(
    r"(?P<lead>\b(?:effective(?:\s+from)?|starting(?:\s+from)?|beginning|as\s+of|from|on|in|since|effect|force"
    r"|for|to|until|retroactive\s+to)\s+(?:the\s+)?)$",
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
_STRONG_LEAD = re.compile(r"effective|starting|as\s+of|from|effect|force", re.IGNORECASE)
_PARTIAL = re.compile(r"\b(?:some|certain|several|a\s+few|part\s+of|a\s+portion\s+of)\s+(?![\d,]+)", re.IGNORECASE)
_DEFINITE = re.compile(r"\b(?:the|these|those|such|this|that)\s+(?:[\w-]+\s+){0,3}$", re.IGNORECASE)
_CHANGE_ONLY = re.compile(
    r"\b(?:a|an|the|further)?\s*(?:cut|cuts|reduction|reductions|increase|increases|rise|hike|hikes)"
    r"\s+(?P<prep>to|of|by)\s+(?P<q>(?:" + _QUALIFIER + r"|up\s+to)\s+)?$",
    re.IGNORECASE,
)
_CHANGE_VERB = re.compile(
    r"\b(?:rais|increas|lift|cut|lower|reduc|hik|doubl|slash|trim)\w*\s+(?:it|them|that|this|"
    r"the\s+(?:rate|rates|levy|levies|tariffs?|duty|duties|surcharges?))\s+(?P<prep>to|by)\s+"
    r"(?P<q>(?:" + _QUALIFIER + r"|up\s+to)\s+)?$",
    re.IGNORECASE,
)
_INSTITUTIONS = re.compile(
    r"\b(?P<us>White\s+House|USTR|Commerce\s+Department|Department\s+of\s+Commerce|Customs\s+Bureau)\b"
    r"|\b(?P<eu>European\s+Commission)\b|\b(?P<jp>MITI)\b"
)
_TARGET_HIT = re.compile(r"\b(?:hit|hitting|hits|slap|slapping|target|targeting|punish|punishing)\s+(?:the\s+)?$",
                         re.IGNORECASE)
_TARGET_LEADS = [
    re.compile(p, re.IGNORECASE)
    for p in (
        r"\b(?:imports?|exports?|goods|products|shipments)\s+(?:of\s+[^;]{0,40}?\s+)?from\s+(?:the\s+)?$",
        r"\bimports\s+of\s+[^;]{0,40}?$",
        r"\bagainst\s+(?:the\s+)?$",
        r"\bretaliation\s+(?:for|against)\s+(?:what\s+\w+\s+\w+\s+as\s+)?(?:the\s+)?$",
    )
]
_GOODS_AFTER = re.compile(r"(?:'s)?\s+(?:[a-z][a-z-]*\s+){0,2}?(?P<w>[a-z][a-z-]+)\b")
_ADJECTIVE_ENDING = re.compile(r"(?:ese|ian|ean|an|ish|ch|i|ic)$")
_NAMES_LIKE_ADJECTIVES = frozenset("Japan Iran Oman Taiwan Sudan Jordan Bhutan Pakistan Mali".split())
_NOT_GOODS = frozenset(
    """officials official government governments authorities authority minister ministers ministry
    negotiators negotiator firms firm companies company industry industries producers makers
    manufacturers side sides delegation trade president prime economy economic market markets
    policy policies pressure demands demand surplus deficit currency yen dollar dollars
    counterpart counterparts sources source spokesman spokesmen farmers workers banks bank state
    states envoy envoys team leaders leader parliament congress lawmakers and or to of in on
    for with by at from as is are was were has have had will would said says told the a an
    its their that which who whose than but if not also largest biggest main chief top
    relations ties talks dispute row practices failure alleged efforts move moves action
    retaliation counterpart consumers interests interest tariff tariffs duty duties levy levies
    surcharge surcharges surtax tax taxes import export customs anti-dumping countervailing
    penalty retaliatory reports report press newspapers newspaper media analysts economists
    published said sources""".split()
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
    effective: str | None = None
    effective_stated: bool = False
    """The effective date was read after "effective", "take effect", "from", "set for"."""
    status: Status = "in_effect"
    strength: int = 0
    cue_near: bool = False
    definite: bool = False
    partial: bool = False
    change_only: bool = False

    @property
    def has_numbers(self) -> bool:
        return any(v is not None for v in (self.new_rate, self.old_rate, self.value_usd,
                                            self.value_text, self.change_text))


@dataclass(frozen=True, slots=True)
class _Sentence:
    index: int
    text: str
    masked: str
    percents: list[Percent]
    money: list[Money]
    countries: list[tuple[int, int, str]]
    dates: list[DateSpan]


def read_sentence(index: int, text: str, dates: list[DateSpan], in_context: bool) -> list[Mention]:
    """The tariff mentions of one sentence; `dates` are its calendar references (offsets in
    `text`); `in_context` says the story was just talking about a tariff measure, so a bare
    "a cut to seven pct" belongs to it."""
    masked = mask_non_measures(text)
    money = find_money(masked)
    blanked = _blank(masked, [(m.start, m.end) for m in money])
    blanked = re.sub(r"\bNew\s+(?:Mexico|England|South\s+Wales|Caledonia)\b",
                     lambda m: "_" * len(m.group(0)), blanked)
    countries = find_countries(blanked)
    for m in _INSTITUTIONS.finditer(blanked):
        short = "US" if m["us"] else "EU" if m["eu"] else "Japan"
        countries.append((m.start(), m.end(), short))
    countries.sort()
    s = _Sentence(index, text, masked, find_percents(masked), money, countries, dates)
    out: list[Mention] = []
    used: set[int] = set()
    nouns = [m for m in MEASURE.finditer(masked) if _is_measure_noun(masked, m)]
    for i, noun in enumerate(nouns):
        limit = nouns[i + 1].start() if i + 1 < len(nouns) else len(masked)
        mention = _read_noun(s, _Noun.of(noun, masked), limit, used)
        if mention is not None:
            out.append(mention)
    if in_context or nouns:
        out.extend(_change_only(s, used))
    return out


@dataclass(frozen=True, slots=True)
class _Noun:
    """A measure noun's span, stretched over a following "increase" or "rate"."""

    start: int
    end: int

    @classmethod
    def of(cls, m: re.Match[str], text: str) -> _Noun:
        tail = _NOUN_TAIL.match(text, m.end())
        return cls(m.start(), tail.end() if tail else m.end())


def _is_measure_noun(text: str, m: re.Match[str]) -> bool:
    word = m.group(0).lower()
    if word == "levy" and _LEVY_VERB.search(text[: m.start()]):
        return False  # "started to levy a bond": the verb
    return not NEGATED.search(text[max(0, m.start() - 30) : m.start()])


def _blank(text: str, spans: list[tuple[int, int]]) -> str:
    for start, end in spans:
        text = text[:start] + "_" * (end - start) + text[end:]
    return text


def _clause(text: str, start: int, end: int) -> tuple[int, int]:
    lo = 0
    for m in _CLAUSE_BREAK.finditer(text[:start]):
        lo = m.end()
    after = _CLAUSE_BREAK.search(text, end)
    return lo, after.start() if after else len(text)


def _read_noun(s: _Sentence, noun: _Noun, limit: int, used: set[int]) -> Mention | None:
    text = s.masked
    lo, hi = _clause(text, noun.start, noun.end)
    hi_rates = min(hi, limit, noun.end + 220)
    new, old, change, upto = _rates(s, noun, lo, hi_rates, used)
    cues = list(status_cues(text[lo:hi]))
    cut_clause = bool(_CUT_WORDS.search(text[lo:hi]))
    if new is not None and old is None and change is None and _CHANGE_TAIL.search(text[noun.start : noun.end]) \
            and not re.match(r"\s*(?:of|to)\b", text[noun.end :]):
        change, new = f"{_fmt(new)} pct", None  # "a 30 pct tariff increase"
    if upto and new is not None and cut_clause and old is None:
        change, new = f"up to {_fmt(new)} pct", None
    value = _value(s, noun, hi_rates)
    products, prod_span = _products(s, noun, lo, hi)
    target = _target(s, noun, lo, hi, prod_span)
    imposer = _imposer(s, noun, lo, hi, target)
    status, strength, best = _status(text, cues, lo, noun)
    near = best is not None and _governs(text, lo + best.start, lo + best.end, noun)
    if status == "removed" and any(c.status == "proposed" for c in cues):
        status, strength = "proposed", 3
    if best is not None and best.status == "removed" and near and change is None:
        if new is not None and old is None:
            old, new = new, 0.0  # "the abolition of the five pct export tax"
        elif new is None and products:
            new = 0.0
    if best is not None and status == "announced" and PAST_TIME.search(text[lo:hi]) \
            and re.match(r"(?i)agree|decid|approv", text[lo + best.start : lo + best.end]):
        status = "in_effect"
    before = text[max(0, noun.start - 40) : noun.start]
    effective, stated = _effective(s, lo, hi, noun)
    return Mention(
        sentence=s.index,
        evidence=s.text,
        new_rate=new,
        old_rate=old,
        change_text=change,
        value_usd=int(value.amount) if value is not None and value.usd else None,
        value_text=value.text if value is not None else None,
        products=products,
        imposer=imposer,
        target=target,
        effective=effective,
        effective_stated=stated,
        status=status,
        strength=strength,
        cue_near=near,
        definite=bool(_DEFINITE.search(before)),
        partial=bool(_PARTIAL.search(text[noun.end : noun.end + 25]) or _PARTIAL.search(before[-12:])),
    )


def _top(p: Percent) -> float:
    return p.high if p.high is not None else p.value


def _fmt(x: float) -> str:
    return f"{x:g}"


def _rates(
    s: _Sentence, noun: _Noun, lo: int, hi: int, used: set[int]
) -> tuple[float | None, float | None, str | None, bool]:
    """new rate, old rate, change given by size, and whether the new rate is a ceiling."""
    text = s.masked
    new: float | None = None
    old: float | None = None
    change: str | None = None
    upto = False
    for i, p in enumerate(s.percents):
        if i in used or p.end > noun.start or p.start < lo:
            continue
        gap = text[p.end : noun.start]
        words = gap.split()
        verb_first = re.fullmatch(r"\s+the\s+(?:[\w-]+\s+){0,2}", gap) and _VERB_FIRST.search(text[lo : p.start])
        if verb_first or (len(words) <= 3 and not any(w.lower().strip(",") in _FUNCTION_WORDS for w in words)
                          and "," not in gap):
            if p.points:
                change = p.text
            else:
                new = p.high if p.high is not None else p.value
            used.add(i)
    for i, p in enumerate(s.percents):
        if i in used or p.start < noun.end or p.end > hi:
            continue
        lead = text[noun.end : p.start]
        tail = lead[-40:]
        by = _BY_LEAD.search(tail)
        if p.points or by:
            if change is None and _BY_OWN.match(lead):
                change = (" ".join(by.group(0).split()) + " " if by else "") + p.text
                used.add(i)
        elif _FROM_LEAD.search(tail):
            if old is None:
                old = p.value
                used.add(i)
        elif _UPTO_LEAD.search(tail):
            if new is None and (_OF_LEAD.search(lead) or re.search(r"^\W*(?:of\s+|to\s+)?up\s+to\s+$", lead)):
                new, upto = _top(p), True
                used.add(i)
        elif _TO_LEAD.search(tail):
            if _OTHER_VERB.search(lead):
                continue  # "eliminated the duties on X and cut to 2 pct the duty on Y"
            if new is None:
                new = _top(p)
                used.add(i)
            elif i - 1 in used and re.fullmatch(r"\s*(?:to|-|–)\s*", text[s.percents[i - 1].end : p.start]):
                new = _top(p)  # "tariffs of 5% to 25%": the top of the range
                used.add(i)
        elif _OF_LEAD.search(lead) and new is None:
            new = _top(p)
            used.add(i)
    return new, old, change, upto


def _value(s: _Sentence, noun: _Noun, hi: int) -> Money | None:
    text = s.masked
    found: list[Money] = []
    for m in s.money:
        if m.start >= noun.end and m.end <= hi:
            if _VALUE_LEAD.match(text[noun.end : m.start]) and not _in_parens(text, m):
                found.append(m)
        elif m.end <= noun.start:
            gap = text[m.end : noun.start]
            words = [w for w in gap.split() if w not in ("in", "worth", "of")]
            if _VALUE_BEFORE.match(gap) and not any(w.lower() in _FUNCTION_WORDS for w in words) \
                    and not _REVENUE.search(text[max(0, m.start - 40) : m.start]):
                found.append(m)
    usd = [m for m in found if m.usd]
    return (usd or found)[0] if found else None


def _in_parens(text: str, m: Money) -> bool:
    return text[:m.start].rstrip().endswith("(")


def _products(s: _Sentence, noun: _Noun, lo: int, hi: int) -> tuple[str | None, tuple[int, int]]:
    text = s.masked
    clean = re.sub(r"\([^)]*\)", lambda m: " " * len(m.group(0)), text)
    m = _ON_PHRASE.match(clean, noun.end, hi)
    if m is None:
        later = re.search(r"^[^,;%]{0,60}?(?=\s(?:on|against)\s)", clean[noun.end : hi])
        if later:
            m = _ON_PHRASE.match(clean, noun.end + later.end(), hi)
    if m:
        phrase = m.group("p")
        end = _PRODUCT_END.search(phrase)
        start = m.start("p")
        if end:
            phrase = phrase[: end.start()]
        for d in s.dates:
            if start <= d.start < start + len(phrase):
                phrase = re.sub(r"\s+(?:on|from|in|to|until|by|since|as\s+of|effective)?\s*$", "",
                                phrase[: d.start - start])
                break
        for money in s.money:
            if start <= money.start < start + len(phrase):
                tail = clean[money.end : start + len(phrase)]
                of = re.match(r"\s*(?:worth\s+)?(?:of|in)\s+", tail)
                if of:
                    cut = money.end + of.end() - start
                    phrase, start = phrase[cut:], start + cut
                elif tail.strip():
                    phrase = phrase[: money.start - start]
                else:
                    phrase = phrase[: money.start - start]
                    phrase = re.sub(r"\s+(?:worth|valued\s+at)\s*$", "", phrase)
                break
        return _tidy(phrase), (start, start + len(phrase))
    g = _GOODS_OF.search(clean, lo, hi)
    if g:
        return _tidy(g.group("p")), (g.start("p"), g.end("p"))
    return None, (noun.end, noun.end)


def _tidy(phrase: str) -> str | None:
    phrase = " ".join(phrase.replace("_", " ").split()).strip(" ,.")
    for _ in range(2):
        phrase = _DETERMINERS.sub("", phrase)
    words = phrase.split()
    if not words:
        return None
    return " ".join(words[:8])


def _target(s: _Sentence, noun: _Noun, lo: int, hi: int, prod: tuple[int, int]) -> str | None:
    """Whose goods the measure hits: a country in the goods' phrase, "imports from X",
    "against X", "hit X with", "Italian pasta"; failing the clause, the whole sentence."""
    text = s.masked
    if _OWN_GOODS.match(text[prod[0] : prod[1]]) or re.match(r"\s*on\s+(?:its|their)\s", text[noun.end :]):
        return SELF
    inside = [c for c in s.countries if prod[0] <= c[0] < prod[1]]
    if inside:
        return inside[0][2]
    if re.match(r"(?i)export", text[noun.start : noun.end]):
        return SELF  # an export tax falls on the imposer's own goods
    for a, b in ((lo, hi), (0, len(text))):
        found = _target_in(text, [c for c in s.countries if a <= c[0] < b], a, noun)
        if found:
            return found
    return None


def _target_in(text: str, countries: list[tuple[int, int, str]], lo: int, noun: _Noun) -> str | None:
    for start, _, short in countries:
        before = text[max(lo, start - 60) : start]
        if _TARGET_HIT.search(before[-20:]) or any(p.search(before) for p in _TARGET_LEADS):
            return short
    goods = [c for c in countries if _modifies_goods(text, c)]
    after = [c for c in goods if c[0] > noun.end]
    return (after or goods)[0][2] if goods else None


def _modifies_goods(text: str, country: tuple[int, int, str]) -> bool:
    """"Italian pasta", "Canada's shipments", "EC brandy": a country's adjective, possessive or
    abbreviation in front of a word for goods (not "Japanese officials", not "Japan imposed")."""
    start, end, _ = country
    word = text[start:end]
    m = _GOODS_AFTER.match(text, end)
    if m is None or m.group("w").lower() in _NOT_GOODS:
        return False
    if word.endswith("'s") and m.group("w").lower() == "imports":
        return False  # "Japan's imports" are what Japan buys
    return word.endswith("'s") or word.isupper() or "." in word or (
        _ADJECTIVE_ENDING.search(word) is not None and word not in _NAMES_LIKE_ADJECTIVES)


def _imposer(s: _Sentence, noun: _Noun, lo: int, hi: int, target: str | None) -> str | None:
    text = s.masked
    best: tuple[int, str] | None = None
    for start, end, short in s.countries:
        if short == target or start < lo or start > hi:
            continue
        gap = text[end : noun.start]
        if end <= noun.start and re.fullmatch(
            r"(?:'s)?\s*(?:(?:new|import|export|anti-?dumping|countervailing|customs|penalty|punitive|"
            r"retaliatory|additional|higher|steep|special|proposed|planned|existing)\s+){0,2}", gap
        ):
            return short
        if DEMANDERS.match(text[end : end + 60]):
            continue
        prev = re.findall(r"[A-Za-z]+", text[max(0, start - 25) : start])
        prev = [w for w in prev if w.lower() != "the"]
        if prev and prev[-1].lower() in _OBJECT_PREPS:
            continue
        if _SUBJECT_VERB.match(text[end : end + 70]):
            distance = abs(noun.start - start)
            if best is None or distance < best[0]:
                best = (distance, short)
    return best[1] if best else None


def _status(text: str, cues: list[Cue], lo: int, noun: _Noun) -> tuple[Status, int, Cue | None]:
    """The strongest cue of the clause (the nearest of equals) decides the state; a delay or
    a removal counts only where it governs the noun ("eliminated the duties on X and cut to
    2 pct the duty on Y": the second duty was cut, not eliminated)."""
    if not cues:
        return "in_effect", 0, None
    pos = noun.start - lo

    def rank(c: Cue) -> tuple[int, int]:
        strength = c.strength
        if strength >= 5 and not _governs(text, lo + c.start, lo + c.end, noun):
            strength = 0
        return strength, -min(abs(c.start - pos), abs(c.end - (noun.end - lo)))

    best = max(cues, key=rank)
    return best.status, best.strength, best


def _governs(text: str, start: int, end: int, noun: _Noun) -> bool:
    """A cue word right before the noun ("lifted the duties") or right after it ("tariffs
    were delayed")."""
    if end <= noun.start:
        gap = text[end : noun.start] + " "
        if re.search(r"(?:ion|al|ment)$", text[start:end]):  # "abolition of the duties"
            return re.fullmatch(r"\s+of\s+(?:[\w.%$-]+\s+){0,5}", gap) is not None
        return re.fullmatch(r"\s+(?:[\w.%$-]+\s+){0,4}", gap) is not None \
            and not re.search(r"\b(?:to|of|right|power|ability|threat)\b", gap)
    return start >= noun.end and re.fullmatch(
        r"(?:\s+on\s+[^,;]{0,60}?)?\s+(?:(?:will|would|could|was|were|is|are|be|been|being|has|have|"
        r"had|to|now|also)\s+){0,3}", text[noun.end : start] + " "
    ) is not None


def _effective(s: _Sentence, lo: int, hi: int, noun: _Noun) -> tuple[str | None, bool]:
    """The date the measure takes effect, and whether the text says so outright ("from",
    "effective", "take effect on", "set for", "delayed to") rather than by a bare "on" or "in"
    next to the measure; never the day something was said or announced."""
    text = s.masked
    strong: str | None = None
    weak: str | None = None
    for d in s.dates:
        if d.start < lo or d.end > hi:
            continue
        before = text[max(0, d.start - 50) : d.start]
        wide = text[max(lo, d.start - 160) : d.start]
        lead = _EFFECT_LEAD.search(before)
        if lead is None or _SPEECH_BEFORE.search(before) or _ANNOUNCING.search(text[d.end : noun.start]):
            continue  # "said on Friday", "On Friday, Washington announced plans for tariffs"
        word = lead.group("lead").lower()
        delay = _DELAY_TO.search(wide) is not None
        if (word.startswith("for") and not _SET_FOR.search(before)) or word.startswith("retroactive") \
                or (word.startswith(("to", "until")) and not delay):
            continue
        if _STRONG_LEAD.search(word) or _SET_FOR.search(before) or delay \
                or re.search(r"(?:imposing|effect|force)\s+on\s+$", before):
            strong = strong or d.value
        elif _close(text, d, noun):
            weak = weak or d.value
    return strong or weak, strong is not None


def _close(text: str, d: DateSpan, noun: _Noun) -> bool:
    """A date that only "on" or "in" ties to the measure must stand next to it: after it in
    the same stretch of the clause, or opening the clause a few words before it."""
    if d.start >= noun.end:
        return "," not in text[noun.end : d.start] and d.start - noun.end <= 120
    return len(text[d.end : noun.start].split()) <= 8


def _change_only(s: _Sentence, used: set[int]) -> list[Mention]:
    """"a cut to seven pct", "cuts of up to 50 pct": a change with no measure noun."""
    out: list[Mention] = []
    for i, p in enumerate(s.percents):
        if i in used:
            continue
        lead = s.masked[max(0, p.start - 60) : p.start]
        m = _CHANGE_ONLY.search(lead) or _CHANGE_VERB.search(lead)
        if not m:
            continue
        used.add(i)
        lo, hi = _clause(s.masked, p.start, p.end)
        cues = list(status_cues(s.masked[lo:hi]))
        status: Status = "in_effect"
        strength = 0
        if cues:
            best = max(cues, key=lambda c: c.strength)
            status, strength = best.status, best.strength
        new: float | None = None
        change: str | None = None
        if m.group("prep").lower() == "to" and "up" not in (m.group("q") or ""):
            new = p.value
        else:
            change = (m.group("q") or "") + p.text
        imposers = [c for c in s.countries if lo <= c[0] < hi and not DEMANDERS.match(s.masked[c[1] : c[1] + 60])
                    and _SUBJECT_VERB.match(s.masked[c[1] : c[1] + 70])]
        out.append(Mention(
            sentence=s.index, evidence=s.text, new_rate=new, change_text=change,
            imposer=imposers[0][2] if imposers else None, status=status, strength=strength,
            effective=_effective(s, lo, hi, _Noun(p.start, p.end))[0], change_only=True,
        ))
    return out
