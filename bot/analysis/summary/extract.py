"""Two or three sentences a reader of an alert can trust.

Extractive: whole sentences of the story, in story order. The lead goes first (wire copy
puts the main event there); the others are picked for trade-event content (rates,
amounts, tariffs, talks, an actor doing something) over colour ("Stock futures edged
higher"), with a small preference for early sentences. Sentences that open inside a
quotation, carry half a quotation, repeat the title or read like a table are never used.
Pure and cheap: regular expressions over `Prepared.sentences`, no model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.analysis.text import Prepared

MAX_CHARS = 400
"""The summary stays under this length when the story's sentences allow."""
_THIRD_MIN = 1.5
"""A third sentence must carry at least this much news, or the summary keeps two."""

_QUOTES = re.compile(r"[\"“”]")
_RATE = re.compile(r"\d\s*(?:pct|per\s?cent|percent|%)|\bper\s?cent\b", re.I)
_AMOUNT = re.compile(
    r"(?:US\$|\$|S\$|HK\$|A\$|C\$|£|¥|€)\s?\d|\d\s*(?:billion|bln|million|mln|trillion)\b"
    r"|\b(?:dlrs?|dollars?|yen|stg|marks|francs|tonnes)\b", re.I,
)
_TRADE = re.compile(
    r"\b(?:tariffs?|dut(?:y|ies)|quotas?|levy|levies|surcharges?|sanctions?|retaliat\w*|"
    r"anti-?dumping|countervailing|embargo\w*|trade|imports?|exports?|talks|negotiat\w*|"
    r"agreements?|accord|pact|deal|surplus|deficit|protectionis\w*|subsid\w*|GATT|WTO)\b",
    re.I,
)
_ACTION = re.compile(
    r"\b(?:announced|imposed?|imposing|raised?|rais(?:es|ing)|cut|lowered|lifted|delayed|"
    r"postponed|agreed|signed|resumed|threatened|retaliated|levied|ordered|approved|"
    r"proposed|decided|plans?|will|began|begin|rejected|suspended|increase[ds]?|reduced?)\b",
    re.I,
)
_COLOUR = re.compile(
    r"\b(?:stocks?|futures|shares|S&P|Dow|Nasdaq|Nikkei|edged|weather|bourse|equities)\b", re.I
)
_NEEDS_ANTECEDENT = re.compile(r"^(?:He|She|They|It|This|That|These|Those|But|And|Also)\b")
_DASH_OR_BULLET = re.compile(r"^[-*•]")
_UNENDED = re.compile(r"[a-z]{2}$")
_COMMON = frozenset(
    """said says that this with from have been will would could should their there they
    which about after also than more most other over into were when what year years last
    such some only very much many made make told added being does just like then them
    these those while where because before under since even well back still""".split()
)


@dataclass(frozen=True, slots=True)
class _Candidate:
    index: int
    text: str
    score: float


def summarize(title: str, prepared: Prepared, max_sentences: int = 3) -> str:
    """Two or three whole sentences of the story, main event first, in story order."""
    candidates = _candidates(title, prepared)
    if not candidates:
        return ""
    lead, rest = candidates[0], sorted(candidates[1:], key=lambda c: (-c.score, c.index))
    chosen = [lead]
    for want in range(1, max_sentences):
        size = sum(len(c.text) + 1 for c in chosen)
        fits = [c for c in rest if size + len(c.text) <= MAX_CHARS]
        if fits and (want == 1 or fits[0].score >= _THIRD_MIN):
            pick = fits[0]
        elif want == 1 and rest and len(lead.text) < MAX_CHARS // 2:
            pick = min(rest[:3], key=lambda c: len(c.text))  # two sentences, however long
        else:
            break
        chosen.append(pick)
        rest.remove(pick)
    return " ".join(c.text for c in sorted(chosen, key=lambda c: c.index))


def _candidates(title: str, prepared: Prepared) -> list[_Candidate]:
    """The usable sentences, each with its score; the lead (first usable) comes first."""
    out: list[_Candidate] = []
    in_quote = False
    previous_end = 0
    for i, sentence in enumerate(prepared.sentences):
        if "\n" in prepared.text[previous_end : sentence.start]:
            in_quote = False  # wire copy reopens a quotation that runs on into a new paragraph
        previous_end = sentence.end
        text = sentence.text.strip()
        quotes = len(_QUOTES.findall(text))
        opened_inside = in_quote
        if quotes % 2:
            in_quote = not in_quote
        if i == 0 and _UNENDED.search(text):  # wire copy sometimes drops the lead's full stop
            text += "."
        if opened_inside or quotes % 2 or not _readable(text) or _is_title(text, title):
            continue
        out.append(_Candidate(i, text, _score(text, i)))
    # the lead: the first sentence that is not a quotation, among the first few
    for k, c in enumerate(out[:3]):
        if not _QUOTES.match(c.text):
            out.insert(0, out.pop(k))
            break
    if not out:
        return out
    # sentences on the story's topic (the headline's and the lead's words) rank higher
    topic = _content_words(title) | _content_words(out[0].text)
    return [out[0]] + [
        _Candidate(c.index, c.text, c.score + 0.5 * min(3, len(_content_words(c.text) & topic)))
        for c in out[1:]
    ]


def _readable(text: str) -> bool:
    """A sentence a reader can take alone: capitalised, ended, words rather than figures."""
    if len(text) < 25 or not (text[0].isupper() or text[0] in "\"“'‘(") or _DASH_OR_BULLET.match(text):
        return False
    if text[-1] not in ".!?\"”'’)":
        return False
    words = re.findall(r"[A-Za-z]{2,}", text)
    return len(words) >= 5 and len(re.findall(r"\d", text)) < len(text) / 4


def _score(text: str, index: int) -> float:
    score = 2.0 * bool(_RATE.search(text)) + 2.0 * bool(_AMOUNT.search(text))
    score += min(len(_TRADE.findall(text)), 3) * 1.0 + 1.0 * bool(_ACTION.search(text))
    score -= 3.0 * bool(_COLOUR.search(text))
    score -= 2.5 * bool(_NEEDS_ANTECEDENT.match(text))
    score -= 3.0 * bool(_QUOTES.match(text))  # a quotation makes a poor summary line
    score -= 0.25 * index
    if len(text) > 300 or len(text) < 60:
        score -= 1.0
    return score


def _is_title(text: str, title: str) -> bool:
    """Is the sentence the headline, or the sentence a headline was cut from ("... talks ...")?"""
    key, title_key = _key(text), _key(title)
    if not title_key:
        return False
    if title.rstrip().endswith(("...", "…")):
        return key.startswith(title_key)
    return key == title_key


def _content_words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z]{4,}", text.lower()) if w not in _COMMON}


def _key(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))
