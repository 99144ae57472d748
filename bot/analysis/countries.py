"""Countries, territories and trading blocs: names, adjectives and seats of government, to short names.

Every country and territory of ISO 3166 (from pycountry), the countries of the 1987 wire
that are gone (the Soviet Union, Yugoslavia ...) and the trading blocs (EC, EU, ASEAN,
Mercosur, COMESA ...) are known places. `countries.json` beside this module adds what
pycountry does not know: the short name reports use ("US", "UK", "South Korea", "Vietnam",
"EC"/"EU", as the gold guidelines write them), other names and short forms ("Holland",
"Burma", "ROK"), nationality adjectives and nouns ("Malawian", "Filipinos") and seats of
government used as metonyms ("Tokyo said"). Written knowledge, no model; the tables are
built once, on first use.
"""

from __future__ import annotations

import difflib
import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import pycountry

from bot.analysis.people.words import NOT_NAMES, ORG_WORDS, TITLE_HEADS

# A word before a place name that makes it another place ("New Mexico", "Latin America",
# "South China Sea"); forms that are places of their own ("South Korea") are longer aliases.
_OTHER_PLACE_BEFORE = re.compile(
    r"(?:\b(?:New|Latin|South|North|Central|East|West|Northern|Southern|Eastern|Western|"
    r"Upper|Lower|Greater|Baja|Nova)\s)$"
)
_OTHER_PLACE_AFTER = re.compile(r"\s(?:Ocean|Sea|Gulf|Peninsula|Subcontinent)\b")
_WORD_BEFORE = re.compile(r"(?:^|[\s(\"“])([A-Z][a-z]+\.?) $")
_WORD_AFTER = re.compile(r" ([A-Z][a-z]+)\b")
_PARENTHESIS = re.compile(r"\s*\([^)]*\)")


@dataclass(frozen=True, slots=True)
class _Tables:
    """What the matcher needs: names (lower case) to short names, the forms written in
    running text, and the ambiguous names that need a look at their neighbours."""

    names: dict[str, str]
    seats: dict[str, str]
    text_forms: tuple[str, ...]
    seat_forms: tuple[str, ...]
    short_names: tuple[str, ...]
    given_names: frozenset[str]
    surnames: frozenset[str]
    not_in_text: frozenset[str]


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def _forms(name: str) -> list[str]:
    """A name as written, without its parenthesis ("Falkland Islands (Malvinas)"), without
    accents ("Cote d'Ivoire") and without a leading "the"."""
    out: list[str] = []
    for form in (name, _PARENTHESIS.sub("", name)):
        for f in (form, _ascii(form)):
            f = f.strip()
            out.append(f)
            if f.lower().startswith("the "):
                out.append(f[4:])
    return list(dict.fromkeys(f for f in out if f))


def _short_of(record: Any, override: str | None) -> str:
    if override:
        return override
    common = getattr(record, "common_name", None)
    return str(common) if common else _PARENTHESIS.sub("", str(record.name)).strip()


@lru_cache(maxsize=1)
def _tables() -> _Tables:
    data: dict[str, Any] = json.loads(
        resources.files("bot.analysis").joinpath("countries.json").read_text(encoding="utf-8"))
    names: dict[str, str] = {}
    seats: dict[str, str] = {}
    text_forms: list[str] = []
    seat_forms: list[str] = []
    shorts: list[str] = []

    def add(short: str, entry: dict[str, Any], official: Iterable[str], in_text: bool = True) -> None:
        shorts.append(short)
        forms = [f for n in (*official, *entry.get("names", ()), short) for f in _forms(n)]
        forms += entry.get("adjectives", ())
        for f in forms:
            names.setdefault(f.lower(), short)
        for s in entry.get("seats", ()):
            seats.setdefault(s.lower(), short)
        if in_text:
            text_forms.extend(forms)
            seat_forms.extend(entry.get("seats", ()))

    # the blocs and the well-known countries first, so that their names win a clash
    for short, entry in data["blocs"].items():
        add(short, entry, (), in_text=bool(entry.get("in_text")))
    for record in pycountry.countries:
        entry = data["countries"].get(record.alpha_2, {})
        official = [str(getattr(record, k)) for k in ("name", "common_name", "official_name")
                    if getattr(record, k, None)]
        add(_short_of(record, entry.get("short")), entry, official)
    for short, entry in data["former"].items():
        add(short, entry, ())
    first = [s for s in data["listed_first"] if s in shorts]
    ordered = (*first, *sorted(set(shorts) - set(first)))
    ambiguous = data["ambiguous"]
    not_in_text = frozenset(ambiguous["not_in_text"])
    return _Tables(
        names=names,
        seats=seats,
        text_forms=tuple(f for f in dict.fromkeys(text_forms) if f not in not_in_text),
        seat_forms=tuple(dict.fromkeys(seat_forms)),
        short_names=ordered,
        given_names=frozenset(ambiguous["given_names"]),
        surnames=frozenset(ambiguous["surnames"]),
        not_in_text=not_in_text,
    )


def __getattr__(name: str) -> tuple[str, ...]:
    """`SHORT_NAMES`: every short name, the common ones first (built on first use)."""
    if name == "SHORT_NAMES":
        return _tables().short_names
    raise AttributeError(name)


def country_of(word: str, *, capitals: bool = True) -> str | None:
    """The short name for a country name, adjective or (if allowed) seat of government."""
    t = _tables()
    key = word.strip().lower().removeprefix("the ")
    return t.names.get(key) or (t.seats.get(key) if capitals else None)


def is_place_name(word: str) -> bool:
    """Is this word or phrase a known place (a country, territory, bloc, adjective or seat)?

    Such a word is never (part of) a person's name, except the few that are also common
    given names or surnames ("Chad", "Jordan"): those `person_named_like_a_place` decides.
    """
    t = _tables()
    key = word.strip().lower().removeprefix("the ")
    return key in t.names or key in t.seats


def ambiguous_name(word: str) -> bool:
    """A place name that is also a common given name or surname ("Jordan", "Chad")."""
    t = _tables()
    return word in t.given_names or word in t.surnames


def _trie_regex(forms: Iterable[str]) -> str:
    """One alternation for many literal strings, as a prefix tree: the regex engine walks
    it in one pass instead of trying each name in turn; longer names are tried first."""
    trie: dict[str, Any] = {}
    for form in forms:
        node = trie
        for ch in form:
            node = node.setdefault(ch, {})
        node[""] = {}

    def walk(node: dict[str, Any]) -> str:
        ends = "" in node
        branches = [re.escape(ch) + walk(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if ends:
            return "(?:" + body + ")?"
        return body

    return walk(trie)


@lru_cache(maxsize=2)
def mention_pattern(capitals: bool = True) -> re.Pattern[str]:
    """A regex that finds country mentions (longest form first), case-sensitive."""
    t = _tables()
    forms = (*t.text_forms, *(t.seat_forms if capitals else ()))
    return re.compile(r"(?<![\w.])(?:" + _trie_regex(forms) + r")(?![\w])(?:'s|’s)?")


def find_countries(text: str, *, capitals: bool = True) -> list[tuple[int, int, str]]:
    """Every country mention as (start, end, short name), in order.

    Not "Latin America", "New Mexico", "the South China Sea" or "the Indian Ocean", and not a name that is
    also a person's here ("Chad Bown", "Michael Jordan").
    """
    out: list[tuple[int, int, str]] = []
    for m in mention_pattern(capitals).finditer(text):
        word = m.group(0).removesuffix("'s").removesuffix("’s")
        short = country_of(word, capitals=capitals)
        if not short or _OTHER_PLACE_BEFORE.search(text, max(0, m.start() - 9), m.start()):
            continue
        if _OTHER_PLACE_AFTER.match(text, m.end()):  # "the Indian Ocean", "the Korean Peninsula"
            continue
        if ambiguous_name(word) and person_named_like_a_place(text, m.start(), m.start() + len(word)):
            continue
        out.append((m.start(), m.end(), short))
    return out


def person_named_like_a_place(text: str, start: int, end: int) -> bool:
    """Is the place-like name text[start:end] part of a person's name here: a given name
    before a capitalised surname ("Chad Bown said"), or a surname after a capitalised
    given name, honorific or title ("Michael Jordan", "Mr Jordan")?"""
    t = _tables()
    word = text[start:end]
    if word in t.given_names:
        after = _WORD_AFTER.match(text[end : end + 40])
        if after and _may_be_name(after.group(1)):
            return True
    if word in t.surnames:
        before = _WORD_BEFORE.search(text[max(0, start - 40) : start])
        if before and (_may_be_name(before.group(1)) or before.group(1).lower().rstrip(".") in TITLE_HEADS):
            return True
    return False


def _may_be_name(word: str) -> bool:
    low = word.lower().rstrip(".")
    if low in NOT_NAMES or low in ORG_WORDS or low in TITLE_HEADS or is_place_name(word):
        return False
    return not low.endswith(("ing", "ed"))  # a sentence opening "Visiting Jordan, ..."


def resolve_country(text: str) -> str | None:
    """The short name for what a person typed: a name, short form, adjective, ISO code or
    bloc ("south korea", "Korea, Republic of", "KOR", "viet nam", "mercosur") -> "South
    Korea", "Vietnam", "Mercosur"; None when it names no known place."""
    t = _tables()
    typed = " ".join(_ascii(text).replace("’", "'").split()).lower().removeprefix("the ")
    key = typed.strip(" .,")
    if not key:
        return None
    found = t.names.get(typed) or t.names.get(key) or t.seats.get(key)
    if found:
        return found
    for short in t.short_names:
        if short.lower() == key:
            return short
    if len(key) in (2, 3) and key.isalpha():
        code = key.upper()
        record = pycountry.countries.get(alpha_2=code) if len(key) == 2 else pycountry.countries.get(alpha_3=code)
        if record is not None:
            return country_of(str(record.name), capitals=False)
    return None


def suggest_countries(text: str, limit: int = 3) -> list[str]:
    """Short names close to what a person typed ("did you mean"), best first."""
    t = _tables()
    key = " ".join(_ascii(text).split()).lower()
    if not key or limit <= 0:
        return []
    keys = list(t.names) + [s.lower() for s in t.short_names]
    out: list[str] = []
    for close in difflib.get_close_matches(key, keys, n=limit * 4, cutoff=0.65):
        short = t.names.get(close) or next(s for s in t.short_names if s.lower() == close)
        if short not in out:
            out.append(short)
    return out[:limit]
