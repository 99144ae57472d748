"""Who is acting in a story: every real person named, once, with role and country.

spaCy's PERSON entities are one signal among several: wire copy also names people after a
title ("Treasurer Paul Keating"), an honorific ("Mr Liao Min"), before a speech verb
("Tran Van Thinh told") or an apposition ("Wang Chao-Ming, vice-chairman of ..."), and
writes Asian names with hyphenated given names ("Rha Woong-Bae") that the model often
misses. Candidates are cut out of capitalised runs, so that titles, organisations and
places around a name never become part of it; later mentions ("Mr Ross", "Kim") merge
into the fullest form of the name.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.analysis.countries import country_of
from bot.analysis.people.name_spans import (
    Segment,
    Word,
    country_words,
    cut_between,
    is_capitalised,
    is_honorific,
    misspelt,
    runs,
    segments,
    split_words,
)
from bot.analysis.people.roles import (
    apposition_after,
    clause_before,
    group_country,
    is_governmental,
    names_a_post,
    organisation_after,
    possessive_before,
    role_country,
    setting_country,
    title_before,
    title_before_comma,
)
from bot.analysis.people.words import NOT_NAMES, ORG_WORDS, PARTICLES, SPEECH_VERBS, TITLE_HEADS
from bot.analysis.text import Prepared
from bot.domain import Person

_NOT_PERSON_LABELS = frozenset(
    {"ORG", "GPE", "LOC", "FAC", "NORP", "PRODUCT", "EVENT", "WORK_OF_ART", "LAW", "LANGUAGE"}
)
# Nouns that a name only modifies ("the Reagan administration"): not a mention of a person.
_MODIFIED = frozenset(
    """administration government cabinet plan bill amendment doctrine era camp proposal
    package initiative legislation act airport bond bonds plant project""".split()
)
# What only a person has: "under Hollis's leadership", "Hollis's predecessor".
_PERSONAL_NOUNS = frozenset(
    """leadership presidency premiership chairmanship tenure predecessor successor wife
    husband son daughter widow campaign""".split()
)
# Title words that a company can bear as well ("a partner", "the market leader").
_COMPANY_TOO = frozenset("partner owner member leader founder publisher trader dealer consultant player".split())
_LIST_OR_PLACE = frozenset("and or in at of from to near across".split())
# an apposition that gives a title opens with an article, a possessive or a lower-case word
_APPOSITION_OPENS = re.compile(r",\s+(?:(?:the|a|an)\s|[A-Z][\w.&-]*['’]s\s|[a-z])")
_DETERMINERS = frozenset("the a an his her its their our my your this that these those".split())
_LABEL_OF = re.compile(r"(?:['’]s)?\s+(?i:" + "|".join(sorted(_MODIFIED)) + r")\b")
_SHORT_NAME = re.compile(r"\b([A-Za-z]+)\.?\s+\(([A-Z][A-Za-z&-]+)\)")
_NUMBER = re.compile(r"^\d")
_ASIAN_GIVEN = re.compile(r"^[A-Z][a-z]{1,6}-[A-Za-z][a-z]{1,6}$")
_ASIAN_FAMILY = re.compile(r"^[A-Z][a-z]{1,5}$")


@dataclass(frozen=True, slots=True)
class Mention:
    """One mention of a person: the name words, where they stand (word indexes), and
    whether a title or honorific introduces them."""

    name: tuple[str, ...]
    first: int
    last: int
    titled: bool = False


@dataclass(frozen=True, slots=True)
class _Context:
    text: str
    words: tuple[Word, ...]
    entities: tuple[tuple[int, int, str], ...]
    sentence_bounds: tuple[tuple[int, int], ...]
    doc: Any

    def sentence(self, offset: int) -> tuple[int, int]:
        starts = [s for s, _ in self.sentence_bounds]
        i = bisect.bisect_right(starts, offset) - 1
        return self.sentence_bounds[i] if i >= 0 else (0, len(self.text))


def extract_people(prepared: Prepared, doc: Any) -> tuple[Person, ...]:
    """Every person the story names, in order of first mention.

    `doc` is the spaCy `Doc` of `prepared.text`.
    """
    text = prepared.text
    bounds = tuple((s.start, s.end) for s in prepared.sentences) or ((0, len(text)),)
    words = split_words(text, frozenset(s for s, _ in bounds))
    entities = tuple((e.start_char, e.end_char, str(e.label_)) for e in doc.ents)
    ctx = _Context(text, words, entities, bounds, doc)
    mentions, org_names = find_mentions(ctx)
    clusters = [c for c in merge_mentions(mentions) if _keep(c, ctx, org_names)]
    home = setting_country(prepared.dateline.place if prepared.dateline else None)
    return tuple(_person(cluster, ctx, home) for cluster in clusters)


def find_mentions(ctx: _Context) -> tuple[list[Mention], frozenset[tuple[str, ...]]]:
    """Every mention of a person, and the names seen opening an organisation's name."""
    in_country = country_words(ctx.text, ctx.words)
    mentions: list[Mention] = []
    org_names: set[tuple[str, ...]] = set()
    for m in _SHORT_NAME.finditer(ctx.text):  # "Amsterdam-Rotterdam Bank NV (Amro)"
        if m.group(1).lower() in ORG_WORDS:
            org_names.add(_key((m.group(2),)))
    for start, end in runs(ctx.words):
        for seg in segments(ctx.words, start, end, in_country):
            name = tuple(w.text for w in ctx.words[seg.first : seg.last])
            if _in_organisation(seg, ctx.words, in_country):
                if not _labels(seg, ctx.words):  # "the Biden Administration" is no company
                    org_names.add(_key(name))
                continue
            verdict = _is_person(seg, ctx)
            if verdict is not None:
                mentions.append(Mention(name, seg.first, seg.last, verdict))
    return mentions, frozenset(org_names)


def _in_organisation(seg: Segment, words: tuple[Word, ...], in_country: frozenset[int]) -> bool:
    """Is the candidate part of an organisation's name ("Fairchild Semiconductor Corp",
    "Merrill Lynch & Co", "Banco do Brasil", "the Banking Bill")?"""
    if seg.last < seg.run_end and words[seg.last].low.rstrip(".") in ORG_WORDS:
        return True
    if seg.last < len(words) and words[seg.last].text == "&" and not words[seg.last - 1].cut_after:
        return True
    k = seg.first - 1
    while k >= seg.run and words[k].low in PARTICLES:
        k -= 1
    if k < seg.run or k in in_country or words[k].low.rstrip(".") not in ORG_WORDS:
        return False
    return not _titled(seg, words)  # not "Secretary of State George Shultz"


def _labels(seg: Segment, words: tuple[Word, ...]) -> bool:
    """Does the name only label what follows ("the Reagan Administration", "Biden Plan")?"""
    return seg.last < seg.run_end and words[seg.last].low in _MODIFIED


def _is_person(seg: Segment, ctx: _Context) -> bool | None:
    """None when the candidate is not a person, else whether a title introduces it."""
    words = ctx.words
    names = words[seg.first : seg.last]
    nxt = words[seg.last] if seg.last < len(words) else None
    joined = nxt is not None and not names[-1].cut_after and not nxt.cut_before
    start, end = names[0].start, names[-1].end
    titled = _titled(seg, words)
    modifier = (joined and nxt is not None and nxt.low in _MODIFIED) or _modifier(ctx, start, end)
    if titled == _POST and not (modifier and words[seg.first - 1].text.islower()):
        return True  # (but not "the official Antara news agency")
    if modifier or (joined and nxt is not None and _NUMBER.match(nxt.text)):
        return None  # "the Reagan administration", "Kansai airport", "the ship Sismik 1"
    ner = any(label == "PERSON" and s < end and start < e for s, e, label in ctx.entities)
    other = any(_names_a_thing(ctx.text, start, end, s, e) for s, e, label in ctx.entities
                if label in _NOT_PERSON_LABELS)
    if titled == _BODY and len(names) > 1:
        # the model often glues such a title to the name as one ORG; the name alone must not be one
        own = any(label in _NOT_PERSON_LABELS and start - 4 <= s <= start and end <= e
                  for s, e, label in ctx.entities)
        return True if not own else None
    if len(names) == 1:
        before = words[seg.run - 1] if seg.run > 0 else None
        if before is not None and before.low in _DETERMINERS and not cut_between(words, seg.run - 1):
            return None  # "his U.S. Counterpart, Trade Representative ...": a common noun
        if names[0].possessive and nxt is not None and nxt.low in _PERSONAL_NOUNS:
            return True  # "under Biden's leadership": only a person has one
        if _speaker_then_pronoun(ctx, seg) and not _lower_elsewhere(names[0].text, ctx.text):
            return True  # "..., Poehl said. He added ...": a person, whatever the model thinks
        if _given_a_title(ctx, seg):
            return True  # "Tamura, the trade minister, said"; "the trade minister, Tamura, said"
        return False if ner and not other and not _lower_elsewhere(names[0].text, ctx.text) else None
    if _asian_name(names):
        return False
    if all(_lower_elsewhere(w.text, ctx.text) for w in names):
        return None  # common nouns capitalised for emphasis: "all Illegal Aliens" (and "illegal aliens")
    speech = (joined and nxt is not None and seg.last == seg.run_end and nxt.low in SPEECH_VERBS) or (
        _speaks_after_organisation(words, seg.last))
    appos = apposition_after(ctx.text, end, ctx.sentence(start)[1]) is not None
    return False if appos or ((ner or speech) and not other) else None


def _given_a_title(ctx: _Context, seg: Segment) -> bool:
    """Does an apposition give the lone name a title, after it ("Tamura, the trade
    minister,", "Dunkel, GATT's director-general,") or before it ("the trade minister,
    Tamura, said")? Not a sentence adverb ("Separately, French Prime Minister ...") nor a
    place in a list ("in Huanuni, Catavi and Colquiri, the union's secretary ...")."""
    word = ctx.words[seg.first]
    if word.low.endswith("ly") or word.low in NOT_NAMES:
        return False
    if seg.first > 0 and not cut_between(ctx.words, seg.first - 1) and ctx.words[seg.first - 1].low in _LIST_OR_PLACE:
        return False
    start, end = word.start, word.end
    s_start, s_end = ctx.sentence(start)
    after = apposition_after(ctx.text, end, s_end)
    if after is not None and _APPOSITION_OPENS.match(ctx.text, end):
        heads = [t for t in re.split(r"[\s-]+", after.lower()) if t in TITLE_HEADS]
        return bool(heads) and heads[0] not in _COMPANY_TOO  # not "Esso, a 50/50 partner"
    return title_before_comma(ctx.text, s_start, start, end)[0] is not None


_NEXT_PRONOUN = re.compile(r"\s*[\"“]?(?:He|She)\b")


def _speaker_then_pronoun(ctx: _Context, seg: Segment) -> bool:
    """Wire style names a speaker once by surname and goes on with "he" or "she": "...,
    Poehl said. He added ..." (a company goes on with "it")."""
    words = ctx.words
    if seg.last >= len(words) or words[seg.first].text.isupper():
        return False
    first, last = seg.first, seg.last
    nxt, prev = words[last], words[first - 1] if first > 0 else None
    if prev is not None and prev.low in ("and", "&") and not cut_between(words, first - 1):
        return False  # a firm: "brokers Phillips and Drew said"
    before = not cut_between(words, last - 1) and nxt.low in SPEECH_VERBS
    after = (prev is not None and prev.low in ("said", "says") and first >= 2 and cut_between(words, first - 2)
             and not cut_between(words, first - 1) and words[last - 1].cut_after
             and not words[last - 1].possessive)  # ", said Tamura." (not "He said Tandem's ...")
    if not (before or after):
        return False
    _, s_end = ctx.sentence(words[seg.first].start)
    return _NEXT_PRONOUN.match(ctx.text, s_end) is not None


def _lower_elsewhere(word: str, text: str) -> bool:
    """Does the word stand in lower case elsewhere in the text (a common word, not a name)?"""
    return re.search(r"\b" + re.escape(word.lower()) + r"\b", text) is not None


def _names_a_thing(text: str, start: int, end: int, s: int, e: int) -> bool:
    """Does the model's non-person entity (s, e) make the name (start, end) a thing?

    Not when it only glues an organisation before the name ("the European Community
    Tran Van Thinh") or a stray "of" after it ("Marshall Goldman of").
    """
    if not (s <= start and end <= e):
        return False
    tail = text[end:e].strip()
    if not tail:
        return s >= start - 4
    return tail not in ("of", "and", "'s")


def _speaks_after_organisation(words: tuple[Word, ...], last: int) -> bool:
    """"Marshall Goldman of Harvard University told ...": "of", an organisation, a speech verb."""
    if last >= len(words) or words[last].low != "of" or cut_between(words, last - 1):
        return False
    k = last + 1
    if k < len(words) and words[k].low == "the":
        k += 1
    start = k
    while k < len(words) and (is_capitalised(words[k]) or (k > start and words[k].low in ("and", "of", "&"))):
        if cut_between(words, k):
            return False
        k += 1
    return k > start and k < len(words) and words[k].low in SPEECH_VERBS


def _modifier(ctx: _Context, start: int, end: int) -> bool:
    """Does the name only modify a common noun ("the Baker debt initiative")?"""
    span = ctx.doc.char_span(start, end, alignment_mode="expand")
    if span is None or len(span) == 0:
        return False
    tok = span[-1]
    head = tok.head
    return bool(tok.dep_ == "compound" and head.i > tok.i and head.text.islower()
                and head.tag_ in ("NN", "NNS"))


def _keep(cluster: list[Mention], ctx: _Context, org_names: frozenset[tuple[str, ...]]) -> bool:
    """Drop a name that also opens a company's name, and a lone surname spaCy doubts."""
    if any(m.titled for m in cluster):
        return True
    key = _key(_fullest(cluster))
    if key in org_names:
        return False
    if len(key) > 1:
        return True
    if any(key[0] in name for name in org_names):  # "Jardine's" after "Jardine Fleming Ltd"
        return False
    if all(ctx.words[m.first].quote_start for m in cluster):
        return False  # a capitalised word opening quotations: '"Barter is also restrictive
    word = cluster[0].name[0]
    person = other = 0
    for m in re.finditer(r"\b" + re.escape(word) + r"\b", ctx.text):
        if _LABEL_OF.match(ctx.text, m.end()):
            continue  # "the Biden Administration": the name as a label says nothing about it
        for s, e, label in ctx.entities:
            if s <= m.start() < e:
                person += label == "PERSON"
                other += label in _NOT_PERSON_LABELS
    return person > other and any(_acts(m, ctx) for m in cluster)


def _acts(m: Mention, ctx: _Context) -> bool:
    """Does the lone surname act in its sentence (subject, object, possessor), rather than
    stand after a preposition like a place or a thing ("the launch of Sputnik")?"""
    word = ctx.words[m.first]
    span = ctx.doc.char_span(word.start, word.end, alignment_mode="expand")
    if span is None or len(span) == 0:
        return False
    tok = span[-1]
    while tok.dep_ == "conj" and tok.head.i < tok.i:
        tok = tok.head
    if tok.dep_ == "appos" and tok.head.text.lower() in ORG_WORDS:
        return False  # "the employers' association, Gesamtmetall,"
    return bool(tok.dep_ in ("nsubj", "nsubjpass", "poss", "dobj", "appos", "dative"))


_POST, _BODY = 2, 1


def _titled(seg: Segment, words: tuple[Word, ...]) -> int:
    """_POST after a post or an honorific ("Governor X", "chairman X", "Mr X"); _BODY after
    a title ending in the body served ("Secretary of State X"); else 0."""
    k = seg.first - 1
    if k >= 0 and not cut_between(words, k) and is_honorific(words[k]):
        return _POST
    title = title_before(words, seg.first)[0]
    if title is None:
        return 0
    return _POST if names_a_post(title) else _BODY


def _asian_name(names: Sequence[Word]) -> bool:
    """"Rha Woong-Bae", "Chang Chi-cheng": a short family name, a hyphenated given name."""
    return (len(names) == 2 and bool(_ASIAN_FAMILY.match(names[0].text))
            and bool(_ASIAN_GIVEN.match(names[1].text)))


def _key(name: Sequence[str]) -> tuple[str, ...]:
    """The name without its particles; a capitalised one that ends it is a name ("Zhou Bin"),
    and so is "Al" before one surname ("Al Gore")."""
    last = len(name) - 1
    given_al = last == 1 and name[0] == "Al"  # "Al Gore": a given name, not a particle
    return tuple(w.lower().replace("-", "") for i, w in enumerate(name)
                 if w.lower() not in PARTICLES or (i == last and w[:1].isupper()) or given_al) or tuple(
        w.lower() for w in name
    )


def same_person(a: Sequence[str], b: Sequence[str]) -> bool:
    """Do two name forms name the same person ("Ross" and "Wilbur Ross", "Kim" and "Kim Mahn-Je")?"""
    ka, kb = _key(a), _key(b)
    if ka == kb:
        return True
    if len(kb) == 1:
        return kb[0] in (ka[0], ka[-1]) or misspelt(kb[0], ka[-1])
    if len(ka) == 1:
        return ka[0] in (kb[0], kb[-1]) or misspelt(ka[0], kb[-1])
    if len(ka) > len(kb):
        ka, kb = kb, ka
    if kb[-len(ka) :] == ka:  # "Ruiz Ligero" in "Apolonio Ruiz Ligero"
        return True
    return ka[-1] == kb[-1] and ka[0][0] == kb[0][0]



def merge_mentions(mentions: list[Mention]) -> list[list[Mention]]:
    """Group mentions by person, in order of first mention; later ones join the latest match."""
    clusters: list[list[Mention]] = []
    for m in mentions:
        for cluster in reversed(clusters):
            if same_person(_fullest(cluster), m.name):
                cluster.append(m)
                break
        else:
            clusters.append([m])
    return clusters


def _fullest(cluster: list[Mention]) -> tuple[str, ...]:
    return max((m.name for m in cluster), key=len)


def _person(cluster: list[Mention], ctx: _Context, home: str | None) -> Person:
    role: str | None = None
    country: str | None = None
    for m in cluster:
        m_role, m_country = _role(m, ctx)
        if role is None and m_role:
            role, country = m_role, m_country
        if country is None:
            country = m_country
        if role and country:
            break
    if country is None and role and is_governmental(role) and title_used_in(role, home):
        country = home
    return Person(" ".join(_fullest(cluster)), role, country or None)


# Titles a government does not use: a "Vice-Premier" in a Washington story is a visitor.
_NOT_USED_IN = {
    "US": re.compile(r"\b(?:premier|prime\s+minister|minister|ministry|chancellor|politburo)",
                     re.IGNORECASE),
}


def title_used_in(role: str, country: str | None) -> bool:
    """Whether `country`'s government has this kind of title (as far as we know)."""
    pattern = _NOT_USED_IN.get(country or "")
    return pattern is None or not pattern.search(role)


def _role(m: Mention, ctx: _Context) -> tuple[str | None, str | None]:
    words = ctx.words
    start, end = words[m.first].start, words[m.last - 1].end
    s_start, s_end = ctx.sentence(start)
    role, demonym = title_before(words, m.first)
    if role is None:
        role = possessive_before(words, m.first) or apposition_after(ctx.text, end, s_end)
    if role is None:
        role, demonym = title_before_comma(ctx.text, s_start, start, end)
    if role is None:
        role = organisation_after(words, m.last) or clause_before(ctx.text, s_start, start)
    country = demonym or (role_country(role) if role else None)
    if country is None:
        place = organisation_after(words, m.last)  # "President Hissene Habre of Chad"
        country = country_of(place, capitals=False) if place else None
    if country is None:
        country = group_country(ctx.text[s_start:start])
    return role, country
