"""The alert decision: is a story about international trade, how surely, and why.

`RuleClassifier` is the shipped default. It reads the story with the written cues of
`bot.analysis.classify.trade_lexicon` (no model, no training) and weighs where they appear: a cue in
the headline or the opening paragraphs says more than one in passing, and a second mention
of the same cue adds less than the first. A headline about one commodity's market, a
company or a bond issue discounts the trade evidence (that news has its own desk), and
counter-evidence in the text (commodity reports, company results, currency markets) pulls
the score down. A government acting on a measure in the headline or the lead ("Freedonia
doubles tariffs on steel imports", see `bot.analysis.classify.policy_actions`) is evidence of its
own, and when the headline says so, the commodity it names is the goods of the measure,
not another desk's market, unless the story speaks a market's language throughout; so are
the goods of a measure taken under a named trade law ("Section 232", an antidumping order).
A tariff the headline or lead reports with its rate or value ("25% tariffs on $34 billion of
Chinese imports") makes the story trade policy tagged `tariffs` whatever its goods and
whatever else it reads like (the evidence never falls below MEASURE_FLOOR), unless it is a
company counting what the tariff costs it; the reasons quote that measure first.
The score is a logistic function of the evidence, set by hand so that 0.5 is the line
between "about trade" and "mentions trade".
"""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal, Protocol

from bot.analysis.classify.cue_scanner import CueScanner
from bot.analysis.classify.policy_actions import read_measure
from bot.analysis.classify.taxonomy import TAG_NAMES
from bot.analysis.classify.trade_lexicon import CUES, MEASURE_CUES, TARIFF_CUES, Cue
from bot.domain import Article, TradeVerdict

Where = Literal["title", "body"]

_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*|\n(?=[ \t]{2,}\S)")

# Hand-set weights of the scoring function (see `summarise`).
HEADLINE_STRONG = 1.5  # a specific trade phrase in the headline ("trade deficit")
HEADLINE_WEAK = 1.0  # a single trade word in the headline ("exports")
STRONG_CUE = 2.5  # cue weight from which a cue counts as a specific phrase
PARAGRAPH_WEIGHTS = (0.8, 0.6, 0.45)  # the opening paragraphs, in order
LATER_WEIGHT = 0.3  # every later paragraph
REPEAT_DECAY = 0.5  # each further mention of a cue counts half the one before
SATURATION = 8.0  # evidence beyond this adds little
HEADLINE_DISCOUNT = 2.5  # how strongly another desk's headline discounts the evidence
DESK_CUE = -0.5  # counter cues this strong in a headline say the story is another desk's
COUNTER_WEIGHT = 0.5
COUNTER_CAP = 12.0
COUNTER_REPEATS = 5  # mentions of one counter cue counted at most
MIDPOINT = 2.7  # evidence at which the score is 0.5
SLOPE = 1.2
TAG_MIN = 2.0  # position-weighted cue weight a tag needs
MAX_REASONS = 4
ACTION_PARAGRAPHS = 2  # a government's action on a measure counts in the opening paragraphs
MAX_MEASURES = 12  # measure mentions read for an action (the lead names a few at most)
ACTION_WEIGHT = 2.0  # evidence of such an action in the lead (the headline counts more)
GOODS_CUES = frozenset({"commodity", "shipments"})  # with such an action, these name its goods
MARKET_CUES = frozenset({"traders_said", "commodity_units", "market_trade"})
COMPANY_CUES = frozenset({"company_news"})
# a company speaking of a tariff's cost to it: "too high for the company to absorb"
_COMPANY_TALK = re.compile(
    r"(?<!\w)(?:the\s+company|retailers?|automakers?|carmakers?|chipmakers?|absorb(?:s|ed|ing)?"
    r"|pass(?:es|ed|ing)?\s+(?:\w+\s+)?(?:on|through)\s+to|its\s+(?:costs|margins|profits?|earnings"
    r"|customers|suppliers|shoppers))(?!\w)",
    re.IGNORECASE,
)
# the trade laws and proceedings measures are taken under, and the instruments that take them
LAW_CUES = frozenset({"tariff_law", "trade_remedy", "legal_instrument"})
MARKET_REPORT = 3  # this many mentions of a market's language make a market report
REASON_MIN = 1.0  # cues weaker than this are context, quoted only when nothing else was found
MEASURE_FLOOR = MIDPOINT + 2.0  # the evidence of a reported tariff measure with its rate (score 0.92)
MAX_MEASURE_QUOTE = 160  # a measure quoted with its rate, at most this long
MAX_MEASURE_QUOTES = 2  # reasons that quote such measures


class Classifier(Protocol):
    """Anything that can make the alert decision for one article."""

    def classify(self, article: Article) -> TradeVerdict: ...


@dataclass(frozen=True, slots=True)
class Hit:
    """One cue found in the story: where, and the span of text it matched."""

    cue: str
    weight: float
    tag: str | None
    where: Where
    paragraph: int  # -1 for the headline
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Action:
    """A sentence of the lead in which a government acts on a trade measure."""

    where: Where
    paragraph: int  # -1 for the headline
    start: int  # the sentence
    end: int
    measure: Hit
    rated: tuple[int, int] | None = None  # a tariff measure with its rate or value, as a span


@dataclass(frozen=True, slots=True)
class Evidence:
    """Everything the rule classifier read in one story."""

    title: str
    body: str
    hits: tuple[Hit, ...]
    paragraphs: int
    actions: tuple[Action, ...] = ()

    def positive(self) -> tuple[Hit, ...]:
        return tuple(h for h in self.hits if h.weight > 0)

    def counter(self) -> tuple[Hit, ...]:
        return tuple(h for h in self.hits if h.weight < 0)

    def phrase(self, hit: Hit) -> str:
        """The cue with the words that say what it is about, as a person would quote it."""
        return quote(self.title if hit.where == "title" else self.body, hit.start, hit.end)


@dataclass(frozen=True, slots=True)
class Summary:
    """The evidence reduced to the few numbers the score is made of."""

    headline: float  # weighted evidence in the headline
    text: float  # weighted evidence in the paragraphs
    headline_counter: float  # counter-evidence in the headline
    counter: float  # counter-evidence in the text
    tags: tuple[tuple[str, float], ...]  # tag strengths, strongest first
    action: float = 0.0  # a government acting on a trade measure in the headline or lead
    measure: bool = False  # the headline or lead reports a tariff measure with its rate or value

    @property
    def evidence(self) -> float:
        raw = (self.headline + self.text + self.action) * math.exp(-HEADLINE_DISCOUNT * self.headline_counter)
        found = SATURATION * (1.0 - math.exp(-raw / SATURATION)) - COUNTER_WEIGHT * self.counter
        return max(found, MEASURE_FLOOR) if self.measure else found

    @property
    def score(self) -> float:
        return 1.0 / (1.0 + math.exp(-SLOPE * (self.evidence - MIDPOINT)))


class RuleClassifier:
    """The shipped default: written knowledge of trade-policy news, no training."""

    def __init__(self, threshold: float = 0.5, cues: Iterable[Cue] = CUES) -> None:
        if not 0.0 <= threshold <= 1.0:
            raise ValueError(f"threshold must be within [0, 1], got {threshold}")
        self.threshold = threshold
        self._cues = {cue.name: cue for cue in cues}
        self._scanner = CueScanner([(c.name, c.pattern) for c in self._cues.values()])

    def classify(self, article: Article) -> TradeVerdict:
        evidence = self.read(article)
        return self.verdict(evidence, summarise(evidence))

    def verdict(self, evidence: Evidence, summary: Summary) -> TradeVerdict:
        score = round(summary.score, 4)
        if score >= self.threshold:
            tags = tuple(name for name, _ in summary.tags)
            return TradeVerdict(True, score, tags, reasons_for(evidence))
        return TradeVerdict(False, score, (), reasons_against(evidence, score, self.threshold))

    def read(self, article: Article) -> Evidence:
        """Find every cue in the headline and the body."""
        title = article.title or ""
        body = article.body or ""
        hits = [self._hit(m, "title", -1) for m in self._scanner.finditer(title)]
        starts = [0] + [m.end() for m in _PARAGRAPH_BREAK.finditer(body)]
        for m in self._scanner.finditer(body):
            hits.append(self._hit(m, "body", bisect_right(starts, m.start()) - 1))
        actions = find_actions(title, body, starts, hits)
        return Evidence(title, body, tuple(hits), paragraphs=len(starts), actions=actions)

    def _hit(self, m: re.Match[str], where: Where, paragraph: int) -> Hit:
        cue = self._cues[m.lastgroup or ""]
        return Hit(cue.name, cue.weight, cue.tag, where, paragraph, m.start(), m.end())


def find_actions(title: str, body: str, starts: list[int], hits: Iterable[Hit]) -> tuple[Action, ...]:
    """The sentences of the headline and the lead where a government acts on a measure
    (see `bot.analysis.classify.policy_actions`), one action a sentence.

    A measure priced per unit of a commodity ("an export duty of 70 ringgit per tonne")
    makes the story commodity price news, and then nothing counts as an action.
    """
    actions: list[Action] = []
    seen: set[tuple[Where, int]] = set()
    measures = [h for h in hits if h.cue in MEASURE_CUES and h.paragraph < ACTION_PARAGRAPHS]
    for hit in measures[:MAX_MEASURES]:
        if hit.where == "title":
            text, lo, hi = title, 0, len(title)
        else:
            text, lo = body, starts[hit.paragraph]
            hi = starts[hit.paragraph + 1] if hit.paragraph + 1 < len(starts) else len(body)
        sentence = read_measure(text, hit.start, hit.end, lo, hi)
        if sentence.priced:
            return ()
        if sentence.acted and (hit.where, sentence.start) not in seen:
            seen.add((hit.where, sentence.start))
            if company_talk(text, sentence.start, sentence.end, hit.where, hits):
                continue  # a company counting what a measure costs it does not report the measure
            rated = sentence.rated if hit.cue in TARIFF_CUES else None
            actions.append(Action(hit.where, hit.paragraph, sentence.start, sentence.end, hit, rated))
    return tuple(actions)


def company_talk(text: str, start: int, end: int, where: Where, hits: Iterable[Hit]) -> bool:
    """Whether the sentence text[start:end] is a company's news: results, costs, customers."""
    if _COMPANY_TALK.search(text, start, end):
        return True
    return any(h.cue in COMPANY_CUES and h.where == where and start <= h.start < end for h in hits)


def position_weight(hit: Hit) -> float:
    """How much a cue counts where it stands: headline, opening paragraphs, the rest."""
    if hit.where == "title":
        return HEADLINE_STRONG if hit.weight >= STRONG_CUE else HEADLINE_WEAK
    if hit.paragraph < len(PARAGRAPH_WEIGHTS):
        return PARAGRAPH_WEIGHTS[hit.paragraph]
    return LATER_WEIGHT


def summarise(evidence: Evidence) -> Summary:
    """Reduce the hits to headline and text evidence, counter-evidence and tag strengths."""
    headline = text = headline_counter = counter = 0.0
    seen: dict[tuple[str, bool], int] = {}
    counter_seen: dict[str, int] = {}
    tags: dict[str, float] = {}
    action = action_evidence(evidence.actions)
    measure = any(a.rated for a in evidence.actions)
    goods_named = measure or (
        (any(a.where == "title" for a in evidence.actions) or under_trade_law(evidence))
        and not market_report(evidence)
    )
    for hit in evidence.hits:
        if hit.weight < 0 and goods_named and hit.cue in GOODS_CUES:
            continue  # the goods of the measure, not a market report
        if hit.weight < 0:
            if hit.where == "title" and hit.weight <= DESK_CUE:
                headline_counter -= hit.weight
                continue
            n = counter_seen.get(hit.cue, 0)
            counter_seen[hit.cue] = n + 1
            if n < COUNTER_REPEATS:
                counter -= hit.weight
            continue
        if hit.weight == 0:
            continue
        key = (hit.cue, hit.where == "title")
        n = seen.get(key, 0)
        seen[key] = n + 1
        value = hit.weight * position_weight(hit)
        if hit.where == "title":
            headline += value * REPEAT_DECAY**n
        else:
            text += value * REPEAT_DECAY**n
        if hit.tag:
            tags[hit.tag] = tags.get(hit.tag, 0.0) + value
    if measure:  # a reported tariff measure is tagged `tariffs`, whatever else the story is
        tags["tariffs"] = max(tags.get("tariffs", 0.0), TAG_MIN)
    ranked = sorted(tags.items(), key=lambda item: (-item[1], TAG_NAMES.index(item[0])))
    kept = [(t, round(s, 3)) for t, s in ranked if s >= TAG_MIN] or [
        (t, round(s, 3)) for t, s in ranked[:1]
    ]
    return Summary(
        headline=headline,
        text=text,
        headline_counter=headline_counter,
        counter=min(counter, COUNTER_CAP),
        tags=tuple(kept),
        action=action,
        measure=measure,
    )


def market_report(evidence: Evidence) -> bool:
    """Whether the story speaks a commodity market's language: traders said, tonnes, futures."""
    return sum(hit.cue in MARKET_CUES for hit in evidence.hits) >= MARKET_REPORT


def under_trade_law(evidence: Evidence) -> bool:
    """Whether the story names the trade law or proceeding a measure is taken under
    ("Section 232", "the Trade Expansion Act of 1962", "an antidumping duty order", "signed a
    Proclamation") and its headline or lead names a measure: the goods it names are the
    goods of that measure, not another desk's market."""
    return any(h.cue in LAW_CUES for h in evidence.hits) and any(
        h.cue in MEASURE_CUES and h.paragraph < ACTION_PARAGRAPHS for h in evidence.hits
    )


def action_evidence(actions: Iterable[Action]) -> float:
    """The evidence of government actions on measures: the most prominent counts most."""
    weights = sorted((HEADLINE_STRONG if a.where == "title" else PARAGRAPH_WEIGHTS[a.paragraph]
                      for a in actions), reverse=True)  # fmt: skip
    return ACTION_WEIGHT * sum(w * REPEAT_DECAY**n for n, w in enumerate(weights))


# A reason phrase is the cue plus what it is about: "tariffs on US$300 billion of Chinese
# goods", "trade barriers between the two countries". The tail opens with a preposition and
# runs over at most TAIL_WORDS words, up to punctuation, a verb or a second preposition.
TAIL_WORDS = 8
_OPENERS = frozenset("on against of with between over for from into".split())
_ENDERS = frozenset(
    """to in at by on for from into over against after before since until during as than
    which that who whose where when while because if and but or nor so said says say told
    is are was were be been being has have had do does did will would shall should can
    could may might must rose fell grew broke went came began ended hit reached stood
    totalled totaled widened narrowed increased decreased declined jumped dropped climbed
    slipped remained expected agreed plans plan""".split()
)
_WORD_AHEAD = re.compile(r"\s+([^\s]+)")
_RATE_END = re.compile(r"(?:%|cent|pct|zero)$", re.IGNORECASE)
_ON_AHEAD = re.compile(r"\s+on\s", re.IGNORECASE)


def quote(text: str, start: int, end: int) -> str:
    """The matched cue, extended over the words that say what it is about."""
    if text[start:end][-1:].isalpha():
        end = _tail_end(text, end)
    return " ".join(text[start:end].split()).strip(" -")


def _tail_end(text: str, end: int) -> int:
    opened = text[:end].rsplit(None, 1)[-1].lower() in _OPENERS  # the cue ends "duty on"
    m = None if opened else _WORD_AHEAD.match(text, end)
    if not opened and (not m or m.group(1).lower() not in _OPENERS):
        return end
    tail_end = end
    pos = end if opened or m is None else m.end()
    previous = ""
    for _ in range(TAIL_WORDS):
        m = _WORD_AHEAD.match(text, pos)
        if not m:
            break
        word = m.group(1)
        bare = word.rstrip(",;:.)\"”’'")
        if not bare or word[0] in "(\"“‘'" or (bare.lower() in _ENDERS and not _continues(bare, previous)):
            break
        if "." in bare and word[len(bare) : len(bare) + 1] == ".":  # an abbreviation: "the U.S."
            tail_end = m.start(1) + len(bare) + 1
            break
        if bare != word:  # punctuation ends the phrase after this word
            if word.startswith(bare):
                tail_end = m.start(1) + len(bare)
            break
        previous = bare.lower()
        tail_end = pos = m.end()
    return tail_end


def _continues(word: str, previous: str) -> bool:
    """Whether a word that usually ends a phrase continues it here: "up to 25 per cent",
    "imports from Canada"."""
    return (word == "to" and previous == "up") or (word == "from" and previous in _GOODS_WORDS)


_GOODS_WORDS = frozenset("imports exports goods products articles shipments".split())


def _ranked_phrases(evidence: Evidence, hits: Iterable[Hit]) -> list[str]:
    """One phrase per cue, the cues that weighed most first.

    A cue's phrase is its most prominent mention (headline, then the earliest paragraph),
    the longer quote winning a tie; the same wording is never given twice.
    """
    weight: dict[str, float] = {}
    mentions: dict[str, int] = {}
    best: dict[str, tuple[float, int, Hit]] = {}
    for hit in hits:
        value = hit.weight * position_weight(hit)
        n = mentions.get(hit.cue, 0)
        mentions[hit.cue] = n + 1
        weight[hit.cue] = weight.get(hit.cue, 0.0) + value * REPEAT_DECAY**n
        rank = (-value, -(hit.end - hit.start), hit)
        if hit.cue not in best or rank[:2] < best[hit.cue][:2]:
            best[hit.cue] = rank
    phrases: list[str] = []
    for cue in sorted(weight, key=lambda c: -weight[c]):
        phrase = evidence.phrase(best[cue][2])
        if phrase.lower() not in (p.lower() for p in phrases):
            phrases.append(phrase)
    return phrases


def reasons_for(evidence: Evidence) -> tuple[str, ...]:
    """The phrases that made the story a trade story, strongest first.

    Phrases are quoted from the body where it has them (the headline is in capitals on
    the wire); a cue found only in the headline is quoted from the headline.
    """
    positive = _telling(evidence.positive())
    in_body = {h.cue for h in positive if h.where == "body"}
    hits = [h for h in positive if h.where == "body" or h.cue not in in_body]
    measures = measure_phrases(evidence)
    phrases = [p for p in _ranked_phrases(evidence, hits) if not any(p.lower() in m.lower() for m in measures)]
    return tuple((measures + phrases)[:MAX_REASONS])


def measure_phrases(evidence: Evidence) -> list[str]:
    """The tariff measures the headline and lead report with their rate or value, quoted
    whole ("a 25% additional tariff on imports from Canada", "the tariff on Canada from 25%
    to 35%"), the body's first; at most MAX_MEASURE_QUOTES."""
    phrases: list[str] = []
    in_body = any(a.rated and a.where == "body" for a in evidence.actions)
    for action in sorted(evidence.actions, key=lambda a: (a.paragraph, a.start)):
        if action.rated is None or (in_body and action.where == "title"):
            continue
        text = evidence.title if action.where == "title" else evidence.body
        start, end = action.rated
        # after a rate, only the goods it is levied on belong to the quote, not "from June 4"
        bare = _RATE_END.search(text, start, end) is not None and not _ON_AHEAD.match(text, end)
        phrase = " ".join(text[start:end].split()) if bare else quote(text, start, end)
        if len(phrase) <= MAX_MEASURE_QUOTE and phrase.lower() not in (p.lower() for p in phrases):
            phrases.append(phrase)
    return phrases[:MAX_MEASURE_QUOTES]


def _telling(hits: tuple[Hit, ...]) -> tuple[Hit, ...]:
    """The hits worth quoting: weak context words ("minister", "deficit") only when
    nothing stronger was found."""
    strong = tuple(h for h in hits if h.weight >= REASON_MIN)
    return strong or hits


_COUNTER_LABELS = {
    "traders_said": "a commodity market report",
    "commodity_units": "a commodity market report",
    "commodity": "a commodity market report",
    "market_trade": "a commodity market report",
    "eep": "a commodity market report",
    "company_news": "company news",
    "bond_market": "bond market news",
    "currency_market": "currency market news",
}


def reasons_against(evidence: Evidence, score: float, threshold: float) -> tuple[str, ...]:
    """Why the story was not posted: what evidence there was, and why it fell short."""
    positive = evidence.positive()
    if not positive:
        return ("no trade-policy terms",)
    phrases = _ranked_phrases(evidence, _telling(positive))[:3]
    reasons = [
        "best evidence: " + ", ".join(f'"{p}"' for p in phrases),
        f"too weak or too incidental to the story (score {score:.2f} < {threshold:.2f})",
    ]
    counters: dict[str, int] = {}
    for hit in evidence.counter():
        label = _COUNTER_LABELS.get(hit.cue)
        if label:
            counters[label] = counters.get(label, 0) + (3 if hit.where == "title" else 1)
    if counters:
        label = max(counters, key=lambda k: counters[k])
        if counters[label] >= 3:
            reasons.append(f"reads as {label}")
    return tuple(reasons)
