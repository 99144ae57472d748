"""Turning a raw story into clean text the extractors can read.

Pure functions: dateline parsing, unwrapping hard-wrapped wire copy, repairing the wire
habit of capitalising the word after "U.S.", and a sentence splitter that knows the
abbreviations of news copy. Nothing here loads a model.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

MONTHS: dict[str, int] = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4,
    "apr": 4, "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8,
    "september": 9, "sept": 9, "sep": 9, "october": 10, "oct": 10, "november": 11,
    "nov": 11, "december": 12, "dec": 12,
}  # fmt: skip

_MONTH_RE = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)

# "TAIPEI, March 2 - ", "WASHINGTON (BLOOMBERG) - ", "ROCHESTER, N.Y., Feb 26 - ",
# "NEW YORK, April 5 (Reuters) - "; a place in mixed case ("Toronto") only with its date.
_STATE = r"(?:,\s*[A-Z][A-Za-z]{0,12}\.?(?:\s?[A-Z][A-Za-z]{0,12}\.?)?)?"
_DATELINE = re.compile(
    r"^\s*(?:(?P<place>[A-Z][A-Z.'/&-]*(?:\s+[A-Z][A-Z.'/&-]*){0,3})" + _STATE +
    r"(?:\s*,?\s*(?P<month>(?i:" + _MONTH_RE + r"))\s+(?P<day>\d{1,2}))?"
    r"|(?P<place2>[A-Z][A-Za-z.'/&-]*(?:\s+[A-Z][A-Za-z.'/&-]*){0,3})" + _STATE +
    r"\s*,?\s*(?P<month2>(?i:" + _MONTH_RE + r"))\s+(?P<day2>\d{1,2}))"
    r"\s*(?:\((?P<agency>[^)]{1,40})\))?"
    r"\s*,?\s*(?:-+|–|—)\s+"
)
# A damaged dateline the pattern above does not read ("ALBANY, N.Y., Marc 3 -",
# "ROME, March 13, Reuter -"): a place in capitals, a few more words, a dash. No day.
_DAMAGED_DATELINE = re.compile(
    r"^\s*(?P<place>[A-Z]{2}[A-Z.'&/-]*(?:\s+[A-Z][A-Z.'&/-]+){0,3})"
    r"(?:\s*,\s*[A-Z][\w.]*(?:\s+[\w.]+){0,2}){0,3},?(?:\s*\([^)]{1,40}\))?\s*(?:-+|–|—)\s+"
)
_TRAILER = re.compile(r"\s*\b(?:REUTER|Reuter)S?\b[\s.&#;0-9]*$")

ABBREVIATIONS = frozenset(
    """mr mrs ms dr st jan feb mar apr jun jul aug sep sept oct nov dec corp inc ltd co
    no vs gen sen rep gov lt col mt ft jr sr prof messrs bros dept est approx fig
    u.s u.k u.n e.c e.u u.s.a u.s.s.r""".split()
)

# Words that open a sentence; after "U.S." one of these marks a real sentence boundary.
SENTENCE_STARTERS = frozenset(
    """The It He She They We I In But A An This That These Those There Its His Her Their
    As If When While Since However Meanwhile Also Officials Analysts Some Most
    Under After Before Last Earlier Later Other Such Both Many One Two Three""".split()
)


@dataclass(frozen=True, slots=True)
class Dateline:
    place: str
    agency: str | None
    day: date | None


@dataclass(frozen=True, slots=True)
class Sentence:
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Prepared:
    """A story ready for the extractors.

    `text` is the body without dateline and wire trailer, paragraphs unwrapped (one
    paragraph a line) and wire capitalisation repaired; `anchor` is the story's own date
    (the dateline's day when there is one, else the publication day).
    """

    text: str
    anchor: date | None
    dateline: Dateline | None
    sentences: tuple[Sentence, ...]

    @property
    def paragraphs(self) -> tuple[str, ...]:
        return tuple(p for p in self.text.split("\n") if p.strip())


def normalise(text: str) -> str:
    """Unicode NFC, typographic spaces made plain, control characters dropped."""
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ")
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C")


def unwrap(text: str) -> str:
    """Join hard-wrapped lines into paragraphs, one paragraph a line.

    A paragraph ends at a blank line or before a line indented like the next paragraph
    of wire copy.
    """
    paragraphs: list[list[str]] = []
    current: list[str] = []
    for line in text.split("\n"):
        if not line.strip():
            if current:
                paragraphs.append(current)
                current = []
            continue
        if current and re.match(r"^(?:\s{2,}|\t)", line):
            paragraphs.append(current)
            current = []
        current.append(line.strip())
    if current:
        paragraphs.append(current)
    return "\n".join(re.sub(r"\s+", " ", " ".join(p)).strip() for p in paragraphs)


def parse_dateline(text: str, published: date | None) -> tuple[Dateline | None, str]:
    """Split a leading dateline off the story; return it and the rest of the text."""
    m = _DATELINE.match(text)
    if not m:
        damaged = _DAMAGED_DATELINE.match(text)
        if damaged and len(damaged.group("place").replace(" ", "")) >= 4:
            return Dateline(damaged.group("place").strip(), None, None), text[damaged.end() :]
        return None, text
    place = (m.group("place") or m.group("place2") or "").strip()
    month_word, day_word = m.group("month") or m.group("month2"), m.group("day") or m.group("day2")
    if len(place.replace(" ", "")) < (2 if month_word or m.group("agency") else 4):
        return None, text
    day: date | None = None
    if month_word and day_word:
        day = _nearest_year(MONTHS[month_word.rstrip(".").lower()], int(day_word), published)
    return Dateline(place=place, agency=m.group("agency"), day=day), text[m.end() :]


def _nearest_year(month: int, day: int, published: date | None) -> date | None:
    if published is None:
        return None
    best: date | None = None
    for year in (published.year - 1, published.year, published.year + 1):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        if best is None or abs((candidate - published).days) < abs((best - published).days):
            best = candidate
    return best


def repair_wire_case(text: str) -> str:
    """Lower-case words that wire copy capitalised only because they follow "U.S.".

    "pressure from the U.S. And Japan" becomes "U.S. and Japan" when the story uses the
    word in lower case elsewhere and never capitalised in mid-sentence.
    """
    lower_words = set(re.findall(r"(?<![.!?]\s)\b([a-z][a-z'-]+)\b", text))
    mid_caps = set(re.findall(r"(?<=[a-z,;] )([A-Z][a-z'-]+)\b", text))

    def fix(m: re.Match[str]) -> str:
        word = m.group(2)
        function_word = word.lower() in _FUNCTION_WORDS
        if word in SENTENCE_STARTERS or word in mid_caps or (m.group(3) and not function_word):
            # a title or a name goes on: "U.S. Trade Representative", "U.S. Commerce Department"
            return m.group(0)
        if word.lower() in lower_words or word.lower() in _COMMON_AFTER_US:
            return m.group(1) + word.lower()
        return m.group(0)

    return re.sub(r"(\bU\.[SK]\.\s+)([A-Z][a-z'-]+)\b(?=(\s+[A-Z][a-z]+)?)", fix, text)


_FUNCTION_WORDS = frozenset(
    """and or but was were is are has have had will would must may can could should did
    does of to in on at for with by from as than""".split()
)

_COMMON_AFTER_US = frozenset(
    """and or was is are has have had will would must may can could should did does
    dlrs dlr dollars dollar pressure officials official firms companies exports imports
    government administration trade markets market""".split()
)


def split_sentences(text: str) -> tuple[Sentence, ...]:
    """Split into sentences, never inside an abbreviation, an initial or a number."""
    out: list[Sentence] = []
    start = 0
    for m in re.finditer(r"[.!?]+[\"'”’)\]]*(?=\s+[\"'“‘(\[]?[A-Z0-9])|\n", text):
        end = m.end()
        if m.group(0) != "\n" and not _is_boundary(text, m.start(), end):
            continue
        _append(out, text, start, end)
        start = end
    _append(out, text, start, len(text))
    return tuple(out)


def _append(out: list[Sentence], text: str, start: int, end: int) -> None:
    chunk = text[start:end]
    stripped = chunk.strip()
    if stripped:
        lead = len(chunk) - len(chunk.lstrip())
        out.append(Sentence(start + lead, start + lead + len(stripped), stripped))


_WORD_WINDOW = 200
"""How far around a full stop `_is_boundary` looks for the words on either side."""


def _is_boundary(text: str, dot: int, end: int) -> bool:
    if text[dot] != ".":
        return True
    # a window around the dot, not the whole text: the cost of a story stays linear in its length
    before = re.search(r"([\w.]+)$", text[max(0, dot - _WORD_WINDOW) : dot])
    word = before.group(1) if before else ""
    after = re.match(r"\s+[\"'“‘(\[]?([\w'’-]+)", text[end : end + _WORD_WINDOW])
    nxt = after.group(1) if after else ""
    low = word.lower()
    if len(word) == 1 and word.isupper():  # an initial: "George W. Bush"
        return False
    if low in ("u.s", "u.k", "u.n", "e.c", "e.u", "u.s.a"):
        return nxt in SENTENCE_STARTERS or nxt.endswith(("'s", "’s")) or nxt[:1].isdigit()
    return low not in ABBREVIATIONS and not re.fullmatch(r"(?:[A-Za-z]\.)+[A-Za-z]", word)


def strip_trailer(text: str) -> str:
    """The story without a closing wire sign-off ("REUTER", "Reuter &#3;")."""
    return _TRAILER.sub("", text)


def prepare(body: str, published: date | None) -> Prepared:
    """Clean a story body and find its anchor date and sentences."""
    text = normalise(body).strip("\n")
    dateline, rest = parse_dateline(text.lstrip(), published)
    rest = unwrap(rest)
    rest = strip_trailer(rest).strip()
    rest = repair_wire_case(rest)
    anchor = dateline.day if dateline and dateline.day else published
    return Prepared(text=rest, anchor=anchor, dateline=dateline, sentences=split_sentences(rest))


ANALYSED_CHARS = 100_000
"""A story is analysed up to this many characters (about 15,000 words, beyond any news
story); a longer one is analysed as far as that, cut at a paragraph or sentence end, and its
card says so. It bounds the time one story holds the analysis worker."""
PART_CHARS = 20_000
"""The language model reads a long story in parts of at most about this many characters, so
time and memory grow with the story's length, not faster (a part ends at a sentence end)."""


def analysed_body(body: str) -> str:
    """The part of a story body that is analysed: all of it up to `ANALYSED_CHARS`, else its
    head, cut at the last paragraph (or else sentence, else word) end before the limit."""
    if len(body) <= ANALYSED_CHARS:
        return body
    head = body[:ANALYSED_CHARS]
    for sep in ("\n", ". ", " "):
        cut = head.rfind(sep, ANALYSED_CHARS // 2)
        if cut > 0:
            return head[: cut + len(sep)].rstrip()
    return head


def length_note(body: str) -> str | None:
    """What a card says of a story too long to analyse whole, else None."""
    if len(body) <= ANALYSED_CHARS:
        return None
    return f"long story: analysed the first {len(analysed_body(body)):,} of {len(body):,} characters"


def parts(prepared: Prepared, size: int = PART_CHARS) -> tuple[Prepared, ...]:
    """The story as consecutive parts of at most about `size` characters, each cut at a
    sentence end (a sentence longer than `size` is a part of its own); a short story is one
    part, itself. Each part keeps the story's anchor and dateline."""
    if len(prepared.text) <= size:
        return (prepared,)
    out: list[Prepared] = []
    group: list[Sentence] = []
    for s in prepared.sentences:
        if group and s.end - group[0].start > size:
            out.append(_part(prepared, group))
            group = []
        group.append(s)
    if group:
        out.append(_part(prepared, group))
    return tuple(out)


def _part(prepared: Prepared, sentences: list[Sentence]) -> Prepared:
    start, end = sentences[0].start, sentences[-1].end
    shifted = tuple(Sentence(s.start - start, s.end - start, s.text) for s in sentences)
    return Prepared(prepared.text[start:end], prepared.anchor, prepared.dateline, shifted)
