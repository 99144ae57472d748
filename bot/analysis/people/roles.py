"""A person's role and country, read from the words around one mention of the name.

Roles come from a title before the name ("Commerce Secretary Wilbur Ross"), an apposition
after it ("Liao Min, a vice-minister for finance,"), "X of <organisation>", or a
possessive organisation ("Fox Business Network's Maria Bartiromo"). Countries come from the
role, a national group that the sentence says the person leads or belongs to ("a Chinese
delegation led by ..."), or the story's setting for a national official.
"""

from __future__ import annotations

import re

from bot.analysis.countries import country_of, find_countries
from bot.analysis.people.name_spans import (
    Word,
    cut_between,
    is_capitalised,
    is_head,
    is_honorific,
    is_title_word,
    split_words,
)
from bot.analysis.people.words import (
    DATELINE_CITIES,
    GOVERNMENT_WORDS,
    INSTITUTION_COUNTRY,
    ORG_WORDS,
    PARTICLES,
    SPEECH_VERBS,
    TITLE_HEADS,
    TITLE_MODIFIERS,
)

_CONNECTORS = frozenset({"of", "for", "and"})
_DEMONYM = re.compile(r"^[A-Z][a-z]+(?:an|ese|ish|ian|i|ch|ic)$")
_CLAUSE_BREAK = re.compile(r"[,;:\"“”()]|\s-\s")
_NOT_IN_ROLE = SPEECH_VERBS | {"who", "which", "that", "is", "was", "are", "were", "has",
                               "had", "have", "will", "would", "could", "should", "can"}
_LEADING_JUNK = frozenset(
    """the a an another but and or so yet meanwhile also however then earlier later still thus while
    when after before since as if in on at by with from to under""".split()
)
_DEPARTMENT_WORDS = ORG_WORDS | TITLE_MODIFIERS | _CONNECTORS | {"the", "defense", "labor"}
_NOT_ROLE_START = frozenset(
    "as in at on for with to from by and but or who which when where while after before if because".split()
)
_GROUP = re.compile(
    r"\b(?P<who>[A-Z][\w.]*(?:\s[A-Z]\w*)?)\s+(?:[a-z-]+\s+){0,2}"
    r"(?:delegation|delegations|team|side|negotiators|officials|aides|mission|representatives)\b"
    r"[^.;]{0,80}?\b(?:led by|headed by|include|includes|included|including|such as)\b"
)


def title_before(words: tuple[Word, ...], first: int) -> tuple[str | None, str | None]:
    """The title standing right before the name words[first:], and a demonym it opens with.

    "Korean trade minister Rha ..." gives ("trade minister", "South Korea").
    """
    j = first
    while j > 0 and is_honorific(words[j - 1]) and not cut_between(words, j - 1):
        j -= 1
    end = j
    while j > 0 and not cut_between(words, j - 1):
        w = words[j - 1]
        if w.low == "the" and j >= 2 and words[j - 2].low == "of" and is_capitalised(words[j]):
            pass  # "Chancellor of the Exchequer"
        elif w.low in _CONNECTORS:
            if j - 2 < 0 or cut_between(words, j - 2) or not (is_capitalised(words[j]) or words[j].low == "the") or not (
                words[j - 2].low in ORG_WORDS or words[j - 2].low == "ways" or is_head(words[j - 2])
            ):
                break
        elif not is_title_word(w) or w.low in PARTICLES:
            break
        j -= 1
    phrase = list(words[j:end])
    demonym: str | None = None
    if j > 0 and words[j - 1].possessive and phrase:  # "China's Commerce Ministry spokesman"
        demonym = possessor_country(words, j - 1)
    while len(phrase) > 1:
        two = _demonym(f"{phrase[0].text} {phrase[1].text}") if len(phrase) > 2 else None
        one = _demonym(phrase[0].text)
        if two:
            demonym = two
            del phrase[:2]
        elif one:
            demonym = one
            phrase.pop(0)
        elif phrase[0].low in _CONNECTORS or phrase[0].low in _LEADING_JUNK:
            phrase.pop(0)  # "But Newfoundland Premier X"
        else:
            break
    for k in range(len(phrase) - 2, -1, -1):  # "spokesman for Chancellor X": the title is the last post
        if phrase[k].low in _CONNECTORS and is_head(phrase[k + 1]):
            phrase = phrase[k + 1 :]
            break
    if not phrase or not _ends_title(phrase):
        return None, None
    return " ".join(w.text for w in phrase), demonym


def possessor_country(words: tuple[Word, ...], k: int) -> str | None:
    """The country of a possessive ending at words[k], of one to three words ("China's",
    "Sri Lanka's", "Papua New Guinea's")."""
    for n in (3, 2, 1):
        first = k - n + 1
        if first < 0 or any(cut_between(words, i) for i in range(first, k)):
            continue
        found = country_of(" ".join(w.text for w in words[first : k + 1]), capitals=False)
        if found:
            return found
    return None


def _demonym(text: str) -> str | None:
    """The country of a nationality adjective ("Korean", "West German"), not of a name."""
    if not _DEMONYM.match(text.split()[-1]):
        return None
    short = country_of(text, capitals=False)
    return short if short and short != text else None


def _ends_title(phrase: list[Word]) -> bool:
    """"Trade Minister", "Secretary of State", "minister without portfolio"."""
    if is_head(phrase[-1]) or (len(phrase) > 1 and phrase[-1].low == "general" and is_head(phrase[-2])):
        return True
    if len(phrase) >= 3 and [w.low for w in phrase[-2:]] == ["without", "portfolio"]:
        return True
    if phrase[-1].low in _CONNECTORS or phrase[-1].low == "the":
        return False
    for k in range(len(phrase) - 2):
        if is_head(phrase[k]) and phrase[k + 1].low in ("of", "for"):  # "of State", "for Trade"
            return all(w.low in _DEPARTMENT_WORDS for w in phrase[k + 2 :])
    return False


def names_a_post(title: str) -> bool:
    """Does the title end with the post itself ("Trade Minister"), not with the body it
    serves ("Secretary of State"), after which a company's or a place's name may follow?"""
    last = title.split()[-1].lower()
    return last.rstrip(".") in TITLE_HEADS or last.split("-")[-1] in TITLE_HEADS or last in (
        "portfolio", "general") or not re.search(r"\b(?:of|for)\b", title)


def apposition_after(text: str, end: int, sentence_end: int) -> str | None:
    """The role in ", a vice-minister for finance," right after a name ending at `end`."""
    rest = text[end:sentence_end]
    if not rest.startswith(", "):
        return None
    part = _CLAUSE_BREAK.split(rest[2:], maxsplit=1)[0].strip().rstrip(".")
    if part.startswith("of "):
        return part[3:].removeprefix("the ") or None
    part = re.sub(r"^(?:a|an|the)\s+", "", part)
    tokens = part.lower().split()
    if not tokens or tokens[0] in _NOT_ROLE_START or len(tokens) > 16 or any(t in _NOT_IN_ROLE for t in tokens):
        return None
    if not any(t in TITLE_HEADS or t.split("-")[-1] in TITLE_HEADS for t in tokens[:5]):
        return None
    if rest[2 + len(part) :].startswith(" ("):  # "... Industry (MITI),"
        close = rest.find(")", 2 + len(part))
        if close > 0:
            part = rest[2:close + 1].strip()
    return part


_COMMA_BEFORE_NAME = re.compile(r",\s+(?:(?:Mr|Mrs|Ms|Dr|Sir|Madam|Mme)\.?\s+)?$")
# (a comma before a capitalised word continues a company's name: "Goldman, Sachs and Co")
_CLOSES_APPOSITION = re.compile(
    r"\s*(?:,(?!\s+[A-Z])|[.;]|$)|\s+(?:" + "|".join(sorted(SPEECH_VERBS)) + r")\b")
_NOUN_PHRASE_OPENERS = frozenset("the a an its his her their our this that".split())


def title_before_comma(text: str, sentence_start: int, start: int, end: int) -> tuple[str | None, str | None]:
    """The role and country of a title set off by a comma before the name text[start:end]:
    "Singapore's Minister for Trade and Industry, Mr Tan Wei Ming, said" gives ("Minister
    for Trade and Industry", "Singapore"); "a Commission spokeswoman, Lena Vogt, told"
    gives ("Commission spokeswoman", None). The name must close the apposition (a comma,
    the sentence's end or a speech verb follows), so a list of people lends no titles."""
    clause = text[sentence_start:start]
    tail = _COMMA_BEFORE_NAME.search(clause)
    if tail is None or not _CLOSES_APPOSITION.match(text, end):
        return None, None
    head = clause[: tail.start()]
    if not head.strip():
        return None, None
    words = split_words(head + " Name", frozenset())
    title, country = title_before(words, len(words) - 1)
    if title is None:
        return None, None
    # lower-case words before it belong to the title too: "the EC's external relations commissioner"
    k = len(words) - 1 - len(title.split())
    k0 = k
    while k > 0 and k0 - k < 4 and not cut_between(words, k - 1) and _inside_title(words[k - 1]):
        k -= 1
    if k > 0 and words[k - 1].possessive:
        country = country or possessor_country(words, k - 1)
    elif k == 0 or words[k - 1].low not in _NOUN_PHRASE_OPENERS:
        k = k0  # only words inside one noun phrase: "its chief operating officer"
    extended = " ".join(w.text for w in words[k:-1])
    return (extended if extended.endswith(title) else title), country


def _inside_title(word: Word) -> bool:
    low = word.low
    return (word.text.islower() and not word.possessive and low not in _NOUN_PHRASE_OPENERS
            and low not in _NOT_IN_ROLE and low not in _LEADING_JUNK and low not in SPEECH_VERBS)


def organisation_after(words: tuple[Word, ...], last: int) -> str | None:
    """The organisation in "Bob Edgar of the X Banking Group Ltd said"."""
    if last >= len(words) or words[last].low != "of" or cut_between(words, last - 1):
        return None
    k = last + 1
    if k < len(words) and words[k].low == "the" and not cut_between(words, k - 1):
        k += 1
    org: list[Word] = []
    while k < len(words) and (is_capitalised(words[k]) or (org and words[k].low in ("and", "of", "&"))):
        org.append(words[k])
        if cut_between(words, k):
            break
        k += 1
    while org and not is_capitalised(org[-1]):
        org.pop()
    return " ".join(w.text for w in org) or None


def possessive_before(words: tuple[Word, ...], first: int) -> str | None:
    """The organisation in "Fox Business Network's Maria Bartiromo"."""
    if first == 0 or not words[first - 1].possessive or not is_capitalised(words[first - 1]):
        return None
    j = first - 1
    while j > 0 and not cut_between(words, j - 1) and is_capitalised(words[j - 1]):
        j -= 1
    org = words[j:first]
    if len(org) < 2 or country_of(org[-1].text):
        return None
    return " ".join(w.text for w in org)


def clause_before(text: str, sentence_start: int, start: int) -> str | None:
    """The role in "... the permanent trade ambassador of the X Community NAME told"."""
    clause = text[sentence_start:start]
    pieces = _CLAUSE_BREAK.split(clause)
    m = re.match(r"^\s*(?:the|a|an)\s+(.+?)\s*$", pieces[-1])
    if not m:
        return None
    role = m.group(1)
    tokens = role.lower().split()
    if len(tokens) > 12 or any(t in _NOT_IN_ROLE for t in tokens):
        return None
    if not any(t in TITLE_HEADS or t.split("-")[-1] in TITLE_HEADS for t in tokens[:5]):
        return None
    return role


def group_country(sentence_prefix: str) -> str | None:
    """The nation of a group the sentence says the person leads or belongs to."""
    found: str | None = None
    for m in _GROUP.finditer(sentence_prefix):
        found = country_of(m.group("who").removeprefix("The ").removeprefix("A "), capitals=False) or found
    return found


def role_country(role: str) -> str | None:
    """The country a role belongs to, when the role is a public office.

    "" for an office of an international body ("World Bank President"): no country.
    """
    international = False
    for pattern, country in INSTITUTION_COUNTRY:
        if pattern.search(role):
            if country:
                return country
            international = True
    hits = find_countries(role, capitals=False) if is_governmental(role) else []
    if hits:
        return hits[0][2]
    return "" if international else None


def is_governmental(role: str) -> bool:
    tokens = re.split(r"[\s-]+", role.lower())
    return any(t.rstrip(".") in GOVERNMENT_WORDS for t in tokens)


def setting_country(place: str | None) -> str | None:
    """The country of a story's dateline place ("SYDNEY" -> "Australia")."""
    if not place:
        return None
    key = place.strip().lower()
    if key in DATELINE_CITIES:
        return DATELINE_CITIES[key] or None
    return country_of(key)
