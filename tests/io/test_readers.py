"""Reading the contract's input formats; bad input is reported, never raised."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from bot.domain import Article
from bot.io.readers import ReadError, derive_title, parse_story, read_jsonl, read_path

STORY = """date 2025-03-06
OTTAWA (TRADEWATCH) - Canada will put a 25% levy on C$12 billion of American goods.

The list will be published on Friday."""


def test_folder_format_gives_date_body_and_derived_title() -> None:
    a = parse_story(STORY, "ca-levy", "x.txt")
    assert a.published == date(2025, 3, 6)
    assert a.body.startswith("OTTAWA (TRADEWATCH) - Canada will")
    assert a.title == "Canada will put a 25% levy on C$12 billion of American goods."
    assert a.id == "ca-levy"


def test_date_header_run_together_with_the_story_on_one_line() -> None:
    a = parse_story(" date 2019-09-20 WASHINGTON (BLOOMBERG) - Talks resumed today.", "x")
    assert a.published == date(2019, 9, 20)
    assert a.body == "WASHINGTON (BLOOMBERG) - Talks resumed today."


def test_plain_markdown_without_date_keeps_its_heading_as_title() -> None:
    a = parse_story("# Duties on bicycles\n\nThe EU set duties on e-bikes.", "md")
    assert a.published is None
    assert a.title == "Duties on bicycles"
    assert a.body == "The EU set duties on e-bikes."


def test_long_first_sentence_title_is_cut_at_a_word() -> None:
    title = derive_title("word " * 60 + "end.")
    assert title.endswith(" ...") and len(title) <= 125 and "wor ..." not in title


def test_jsonl_bad_lines_are_reported_with_their_line_numbers() -> None:
    lines = [
        '{"id": "a1", "title": "T", "body": "Tariffs rose.", "published": "2020-01-02"}',
        "not json",
        "[1, 2]",
        '{"id": "a4", "title": "no body key"}',
        '{"id": "a5", "body": "Duties fell.", "published": "yesterday"}',
        "",
        '{"body": "No id here.", "url": "https://example.org/x"}',
    ]
    out = list(read_jsonl(lines, "in.jsonl"))
    arts = [x for x in out if isinstance(x, Article)]
    errs = [x for x in out if isinstance(x, ReadError)]
    assert [a.id for a in arts] == ["a1", "in-7"]
    assert arts[0].published == date(2020, 1, 2)
    assert arts[1].url == "https://example.org/x"
    assert [(e.line, e.source) for e in errs] == [(2, "in.jsonl"), (3, "in.jsonl"), (4, "in.jsonl"), (5, "in.jsonl")]
    assert "not valid JSON" in str(errs[0]) and str(errs[0]).startswith("in.jsonl:2:")
    assert "not an object" in errs[1].message
    assert "body" in errs[2].message


def test_headline_only_and_empty_stories_are_still_analysed() -> None:
    a, b = read_jsonl(['{"id": "h1", "title": "JAPAN TO CUT TARIFFS ON CHOCOLATE", "body": ""}',
                       '{"id": "e1", "title": "", "body": ""}'], "c.jsonl")
    assert isinstance(a, Article) and a.body == "JAPAN TO CUT TARIFFS ON CHOCOLATE"
    assert isinstance(b, Article) and b.body == "" and b.id == "e1"


def test_corpus_style_dateline_field_is_joined_to_the_body() -> None:
    (a,) = read_jsonl(['{"id": "r1", "title": "T", "dateline": "TOKYO, April 5", "body": "Japan said."}'], "c.jsonl")
    assert isinstance(a, Article)
    assert a.body == "TOKYO, April 5 - Japan said."


def test_folder_reads_articles_and_reports_broken_files(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(STORY)
    (tmp_path / "b.txt").write_bytes(b"date 2025-01-01\nbad \xff\xfe bytes")
    (tmp_path / "c.txt").write_bytes(b"\x00\x01\x02binary")
    (tmp_path / "d.txt").write_text("   \n")
    (tmp_path / "e.png").write_bytes(b"ignored")
    (tmp_path / "f.txt").write_text("date 2025-13-45\nBad date.")
    out = list(read_path(tmp_path))
    assert [x.id for x in out if isinstance(x, Article)] == ["a"]
    errs = {Path(x.source).name: x.message for x in out if isinstance(x, ReadError)}
    assert "not valid UTF-8" in errs["b.txt"]
    assert "binary" in errs["c.txt"]
    assert "empty" in errs["d.txt"]
    assert "date" in errs["f.txt"]
    assert "e.png" not in errs


def test_missing_path_is_an_error_not_an_exception(tmp_path: Path) -> None:
    (err,) = read_path(tmp_path / "nope")
    assert isinstance(err, ReadError) and "no such file" in err.message
