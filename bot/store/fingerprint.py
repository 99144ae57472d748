"""The content fingerprint that makes the same story from two places one article.

A hash of the normalised text: Unicode-normalised, case-folded, punctuation dropped,
whitespace collapsed, and insensitive to the wrapping of a story: a leading `date
YYYY-MM-DD` line of the folder format, a wire dateline ("TOKYO, April 5 -",
"WASHINGTON (BLOOMBERG) -") and a closing "Reuter" trailer. The body decides; the title
counts only for a short body (a headline-only feed entry), since two copies of one story
often carry different titles (a file name, a feed headline).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

from bot.analysis.text import parse_dateline, strip_trailer

SHORT_BODY_WORDS = 30
"""Below this many words the body is too thin to tell stories apart: the title joins it."""

_FOLDER_DATE = re.compile(r"^\s*date\s+\d{4}-\d{2}-\d{2}\b", re.IGNORECASE)
_NOT_WORD = re.compile(r"[^\w\s]+")
_UNDERSCORE = re.compile(r"_+")


def normalised_text(text: str) -> str:
    """Case-folded words separated by single spaces, punctuation dropped."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _UNDERSCORE.sub(" ", _NOT_WORD.sub("", text))
    return " ".join(text.split())


def story_text(body: str) -> str:
    """The body without the folder date line, the dateline and the wire trailer."""
    body = _FOLDER_DATE.sub("", unicodedata.normalize("NFKC", body), count=1)
    return strip_trailer(parse_dateline(body.lstrip(), None)[1])


def fingerprint(title: str, body: str) -> str:
    """A hex SHA-256 of the story's normalised text; equal for copies of one story."""
    text = normalised_text(story_text(body))
    if len(text.split()) < SHORT_BODY_WORDS:
        text = normalised_text(title) + "\n" + text
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
