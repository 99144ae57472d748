"""`tradewatch analyze`: the analysis contract of ../shared/CONTRACT.md on the command line."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from bot.codec import analysis_to_dict
from bot.domain import Analysis, Article
from bot.io.readers import ReadError, read_jsonl, read_path
from bot.progress import Progress
from bot.render.card import render_card

FORMATS = ("text", "json", "jsonl")


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "paths", nargs="*", metavar="PATH",
        help="article files (folder format, .txt, .md), .jsonl files, folders, or - for JSONL on stdin",
    )
    parser.add_argument("--format", choices=FORMATS, default="text",
                        help="text: the alert card (default); json: one array; jsonl: one object a line")
    parser.add_argument("--full", action="store_true",
                        help="extract people, dates and tariffs even from stories the trade check rejects")
    parser.add_argument("--model", type=Path, default=None,
                        help="a classifier trained with `tradewatch train` (default: the built-in rules)")
    parser.add_argument("--no-progress", action="store_true",
                        help="no progress on stderr (by default a bar with the time left on a terminal, "
                             "else a line every 10 s)")


def read_inputs(paths: list[str], stdin: TextIO, errors: list[ReadError]) -> Iterator[Article]:
    for p in paths:
        items = read_jsonl(stdin, "-") if p == "-" else read_path(Path(p))
        for item in items:
            if isinstance(item, ReadError):
                errors.append(item)
                print(f"tradewatch analyze: {item}", file=sys.stderr)
            else:
                yield item


def count_articles(paths: list[str]) -> int:
    """How many articles the files hold, for the progress total: one quick pass that reads
    (a line at a time, like the analysis) without analysing."""
    return sum(1 for p in paths for item in read_path(Path(p)) if not isinstance(item, ReadError))


def write(analyses: Iterator[Analysis], fmt: str, out: TextIO) -> int:
    count = 0
    if fmt == "json":
        docs = [analysis_to_dict(a) for a in analyses]
        json.dump(docs, out, ensure_ascii=False, indent=2)
        out.write("\n")
        return len(docs)
    for a in analyses:
        if fmt == "jsonl":
            out.write(json.dumps(analysis_to_dict(a), ensure_ascii=False) + "\n")
        else:
            if count:
                out.write("\n")
            out.write(render_card(a) + "\n")
        count += 1
    return count


def run(args: argparse.Namespace) -> int:
    from bot.analysis.pipeline import Analyzer
    from bot.training.model import load_classifier

    paths: list[str] = args.paths or []
    if not paths:
        if sys.stdin.isatty():
            print("tradewatch analyze: give files, folders, or - to read JSONL from stdin "
                  "(see tradewatch analyze --help)", file=sys.stderr)
            return 2
        paths = ["-"]
    try:
        classifier = load_classifier(args.model)
    except ValueError as e:
        print(f"tradewatch analyze: {e}", file=sys.stderr)
        return 2
    errors: list[ReadError] = []

    def failed(article: Article, e: Exception) -> None:
        error = ReadError(article.source or article.id,
                          f"article {article.id!r} could not be analysed ({type(e).__name__}: {e})")
        errors.append(error)
        print(f"tradewatch analyze: {error}", file=sys.stderr)

    shown = not args.no_progress
    total = count_articles(paths) if shown and "-" not in paths else None  # stdin: read once, as it comes
    articles = read_inputs(paths, sys.stdin, errors)
    with Progress(total, "analysing", "articles", enabled=shown) as progress:
        analyses = progress.wrap(Analyzer(classifier).analyze_many(articles, full=args.full, on_error=failed))
        count = write(analyses, args.format, sys.stdout)
    if count == 0:
        print("tradewatch analyze: nothing could be analysed", file=sys.stderr)
        return 1
    if errors:
        print(f"tradewatch analyze: {count} analysed, {len(errors)} skipped", file=sys.stderr)
    return 0
