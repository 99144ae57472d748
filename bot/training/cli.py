"""`tradewatch train LABELLED.jsonl -o MODEL`: fit a classifier on your own labelled stories.

Reads the stories (a bad line is reported as FILE:LINE on stderr and skipped), prints the
k-fold cross-validated precision, recall and F1, writes the model as JSON and returns 0.
Progress goes to stderr (a bar on a terminal, else a line every few seconds). Point the bot at the model with `analysis.model` in the
configuration (or `tradewatch analyze --model MODEL`).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TextIO

from bot.progress import Progress
from bot.training.data import read_labelled
from bot.training.model import save_model
from bot.training.train import CVReport, Settings, best_cut, cross_validate, featurize, fit, steps


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("input", type=Path, metavar="LABELLED.jsonl",
                        help='labelled stories, one JSON object a line: {"title", "body", "is_trade"}, '
                             'or Reuters-style records with a "topics" list (see --label)')
    parser.add_argument("-o", "--output", type=Path, required=True, metavar="MODEL",
                        help="where to write the trained model (JSON)")
    parser.add_argument("--label", metavar="TOPIC",
                        help='read the label from the "topics" list: is_trade = TOPIC in topics '
                             "(e.g. --label trade for the Reuters corpus)")
    parser.add_argument("--folds", type=int, default=5, help="folds of the cross-validation (default 5)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the fold split (default 0)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bars on stderr")  # fmt: skip


def run(args: argparse.Namespace) -> int:
    path: Path = args.input
    if args.folds < 2:
        return _fail("--folds must be at least 2")
    try:
        stories, bad = read_labelled(path, args.label)
    except OSError as e:
        return _fail(f"cannot read {path}: {e.strerror or e}")
    for line in bad:
        print(f"{path}:{line.line}: {line.message}", file=sys.stderr)
    trade = sum(s.is_trade for s in stories)
    others = len(stories) - trade
    if not stories:
        return _fail(f"no usable stories in {path}")
    if min(trade, others) < args.folds:
        return _fail(f"{path}: {args.folds}-fold cross-validation needs at least {args.folds} trade "
                     f"and {args.folds} other stories; found {trade} trade and {others} others")  # fmt: skip

    settings = Settings()
    shown = not args.no_progress
    with Progress(len(stories), "reading stories", "stories", enabled=shown) as progress:
        data = featurize(stories, tick=progress.update)
    with Progress(steps(args.folds, settings), "fitting", "fits", enabled=shown) as progress:
        report, probabilities = cross_validate(data, args.folds, args.seed, settings, progress.update)
        model = fit(data, best_cut(probabilities, data.labels), args.seed, settings, report.to_json())
        progress.update()
    print_report(report, sys.stdout)
    try:
        save_model(model, args.output)
    except OSError as e:
        return _fail(f"cannot write {args.output}: {e.strerror or e}")
    print(f"model written to {args.output} ({len(model.terms):,} terms + {len(model.rule_weights)} "
          f"rule features; decision cut {model.metrics.get('cut')} mapped to score 0.5)")  # fmt: skip
    return 0


def print_report(report: CVReport, out: TextIO) -> None:
    print(f"{len(report.folds)}-fold cross-validation on {report.stories:,} stories "
          f"({report.positives:,} trade), seed {report.seed}:", file=out)  # fmt: skip
    for f in report.folds:
        s = f.scores
        print(f"  fold {f.fold}: precision {s.precision:.4f}  recall {s.recall:.4f}  F1 {s.f1:.4f}"
              f"  ({f.stories:,} stories, {f.positives} trade, cut {f.cut:.3f})", file=out)  # fmt: skip
    s = report.overall
    print(f"  overall: precision {s.precision:.4f}  recall {s.recall:.4f}  F1 {s.f1:.4f}"
          f"  (tp {s.tp}, fp {s.fp}, fn {s.fn})", file=out)  # fmt: skip


def _fail(message: str) -> int:
    print(f"tradewatch train: {message}", file=sys.stderr)
    return 2
