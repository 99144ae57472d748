"""The alert summary: whole sentences, main event first, trade news over colour.

Stories here are written for the tests; the seed article is read from ../shared.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from bot.analysis.summary.extract import MAX_CHARS, summarize
from bot.analysis.text import prepare

STORY = (
    "OTTAWA, May 4 - Canada said it would raise duties on imported steel pipe to 25 pct from "
    "10 pct next month, in a widening dispute with its southern neighbour.\n"
    "Markets were quiet and stock futures edged higher in early trade.\n"
    "The weather in the capital was mild for the season.\n"
    "The new duty covers about 400 mln dlrs of pipe a year, trade officials said.\n"
    "Industry groups welcomed the move.\n"
    "REUTER"
)


def summary_of(body: str, title: str = "CANADA RAISES STEEL PIPE DUTIES") -> str:
    return summarize(title, prepare(body, date(1987, 5, 4)))


def test_lead_first_then_the_trade_facts_in_story_order() -> None:
    assert summary_of(STORY) == (
        "Canada said it would raise duties on imported steel pipe to 25 pct from 10 pct next "
        "month, in a widening dispute with its southern neighbour. The new duty covers about "
        "400 mln dlrs of pipe a year, trade officials said."
    )


def test_no_dateline_and_no_wire_trailer() -> None:
    text = summary_of(STORY)
    assert "OTTAWA" not in text and "REUTER" not in text


def test_dateline_the_preparation_did_not_recognise_is_dropped() -> None:
    body = ("TAUPO, New Zealand, March 24 - Ministers from twenty nations agreed to speed up talks on "
            "farm trade, the host government said.\nThe talks resume in Geneva in June.")
    assert summary_of(body, "MINISTERS AGREE").startswith("Ministers from twenty nations agreed")


def test_no_sentence_that_opens_inside_a_quotation() -> None:
    body = ("The ministry said it would cut tariffs on 300 farm products by half from July.\n"
            '"We want balanced trade. We are ready to act alone if we must. '
            'Nobody should doubt it," the minister said.\n'
            "The cuts cover goods worth 2.1 billion dlrs a year.")
    text = summary_of(body, "TARIFF CUTS")
    assert "We are ready" not in text and "Nobody should" not in text
    assert text.count('"') % 2 == 0


def test_the_headline_is_not_repeated() -> None:
    lead = "Japan will cut tariffs on 50 farm products by up to 30 pct from April, officials said."
    body = lead + "\nThe cuts cover imports worth 800 mln dlrs a year.\nThe cabinet approves them on Friday."
    assert not summary_of(body, title=lead).startswith(lead)
    cut_title = "Japan will cut tariffs on 50 farm products by up to ..."
    assert not summary_of(body, title=cut_title).startswith(lead)


def test_whole_sentences_only_and_two_when_a_third_would_be_too_long() -> None:
    long_tail = ("Officials added that the quota, which covers textiles, clothing, footwear and "
                 "a long list of household goods shipped from a dozen Asian suppliers, would be "
                 "reviewed every six months by a joint committee of both governments and industry.")
    body = ("The United States imposed a quota on imports of cotton shirts from Taiwan on Monday, "
            "the Commerce Department said.\nThe quota limits shipments to 1.2 mln dozen a year, "
            "down 15 pct from last year.\n" + long_tail)
    text = summary_of(body, "U.S. SETS SHIRT QUOTA")
    assert len(text) <= MAX_CHARS
    assert long_tail not in text
    sentences = re.split(r"(?<=\.) ", text)
    assert len(sentences) == 2
    for sentence in sentences:
        assert sentence in body and sentence.endswith(".")


def test_empty_story_has_empty_summary() -> None:
    assert summarize("NOTHING", prepare("", None)) == ""


SEED = "000_93b695e3e3035885"


def test_seed_summary_names_the_talks_and_the_tariff_increase(shared: Path) -> None:
    raw = (shared / "articles" / f"{SEED}.txt").read_text()
    header = re.match(r"\s*date (\d{4}-\d{2}-\d{2})\s*", raw)
    assert header is not None
    body = raw[header.end() :]
    text = summarize("US and China resume trade talks", prepare(body, date.fromisoformat(header.group(1))))
    assert len(text) <= MAX_CHARS
    assert "BLOOMBERG" not in text and "WASHINGTON (" not in text
    assert re.search(r"resumed face-to-face talks", text)
    assert re.search(r"tariffs on US\$\d+ billion of Chinese goods to \d+ per cent", text)
    assert "Stock futures" not in text
