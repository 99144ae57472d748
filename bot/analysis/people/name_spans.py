"""Cutting news text into words and capitalised runs, and the runs into name candidates.

A run is a stretch of capitalised words with no punctuation between them ("Deputy U.S.
Trade Representative Michael Smith"); inside it, a name candidate is a stretch of words
that could belong to a person's name ("Michael Smith"), the words before it in the run
being its title or organisation. Pure functions over the text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from bot.analysis.countries import ambiguous_name, find_countries, is_place_name
from bot.analysis.people.words import (
    DATELINE_CITIES,
    HONORIFICS,
    INNER_NAME_WORDS,
    NOT_NAMES,
    ORG_WORDS,
    OTHER_PLACES,
    PARTICLES,
    TITLE_HEADS,
    TITLE_MODIFIERS,
)

_RAW_WORD = re.compile(r"\S+")
_LEAD = "\"'“‘([{<*+-–—"
_TAIL = "\"'”’)]}>,;:!?*+"
_POSSESSIVE = re.compile(r"(?:['’]s|s['’])$")
_ABBREVIATION = re.compile(r"^(?:[A-Z]\.)+$|^(?:[A-Za-z]\.){2,}[A-Za-z]?\.?$|^(?:Mr|Mrs|Ms|Dr|Rep|Sen|Gov|St|Jr|Sr|Prof|Messrs|Mme|Gen|Lt|Col|Mt)\.$")
_NAME_WORD = re.compile(r"^[A-Z][a-z'’]*(?:[A-Z][a-z'’]+)*(?:-[A-Za-z][a-z'’]*)*$|^(?:[A-Z]\.){1,3}$")
_ARTICLE_NAME = re.compile(r"^(?:al|el|ad|as|ash|ar|az)-[A-Z][a-z'’]+$")
_CITY = re.compile(r"\b(?:" + "|".join(
    re.escape(c.title()) for c in sorted(DATELINE_CITIES, key=len, reverse=True)) + r")\b")
_INITIALS = re.compile(r"^(?:[A-Z]\.){1,3}$")
_INSERTION = re.compile(r"\((?=[A-Z])([^()\n]{1,60}?[a-z])\)(?= [A-Z][a-z])")
_NAME_SUFFIX = re.compile(r"-(?:based|owned|led|made|run|controlled|style|type|born|backed|bound)$", re.I)


@dataclass(frozen=True, slots=True)
class Word:
    """One word of the text, stripped of the punctuation around it.

    `cut_before` / `cut_after`: punctuation (or a possessive) separates it from the word
    before / after; `sentence_start`: it opens a sentence, a paragraph or a quotation;
    `quote_start`: it opens a quotation.
    """

    text: str
    start: int
    end: int
    cut_before: bool
    cut_after: bool
    possessive: bool
    sentence_start: bool
    quote_start: bool = False

    @property
    def low(self) -> str:
        return self.text.lower()


@dataclass(frozen=True, slots=True)
class Segment:
    """A candidate name: words[first:last] of the text, inside the run words[run:run_end]."""

    first: int
    last: int
    run: int
    run_end: int


def split_words(text: str, sentence_starts: frozenset[int]) -> tuple[Word, ...]:
    """The words of `text`, with the punctuation facts the name rules need."""
    out: list[Word] = []
    # "(Trade and Industry Secretary Paul) Channon": the brackets do not cut the run
    text = _INSERTION.sub(lambda m: f" {m.group(1)} ", text)
    for m in _RAW_WORD.finditer(text):
        raw, start = m.group(0), m.start()
        lead = len(raw) - len(raw.lstrip(_LEAD))
        core = raw[lead:]
        core_start = start + lead
        tail_cut = False
        while core and (core[-1] in _TAIL or (core[-1] == "." and not _ABBREVIATION.match(core))):
            core = core[:-1]
            tail_cut = True
        possessive = bool(_POSSESSIVE.search(core)) and len(core) > 2
        if possessive:
            core = core[:-2] if core[-2] in "'’" else core[:-1]
        if not core:
            continue
        quote = raw[:1] in "\"“‘'"
        at_start = quote or core_start in sentence_starts or start in sentence_starts or (
            start == 0 or text[start - 1] == "\n"
        )
        out.append(Word(core, core_start, core_start + len(core), lead > 0 or at_start,
                        tail_cut or possessive, possessive, at_start, quote))
    return tuple(out)


def country_words(text: str, words: tuple[Word, ...]) -> frozenset[int]:
    """Indexes of words that belong to a country or city mention ("Hong Kong", "European
    Community", "New York")."""
    spans = [(s, e) for s, e, _ in find_countries(text)]
    spans += [(m.start(), m.end()) for m in _CITY.finditer(text)]
    return frozenset(i for i, w in enumerate(words) if any(s <= w.start < e for s, e in spans))


def is_capitalised(word: Word) -> bool:
    """Capitalised, or an Arabic-style name with its article ("al-Rifa'i")."""
    return word.text[:1].isupper() or bool(_ARTICLE_NAME.match(word.text))


def runs(words: tuple[Word, ...]) -> Iterator[tuple[int, int]]:
    """(start, end) word indexes of each run of capitalised words without punctuation between."""
    i = 0
    while i < len(words):
        if not is_capitalised(words[i]):
            i += 1
            continue
        j = i + 1
        while j < len(words) and not words[j - 1].cut_after and not words[j].cut_before:
            w = words[j]
            if is_capitalised(w) or (w.low in PARTICLES and _particles_then_name(words, j)):
                j += 1
            else:
                break
        yield i, j
        i = j


def _particles_then_name(words: tuple[Word, ...], j: int) -> bool:
    """Do words[j:] run through particles to a capitalised word ("de la Garza")?"""
    while j < len(words) and words[j].low in PARTICLES and not cut_between(words, j):
        j += 1
    return j < len(words) and is_capitalised(words[j])


def is_name_word(word: Word, in_country: bool, inner: bool = False) -> bool:
    """Could this word be part of a person's name? `inner`: it follows a name word."""
    text, low = word.text, word.low
    if low in PARTICLES or (low in INNER_NAME_WORDS and not word.sentence_start and (inner or low != "may")):
        return True
    if inner and text == "St.":  # "Fernand St. Germain"
        return True
    if _ARTICLE_NAME.match(text):
        return True
    if not _NAME_WORD.match(text) or in_country or _NAME_SUFFIX.search(text):
        return False
    if len(text) > 1 and text.isupper() and "." not in text:
        return False
    parts = low.split("-")
    if _plural_of_head(low) or (low in TITLE_MODIFIERS and low not in _SURNAME_MODIFIERS):
        return False
    vocab = HONORIFICS | TITLE_HEADS | ORG_WORDS | NOT_NAMES
    if low in vocab or low.rstrip(".") in vocab or any(p in TITLE_HEADS or p in ORG_WORDS for p in parts):
        return False
    if low in DATELINE_CITIES or low in OTHER_PLACES or any(misspelt(low, h) for h in _LONG_HEADS):
        return False  # "Rotterdam", "Madagascar"; "Prime Minsiter"
    return not is_place_name(text) or ambiguous_name(text)  # "Jordan": `in_country` decided


_SURNAME_MODIFIERS = frozenset({"white", "young", "house", "home"})
_PATRONYMIC = frozenset({"bin", "ibn", "ben", "bint"})
# Titles common enough in wire copy to be checked for typing errors ("Prime Minsiter").
_LONG_HEADS = ("minister", "secretary", "president", "governor", "chairman", "director",
               "representative", "commissioner", "ambassador", "spokesman", "treasurer")


def _plural_of_head(low: str) -> bool:
    """"Congressmen", "ministers": a plural of a title word."""
    if low.endswith("men") and low[:-3] + "man" in TITLE_HEADS:
        return True
    return low.endswith("s") and low[:-1] in TITLE_HEADS


def transposed(a: str, b: str) -> bool:
    """Two letters swapped in a long word ("Calrsson" for "Carlsson")."""
    if len(a) != len(b) or len(a) < 5 or a == b or sorted(a) != sorted(b):
        return False
    return sum(x != y for x, y in zip(a, b, strict=True)) == 2


def misspelt(a: str, b: str) -> bool:
    """A long word typed with two letters swapped or one letter doubled or dropped
    ("Minsiter", "Miniister" for "minister")."""
    if transposed(a, b):
        return True
    if abs(len(a) - len(b)) != 1 or min(len(a), len(b)) < 6:
        return False
    long, short = (a, b) if len(a) > len(b) else (b, a)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


def cut_between(words: tuple[Word, ...], i: int) -> bool:
    """Is there punctuation between words[i] and words[i + 1]?"""
    return words[i].cut_after or (i + 1 < len(words) and words[i + 1].cut_before)


def segments(words: tuple[Word, ...], start: int, end: int, in_country: frozenset[int]) -> Iterator[Segment]:
    """Name candidates inside the run words[start:end]."""
    i = start
    while i < end:
        if not is_name_word(words[i], i in in_country) or (
            words[i].low in PARTICLES and not given_al(words, i, end, in_country)
        ):
            i += 1
            continue
        j = i + 1
        while j < end and (is_name_word(words[j], j in in_country, inner=True) or (
            words[j - 1].low in _PATRONYMIC and is_capitalised(words[j])  # "Zaid bin Sultan"
        )):
            j += 1
        while j - 1 > i and (is_particle(words[j - 1]) or _INITIALS.match(words[j - 1].text)):
            j -= 1  # a name ends with a surname ("Zhou Bin" does: a capitalised "Bin" is one)
        if not _INITIALS.match(words[j - 1].text):
            yield Segment(i, j, start, end)
        i = j


def given_al(words: tuple[Word, ...], i: int, end: int, in_country: frozenset[int]) -> bool:
    """A capitalised "Al" before one capitalised surname is a given name ("Al Gore"); the
    particle is written lower case or hyphened ("al-Assad", "Al-Jubeir") or stands inside a
    longer name ("Khalid Al Falih")."""
    j = i + 1
    return (words[i].text == "Al" and j < end and not cut_between(words, i)
            and is_capitalised(words[j]) and "-" not in words[j].text and words[j].low not in PARTICLES
            and is_name_word(words[j], j in in_country, inner=True)
            and (j + 1 >= end or cut_between(words, j) or not is_name_word(words[j + 1], j + 1 in in_country, inner=True)))


def is_particle(word: Word) -> bool:
    """A particle that cannot end a name: "bin" in "Mohammed bin Salman", "de" in "de la
    Garza". Capitalised at the end of a name, the same word is a given name or a surname
    ("Zhou Bin", "Nguyen Van Do")."""
    return word.low in PARTICLES and not word.text[:1].isupper()


def is_title_word(word: Word) -> bool:
    """A word that can stand inside a title before a name."""
    low = word.low.rstrip(".")
    return is_capitalised(word) or low in TITLE_MODIFIERS or low in TITLE_HEADS or any(
        p in TITLE_HEADS for p in low.split("-")
    )


def is_head(word: Word) -> bool:
    low = word.low
    return (low in TITLE_HEADS or low.rstrip(".") in TITLE_HEADS or low.split("-")[-1] in TITLE_HEADS
            or (word.text[:1].isupper() and any(misspelt(low, h) for h in _LONG_HEADS)))


def is_honorific(word: Word) -> bool:
    return word.low in HONORIFICS or word.low.rstrip(".") in HONORIFICS
