"""Benchmark: analysis time and peak memory against story length (issue 12, point 3).

One long trade story of 50 KB, 100 KB, 250 KB and 1 MB (paragraphs written for this
benchmark, repeated with their figures varied, so no two paragraphs are the same), each
analysed in a child process of its own (full analysis, as on demand), which reports its wall
time and peak RSS (spaCy and the classifier loaded). The target: 1 MB in at most 12x the time
of 100 KB, peak under 500 MB. A story is analysed up to `ANALYSED_CHARS` (100,000
characters), read in parts; the "note" column says whether its card says it was cut.

Usage: python benchmarks/bench_length.py [--sizes 50,100,250,1000] [--json]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PARAGRAPHS = (
    "WASHINGTON, March {d} - The Commerce Department said on Tuesday it would raise the duty "
    "on imported steel wire from Freedonia to {p} percent from {q} percent, starting on "
    "April {d}, after a review found the product was sold below its cost.",
    "Trade Representative Maria Alvarez told reporters the increase was a measured answer to "
    "what she called years of unfair pricing, and that talks with Freedonia's trade minister, "
    "Henrik Dahl, would resume in Geneva in {m} weeks.",
    "Importers said the higher tariff would add about {n} million dollars a year to their costs. "
    "The Steel Users Council asked the agency to exempt grades that are not made at home.",
    "Freedonia's government said it regretted the decision and would consider a complaint at the "
    "World Trade Organization. It said exports of the wire had fallen {p} percent last year.",
    "Separately, the administration kept the {q} percent levy on aluminium sheet from Sylvania "
    "unchanged until June {d}, when a quota of {n} thousand tonnes a year is due to take effect.",
    "Analysts at the Institute for Trade Studies said the measures covered goods worth about "
    "{n} billion dollars and were unlikely to move consumer prices much before the autumn.",
)


def story(size: int) -> str:
    """A story of about `size` characters, paragraphs varied so none repeats exactly."""
    parts: list[str] = []
    total, i = 0, 0
    while total < size:
        text = PARAGRAPHS[i % len(PARAGRAPHS)].format(
            d=1 + i % 28, p=10 + i % 40, q=5 + i % 20, m=2 + i % 9, n=100 + i % 900)
        parts.append(text)
        total += len(text) + 2
        i += 1
    return "\n\n".join(parts)[:size]


def child(size: int) -> dict[str, float]:
    from bot.analysis.pipeline import Analyzer
    from bot.analysis.text import length_note
    from bot.domain import Article
    from bot.training.model import load_classifier

    analyzer = Analyzer(load_classifier(None))
    analyzer.nlp  # noqa: B018 - load spaCy before the clock starts
    article = Article(id=f"long-{size}", title="Steel wire duty raised", body=story(size))
    t = time.perf_counter()
    result = analyzer.analyze(article)
    seconds = time.perf_counter() - t
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"chars": len(article.body), "seconds": seconds, "peak_mb": peak,
            "tariff_changes": len(result.tariff_changes), "people": len(result.people),
            "note": 1.0 if length_note(article.body) else 0.0}


def measure(size: int) -> dict[str, float]:
    out = subprocess.run([sys.executable, __file__, "--child", str(size)], check=True,
                         capture_output=True, text=True, cwd=ROOT)
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="50,100,250,1000",
                        help="story sizes in KB (default 50,100,250,1000)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child)))
        return
    sizes = [int(s) * 1000 for s in args.sizes.split(",")]
    rows = {size: measure(size) for size in sizes}
    if args.json:
        print(json.dumps({str(k): v for k, v in rows.items()}, indent=2))
        return
    base = rows.get(100_000, rows[sizes[0]])["seconds"]
    print(f"{'story':>9} {'time':>9} {'x 100 KB':>9} {'peak RSS':>9}  note on card")
    for size, r in rows.items():
        print(f"{size // 1000:>6} KB {r['seconds']:>8.1f}s {r['seconds'] / base:>7.1f}x "
              f"{r['peak_mb']:>6.0f} MB  {'yes' if r['note'] else 'no'}")


if __name__ == "__main__":
    main()
