"""Benchmark: near-duplicate detection (issue 14, point 1), precision and recall.

Pairs are built from ../shared (the Reuters corpus and the dev sets, read, never copied):
- positives: a story and a copy of it with realistic edits, two to four of: a rewritten lead
  (the first paragraph replaced by a sentence made of the headline's words), a changed
  headline, paragraphs cut from the end (up to 40 %), a paragraph of background added (taken
  from another story of the same topic), wire boilerplate (another dateline, a "reported by"
  and a copyright line), and some words changed ("said" -> "told reporters", figures
  written differently);
- negatives: the story and a DIFFERENT story of the same topic (Reuters topics) and a shared
  country, or, in the dev sets, another story of the same set: what a feed of one beat
  carries in a week.
Stories shorter than 40 words are left out (briefs: see `MIN_SHINGLES`). Verbatim repeats
in the corpus (the same body under two ids) are not negatives.

Usage: python benchmarks/bench_near_duplicates.py [--pairs 2000] [--seed 14] [--sweep] [--json]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = ROOT / ".." / "shared"

from bot.analysis.near_duplicates import THRESHOLD, same_event, sketch  # noqa: E402

MIN_WORDS = 40
BOILERPLATE_HEAD = ("LONDON (Wire) -", "NEW YORK, {d} (Agency) -", "SINGAPORE (Newsdesk) -")
BOILERPLATE_TAIL = ("(Reporting by staff; editing by the desk)", "Copyright the agency. All rights reserved.",
                    "This story was syndicated from a wire service and has not been edited.")
SWAPS = ((" said ", " told reporters "), (" percent", " pct"), (" pct", " percent"),
         (" billion", " bln"), (" mln", " million"), (" the ", " the "), (" would ", " will "))


@dataclass(frozen=True)
class Story:
    id: str
    title: str
    body: str
    group: str
    published: str = ""
    """Stories of the same group are on the same topic (negatives are drawn within it)."""


CORPUS = "corpus/reuters21578-modapte-train.jsonl"


def load(shared: Path, only: tuple[str, ...] | None = None) -> list[Story]:
    """The stories of the corpus and the dev sets (`only`: just these files, relative to
    `shared`, so that a test's sample does not change when ../shared gains a file)."""
    stories: list[Story] = []
    corpus = shared / CORPUS
    paths = ([corpus, *sorted((shared / "articles").glob("*.jsonl")),
              *sorted((shared / "articles-modern").glob("*.jsonl"))] if only is None
             else [shared / name for name in only])
    for path in paths:
        if not path.is_file():
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            r = json.loads(line)
            body = str(r.get("body") or "")
            if len(body.split()) < MIN_WORDS:
                continue
            topics = r.get("topics") or []
            places = r.get("places") or []
            if path == corpus:
                if not topics:
                    continue
                group = f"{topics[0]}|{places[0] if places else ''}"
            else:
                group = path.stem
            stories.append(Story(str(r["id"]), str(r.get("title") or ""), body, group,
                                 str(r.get("published") or "")))
    return stories


def paragraphs(body: str) -> list[str]:
    parts = [p.strip() for p in re.split(r"\n\s*\n|\n    ", body) if p.strip()]
    return parts or [body]


def copy_of(s: Story, rng: random.Random, background: Story) -> tuple[str, str]:
    """A rewrite or syndicated copy of `s`: two to four realistic edits."""
    title, paras = s.title, paragraphs(s.body)
    edits = rng.sample(["lead", "headline", "cut", "add", "boilerplate", "words"], rng.randint(2, 4))
    if "lead" in edits and len(paras) > 1:
        words = [w for w in re.findall(r"[A-Za-z]+", s.title.lower()) if len(w) > 3] or ["officials"]
        paras[0] = f"Officials on {rng.choice(['Monday', 'Tuesday', 'Friday'])} discussed {' '.join(words)}, according to people familiar with the matter."
    if "headline" in edits:
        words = s.title.split()
        rng.shuffle(words)
        title = "UPDATE 1-" + " ".join(words[: max(3, len(words) - 2)]).title()
    if "cut" in edits and len(paras) > 2:
        keep = max(2, round(len(paras) * rng.uniform(0.6, 0.9)))
        paras = paras[:keep]
    if "add" in edits:
        paras.insert(rng.randint(1, len(paras)), paragraphs(background.body)[0])
    if "boilerplate" in edits:
        paras[0] = rng.choice(BOILERPLATE_HEAD).format(d="May 2") + " " + paras[0]
        paras.append(rng.choice(BOILERPLATE_TAIL))
    body = "\n\n".join(paras)
    if "words" in edits:
        for old, new in rng.sample(SWAPS, 3):
            body = body.replace(old, new)
    return title, body


def reissued(a: Story, b: Story) -> bool:
    """The corpus itself carries the same report twice (Reuters re-ran stories, extended or
    corrected, under the same headline): such a pair is a copy, so it is no negative."""
    same_title = " ".join(a.title.lower().split()) == " ".join(b.title.lower().split())
    return same_title or " ".join(a.body.split()) == " ".join(b.body.split())


def build_pairs(stories: list[Story], n: int, seed: int) -> list[tuple[Story, tuple[str, str], bool]]:
    rng = random.Random(seed)
    by_group: dict[str, list[Story]] = defaultdict(list)
    for s in stories:
        by_group[s.group].append(s)
    grouped = [g for g, members in by_group.items() if len(members) > 1]
    pairs: list[tuple[Story, tuple[str, str], bool]] = []
    for _ in range(n):
        members = by_group[rng.choice(grouped)]
        a, b = rng.sample(members, 2)
        pairs.append((a, copy_of(a, rng, b), True))
    while sum(1 for p in pairs if not p[2]) < n:
        members = by_group[rng.choice(grouped)]
        a, b = rng.sample(members, 2)
        if reissued(a, b):
            continue
        pairs.append((a, (b.title, b.body), False))
    return pairs


def measure(pairs: list[tuple[Story, tuple[str, str], bool]], threshold: float = THRESHOLD) -> dict[str, float]:
    tp = fp = fn = tn = 0
    for a, (title, body), positive in pairs:
        said = same_event(sketch(a.title, a.body), sketch(title, body), threshold)
        tp += said and positive
        fp += said and not positive
        fn += (not said) and positive
        tn += (not said) and not positive
    return {"threshold": threshold, "pairs": len(pairs), "tp": tp, "fp": fp, "fn": fn, "tn": tn,
            "precision": tp / (tp + fp) if tp + fp else 1.0, "recall": tp / (tp + fn) if tp + fn else 1.0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pairs", type=int, default=2000, help="positives, and as many negatives")
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--sweep", action="store_true", help="also show the scores of other thresholds")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    stories = load(SHARED)
    if not stories:
        sys.exit(f"no stories under {SHARED}")
    pairs = build_pairs(stories, args.pairs, args.seed)
    result = measure(pairs)
    if args.sweep:
        for th in (0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.7):
            r = measure(pairs, th)
            print(f"containment >= {th:.2f}: precision {r['precision']:.4f} recall {r['recall']:.4f}")
    if args.json:
        print(json.dumps(result))
        return
    print(f"{len(stories)} stories; {result['pairs']} pairs ({args.pairs} copies, {args.pairs} different "
          f"stories of one topic), seed {args.seed}, containment >= {result['threshold']}")
    print(f"precision {result['precision']:.4f}  recall {result['recall']:.4f}  "
          f"(tp {result['tp']}, fp {result['fp']}, fn {result['fn']}, tn {result['tn']})")


if __name__ == "__main__":
    main()
