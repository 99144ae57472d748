"""The content fingerprint: copies of one story agree, different stories do not."""

from __future__ import annotations

import json
from pathlib import Path

from bot.store import fingerprint

BODY = (
    "The trade ministry of Freedonia said on Tuesday it would raise duties on imported "
    "bicycles to 18 pct from 12 pct next month, after domestic makers complained that "
    "cheap frames were flooding the market. Officials said the measure would cover about "
    "40 mln dlrs of goods a year and would be reviewed after twelve months."
)
WRAPPED = BODY.replace("said on Tuesday", "said\non Tuesday").replace(" after ", "\n    after ")


def test_wrapping_case_and_punctuation_do_not_matter() -> None:
    a = fingerprint("Freedonia raises bicycle duties", BODY)
    assert a == fingerprint("FREEDONIA RAISES BICYCLE DUTIES", WRAPPED)
    assert a == fingerprint("", BODY.upper().replace(",", " ,"))
    assert a == fingerprint("x", "“" + BODY.replace("pct", "pct,") + "”")


def test_dateline_folder_date_and_trailer_do_not_matter() -> None:
    plain = fingerprint("t", BODY)
    for wrapped in (
        "FREEDONIA CITY, March 3 - " + BODY,
        "FREEDONIA CITY (BLOOMBERG) - " + BODY,
        "SPRINGFIELD, Ill., Feb 26 - " + BODY,
        "Springfield, Feb 26 - " + BODY,
        "date 2019-09-20\nFREEDONIA CITY, March 3 - " + BODY + "\n Reuter\n&#3;",
    ):
        assert fingerprint("t", wrapped) == plain, wrapped


def test_different_stories_differ() -> None:
    other = BODY.replace("18 pct", "20 pct")
    assert fingerprint("t", BODY) != fingerprint("t", other)


def test_title_counts_only_for_a_short_body() -> None:
    assert fingerprint("One title", BODY) == fingerprint("Another title", BODY)
    short = "Details to follow."
    assert fingerprint("Duties raised", short) != fingerprint("Talks resume", short)
    assert fingerprint("Duties raised", short) == fingerprint("duties  raised", short)


def test_fingerprint_is_a_sha256_hex() -> None:
    fp = fingerprint("t", BODY)
    assert len(fp) == 64
    int(fp, 16)


def test_corpus_datelines_are_ignored(shared: Path) -> None:
    """A wire story with its dateline joined to the body (the folder format) and without it
    (the corpus' separate field) is one story, for nearly every story of the corpus."""
    corpus = shared / "corpus" / "reuters21578-modapte-train.jsonl"
    total = differ = 0
    with corpus.open(encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            if not d.get("dateline"):
                continue
            total += 1
            joined = d["dateline"] + " " + d["body"]
            differ += fingerprint(d["title"], joined) != fingerprint(d["title"], d["body"])
    assert total > 8000
    assert differ / total < 0.01, f"{differ} of {total} stories change with their dateline"


def test_dev_articles_are_told_apart(shared: Path) -> None:
    seen: dict[str, str] = {}
    with (shared / "articles" / "reuters-dev.jsonl").open(encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            fp = fingerprint(d["title"], d["body"])
            assert fp not in seen, f"{d['id']} taken for {seen.get(fp)}"
            seen[fp] = d["id"]
    assert len(seen) >= 20
