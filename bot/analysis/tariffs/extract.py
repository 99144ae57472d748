"""The tariff changes an article reports: one entry per measure, not per mention.

`extract_tariffs` reads every sentence (`tariff_mentions.read_sentence`, whose fields come
from the ordered rule tables TARGET_RULES, IMPOSER_RULES, RATE_RULES, VALUE_RULES,
STATUS_RULES and EFFECTIVE_RULES; see docs/analysis.md), then merges the mentions of one
measure across sentences ("penalty tariffs on 200 mln dlrs of Korean exports" + "the duties
of 60 per cent ... start on May 3"), applies a delay or a removal to the measure it concerns
instead of counting a new one, and fills in what the story says beyond the sentence
(`tariff_story`: who levies it, starts and values said elsewhere, the order of the list).
Pure functions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from bot.analysis.countries import find_countries
from bot.analysis.dates.extract import DateSpan, find_dates
from bot.analysis.numbers import find_money
from bot.analysis.tariffs.cues import MEASURE, mask_non_measures
from bot.analysis.tariffs.mentions import SELF, Mention, read_sentence
from bot.analysis.tariffs.story import (
    PLURAL_REACH,
    change_dated,
    deadline,
    in_reading_order,
    not_yet_in_force,
    plural_starts,
    same_amount,
    story_countries,
    tier_of,
    value_stated,
)
from bot.analysis.tariffs.timing import days_later
from bot.analysis.text import Prepared
from bot.domain import TariffChange

_CONTEXT_SENTENCES = 2
"""How far a bare "a cut to seven pct" may be from the last sentence naming a measure."""

_STOP = frozenset("the a an of on and or in from to its their goods products imports exports".split())
_VALUED = re.compile(
    r"\b(?:exports|imports|shipments|sales|goods|products),?\s+(?:valued\s+at|worth)\s+"
    r"(?:about\s+|some\s+|nearly\s+|almost\s+|around\s+)?$",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class _Measure:
    first: int
    last: int
    mention: Mention


def extract_tariffs(prepared: Prepared, doc: Any = None) -> tuple[TariffChange, ...]:
    """Each distinct tariff measure the article gives a rate, a value or a change for."""
    mentions = read_mentions(prepared)
    measures = _merge(mentions)
    fallback = story_countries(prepared)
    out: list[TariffChange] = []
    by_date = deadline(prepared)
    starts = plural_starts(mentions)
    for k, m in enumerate(measures):
        m = replace(m, mention=tier_of(m.mention, [e.mention for e in measures[:k]]))
        if m.mention.effective is None and m.mention.status in ("announced", "in_effect"):
            near = [value for at, value in starts if abs(at - m.first) <= PLURAL_REACH]
            if near:
                m = replace(m, mention=replace(m.mention, effective=near[0], effective_stated=True))
        if by_date and m.mention.effective is None and m.mention.status == "announced":
            m = replace(m, mention=replace(m.mention, effective=by_date))
        mention = not_yet_in_force(_with_value_from_story(m.mention, prepared), prepared.anchor)
        change = _finish(mention, mentions, fallback)
        out.append(change)
        out.extend(replace(change, target=other) for other in mention.also if other != change.imposer)
    return in_reading_order(out, prepared)


def read_mentions(prepared: Prepared) -> list[Mention]:
    """Every tariff mention of the article, sentence by sentence."""
    dates = sorted([*find_dates(prepared.text, prepared.anchor), *days_later(prepared.text, prepared.anchor)],
                   key=lambda d: d.start)
    mentions: list[Mention] = []
    context_until = -1
    for i, sentence in enumerate(prepared.sentences):
        local = [
            DateSpan(d.start - sentence.start, d.end - sentence.start, d.text, d.value)
            for d in dates
            if sentence.start <= d.start and d.end <= sentence.end
        ]
        mentions.extend(read_sentence(i, sentence.text, local, in_context=i <= context_until))
        if i <= context_until and not MEASURE.search(mask_non_measures(sentence.text)):
            mentions.extend(change_dated(i, sentence.text, local))
            mentions.extend(value_stated(i, sentence.text))
        if MEASURE.search(mask_non_measures(sentence.text)):
            context_until = i + _CONTEXT_SENTENCES
    return same_amount(mentions)


def _merge(mentions: list[Mention]) -> list[_Measure]:
    measures: list[_Measure] = []
    for m in mentions:
        if not m.has_numbers:
            if not _apply_state(measures, m) and _held_change_of_its_own(measures, m):
                measures.append(_Measure(m.sentence, m.sentence, m))
            continue
        k = _same_measure(measures, m)
        if k is not None:
            e = measures[k]
            measures[k] = _Measure(e.first, m.sentence, _fill(e.mention, m))
            continue
        measures.append(_Measure(m.sentence, m.sentence, _inherit(measures, m)))
    return measures


def _conflict(a: object, b: object, rel: float = 0.0) -> bool:
    if a is None or b is None:
        return False
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return abs(a - b) > rel * max(abs(a), abs(b))
    return a != b


def _compatible(e: Mention, m: Mention) -> bool:
    return not (
        _conflict(e.new_rate, m.new_rate)
        or _conflict(e.old_rate, m.old_rate)
        or _conflict(e.value_usd, m.value_usd, 0.02)
        or _conflict(_targets(e) or None, _targets(m) or None)
        or _conflict(e.imposer, m.imposer)
    )


def _words(products: str | None) -> set[str]:
    return {w for w in re.findall(r"[a-z][a-z-]+", (products or "").lower()) if w not in _STOP}


_GENERIC = frozenset(
    """certain different set other all covered various range list additional new originating such
    qualifying subject coming entering any most many""".split()
)
"""Words that name goods only generically ("certain goods of Canada", "a different set of
Canadian imports", "all products coming into the United States")."""


def _content_words(products: str | None) -> set[str]:
    """The words of a goods' phrase that name particular goods (no countries, no generic words)."""
    text = products or ""
    for start, end, _ in reversed(find_countries(text)):
        text = text[:start] + " " + text[end:]
    return _words(text) - _GENERIC


def _related(e: _Measure, m: Mention) -> bool:
    """Whether a mention may speak of measure `e`: goods in common; or, where either names its
    goods only generically, the same rate on the same target restated ("a 25% tariff on
    imports from Canada and Mexico" ... "will charge both neighbours a 25% tariff on every
    product"), a definite "the tariffs", or the next sentence."""
    if m.products and e.mention.products:
        mine, theirs = _content_words(m.products), _content_words(e.mention.products)
        if mine and theirs:
            return bool(mine & theirs)
    if _restated(e.mention, m):
        return True
    if m.products and e.mention.products:
        return bool(_words(m.products) & _words(e.mention.products))
    return m.definite or m.change_only or m.sentence - e.last <= 1


def _restated(e: Mention, m: Mention) -> bool:
    return m.new_rate is not None and m.new_rate == e.new_rate and bool(_targets(m)) and _targets(m) == _targets(e)


def _targets(m: Mention) -> frozenset[str]:
    return frozenset(t for t in (m.target, *m.also) if t is not None)


def _same_measure(measures: list[_Measure], m: Mention) -> int | None:
    for k in range(len(measures) - 1, -1, -1):
        e = measures[k]
        if m.change_only and m.new_rate is None:
            return None
        if _compatible(e.mention, m) and _related(e, m) and (m.definite or m.sentence != e.last):
            return k
    return None


def _fill(e: Mention, m: Mention) -> Mention:
    """`e` completed by a later mention `m` of the same measure."""
    status, strength = e.status, e.strength
    if m.strength > e.strength:
        status, strength = m.status, m.strength
    return replace(
        e,
        new_rate=e.new_rate if e.new_rate is not None else m.new_rate,
        old_rate=e.old_rate if e.old_rate is not None else m.old_rate,
        change_text=e.change_text or m.change_text,
        value_usd=e.value_usd if e.value_usd is not None else m.value_usd,
        value_text=e.value_text or m.value_text,
        products=e.products or m.products,
        imposer=e.imposer or m.imposer,
        target=e.target or m.target,
        effective=e.effective or m.effective,
        status=status,
        strength=strength,
    )


def _inherit(measures: list[_Measure], m: Mention) -> Mention:
    """A new measure on the same goods as the last one takes its parties and its rate as
    the starting point ("duties were cut to 20 pct ... Washington wants a cut to seven")."""
    for e in reversed(measures):
        if not (_related(e, m) and m.sentence - e.last <= 3):
            continue
        if _conflict(e.mention.target, m.target) or _conflict(e.mention.imposer, m.imposer):
            break  # "Canadian energy products get a lower 10% tariff": its own measure
        p = e.mention
        old = m.old_rate
        if m.change_only and old is None and m.new_rate is not None and p.new_rate is not None \
                and p.new_rate != m.new_rate:
            old = p.new_rate
        return replace(
            m,
            old_rate=old,
            products=m.products or p.products,
            imposer=m.imposer or p.imposer,
            target=m.target or p.target,
        )
    return m


def _apply_state(measures: list[_Measure], m: Mention) -> bool:
    """A mention with no numbers can delay, lift or date the measure it speaks of; whether
    it spoke of one."""
    if m.partial or not measures:
        return False
    k = len(measures) - 1
    e = measures[k]
    if m.sentence - e.last > 3 or not _compatible(e.mention, m):
        return False
    same_parties = m.imposer is not None and m.imposer == e.mention.imposer
    if not (m.definite or same_parties or (m.products and _related(e, m))):
        return False
    if m.products and e.mention.products and not _related(e, m):
        return False  # "... a planned rise in its rice tariff" after a measure on beef
    mention = e.mention
    if m.cue_near and m.strength >= 5 and m.status != mention.status:
        mention = replace(mention, status=m.status, strength=m.strength)
    put_off = m.cue_near and m.status == "delayed"  # "delayed the rise until October": the new start
    put_off = put_off or (m.change_only and mention.status == "delayed")  # "the rise is now set for ..."
    if m.effective and m.effective_stated and (mention.effective is None or put_off):
        mention = replace(mention, effective=m.effective)
    measures[k] = _Measure(e.first, e.last, mention)
    return True


def _held_change_of_its_own(measures: list[_Measure], m: Mention) -> bool:
    """"Japan will delay a planned rise in its rice import tariff until October": a planned
    change put off, on named goods, that no measure of the story already stands for, is
    reported though the text gives it no rate and no value."""
    if not (m.held_change and m.products) or m.partial:
        return False
    return not any(_words(m.products) & _words(e.mention.products) for e in measures)


def _with_value_from_story(m: Mention, prepared: Prepared) -> Mention:
    """"shipments valued at 270 million U.S. dlrs" elsewhere in the story, for the same goods
    from the same country, is the value a measure covers when its own sentence gives none."""
    if m.value_usd is not None or m.value_text is not None or m.target in (None, SELF):
        return m
    text = prepared.text
    for money in find_money(text):
        if not money.usd or not _VALUED.search(text[max(0, money.start - 40) : money.start]):
            continue
        near = text[max(0, money.start - 90) : money.start]
        countries = {c[2] for c in find_countries(near)}
        if m.target in countries and _words(near) & _words(m.products):
            return replace(m, value_usd=int(money.amount), value_text=money.text)
    return m


def _finish(m: Mention, mentions: list[Mention], fallback: list[str]) -> TariffChange:
    own = m.target == SELF
    target = None if own else m.target or _context_target(m, mentions)
    imposer = m.imposer
    if imposer is None or (imposer == target and not own):
        imposer = _context_imposer(m, mentions, target) or next(
            (c for c in fallback if c != target and c not in m.also), None
        )
    if own:
        target = imposer
    return TariffChange(
        imposer=imposer,
        target=target or "all",
        products=m.products,
        value_usd=m.value_usd,
        old_rate_pct=m.old_rate,
        new_rate_pct=m.new_rate,
        effective=m.effective,
        status=m.status,
        evidence=m.evidence,
        value_text=m.value_text,
        change_text=m.change_text,
    )


def _context_target(m: Mention, mentions: list[Mention]) -> str | None:
    """Whose goods the story's nearby mentions of a measure name ("duties on frozen orange
    juice from Brazil" ... "a preliminary duty of 8.54 pct was set on the imports")."""
    near = [o for o in mentions if o.target not in (None, SELF) and abs(o.sentence - m.sentence) <= 2
            and (o.imposer is None or m.imposer is None or o.imposer == m.imposer)]
    near.sort(key=lambda o: (abs(o.sentence - m.sentence), o.sentence > m.sentence))
    if near:
        return near[0].target
    if _THIS_PROCEEDING.search(m.evidence):  # "... under this antidumping duty order": the one named first
        return next((o.target for o in mentions if o.target not in (None, SELF) and o.sentence < m.sentence), None)
    return None


_THIS_PROCEEDING = re.compile(
    r"\b(?:this|the\s+same)\s+(?:[\w-]+\s+){0,3}(?:order|investigation|review|proceeding|action)\b", re.IGNORECASE
)
"""A notice's reference back to the case it is about ("under this antidumping duty order")."""


def _context_imposer(m: Mention, mentions: list[Mention], target: str | None) -> str | None:
    """Who levies the measure the story was talking about just before."""
    for other in reversed(mentions):
        if m.sentence - 2 <= other.sentence <= m.sentence and other.imposer and other.imposer != target:
            return other.imposer
    return None
