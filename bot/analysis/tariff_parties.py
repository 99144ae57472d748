"""Who levies a measure on whom, and on what goods, as one sentence says it.

The goods are the "on ..." phrase after the noun ("tariffs on US$300 billion of Chinese
goods" -> "Chinese goods"); the target is the country in it, or "imports from X", "against
X", "Italian pasta"; the imposer is a country right before the noun ("U.S. duties") or the
subject of an imposing verb, never the one that only demands the measure.
"""

from __future__ import annotations

import re

from bot.analysis.tariff_cues import DEMANDERS
from bot.analysis.tariff_sentence import QUALIFIER, Country, Noun, SentenceFacts

SELF = "<self>"
"""Target placeholder: a measure on the imposer's own exports ("on its lumber exports")."""

_RATE_PHRASE = r"(?:(?:of|at|to)\s+[^,;]{0,40}?(?:%|pct|per\s*cent|percent)\s+)?"
_ON_PHRASE = re.compile(
    r"\s*" + _RATE_PHRASE + r"(?:on|against)\s+"
    r"(?!(?:the\s+)?(?:grounds|behalf|top|basis|condition|average|Monday|Tuesday|Wednesday|Thursday|"
    r"Friday|Saturday|Sunday)\b)(?P<p>[^;:]+)",
    re.IGNORECASE,
)
_COUNT = (r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|eighteen|twenty"
          r"|twenty-four|thirty|thirty-six|forty|fifty|sixty|ninety|a\s+hundred)")
"""Counts that open a duration ("for twelve months")."""
_PRODUCT_END = re.compile(
    r"\s+(?:to|from|by|at|of)\s+(?:" + QUALIFIER + r"\s+)?(?:[\w.]+\s*(?:and|to|-|–)\s*)?[\w.]+\s*"
    r"(?:%|per\s*cent|pct|percent)"
    r"|\s*(?:,(?!\d)|[;:(])|\s+-\s|\s+(?:which|that|was|were|is|are|will|would|has|have|had|could|should"
    r"|from\s+(?:the\s+)?\w+\s+\d+|for\s+(?:a|an|the|another|\d+|" + _COUNT + r"|several|many|a\s+few)\s+"
    r"(?:\w+\s+)?(?:days?|weeks?|months?|years?)|to\s+(?:zero|nil)|starting|effective|beginning|as\s+of|in\s+(?:19|20)\d\d"
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
_GOODS_WORTH = re.compile(
    r"(?P<p>(?:[A-Z][\w.'-]+\s+)?(?:[a-z][\w'-]*\s+){0,2}(?:goods|products|exports|imports|shipments))"
    r"\s+(?:worth|valued\s+at)\s"
)
_DETERMINERS = re.compile(
    r"^(?:the|a|an|some|all|any|those|these|such|its|their|an\s+additional\s+batch\s+of|additional|other"
    r"|another|further|more|(?:list|range|batch|basket|number)\s+of)\s+",
    re.IGNORECASE,
)
_GOODS_BEFORE = re.compile(
    r"\b(?:its|their|the|a|an|[A-Z][\w.-]*['’]s)\s+"
    r"(?P<p>(?!(?:import|export)\s)[a-z][a-z-]+(?:\s+(?!(?:import|export)\s)[a-z][a-z-]+)?)"
    r"(?P<trade>\s+(?:import|export))?\s+$"
)
"""Goods named before the measure: "its rice import tariff", "Japan's beef import duties"."""
_NOT_GOODS_BEFORE = frozenset(
    """new higher high low lower current existing planned proposed punitive special additional
    extra steep stiff heavy hefty temporary provisional preliminary final general common external
    average maximum minimum basic standard protective own various planned announced threatened
    retaliatory possible present former previous remaining overall total such same other""".split()
)
_OWN_GOODS = re.compile(r"^(?:its|their)\s+(?:own\s+)?", re.IGNORECASE)
SUBJECT_VERB = re.compile(
    r"^(?:'s)?\s*(?:[A-Za-z.'-]+\s+){0,4}?(?:has\s+|have\s+|had\s+|will\s+|would\s+|is\s+|are\s+|was\s+|"
    r"were\s+|also\s+|then\s+|later\s+|now\s+|already\s+)*(?:impos|levi|levy|rais|rais|cut|lower|reduc|"
    r"increas|announc|decid|order|agree|plan|threat|slap|lift|remov|eliminat|abolish|scrap|suspend|"
    r"delay|postpon|hik|introduc|applie|apply|charg|set|began|start|approv|propos|recommend|consider)",
    re.IGNORECASE,
)
_OBJECT_PREPS = frozenset("on against from of with to for in by over between into".split())
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
_VERB_NEXT = re.compile(
    r"(?:'s)?\s+(?:(?:has|have|had|will|would|shall|could|may|might|must|is|are|was|were|did|does|said|says"
    r"|plans|wants)\b|(?:[a-z]+ed|cut|set|put|began)\s+(?:a|an|the|its|their|to|on|that|it|new|\d))"
)
"""A verb right after the country: its subject ("the EC postponed a ..."), not its goods."""
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


def products(
    s: SentenceFacts, noun: Noun, lo: int, hi: int, bare: bool = False
) -> tuple[str | None, tuple[int, int]]:
    """The goods, in the text's words, and where they stand in the sentence; failing an "on"
    phrase or "imports of", the words before the noun when "import" or "export" marks them as
    goods ("its rice import tariff"), or when `bare` says the noun is the object of a planned
    change ("a planned rise in its wine tariffs")."""
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
    w = _GOODS_WORTH.search(clean, lo, noun.start)
    if w:
        return _tidy(w.group("p")), (w.start("p"), w.end("p"))
    return _goods_before(clean, lo, noun, bare)


def _goods_before(text: str, lo: int, noun: Noun, bare: bool) -> tuple[str | None, tuple[int, int]]:
    start = max(lo, noun.start - 60)
    b = _GOODS_BEFORE.search(text, start, noun.start)
    traded = b is not None and (b["trade"] is not None or re.match(r"(?i)(?:import|export)", text[noun.start :]))
    if b is None or not (traded or bare):
        return None, (noun.end, noun.end)
    words = b["p"].lower().split()
    if any(w in _NOT_GOODS or w in _NOT_GOODS_BEFORE for w in words):
        return None, (noun.end, noun.end)
    return b["p"], (b.start("p"), b.end("p"))


def _tidy(phrase: str) -> str | None:
    phrase = " ".join(phrase.replace("_", " ").split()).strip(" ,.")
    for _ in range(2):
        phrase = _DETERMINERS.sub("", phrase)
    words = phrase.split()
    if not words:
        return None
    return " ".join(words[:8])


def target(s: SentenceFacts, noun: Noun, lo: int, hi: int, prod: tuple[int, int]) -> str | None:
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


def _target_in(text: str, countries: list[Country], lo: int, noun: Noun) -> str | None:
    for start, _, short in countries:
        before = text[max(lo, start - 60) : start]
        if _TARGET_HIT.search(before[-20:]) or any(p.search(before) for p in _TARGET_LEADS):
            return short
    goods = [c for c in countries if _modifies_goods(text, c)]
    after = [c for c in goods if c[0] > noun.end]
    return (after or goods)[0][2] if goods else None


def _modifies_goods(text: str, country: Country) -> bool:
    """"Italian pasta", "Canada's shipments", "EC brandy": a country's adjective, possessive or
    abbreviation in front of a word for goods (not "Japanese officials", not "Japan imposed")."""
    start, end, _ = country
    word = text[start:end]
    m = _GOODS_AFTER.match(text, end)
    if m is None or _VERB_NEXT.match(text, end) or m.group("w").lower() in _NOT_GOODS:
        return False
    if word.endswith("'s") and m.group("w").lower() == "imports":
        return False  # "Japan's imports" are what Japan buys
    return word.endswith("'s") or word.isupper() or "." in word or (
        _ADJECTIVE_ENDING.search(word) is not None and word not in _NAMES_LIKE_ADJECTIVES)


def imposer(s: SentenceFacts, noun: Noun, lo: int, hi: int, target: str | None) -> str | None:
    """A country right before the noun, else the nearest subject of an imposing verb."""
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
        if SUBJECT_VERB.match(text[end : end + 70]):
            distance = abs(noun.start - start)
            if best is None or distance < best[0]:
                best = (distance, short)
    return best[1] if best else None
