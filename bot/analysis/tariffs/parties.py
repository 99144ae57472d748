"""Who levies a measure on whom, and on what goods, as one sentence says it.

The goods are the "on ..." phrase after the noun ("tariffs on US$300 billion of Chinese
goods" -> "Chinese goods"); the target is the country in it, or "imports from X", "against
X", "Italian pasta"; the imposer is a country right before the noun ("U.S. duties") or the
subject of an imposing verb, never the one that only demands the measure.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from bot.analysis.tariffs.cues import DEMANDERS
from bot.analysis.tariffs.sentence import QUALIFIER, Country, Noun, SentenceFacts

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
    r"|\s+and\s+[\d.]+\s*(?:%|per\s*cent|pct|percent)"
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
    r"delay|postpon|hik|introduc|applie|apply|charg|set|began|start|approv|propos|recommend|consider|keep|kept"
    r"|maintain|retain|implement|adopt|retaliat|hit\s+back|respond)",
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
        r"\b(?:originating\s+)?(?:goods|products|imports|exports|articles|merchandise|items)\s+of\s+(?:the\s+)?$",
        r"\b(?:rates?|tariffs?|duties|duty|levies)\s+for\s+(?:the\s+)?$",
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
    published said sources national security people public health jobs businesses families
    citizens exporters importers ranchers manufacturing innovation leadership partners allies
    trading workers commerce values""".split()
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
        kept = re.match(r"\s*(?:\S+\s+){0,11}\S*", phrase)  # the goods' words `_tidy` keeps, and a few
        written = _unmasked(s, start, start + len(phrase))  # "heavy-duty trucks", not "trucks"
        return _tidy(written), (start, start + (kept.end() if kept else len(phrase)))
    g = _GOODS_OF.search(clean, lo, hi)
    if g:
        return _tidy(g.group("p")), (g.start("p"), g.end("p"))
    w = _GOODS_WORTH.search(clean, lo, noun.start)
    if w:
        return _tidy(w.group("p")), (w.start("p"), w.end("p"))
    return _goods_before(clean, lo, noun, bare)


def _unmasked(s: SentenceFacts, start: int, end: int) -> str:
    """The text at [start, end) as written, where the masked text blanked a non-measure word
    ("heavy-duty") but not where a bracket was left out."""
    out = []
    for i in range(start, end):
        out.append(s.text[i] if s.masked[i] == "_" and s.text[i] != "_" else s.masked[i])
    return re.sub(r"\([^)]*\)", " ", "".join(out))


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


@dataclass(frozen=True, slots=True)
class Site:
    """One measure noun in its sentence: what the rules for its parties read. `lo`, `hi`
    bound its clause; `goods` is where its goods stand (`products`)."""

    s: SentenceFacts
    noun: Noun
    lo: int
    hi: int
    goods: tuple[int, int] = (0, 0)


Targets = tuple[str, ...]
"""Whose goods a measure hits: one short name, or several when the text lists them
("on imports from Canada and Mexico"), or (SELF,)."""


# --- target: whose goods the measure hits ------------------------------------------------------

def target_own_goods(site: Site) -> Targets | None:
    """"Canada raised the duty on its lumber exports", "a levy on their own steel": the
    imposer's own goods."""
    text = site.s.masked
    if _OWN_GOODS.match(text[site.goods[0] : site.goods[1]]) or re.match(r"\s*on\s+(?:its|their)\s", text[site.noun.end :]):
        return (SELF,)
    return None


def target_in_goods(site: Site) -> Targets | None:
    """"tariffs on US$300 billion of Chinese goods", "a 25% tariff on imports from Canada and
    Mexico": the countries named in the goods' phrase, each of a list."""
    inside = [c for c in site.s.countries if site.goods[0] <= c[0] < site.goods[1]]
    inside = [c for c in inside if not _DESTINATION.search(site.s.masked[max(0, c[0] - 20) : c[0]])]
    return _listed(site.s, inside[0]) if inside else None


def target_export_tax(site: Site) -> Targets | None:
    """"Argentina raised its export tax on soybeans": an export tax falls on the imposer's own
    goods."""
    return (SELF,) if re.match(r"(?i)export", site.s.masked[site.noun.start : site.noun.end]) else None


def target_charged(site: Site) -> Targets | None:
    """"plans to charge Mexico and Canada 25% tariffs on their exports", "hit Japan with 100 pct
    duties": the country a levying verb takes as its object, each of a list (first: "their"
    is then theirs, not the imposer's)."""
    text = site.s.masked
    for c in site.s.countries:
        if c[0] < site.noun.start and _CHARGE.search(text[max(site.lo, c[0] - 20) : c[0]]):
            return _listed(site.s, c)
    return None


def target_product_from(site: Site) -> Targets | None:
    """"If a pharmaceutical product is from the European Union, Japan or Korea, a 15% tariff
    will apply", "olives from Spain were dumped at rates of ...": the origin of the goods named
    before the measure, each of a list."""
    text = site.s.masked
    for c in site.s.countries:
        m = _IS_FROM.search(text[max(0, c[0] - 60) : c[0]]) if c[0] < site.noun.start else None
        if m and (m["w"] is None or m["w"].lower() not in _NOT_GOODS):
            return _listed(site.s, c)
    return None


def target_led_in_clause(site: Site) -> Targets | None:
    """"duties on steel imports from China", "sanctions against Japan", "hit Brazil with":
    a country after the words that lead to a target, in the measure's clause."""
    return _led(site, site.lo, site.hi)


def target_goods_adjective_in_clause(site: Site) -> Targets | None:
    """"duties on Italian pasta", "EC brandy", "Canada's shipments": a country's adjective or
    possessive in front of a word for goods, in the measure's clause."""
    return _goods_adjective(site, site.lo, site.hi)


def target_led_in_sentence(site: Site) -> Targets | None:
    """"After the talks on imports from Korea failed, Washington put a 25 pct duty on the
    goods": as `target_led_in_clause`, anywhere in the sentence."""
    return _led(site, 0, len(site.s.masked))


def target_goods_adjective_in_sentence(site: Site) -> Targets | None:
    """"Because Thai rice flooded in, Manila set a 35% tariff": as
    `target_goods_adjective_in_clause`, anywhere in the sentence."""
    return _goods_adjective(site, 0, len(site.s.masked))


TARGET_RULES: tuple[Callable[[Site], Targets | None], ...] = (
    target_charged,
    target_own_goods,
    target_in_goods,
    target_export_tax,
    target_product_from,
    target_led_in_clause,
    target_goods_adjective_in_clause,
    target_led_in_sentence,
    target_goods_adjective_in_sentence,
)
"""Whose goods a measure hits: the first rule that answers decides."""


def targets(site: Site) -> Targets:
    """The target(s) of the measure at `site` by the first rule of `TARGET_RULES` that
    answers; () when none does."""
    for rule in TARGET_RULES:
        found = rule(site)
        if found:
            return found
    return ()


_DESTINATION = re.compile(r"\binto\s+(?:the\s+)?$", re.IGNORECASE)
"""Before a country in the goods' phrase: where the goods go ("products coming into the
United States"), not whose they are."""
_CHARGE = re.compile(r"\b(?:charg\w*|hit\w*|slap\w*)\s+(?:the\s+)?$", re.IGNORECASE)
_IS_FROM = re.compile(
    r"\b(?:a|an|the|if|when|where)\s+(?:[a-z][\w-]*\s+){0,2}(?:is|are)\s+(?:from|of)\s+(?:the\s+)?$"
    r"|\b(?P<w>[a-z][a-z-]{2,})\s+(?:\([^)]{1,30}\)\s+)?(?:originating\s+|imported\s+)?from\s+(?:the\s+)?$",
    re.IGNORECASE,
)
_LIST_GAP = re.compile(r"(?:\s*,\s*(?:and\s+|or\s+)?|\s+(?:and|or)\s+)(?:the\s+)?", re.IGNORECASE)


def _listed(s: SentenceFacts, first: Country) -> Targets:
    """`first` and the countries listed right after it ("Canada and Mexico", "the EU, Japan,
    Korea, or Switzerland")."""
    out = [first[2]]
    end = first[1]
    for c in s.countries:
        if c[0] < end:
            continue
        if not _LIST_GAP.fullmatch(s.masked[end : c[0]]):
            break
        if c[2] not in out:
            out.append(c[2])
        end = c[1]
    return tuple(out)


def _led(site: Site, a: int, b: int) -> Targets | None:
    text = site.s.masked
    for c in site.s.countries:
        if not a <= c[0] < b:
            continue
        start = c[0]
        before = text[max(a, start - 60) : start]
        if _TARGET_HIT.search(before[-20:]) or any(p.search(before) for p in _TARGET_LEADS):
            return _listed(site.s, c)
    return None


def _goods_adjective(site: Site, a: int, b: int) -> Targets | None:
    text = site.s.masked
    goods = [c for c in site.s.countries if a <= c[0] < b and _modifies_goods(text, c)]
    after = [c for c in goods if c[0] > site.noun.end]
    return ((after or goods)[0][2],) if goods else None


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


# --- imposer: who levies the measure ----------------------------------------------------------

def imposer_before_noun(site: Site, targets: Targets) -> str | None:
    """"U.S. duties on steel", "China's additional tariffs on US products", "EU anti-dumping
    duties": a country right before the noun, or its possessive."""
    text = site.s.masked
    for start, end, short in site.s.countries:
        if short in targets or start < site.lo or start > site.hi or end > site.noun.start:
            continue
        if _BEFORE_NOUN.fullmatch(text[end : site.noun.start]):
            return short
    return None


def imposer_by_agent(site: Site, targets: Targets) -> str | None:
    """"tariffs imposed by China on US pork", "duties levied by the EU": the agent of a
    passive levying verb after the noun."""
    text = site.s.masked
    for start, _, short in site.s.countries:
        if short in targets or start < site.noun.end or start > site.hi:
            continue
        if _BY_AGENT.fullmatch(text[site.noun.end : start]):
            return short
    return None


def imposer_subject(site: Site, targets: Targets) -> str | None:
    """"Washington slapped 25% tariffs on ...", "Indonesia will eliminate tariffs on US goods":
    the nearest country that is the subject of a levying verb (not one that only demands
    the measure, "Washington has been demanding ...", nor an object "talks with Japan")."""
    text = site.s.masked
    best: tuple[int, str] | None = None
    for start, end, short in site.s.countries:
        if short in targets or start < site.lo or start > site.hi:
            continue
        if DEMANDERS.match(text[end : end + 60]):
            continue
        prev = [w for w in re.findall(r"[A-Za-z]+", text[max(0, start - 25) : start]) if w.lower() != "the"]
        if prev and prev[-1].lower() in _OBJECT_PREPS:
            continue
        if SUBJECT_VERB.match(text[end : end + 70]):
            distance = abs(site.noun.start - start)
            if best is None or distance < best[0]:
                best = (distance, short)
    return best[1] if best else None


IMPOSER_RULES: tuple[Callable[[Site, Targets], str | None], ...] = (
    imposer_before_noun,
    imposer_by_agent,
    imposer_subject,
)
"""Who levies a measure, as its sentence says: the first rule that answers decides (the
story fills in the rest, `tariffs/extract.py`)."""


def imposer(site: Site, targets: Targets) -> str | None:
    """The imposer by the first rule of `IMPOSER_RULES` that answers."""
    for rule in IMPOSER_RULES:
        found = rule(site, targets)
        if found:
            return found
    return None


_BEFORE_NOUN = re.compile(
    r"(?:'s|’s)?\s*(?:(?:new|import|export|anti-?dumping|countervailing|customs|penalty|punitive|"
    r"retaliatory|additional|higher|steep|special|proposed|planned|existing|reciprocal)\s+){0,2}"
)
_BY_AGENT = re.compile(
    r"\s*,?\s*(?:(?:that|which)\s+)?(?:(?:was|were|is|are|been|being|has|have|had|now|already)\s+)*"
    r"(?:imposed|levied|applied|placed|announced|introduced|charged|slapped|put)\s+by\s+(?:the\s+)?"
)
