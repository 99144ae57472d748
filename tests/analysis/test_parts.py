"""Long stories are analysed up to a cap and read in parts (bot.analysis.text, pipeline)."""

from __future__ import annotations

from bot.analysis.pipeline import merge_people
from bot.analysis.text import ANALYSED_CHARS, analysed_body, length_note, parts, prepare
from bot.domain import Person

SENTENCE = "Freedonia raised its duty on tractors to {n} percent on Monday, the trade ministry said."


def _story(sentences: int, per_paragraph: int = 3) -> str:
    rows = [SENTENCE.format(n=i) for i in range(sentences)]
    return "\n\n".join(" ".join(rows[i : i + per_paragraph]) for i in range(0, sentences, per_paragraph))


def test_a_short_story_is_one_part_itself() -> None:
    prepared = prepare(_story(6), None)
    assert parts(prepared) == (prepared,)


def test_parts_are_bounded_and_keep_every_sentence_in_order() -> None:
    prepared = prepare(_story(600), None)
    pieces = parts(prepared, size=5_000)
    assert len(pieces) > 5
    assert all(len(p.text) <= 5_000 for p in pieces)
    assert [s.text for p in pieces for s in p.sentences] == [s.text for s in prepared.sentences]
    for p in pieces:  # each part's sentences point into its own text
        assert all(p.text[s.start : s.end] == s.text for s in p.sentences)


def test_a_body_over_the_cap_is_cut_at_a_paragraph_end_and_noted() -> None:
    body = _story(3_000)
    assert len(body) > ANALYSED_CHARS
    head = analysed_body(body)
    assert len(head) <= ANALYSED_CHARS and body.startswith(head) and body[len(head) :].startswith("\n\n")
    assert length_note(body) == f"long story: analysed the first {len(head):,} of {len(body):,} characters"
    short = _story(10)
    assert analysed_body(short) is short and length_note(short) is None


def test_people_from_several_parts_are_merged() -> None:
    found = [Person("Ilse Varga", None, "Freedonia"), Person("Tom Reed"), Person("Varga"),
             Person("Ilse Varga", "trade minister", "Sylvania"), Person("Reed", "envoy")]
    assert merge_people(found) == (Person("Ilse Varga", "trade minister", "Freedonia"), Person("Tom Reed"))
