"""Benchmark: `analyze` over the whole Reuters-21578 ModApte training split vs spaCy alone.

Reports, in one run on this machine:
- the classifier alone (stories a second),
- the default analysis (classify everything, extract only from accepted stories) of all
  9,603 stories: wall time and peak memory (measured in a child process of its own),
- spaCy `en_core_web_sm` `nlp.pipe` over the same texts (all components, one process),
- the ratio analysis / spaCy (issue 2's target: at most 0.25; peak memory under 500 MB).

Data: "Reuters-21578, Distribution 1.0", read from ../shared/corpus (never copied here).
Usage: python benchmarks/bench_analyze.py [--limit N] [--json]
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
CORPUS = ROOT.parent / "shared" / "corpus" / "reuters21578-modapte-train.jsonl"
sys.path.insert(0, str(ROOT))


def load(limit: int | None) -> list:  # type: ignore[type-arg]
    from bot.io.readers import Article, read_jsonl

    items = [a for a in read_jsonl(CORPUS.read_text().splitlines(), str(CORPUS)) if isinstance(a, Article)]
    return items[:limit] if limit else items


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(part: str, limit: int | None) -> dict[str, float]:
    articles = load(limit)
    if part == "analyze":
        from bot.analysis.pipeline import Analyzer
        from bot.training.model import load_classifier

        clf = load_classifier(None)
        t = time.perf_counter()
        for a in articles:
            clf.classify(a)
        clf_s = time.perf_counter() - t
        analyzer = Analyzer(clf)
        t = time.perf_counter()
        accepted = sum(1 for x in analyzer.analyze_many(articles) if x.trade_policy.is_trade)
        return {"n": len(articles), "classifier_s": clf_s, "analyze_s": time.perf_counter() - t,
                "accepted": accepted, "peak_mb": peak_mb()}
    import spacy

    from bot.analysis.nlp import MODEL
    from bot.analysis.text import prepare

    nlp = spacy.load(MODEL)
    texts = [prepare(a.body, a.published).text for a in articles]
    t = time.perf_counter()
    for _ in nlp.pipe(texts, batch_size=64):
        pass
    return {"n": len(articles), "spacy_s": time.perf_counter() - t, "peak_mb": peak_mb()}


def run_child(part: str, limit: int | None) -> dict[str, float]:
    cmd = [sys.executable, __file__, "--child", part] + (["--limit", str(limit)] if limit else [])
    out = subprocess.run(cmd, capture_output=True, text=True, check=True)
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--limit", type=int, default=None, help="only the first N stories")
    ap.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    ap.add_argument("--child", choices=["analyze", "spacy"], help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.limit)))
        return 0
    if not CORPUS.exists():
        print(f"corpus not found at {CORPUS}", file=sys.stderr)
        return 2
    print("analysing (child process 1) ...", file=sys.stderr)
    a = run_child("analyze", args.limit)
    print("parsing with spaCy alone (child process 2) ...", file=sys.stderr)
    s = run_child("spacy", args.limit)
    res = {
        "stories": a["n"],
        "classifier_stories_per_s": round(a["n"] / a["classifier_s"]),
        "analyze_s": round(a["analyze_s"], 2),
        "analyze_accepted": a["accepted"],
        "analyze_peak_mb": round(a["peak_mb"]),
        "spacy_s": round(s["spacy_s"], 2),
        "spacy_peak_mb": round(s["peak_mb"]),
        "ratio": round(a["analyze_s"] / s["spacy_s"], 3),
    }
    if args.json:
        print(json.dumps(res))
    else:
        print(f"Reuters-21578, Distribution 1.0 (ModApte train): {res['stories']} stories")
        print(f"  classifier alone      {res['classifier_stories_per_s']:>8} stories/s")
        print(f"  tradewatch analyze    {res['analyze_s']:>8} s  ({res['analyze_accepted']} accepted, "
              f"peak {res['analyze_peak_mb']} MB)")
        print(f"  spaCy nlp.pipe alone  {res['spacy_s']:>8} s  (peak {res['spacy_peak_mb']} MB)")
        print(f"  ratio analyze/spaCy   {res['ratio']:>8}  (target <= 0.25)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
