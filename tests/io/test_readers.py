"""Reading the contract's input formats; bad input is reported, never raised."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from bot.domain import Article
from bot.io import readers
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


def test_a_jsonl_batch_of_any_size_is_read_a_line_at_a_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(readers, "MAX_FILE_BYTES", 400)  # a story file over this is refused
    story = {"title": "Freedonia raises steel tariffs", "body": "Freedonia raised its steel tariff to 25 pct."}
    lines = [json.dumps({**story, "id": f"s{i}"}) for i in range(20)]  # about 2 KB in all
    lines[3] = json.dumps({**story, "id": "huge", "body": "tariff " * 200})  # one line over the limit
    path = tmp_path / "batch.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + "\n".join(lines).encode() + b"\n" + b"{\"id\": \"bad\", \"body\": \"caf\xe9\"}\n")
    items = list(read_path(path))
    assert [a.id for a in items if isinstance(a, Article)] == [f"s{i}" for i in range(20) if i != 3]
    assert [str(e) for e in items if isinstance(e, ReadError)] == [
        f"{path}:4: line longer than 0 MB, skipped",
        f"{path}:21: not valid UTF-8 (byte 0xe9 at offset 26)",
    ]
    (tmp_path / "story.txt").write_text("date 2026-01-05\n" + "A story. " * 60)
    assert [str(e) for e in read_path(tmp_path / "story.txt")] == [f"{tmp_path / 'story.txt'}: larger than 0 MB, skipped"]


def test_jsonl_nested_too_deeply_is_that_lines_error(tmp_path: Path) -> None:
    path = tmp_path / "deep.jsonl"
    good = json.dumps({"id": "ok", "title": "Duties", "body": "The EU imposed duties on bicycles."})
    path.write_text("[" * 100_000 + "]" * 100_000 + "\n" + good + "\n", encoding="utf-8")
    items = list(read_path(tmp_path))
    assert items[0] == ReadError(str(path), "JSON nested too deeply to read", 1)
    assert isinstance(items[1], Article) and items[1].id == "ok"


def test_any_error_reading_a_file_is_that_files_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_: object) -> Article:
        raise RecursionError("maximum recursion depth exceeded")

    (tmp_path / "a.txt").write_text("a story that meets a bug", encoding="utf-8")
    (tmp_path / "b.jsonl").write_text(json.dumps({"id": "b", "body": "The EU imposed duties."}) + "\n",
                                      encoding="utf-8")
    monkeypatch.setattr(readers, "parse_story", broken)
    first, second = list(read_path(tmp_path))
    assert isinstance(first, ReadError) and first.source == str(tmp_path / "a.txt")
    assert "could not be read (RecursionError" in first.message
    assert isinstance(second, Article) and second.id == "b"
