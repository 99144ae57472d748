"""The words that mark a tariff measure and tell its state, written down once.

`mask_non_measures` blanks out uses of "tariff" and "duty" that are not measures on traded
goods (the GATT's name, utility tariffs, "on duty"); `MEASURE` finds the measure nouns;
`status_cues` reads the words that say whether a measure is proposed, announced, in
effect, delayed or removed, each with a strength (a stronger cue wins in its clause).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from bot.domain import Status

MEASURE = re.compile(
    r"\b(?:tariff[- ]rates?|tariffs?|duties|duty|levies|levy|surcharges?|surtax(?:es)?"
    r"|(?:export|import)\s+tax(?:es)?)\b",
    re.IGNORECASE,
)

_NOT_A_RATE = (
    r"(?!\s+(?:(?:about|around|some|nearly|almost|roughly|just|only|as\s+much\s+as|up\s+to)\s+)?"
    r"(?:[$€£¥]|[A-Z]{1,3}\$|\d|(?:zero|nil|nothing)\b"
    r"|(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|twenty-five"
    r"|thirty|forty|fifty|sixty|seventy|eighty|ninety|a\s+hundred|one\s+hundred)"
    r"\s+(?:%|pct|per\s*cent|percent|rupees?|yen|dlrs?|dollars?|euros?|pounds?)))"
)
"""After "duty to": not a rate or an amount ("raised its duty to 15 pct", "to 330 rupees", "to
zero"), which make the tariff sense; "a duty to protect" is an obligation."""

_NOT_MEASURES = [
    re.compile(p, re.IGNORECASE)
    for p in (
        r"General\s+Agree\w*\s+on\s+Tariffs\s+and\s+Trade",
        r"\b(?:service[- ]sector|services|electricity|power|water|gas|telephone|phone|postal|utility|"
        r"utilities|freight|rail|railway|transport|roaming|mobile|feed-in|hotel|insurance|"
        r"telecommunications?|airline|air|cargo|shipping|port|toll|energy|tax)\s+tariffs?\b",
        r"\bnon-?tariff\b",
        r"\btariffs?\s+(?:for|on)\s+(?:special\s+)?(?:advances|loans|credits?|deposits|lending)\b",
        r"\b(?:credit|interest|loan)\s+surcharges?\b",
        r"\bduty[- ]free\b",
        r"\b(?:surtax(?:es)?|levy|levies|tax(?:es)?|dut(?:y|ies))\s+on\s+(?:(?:stock|share)\s+buy-?backs?|(?:high\s+|"
        r"personal\s+|corporate\s+|household\s+)?incomes?|earnings|profits|wages|salaries|capital\s+gains|dividends"
        r"|wealth|property|properties|estates?|inheritances?|remittances|windfall\s+profits|digital\s+services"
        r"|financial\s+transactions|millionaires|billionaires|bank\s+deposits|sugary\s+drinks|carbon\s+emissions)\b",
        r"\b(?:on|off|heavy|light)[- ]duty\b",
        r"\bduty\s+(?:to" + _NOT_A_RATE + r"|of\s+care|officer|roster|station|cycle|manager|of\s+the)\b",
        r"\b(?:military|active|jury|civic|moral|fiduciary|stamp|estate|death|sacred|patriotic)\s+dut(?:y|ies)\b",
        r"\b(?:his|her|their|our|my|your)\s+dut(?:y|ies)\b",
        r"\bdut(?:y|ies)\s+(?:as|in\s+the)\b",
    )
]


def mask_non_measures(text: str) -> str:
    """`text` with every non-measure use of the measure words blanked (offsets kept)."""
    for pattern in _NOT_MEASURES:
        text = pattern.sub(lambda m: "_" * len(m.group(0)), text)
    return text


@dataclass(frozen=True, slots=True)
class Cue:
    start: int
    end: int
    status: Status
    strength: int
    """5 delay/removal, 4 firmly in force, 3 proposed, 2 announced, 1 a past-tense change."""


_DELAY = (r"\b(?:delay(?:ed|s|ing)?|postpone(?:d|s|ment)?|postponing|defer(?:red|s|ring|ral)?"
          r"|put\s+off|push(?:ed|es|ing)?\s+back)\b")

HOLD = re.compile(_DELAY + r"|\b(?:suspend(?:ed|s|ing)?|suspension)\b", re.IGNORECASE)
"""Words that hold back a planned change of a measure ("delay a planned rise in the rice
tariff", "suspended the tariff increase") without ending the measure itself."""

_CUE_TABLE: tuple[tuple[str, Status, int], ...] = (
    (_DELAY, "delayed", 5),
    (r"\b(?:lift(?:ed|s|ing)?|remov(?:e|ed|es|ing|al)|eliminat(?:e|ed|es|ing|ion)"
     r"|abolish(?:ed|es|ing)?|abolition|scrap(?:ped|s|ping)?|suspend(?:ed|s|ing)?|suspension"
     r"|waiv(?:e|ed|es|ing)|revok(?:e|ed|es|ing)|rescind(?:ed|s)?|(?:cut|reduced|lowered)\s+to\s+zero)\b",
     "removed", 5),
    (r"\b(?:began|begin|begins|started|starts)\s+(?:imposing|levying|collecting|charging)\b"
     r"|\b(?:took|take|takes|taken|went|go|goes|gone|came|come|comes)\s+into\s+(?:effect|force)\b"
     r"|\btook\s+effect\b|\b(?:in|into)\s+force\b|\bin\s+place\b|\bnow\s+in\s+effect\b"
     r"|\b(?:has|have|had)\s+(?:already\s+)?(?:imposed|levied|slapped|placed|applied)\b"
     r"|\b(?:existing|currently)\b", "in_effect", 4),
    (r"\b(?:threat(?:en|ened|ens|ening)?|recommend(?:ed|s|ing|ation)?|consider(?:ed|s|ing|ation)?"
     r"|propos(?:e|ed|es|ing|al)|seek(?:s|ing)?|sought|demand(?:ed|s|ing)?|urg(?:e|ed|es|ing)"
     r"|call(?:ed|s|ing)?\s+for|ask(?:ed|s|ing)?\s+for|(?<!\bthe\s)(?<!\ba\s)request(?:ed|s)?|petition(?:ed|s)?"
     r"|mull(?:ed|s|ing)?|weigh(?:ed|s|ing)?|possible|possibly|want(?:s|ed)?|press(?:ed|es|ing)?\s+for"
     r"|(?:could|might|may)\s+(?:\w+\s+)?(?:impose|levy|raise|slap|introduce|hit|put|place|increase|"
     r"cut|set|face|be\s+(?:imposed|raised|hit|levied)))\b",
     "proposed", 3),
    (r"\b(?:announc(?:e|ed|es|ing|ement)|decid(?:e|ed|es|ing)|decision"
     r"|determin(?:e|ed|es|ing)\s+to(?!\s+(?:apply|assign|calculate|continue|use)\b)"  # not a review's rate
     r"|(?<!duty\s)(?<!\border\s)(?<!executive\s)order(?:ed|s|ing)?"
     r"|will|shall|would|plan(?:s|ned|ning)?|approv(?:e|ed|es|al)|agree(?:d|s)?\s+to|set\s+to"
     r"|intend(?:s|ed)?|intention|due\s+to\s+take"
     r"|(?:is|are)\s+to|to\s+take\s+effect|unveil(?:ed|s)?|pledged)\b", "announced", 2),
    (r"\b(?:impos(?:e|ed|es|ing)|levied|levying|slapped|raised|increased|hiked|cut|reduced"
     r"|lowered|applied|applies|charged|collected|introduced)\b", "in_effect", 1),
)
_CUES = [(re.compile(p, re.IGNORECASE), status, strength) for p, status, strength in _CUE_TABLE]

DEMANDERS = re.compile(
    r"^\W*(?:\w+\s+){0,3}?(?:has\s+been\s+|have\s+been\s+|is\s+|are\s+|was\s+|were\s+)?"
    r"(?:demand(?:ed|s|ing)?|seek(?:s|ing)?|sought|urg(?:e|ed|es|ing)|ask(?:ed|s|ing)?|want(?:s|ed)?"
    r"|press(?:ed|es|ing)?|call(?:ed|s|ing)?\s+for|request(?:ed|s)?|complain(?:ed|s)?|protest(?:ed|s)?)\b",
    re.IGNORECASE,
)
"""After a country: it asks for the measure rather than levies it ("Washington has been demanding")."""

NEGATED = re.compile(
    r"\b(?:without|not|never|no|nor|against)\s+(?:\w+\s+){0,2}$|\bno\s+$", re.IGNORECASE
)

PAST_TIME = re.compile(
    r"\b(?:earlier\s+this\s+(?:year|month)|last\s+(?:year|month|week)|ago|in\s+(?:19|20)\d\d)\b",
    re.IGNORECASE,
)


def status_cues(text: str) -> Iterator[Cue]:
    """Every status cue in `text`, a stronger reading first where two overlap."""
    taken: list[tuple[int, int]] = []
    for pattern, status, strength in _CUES:
        for m in pattern.finditer(text):
            if any(m.start() < e and m.end() > s for s, e in taken):
                continue
            taken.append((m.start(), m.end()))
            yield Cue(m.start(), m.end(), status, strength)
