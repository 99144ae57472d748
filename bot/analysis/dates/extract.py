"""Calendar references in a story, resolved against the story's own date.

`find_dates` reads every day- or month-precise reference ("Oct 15", "Thursday (Sept 19)",
"late July", "between March 5 and 23", "December last year", "in January", "tomorrow",
"next Thursday", "last month") and resolves it against the anchor (the dateline's day, else
the publication day). Durations, weeks, quarters, halves and years alone are left out.
`extract_dates` turns those into the distinct `DateMention`s of an article, each with what
happens on it when the sentence's grammar says so (`events.py` names a tariff change's day
after both extractors ran). Pure functions; the spaCy Doc is optional.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from bot.analysis.text import MONTHS, Prepared
from bot.domain import DateMention

_MON = (
    r"(?P<mon>Jan(?:uary|\.)?|Feb(?:ruary|\.)?|Mar(?:ch|\.)?|Apr(?:il|\.)?|May|June|Jun\.?|July"
    r"|Jul\.?|Aug(?:ust|\.)?|Sept(?:ember|\.)?|Sep\.?|Oct(?:ober|\.)?|Nov(?:ember|\.)?"
    r"|Dec(?:ember|\.)?)(?![A-Za-z])"
)
_FULL_MONTHS = frozenset(
    "january february march april june july august september october november december".split()
)
_PART = r"(?P<part>(?i:early|late|mid|end)[- ]|(?i:the\s+)?(?i:end|beginning|start|middle)\s+of\s+)?"
_DAY = r"(?P<day>[12]?\d|3[01])(?:st|nd|rd|th)?(?![\d,.]\d|\d)"
_YEAR = r"(?P<year>1[89]\d\d|20\d\d)(?!\d)"
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_WEEKDAY = r"(?P<wd>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)(?!s\b)"

_ISO = re.compile(r"(?<![\d-])(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})(?![\d-])")
_REL_YEAR = r"(?:,?\s+" + _YEAR + r"|\s+(?P<rel>this|last|next)\s+year\b)?"
_MDY = re.compile(r"\b" + _MON + r"\s+" + _DAY + _REL_YEAR)
_DMY = re.compile(r"(?<![\d.,])" + _DAY + r"\s+(?:of\s+)?" + _MON + _REL_YEAR)
_RANGE_TAIL = re.compile(
    r"\s*(?:-|–|to|and|through|until|till)\s*(?P<day>[12]?\d|3[01])(?:st|nd|rd|th)?(?![\d.,]\d|\d)"
    r"(?=\s*(?:[,.;)]|$)|\s+(?:he|she|they|it|the|and|in|at|to|of|when|while|but|said|with)\b)"
)
_MONTH_YEAR = re.compile(r"\b" + _PART + _MON + r",?\s+(?:of\s+)?" + _YEAR)
_MONTH_REL_YEAR = re.compile(
    r"\b" + _PART + _MON + r"\s+(?P<rel>this|last|next|of\s+this|of\s+last|of\s+next)\s+year\b"
)
_REL_MONTH_NAME = re.compile(r"\b(?P<rel>[Ll]ast|[Nn]ext|[Tt]his|[Cc]oming|[Pp]ast)\s+" + _MON)
_REL_MONTH = re.compile(
    r"\b(?P<part>(?:(?:early|late|mid|end|earlier|later)[- ])|(?:the\s+)?(?:end|beginning|start|"
    r"middle)\s+of\s+)?(?P<rel>this|last|next|the\s+coming|the\s+past)\s+month\b(?!s)",
    re.IGNORECASE,
)
_BARE_MONTH = re.compile(r"\b" + _PART + _MON)
_DAY_WORD = re.compile(r"\b(?P<w>today|tonight|yesterday|tomorrow|last\s+night)\b", re.IGNORECASE)
_WEEKDAY_RE = re.compile(
    r"\b(?:(?P<rel>[Ll]ast|[Nn]ext|[Tt]his|[Tt]his\s+coming|[Cc]oming|[Pp]ast)\s+)?" + _WEEKDAY
)
_MON_PLAIN = _MON.replace("?P<mon>", "")
_QUARTER_AFTER = re.compile(r"(?:\s*(?:and|or|/)\s*" + _MON_PLAIN + r")?\s+quarters?\b", re.IGNORECASE)
_WEEKDAY_WITH_DATE = re.compile(r"\s*[(,]\s*(?:" + _MON_PLAIN + r"\s+\d|\d{1,2}\s+" + _MON_PLAIN + r")")

# A bare month needs one of these words (or a part: "late", "mid-") just before it.
_MONTH_LEADS = frozenset(
    """in since until till by from to of for during through before after between and or the
    on at around about starting beginning effective as early late mid end this next last""".split()
)
_MODAL_MAY = frozenset("in since until till by from during early late mid end of".split())

# Words that show a sentence talks about what is to come, or about what has happened.
_FUTURE = frozenset(
    """will 'll shall would next coming upcoming scheduled slated due expected expect expects
    deadline planned plans planning aims aiming targeted intends intend
    later starting effective hope hopes hoped tentatively delayed postponed deferred pushed
    extended leaves arrives begins starts opens resumes flies travels returns visits""".split()
)
_FUTURE_LEADS = frozenset("by until till from".split())
_PAST = frozenset(
    """was were had did ago last earlier previously ended began since said told reiterated
    added announced reported stated met took""".split()
)
_NOT_PAST_ED = frozenset("hundred kindred sacred naked wicked rugged ragged united limited".split())


def _past_deed(word: str) -> bool:
    """"filed", "signed", "launched": a regular past tense near a month names a past event
    ("filed the complaint in October" in a June story is last October)."""
    return len(word) > 4 and word.endswith("ed") and not word.endswith("eed") and word not in _NOT_PAST_ED


_RANGE_ON = re.compile(r"\s*(?:to|until|till|through|-|–)\s*(?:" + _MON_PLAIN + r"|\d)")
_COORDINATED = frozenset(
    """or and to the of early late mid end""".split()
) | frozenset(MONTHS) | frozenset(_WEEKDAYS)


@dataclass(frozen=True, slots=True)
class DateSpan:
    """One calendar reference: where it is, as written, and its value."""

    start: int
    end: int
    text: str
    value: str
    """`YYYY-MM-DD` or `YYYY-MM`."""

    @property
    def is_day(self) -> bool:
        return len(self.value) == 10


def find_dates(text: str, anchor: date | None) -> list[DateSpan]:
    """Every day- or month-precise calendar reference in `text`, in order of appearance.

    Without an anchor only references that carry their own year are resolved.
    """
    found: list[DateSpan] = []
    taken: list[tuple[int, int]] = []

    def free(start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e in taken)

    def add(start: int, end: int, value: str | None) -> None:
        taken.append((start, end))
        if value is not None:
            found.append(DateSpan(start, end, text[start:end], value))

    for finder in (_iso, _day_month, _month_year, _month_rel_year, _rel_month_name, _rel_month,
                   _bare_month, _day_words, _weekdays):
        for start, end, value in finder(text, anchor):
            if free(start, end):
                add(start, end, value)
    found.sort(key=lambda d: d.start)
    return _same_day_same_year(found)


def _same_day_same_year(found: list[DateSpan]) -> list[DateSpan]:
    """"On August 20, 2019 (the August 20 notice) ...": a day named again without its year is
    the day the story already dated in full, not the nearest one."""
    years: dict[str, str] = {}
    out: list[DateSpan] = []
    for d in found:
        if d.is_day and re.search(r"\d{4}", d.text):
            years.setdefault(d.value[5:], d.value[:4])
        elif d.is_day and d.value[5:] in years and re.search(r"[A-Za-z]", d.text) and re.search(r"\d", d.text):
            d = DateSpan(d.start, d.end, d.text, f"{years[d.value[5:]]}-{d.value[5:]}")
        out.append(d)
    return out


Hit = tuple[int, int, str | None]
"""A span of text and its resolved value (None: a reference that cannot be resolved)."""


def _iso(text: str, anchor: date | None) -> Iterator[Hit]:
    for m in _ISO.finditer(text):
        yield m.start(), m.end(), _day_value(int(m["y"]), int(m["m"]), int(m["d"]))


def _day_month(text: str, anchor: date | None) -> Iterator[Hit]:
    for pattern in (_MDY, _DMY):
        for m in pattern.finditer(text):
            month = _month_number(m["mon"])
            day = int(m["day"])
            if m["year"]:
                value = _day_value(int(m["year"]), month, day)
            elif m["rel"] and anchor is not None:
                shift = {"this": 0, "last": -1, "next": 1}[m["rel"]]
                value = _day_value(anchor.year + shift, month, day)
            else:
                value = _resolve_day(month, day, anchor, _direction(text, m.start(), m.end()))
            yield m.start(), m.end(), value
            tail = _RANGE_TAIL.match(text, m.end())
            if tail and value is not None and int(tail["day"]) > day:
                yield tail.start("day"), tail.end("day"), value[:8] + f"{int(tail['day']):02d}"


def _month_year(text: str, anchor: date | None) -> Iterator[Hit]:
    for m in _MONTH_YEAR.finditer(text):
        yield m.start(), m.end(), f"{int(m['year']):04d}-{_month_number(m['mon']):02d}"


def _month_rel_year(text: str, anchor: date | None) -> Iterator[Hit]:
    for m in _MONTH_REL_YEAR.finditer(text):
        if anchor is None:
            yield m.start(), m.end(), None
            continue
        shift = {"this": 0, "last": -1, "next": 1}[m["rel"].split()[-1]]
        yield m.start(), m.end(), f"{anchor.year + shift:04d}-{_month_number(m['mon']):02d}"


def _rel_month_name(text: str, anchor: date | None) -> Iterator[Hit]:
    for m in _REL_MONTH_NAME.finditer(text):
        month = _month_number(m["mon"])
        if anchor is None:
            yield m.start(), m.end(), None
            continue
        rel = m["rel"].lower()
        if rel in ("last", "past"):
            year = anchor.year if month < anchor.month else anchor.year - 1
        elif rel in ("next", "coming"):
            year = anchor.year if month > anchor.month else anchor.year + 1
        else:
            year = anchor.year
        yield m.start(), m.end(), f"{year:04d}-{month:02d}"


def _rel_month(text: str, anchor: date | None) -> Iterator[Hit]:
    for m in _REL_MONTH.finditer(text):
        if anchor is None:
            yield m.start(), m.end(), None
            continue
        rel = m["rel"].lower().split()[-1]
        shift = {"this": 0, "last": -1, "past": -1, "next": 1, "coming": 1}[rel]
        index = anchor.year * 12 + anchor.month - 1 + shift
        yield m.start(), m.end(), f"{index // 12:04d}-{index % 12 + 1:02d}"


def _bare_month(text: str, anchor: date | None) -> Iterator[Hit]:
    for m in _BARE_MONTH.finditer(text):
        word = m["mon"].rstrip(".")
        if not _month_in_context(text, m, word):
            continue
        closes_range = re.search(r"(?:\bto|-|–|\bthrough)\s*$", text[max(0, m.start() - 9) : m.start()])
        if _QUARTER_AFTER.match(text, m.end()) and not closes_range:
            continue  # "the March quarter", "the June and September quarters" are quarters
        if anchor is None:
            yield m.start(), m.end(), None
            continue
        month = _month_number(word)
        if _starts_ahead(text, m.start()):
            year = anchor.year if month >= anchor.month else anchor.year + 1
        else:
            year = _resolve_month(month, anchor, _direction(text, m.start(), m.end()))
        yield m.start(), m.end(), f"{year:04d}-{month:02d}"


def _starts_ahead(text: str, start: int) -> bool:
    """A bare month that starts or ends something ("until March", "effective from March",
    "set for March", "will take effect in March") is the coming one, unless its clause tells
    of what already happened ("took effect in March", "was in force until March")."""
    lead = _AHEAD_LEAD.search(text, max(0, start - 40), start)
    if lead is None or (lead.group(0).lower().startswith("from") and _COMPARED.search(text, max(0, start - 60), lead.start())):
        return False  # "down 0.5 pct in January from December": a comparison, not a start
    head = re.split(r"[.!?]\s+(?=[A-Z\"])|\n|;|,\s+(?:and|but|while|which|who)\s", text[max(0, start - 200) : start])[-1]
    for w in reversed(re.findall(r"[A-Za-z']+", head.lower())):
        if w in _FUTURE or w in _AHEAD_VERBS:
            return True
        if w in _PAST_DEED:
            return False
    tail = re.split(r"[.;:!?]", text[start : start + 120])[0]
    return not any(w in _PAST_DEED for w in re.findall(r"[A-Za-z']+", tail.lower())[:10])


_AHEAD_LEAD = re.compile(
    r"\b(?:until|till|from|effective(?:\s+from)?|starting(?:\s+(?:from|in))?|as\s+of|by|set\s+for"
    r"|(?:take|takes|taking|took|taken|come|comes|came|go|goes|went)\s+(?:into\s+)?(?:effect|force)\s+(?:in|on|from))"
    r"\s+(?:the\s+)?$",
    re.IGNORECASE,
)
_COMPARED = re.compile(r"(?:\d|\b" + _MON_PLAIN + r")[\w.'’]*\s+(?:[\w.'’]+\s+){0,2}$", re.IGNORECASE)
_AHEAD_VERBS = frozenset("is are be remain remains stay stays apply applies run runs last lasts".split())
_PAST_DEED = frozenset(
    """was were had did ago earlier previously ended began took came went expired lasted remained
    stayed ran applied rose fell grew dropped climbed totalled totaled""".split()
)
"""Past-tense words that put the event of a clause behind the story (not "said", which
reports: "said the duty will apply from March")."""


def _month_in_context(text: str, m: re.Match[str], word: str) -> bool:
    if m["part"]:
        return True
    before = re.findall(r"[A-Za-z]+", text[max(0, m.start() - 20) : m.start()])
    prev = before[-1].lower() if before else ""
    if word == "May":
        return prev in _MODAL_MAY
    if word.lower() not in _FULL_MONTHS:
        return prev in _MONTH_LEADS and prev not in ("the", "and", "or", "to")
    if prev in _MONTH_LEADS:
        return True
    # "October to December", "January-March": a month that opens a range of months
    return re.match(r"\s*(?:-|–|to|through)\s*" + _MON_PLAIN, text[m.end() :]) is not None


def _day_words(text: str, anchor: date | None) -> Iterator[Hit]:
    for m in _DAY_WORD.finditer(text):
        if anchor is None:
            yield m.start(), m.end(), None
            continue
        word = " ".join(m["w"].lower().split())
        shift = {"today": 0, "tonight": 0, "yesterday": -1, "last night": -1, "tomorrow": 1}[word]
        yield m.start(), m.end(), (anchor + timedelta(days=shift)).isoformat()


def _weekdays(text: str, anchor: date | None) -> Iterator[Hit]:
    for m in _WEEKDAY_RE.finditer(text):
        if _WEEKDAY_WITH_DATE.match(text, m.end()):
            continue  # "Thursday (Sept 19)": the date itself is the reference
        if anchor is None:
            yield m.start(), m.end(), None
            continue
        weekday = _WEEKDAYS.index(m["wd"].lower())
        rel = (m["rel"] or "").lower()
        if rel in ("last", "past"):
            back = (anchor.weekday() - weekday) % 7 or 7
            value = anchor - timedelta(days=back)
        elif rel in ("next", "coming", "this coming"):
            value = anchor + timedelta(days=(weekday - anchor.weekday()) % 7 or 7)
        elif _direction(text, m.start(), m.end()) > 0:
            value = anchor + timedelta(days=(weekday - anchor.weekday()) % 7)
        else:
            value = anchor - timedelta(days=(anchor.weekday() - weekday) % 7)
        yield m.start(), m.end(), value.isoformat()


def _month_number(word: str) -> int:
    return MONTHS[word.rstrip(".").lower()]


def _day_value(year: int, month: int, day: int) -> str | None:
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def _resolve_month(month: int, anchor: date, direction: int) -> int:
    """The year of a bare month: the nearest one, unless it is far and the tense says."""
    if month == anchor.month:
        return anchor.year
    back = (anchor.month - month) % 12
    ahead = (month - anchor.month) % 12
    past_year = anchor.year if month < anchor.month else anchor.year - 1
    next_year = anchor.year if month > anchor.month else anchor.year + 1
    if min(back, ahead) >= 4 and direction:
        return next_year if direction > 0 else past_year
    return past_year if back <= ahead else next_year


def _resolve_day(month: int, day: int, anchor: date | None, direction: int) -> str | None:
    if anchor is None:
        return None
    candidates = [d for y in (anchor.year - 1, anchor.year, anchor.year + 1)
                  if (d := _safe_date(y, month, day)) is not None]
    if not candidates:
        return None
    nearest = min(candidates, key=lambda d: abs((d - anchor).days))
    if abs((nearest - anchor).days) > 60 and direction:
        side = [d for d in candidates if (d >= anchor if direction > 0 else d <= anchor)]
        if side:
            return min(side, key=lambda d: abs((d - anchor).days)).isoformat()
    return nearest.isoformat()


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _direction(text: str, start: int, end: int) -> int:
    """+1 when the words around a mention point forward, -1 backward, 0 when they do not say.

    The closest telling word before the mention in its sentence decides; failing that, the
    first few words after it.
    """
    head = text[max(0, start - 200) : start]
    head = re.split(r"[.!?]\s+(?=[A-Z\"])|\n|;", head)[-1]
    words = re.findall(r"[A-Za-z']+", head.lower())
    near = 0  # telling words passed so far: "by late September or early October" keeps "by" close
    for i in range(len(words) - 1, max(-1, len(words) - 26), -1):
        w = words[i]
        if w == "from" and _RANGE_ON.match(text, end):
            near += 1  # "from January 1 to March 23" is a span, not a start
            continue
        if w in _FUTURE or (w in _FUTURE_LEADS and near <= 1):
            return 1
        if w not in _COORDINATED:
            near += 1
        if w == "to" and i > 0 and words[i - 1] in ("is", "are", "am", "was", "were"):
            return 1
        if w == "set" and i + 1 < len(words) and words[i + 1] in ("for", "to"):
            return 1
        if w == "be" and i > 0 and words[i - 1] == "to":
            return 1
        if w in ("from", "of") and i > 0 and words[i - 1] in ("effective", "as", "starting"):
            return 1
        if w in _PAST or (near <= 3 and _past_deed(w)):
            return -1
    opening = not re.search(r"\w+\s+\w+\s+\w+", head)
    tail = re.split(r"[.;:!?]|\bthat\b" if opening else r"[,.;:!?]|\bthat\b", text[end : end + 80])[0]
    for w in re.findall(r"[A-Za-z']+", tail.lower())[: 10 if opening else 5]:
        if w in _FUTURE:
            return 1
        if w in _PAST:
            return -1
    return 0


def extract_dates(prepared: Prepared, doc: Any = None) -> tuple[DateMention, ...]:
    """The distinct dates of an article, first mention each, with what happens on it when the
    sentence's grammar says so ("talks continue"). `bot.analysis.events.name_events` later
    names a date after the tariff change that starts on it."""
    spans = find_dates(prepared.text, prepared.anchor)
    seen: dict[str, DateSpan] = {}
    for span in spans:
        seen.setdefault(span.value, span)
    return tuple(
        DateMention(text=span.text, date=span.value, event=_event(prepared.text, span, doc))
        for span in seen.values()
    )


_SAY = frozenset("said say says told tell reiterated added announced stated reported".split())
_SET = frozenset("set scheduled slated due planned expected".split())


def _event(text: str, span: DateSpan, doc: Any) -> str | None:
    """What happens on a date, from the sentence's grammar: "talks continue"."""
    if doc is None:
        return None
    chunk = doc.char_span(span.start, span.end, alignment_mode="expand")
    if chunk is None:
        return None
    verb = chunk.root
    for _ in range(4):
        if verb.pos_ in ("VERB", "AUX"):
            break
        if verb.head is verb:
            return None
        verb = verb.head
    if verb.pos_ not in ("VERB", "AUX") or verb.text.lower() in _SAY or any(c.dep_ == "neg" for c in verb.children):
        return None
    subject = _subject(verb)
    if subject is None:
        return None
    if verb.text.lower() in _SET:
        phrase = text[subject.left_edge.idx : subject.right_edge.idx + len(subject.right_edge)]
        return _short(phrase, subject.left_edge.pos_ == "PROPN")
    if verb.pos_ == "AUX" or verb.text.lower() in ("be", "is", "are", "was", "were", "been"):
        return None
    mods = [t for t in subject.lefts if t.dep_ in ("compound", "amod")]
    first = mods[0] if mods else subject
    head = " ".join([*(t.text for t in mods), subject.text])
    return _short(f"{head} {verb.text}", first.pos_ == "PROPN")


def _subject(verb: Any) -> Any:
    for _ in range(3):
        for child in verb.children:
            if child.dep_ in ("nsubj", "nsubjpass"):
                if child.tag_ in ("WDT", "WP"):
                    return verb.head if verb.dep_ == "relcl" else None
                return None if child.pos_ == "PRON" else child
        if verb.dep_ not in ("xcomp", "conj", "ccomp") or verb.head is verb:
            return None
        verb = verb.head
    return None


def _short(phrase: str, proper: bool) -> str | None:
    words = phrase.split()
    if not words or len(words) > 10:
        return None
    if not proper and words[0][1:].islower():
        words[0] = words[0].lower()
    return " ".join(words)
