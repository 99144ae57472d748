"""Find many named regular expressions in a text quickly.

One big alternation of all cues is slow in Python's `re`: every branch is tried at every
word. `CueScanner` groups the cues by the characters they can start with (read from the
patterns themselves) and tries, at each word start, only the few cues that can begin with
that word's first character. The result is the same as `finditer` over the alternation
`(?<![\\w])(?:(?P<a>...)|(?P<b>...)|...)(?![\\w])` with `re.IGNORECASE`: leftmost match
first, earlier cue first at the same position, matches never overlap.

Case-insensitive matching costs Python's `re` about two fifths of the scan, so the text is
lower-cased once and matched by lower-cased copies of the patterns, case-sensitively (their
escapes and group names kept as written). The matches' spans and group names are those of the
text; their matched text is lower case. A text whose lower-casing changes its length (a few
Unicode letters, "İ") is matched the slow way, with `re.IGNORECASE`.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterator, Sequence

_ANY = None


def first_chars(pattern: str) -> frozenset[str] | None:
    """The lower-case characters a match of `pattern` can start with; None when unknown.

    Understands the subset of regex syntax the lexicon uses (literals, escapes, classes,
    groups, alternation, lookarounds, quantifiers); anything else gives None, which is
    always safe (the cue is then tried at every word).
    """
    try:
        chars, _ = _alternation(pattern, 0)
    except _Unknown:
        return _ANY
    return frozenset(c.lower() for c in chars) if chars is not None else _ANY


class _Unknown(Exception):
    pass


def _alternation(p: str, i: int) -> tuple[set[str] | None, int]:
    """First chars of `a|b|...` from p[i] up to the closing bracket or the end."""
    total: set[str] | None = set()
    while True:
        chars, i, _ = _sequence(p, i)
        total = None if total is None or chars is None else total | chars
        if i < len(p) and p[i] == "|":
            i += 1
            continue
        return total, i


def _sequence(p: str, i: int) -> tuple[set[str] | None, int, bool]:
    """First chars of a concatenation; also whether it can match the empty string."""
    chars: set[str] | None = set()
    nullable = True
    while i < len(p) and p[i] not in "|)":
        item, i, zero_width = _item(p, i)
        optional = zero_width
        if i < len(p) and p[i] in "?*":
            optional = True
            i += 1
        elif i < len(p) and p[i] == "+":
            i += 1
        elif i < len(p) and p[i] == "{":
            end = p.index("}", i)
            optional = optional or p[i + 1 : end].split(",")[0].strip() in ("", "0")
            i = end + 1
        if i < len(p) and p[i] == "?":  # lazy quantifier
            i += 1
        if nullable and not zero_width:
            chars = None if chars is None or item is None else chars | item
        if not optional:
            nullable = False
    return chars, i, nullable


def _item(p: str, i: int) -> tuple[set[str] | None, int, bool]:
    """One atom: (its first chars, index after it, whether it is zero-width)."""
    c = p[i]
    if c == "(":
        if p.startswith(("(?=", "(?!"), i) or p.startswith(("(?<=", "(?<!"), i):
            return set(), _skip_group(p, i), True
        if p.startswith("(?P<", i):
            start = p.index(">", i) + 1
        elif p.startswith("(?:", i):
            start = i + 3
        elif p.startswith("(?", i):
            raise _Unknown(p[i : i + 3])
        else:
            start = i + 1
        chars, end = _alternation(p, start)
        if end >= len(p) or p[end] != ")":
            raise _Unknown("unbalanced group")
        return chars, end + 1, False
    if c == "[":
        return _char_class(p, i)
    if c == "\\":
        return _escape(p[i + 1]), i + 2, p[i + 1] in "bB"
    if c in "^$":
        return set(), i + 1, True
    if c == ".":
        return None, i + 1, False
    return {c, c.lower(), c.upper()}, i + 1, False


def _escape(c: str) -> set[str] | None:
    if c == "s":
        return set(" \t\n\r\f\v")
    if c == "d":
        return set(string.digits)
    if c in "bB":
        return set()
    if c in "wWSD":
        return None
    return {c}


def _char_class(p: str, i: int) -> tuple[set[str] | None, int, bool]:
    j = i + 1
    if j < len(p) and p[j] == "^":
        raise _Unknown("negated class")
    chars: set[str] | None = set()
    first = True
    while j < len(p) and (p[j] != "]" or first):
        first = False
        if p[j] == "\\":
            esc = _escape(p[j + 1])
            chars = None if chars is None or esc is None else chars | esc
            j += 2
        elif j + 2 < len(p) and p[j + 1] == "-" and p[j + 2] != "]":
            if chars is not None:
                chars |= {chr(k) for k in range(ord(p[j]), ord(p[j + 2]) + 1)}
            j += 3
        else:
            if chars is not None:
                chars.add(p[j])
            j += 1
    if chars is not None:
        chars |= {c.lower() for c in chars} | {c.upper() for c in chars}
    return chars, j + 1, False


def _skip_group(p: str, i: int) -> int:
    depth = 0
    j = i
    while j < len(p):
        if p[j] == "\\":
            j += 2
            continue
        if p[j] == "[":
            j = p.index("]", j + 2) + 1
            continue
        if p[j] == "(":
            depth += 1
        elif p[j] == ")":
            depth -= 1
            if depth == 0:
                return j + 1
        j += 1
    raise _Unknown("unbalanced lookaround")


def _candidates(chars: set[str], any_start: bool) -> re.Pattern[str]:
    """Where a cue can start: a word start (or a dash) whose first character some cue has."""
    if any_start:
        return re.compile(r"(?<!\w)[^\W_]|(?<![\w-])-")
    letters = "".join(sorted(re.escape(c) for c in chars if c.isalnum()))
    dash = r"|(?<![\w-])-" if "-" in chars else ""
    return re.compile(r"(?<!\w)[" + letters + "]" + dash, re.IGNORECASE)


def lower_pattern(pattern: str) -> str:
    """The pattern for lower-cased text: literals lower-cased; escapes ("\\S", "\\B",
    "\\x41"), group names and back-references as written."""
    out: list[str] = []
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c == "\\":
            j = i + 2
            if pattern[i + 1:i + 2] == "N" and pattern[j:j + 1] == "{":
                j = pattern.index("}", j) + 1
            out.append(pattern[i:j])
            i = j
        elif pattern.startswith(("(?P<", "(?P="), i):
            j = pattern.index(">" if pattern[i + 3] == "<" else ")", i) + 1
            out.append(pattern[i:j])
            i = j
        else:
            out.append(c.lower())
            i += 1
    return "".join(out)


class CueScanner:
    """Finds named patterns at word starts, trying only those that can start there."""

    def __init__(self, named: Sequence[tuple[str, str]]) -> None:
        self.names = tuple(name for name, _ in named)
        wildcard: list[int] = []
        by_char: dict[str, list[int]] = {}
        for k, (_, pattern) in enumerate(named):
            chars = first_chars(pattern)
            if chars is None:
                wildcard.append(k)
                continue
            for c in chars:
                by_char.setdefault(c, []).append(k)
        groups = {c: sorted({*ks, *wildcard}) for c, ks in by_char.items()}
        lowered = [(name, lower_pattern(pattern)) for name, pattern in named]
        self._table = {c: self._compile(named, ks, re.IGNORECASE) for c, ks in groups.items()}
        self._lower_table = {c: self._compile(lowered, ks, 0) for c, ks in groups.items()}
        self._fallback = self._compile(named, wildcard, re.IGNORECASE) if wildcard else None
        self._lower_fallback = self._compile(lowered, wildcard, 0) if wildcard else None
        self._candidate = _candidates(set(by_char), any_start=bool(wildcard))
        self._lower_candidate = re.compile(self._candidate.pattern)

    @staticmethod
    def _compile(named: Sequence[tuple[str, str]], ks: Sequence[int], flags: int) -> re.Pattern[str]:
        alternatives = "|".join(f"(?P<{named[k][0]}>{named[k][1]})" for k in ks)
        return re.compile(r"(?:" + alternatives + r")(?!\w)", flags)

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        """Non-overlapping matches, left to right (spans and names as in `text`)."""
        lower = text.lower()
        if len(lower) == len(text):
            return self._scan(lower, self._lower_candidate, self._lower_table, self._lower_fallback)
        return self._scan(text, self._candidate, self._table, self._fallback)

    @staticmethod
    def _scan(text: str, candidates: re.Pattern[str], table: dict[str, re.Pattern[str]],
              fallback: re.Pattern[str] | None) -> Iterator[re.Match[str]]:
        after = 0
        for candidate in candidates.finditer(text):
            pos = candidate.start()
            if pos < after:
                continue
            pattern = table.get(text[pos].lower(), fallback)
            if pattern is None:
                continue
            m = pattern.match(text, pos)
            if m and m.end() > pos:
                after = m.end()
                yield m
