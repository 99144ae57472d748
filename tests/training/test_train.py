"""`tradewatch train`: the real command path, the JSON model, and loading it into the bot.

Most tests train on stories generated here from written templates (fictional events); the
corpus tests read "Reuters-21578, Distribution 1.0" from ../shared and skip when absent.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import random
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from bot.analysis.classify.classifier import RuleClassifier
from bot.domain import Article
from bot.training import cli
from bot.training.features import RULE_FEATURES, terms, tfidf
from bot.training.model import FORMAT, TrainedClassifier, load_classifier
from tests.conftest import ROOT

COUNTRIES = ["Ruritania", "Freedonia", "Elbonia", "Genovia", "Latveria", "Sokovia", "Wakanda"]
GOODS = ["bicycles", "steel wire", "solar panels", "cheese", "footwear", "memory chips", "wine"]
TRADE = [
    "{a} will raise tariffs on {g} from {b} to {n} per cent next month, the trade ministry said.",
    "Trade talks between {a} and {b} resumed on Monday with market access for {g} on the table.",
    "{a} posted a trade deficit of {n} billion dollars as imports of {g} from {b} jumped.",
    "{b} filed a complaint at the World Trade Organization over {a}'s anti-dumping duties on {g}.",
    "{a} banned exports of {g} to {b} and said licences would be needed from July.",
    "Negotiators from {a} and {b} agreed a free-trade deal cutting duties on {g}.",
]
OTHER = [
    "{a}'s football team beat {b} {n}-1 on Saturday in front of a record crowd.",
    "Shares of the {g} maker rose {n} per cent after it reported higher quarterly profit.",
    "Heavy rain is expected across {a} this week, the weather service said.",
    "The {a} central bank left interest rates unchanged at {n} per cent.",
    "A new museum of {g} opened in the capital of {b}, drawing {n},000 visitors.",
    "The company appointed a new chief executive to run its {g} business in {a}.",
]


def _story(template: str, rng: random.Random) -> str:
    a, b = rng.sample(COUNTRIES, 2)
    return template.format(a=a, b=b, g=rng.choice(GOODS), n=rng.randint(2, 40))


def generated(n_trade: int = 30, n_other: int = 60, seed: int = 1) -> list[dict[str, object]]:
    rng = random.Random(seed)
    rows: list[dict[str, object]] = []
    for i in range(n_trade + n_other):
        is_trade = i < n_trade
        templates = TRADE if is_trade else OTHER
        sentences = [_story(rng.choice(templates), rng) for _ in range(3)]
        rows.append({"id": f"g{i}", "title": sentences[0][:60], "body": " ".join(sentences), "is_trade": is_trade})
    rng.shuffle(rows)
    return rows


def write_jsonl(path: Path, rows: list[dict[str, object]], extra: Sequence[bytes] = ()) -> Path:
    with path.open("wb") as f:
        for row in rows:
            f.write(json.dumps(row).encode() + b"\n")
        for line in extra:
            f.write(line + b"\n")
    return path


def train_args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="tradewatch train")
    cli.configure(parser)
    return parser.parse_args([*argv, "--no-progress"])


def run_quietly(*argv: str) -> tuple[int, str, str]:
    """`run(args)` with its stdout and stderr captured (for module-scoped fixtures)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.run(train_args(*argv))
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, str]:
    """A model trained on generated stories through `run(args)`, with what it printed."""
    folder = tmp_path_factory.mktemp("train")
    data = write_jsonl(folder / "labelled.jsonl", generated(), extra=[
        b'{"title": "broken',
        b'["not", "an", "object"]',
        b'{"title": "no label", "body": "text"}',
        b'{"title": "bad bytes \xff\xfe", "body": "x", "is_trade": true}',
    ])  # fmt: skip
    model = folder / "out" / "model.json"
    code, out, err = run_quietly(str(data), "-o", str(model), "--folds", "3", "--seed", "7")
    assert code == 0, err
    return model, out, err


def test_run_prints_the_cross_validated_report(trained: tuple[Path, str, str]) -> None:
    _, out, _ = trained
    assert "3-fold cross-validation on 90 stories (30 trade), seed 7:" in out
    assert out.count("  fold ") == 3
    overall = next(line for line in out.splitlines() if line.strip().startswith("overall:"))
    f1 = float(overall.split("F1")[1].split()[0])
    assert f1 >= 0.9  # the generated trade and other stories share no vocabulary
    assert "model written to" in out


def test_bad_lines_are_reported_with_file_and_line_and_skipped(trained: tuple[Path, str, str]) -> None:
    model, _, err = trained
    data = model.parent.parent / "labelled.jsonl"
    assert f"{data}:91: not valid JSON" in err
    assert f"{data}:92: expected a JSON object, got list" in err
    assert f'{data}:93: "is_trade" must be true or false' in err
    assert f"{data}:94: not valid UTF-8" in err


def test_the_model_is_plain_json_with_its_settings_and_report(trained: tuple[Path, str, str]) -> None:
    model, out, _ = trained
    obj = json.loads(model.read_text(encoding="utf-8"))
    assert obj["format"] == FORMAT and obj["version"] == 1
    assert obj["features"]["rule_features"] == list(RULE_FEATURES)
    assert len(obj["terms"]) == len(obj["idf"]) == len(obj["weights"]) > 50
    assert len(obj["rule_weights"]) == len(RULE_FEATURES)
    assert obj["threshold"] == 0.5 and 0 < obj["metrics"]["cut"] < 1
    cv = obj["metrics"]["cross_validation"]
    assert (cv["folds"], cv["stories"], cv["positives"], cv["seed"]) == (3, 90, 30, 7)
    assert f"F1 {cv['f1']:.4f}" in out
    assert "tariffs" in obj["terms"] and "t:trade" in obj["terms"]


def test_the_bot_loads_the_model_and_decides_with_it(trained: tuple[Path, str, str]) -> None:
    model, _, _ = trained
    classifier = load_classifier(model)
    assert isinstance(classifier, TrainedClassifier)
    rng = random.Random(99)
    trade = Article("t", "Genovia tariffs", " ".join(_story(t, rng) for t in TRADE[:3]))
    other = Article("o", "Cup final", " ".join(_story(t, rng) for t in OTHER[:3]))
    yes, no = classifier.classify(trade), classifier.classify(other)
    assert yes.is_trade and not no.is_trade
    assert "tariffs" in yes.tags
    assert any(r.startswith("model terms: ") for r in yes.reasons)
    assert no.reasons[0].startswith("trained model score ")
    assert load_classifier(model, threshold=0.0).classify(other).is_trade


def test_a_model_can_disagree_with_the_rules(tmp_path: Path) -> None:
    """A hand-written model that calls football trade: the bot must follow the model."""
    story = Article("f", "United beat City", "United beat City 2-1 in a football derby on Saturday.")
    assert not RuleClassifier().classify(story).is_trade
    obj = {"format": FORMAT, "version": 1, "features": {"rule_features": list(RULE_FEATURES)},
           "threshold": 0.5, "intercept": -3.0, "rule_weights": [0.0] * len(RULE_FEATURES),
           "terms": ["football", "derby"], "idf": [1.0, 1.0], "weights": [10.0, 0.0], "metrics": {}}  # fmt: skip
    path = tmp_path / "football.json"
    path.write_text(json.dumps(obj), encoding="utf-8")
    verdict = load_classifier(path).classify(story)
    assert verdict.is_trade and verdict.score > 0.9
    assert verdict.reasons[-1] == 'model terms: "football"'


def test_no_path_means_the_built_in_rules() -> None:
    assert isinstance(load_classifier(None), RuleClassifier)
    assert isinstance(load_classifier(None, threshold=0.7), RuleClassifier)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "does not exist"),
        ("{not json", "is not valid JSON"),
        ('{"format": "pickle"}', "is malformed: not a TradeWatch model"),
        ('{"format": "tradewatch-linear-model", "version": 9}', "is malformed: model version 9"),
        ("BROKEN_LENGTHS", 'is malformed: "weights" must be a list of 2 numbers'),
        ("BROKEN_NUMBER", 'is malformed: "intercept" must be a finite number'),
    ],
)
def test_a_missing_or_malformed_model_file_gives_a_clear_error(tmp_path: Path, content: str | None, message: str) -> None:
    path = tmp_path / "model.json"
    good = {"format": FORMAT, "version": 1, "features": {"rule_features": list(RULE_FEATURES)},
            "threshold": 0.5, "intercept": 0.0, "rule_weights": [0.0] * len(RULE_FEATURES),
            "terms": ["a", "b"], "idf": [1.0, 1.0], "weights": [1.0, 2.0]}  # fmt: skip
    if content == "BROKEN_LENGTHS":
        content = json.dumps({**good, "weights": [1.0]})
    elif content == "BROKEN_NUMBER":
        content = json.dumps({**good, "intercept": "high"})
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match=f"model file {path}") as info:
        load_classifier(path)
    assert message in str(info.value)


def test_unusable_input_fails_with_a_clear_message(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    empty = write_jsonl(tmp_path / "empty.jsonl", [])
    assert cli.run(train_args(str(empty), "-o", str(tmp_path / "m.json"))) == 2
    assert "no usable stories in" in capsys.readouterr().err
    one_class = write_jsonl(tmp_path / "one.jsonl", [r for r in generated() if not r["is_trade"]])
    assert cli.run(train_args(str(one_class), "-o", str(tmp_path / "m.json"))) == 2
    assert "needs at least 5 trade and 5 other stories; found 0 trade and 60 others" in capsys.readouterr().err
    assert cli.run(train_args(str(tmp_path / "missing.jsonl"), "-o", str(tmp_path / "m.json"))) == 2
    assert "cannot read" in capsys.readouterr().err
    assert not (tmp_path / "m.json").exists()


def test_the_label_option_reads_topics(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = [{"title": r["title"], "dateline": "OSTRAVA, May 2 -", "body": r["body"],
             "topics": ["trade"] if r["is_trade"] else ["sport"]} for r in generated()]  # fmt: skip
    data = write_jsonl(tmp_path / "wire.jsonl", rows)
    assert cli.run(train_args(str(data), "-o", str(tmp_path / "m.json"), "--folds", "2")) == 2
    assert "this line has \"topics\": use --label TOPIC" in capsys.readouterr().err
    assert cli.run(train_args(str(data), "-o", str(tmp_path / "m.json"), "--folds", "2", "--label", "trade")) == 0
    assert "2-fold cross-validation on 90 stories (30 trade)" in capsys.readouterr().out


def test_the_model_scores_terms_exactly_as_scikit_learn_weighs_them() -> None:
    docs = [terms(r["title"], r["body"]) for r in generated(10, 10)]  # type: ignore[arg-type]
    vectorizer = TfidfVectorizer(analyzer=lambda d: d, sublinear_tf=True, min_df=2)
    matrix = vectorizer.fit_transform(docs).toarray()
    idf = list(vectorizer.idf_)
    for row, words in zip(matrix, docs, strict=True):
        ours = tfidf(words, vectorizer.vocabulary_, idf)
        assert {j: round(v, 12) for j, v in ours.items()} == {
            j: round(float(v), 12) for j, v in enumerate(row) if v
        }


def test_the_train_command_is_registered() -> None:
    res = subprocess.run([sys.executable, "-m", "bot", "train", "--help"], cwd=ROOT,
                         capture_output=True, text=True, timeout=60, check=False)  # fmt: skip
    assert res.returncode == 0 and "--folds" in res.stdout and "--label" in res.stdout


# --- the corpus split (../shared) -------------------------------------------------------


def _corpus_rows(shared: Path) -> list[dict[str, object]]:
    path = shared / "corpus" / "reuters21578-modapte-train.jsonl"
    if not path.is_file():
        pytest.skip(f"the corpus split is not in {path.parent}")
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def test_training_on_a_corpus_slice_through_the_command(shared: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = _corpus_rows(shared)
    trade = [r for r in rows if "trade" in r["topics"] and r["body"]][:120]  # type: ignore[operator]
    others = [r for r in rows if "trade" not in r["topics"]][::15][:480]  # type: ignore[operator]
    data = write_jsonl(tmp_path / "slice.jsonl", trade + others)
    model = tmp_path / "slice-model.json"
    assert cli.run(train_args(str(data), "-o", str(model), "--label", "trade", "--folds", "3")) == 0
    out = capsys.readouterr().out
    assert "3-fold cross-validation on 600 stories (120 trade), seed 0:" in out
    cv = json.loads(model.read_text(encoding="utf-8"))["metrics"]["cross_validation"]
    assert cv["f1"] >= 0.7, cv
    classifier = load_classifier(model)
    dev = [json.loads(line) for line in (shared / "articles" / "reuters-dev.jsonl").open(encoding="utf-8")]
    accepted = sum(classifier.classify(Article(d["id"], d["title"], d["body"])).is_trade for d in dev)
    assert accepted >= 19, accepted  # the dev stories are all trade


@pytest.fixture(scope="module")
def whole_split_cv(shared: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, float]:
    """`tradewatch train` with 5-fold cross-validation on the whole split (about 30 s)."""
    path = shared / "corpus" / "reuters21578-modapte-train.jsonl"
    if not path.is_file():
        pytest.skip(f"the corpus split is not in {path.parent}")
    model = tmp_path_factory.mktemp("reuters") / "reuters-model.json"
    code, out, err = run_quietly(str(path), "-o", str(model), "--label", "trade")
    assert code == 0, err
    cv: dict[str, float] = json.loads(model.read_text(encoding="utf-8"))["metrics"]["cross_validation"]
    assert f"F1 {cv['f1']:.4f}" in out
    return cv


@pytest.mark.slow
def test_five_fold_cv_on_the_whole_split_keeps_its_measured_quality(whole_split_cv: dict[str, float]) -> None:
    """Measured P 0.822, R 0.800, F1 0.810 (issue 11). Issue 3's target of 0.88 is retired:
    no learner gets past about 0.82 on these labels (benchmarks/classifier_study.py)."""
    cv = whole_split_cv
    assert cv["f1"] >= 0.80 and cv["precision"] >= 0.81 and cv["recall"] >= 0.79, cv


@pytest.mark.slow
def test_training_on_the_split_does_better_than_the_untrained_rules(shared: Path, whole_split_cv: dict[str, float]) -> None:
    """What training buys: cross-validated F1 0.810 against the shipped rules' 0.796 on the same split."""
    rules = RuleClassifier()
    tp = fp = fn = 0
    for r in _corpus_rows(shared):
        predicted = rules.classify(Article(str(r["id"]), str(r["title"]), f"{r['dateline']} - {r['body']}")).is_trade
        labelled = "trade" in r["topics"]  # type: ignore[operator]
        tp, fp, fn = tp + (predicted and labelled), fp + (predicted and not labelled), fn + (labelled and not predicted)
    assert whole_split_cv["f1"] > 2 * tp / (2 * tp + fp + fn)
