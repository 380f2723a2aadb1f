"""bench.compare + `bench compare`: statistics, table logic, formats, bad inputs, --write/--check."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import binomtest
from sklearn.metrics import f1_score

from bench.cli.main import main
from bench.compare.build import compare_paths
from bench.compare.errors import CompareError, MixedDatasetsError, PairingError
from bench.compare.load import load_runs
from bench.compare.options import CompareOptions
from bench.compare.render import render
from bench.compare.stats import bootstrap_p_value, holm, mcnemar_exact, paired_stats
from bench.labels import LABEL_NAMES
from bench.metrics import compute_metrics, predicted_labels
from bench.results import RunResult
from bench.run_writer import write_run

SOURCES = ["alpha", "beta", "gamma", "delta"]


def make_run(root: Path, model: str, skill: float, *, n: int = 300, data_seed: int = 0, model_seed: int | None = None,
             fingerprint: str = "f" * 64, dataset: str = "seed", created_at: str = "2025-01-01T00:00:00+00:00",
             run_id: str | None = None, drop: int = 0, legacy: bool = False) -> Path:
    """A run on synthetic items (shared by data_seed) whose accuracy grows with `skill`."""
    rng = np.random.default_rng(data_seed)
    gold = rng.integers(0, 3, n)
    sa = rng.integers(0, len(SOURCES), n)
    sb = (sa + rng.integers(1, len(SOURCES), n)) % len(SOURCES)
    perturbed = rng.random(n) < 0.3
    kinds = rng.choice(["negation", "number"], n)
    mrng = np.random.default_rng(zlib.crc32(model.encode()) if model_seed is None else model_seed)
    logits = mrng.normal(size=(n, 3))
    logits[np.arange(n), gold] += skill
    proba = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    keep = np.arange(drop, n)
    gold, proba = gold[keep], proba[keep]
    rows = [
        {"pair_id": f"p{i:05d}", "gold": LABEL_NAMES[gold[k]], "predicted": LABEL_NAMES[proba[k].argmax()],
         "probabilities": {lab: float(proba[k, j]) for j, lab in enumerate(LABEL_NAMES)},
         "origin": "perturbed" if perturbed[i] else "natural",
         "source_a": SOURCES[sa[i]], "source_b": SOURCES[sb[i]],
         "perturbation": str(kinds[i]) if perturbed[i] else "", "folds": [SOURCES[sa[i]], SOURCES[sb[i]]],
         **({} if legacy else {"claim_a": f"k{i // 2}", "claim_b": f"h{i // 2}", "event_id": "ev"})}
        for k, i in enumerate(keep)
    ]
    result = RunResult(
        run_id=run_id or f"20250101T000000.000000Z-{model[:8]}",
        dataset={"name": dataset, "fingerprint": fingerprint, "n": len(rows)},
        model={"key": model, "config": {}}, protocol={"name": "loso", "config": {}}, seed=0,
        metrics=compute_metrics(gold, proba, seed=0, n_boot=200),
        timings={"total": 1.0 + skill}, created_at=created_at,
    )
    return write_run(root, result, rows, "seed: 0\n")


@pytest.fixture
def runs(tmp_path: Path) -> Path:
    root = tmp_path / "runs"
    for model, skill in [("majority", 0.0), ("tfidf_lr", 0.8), ("sbert_lr", 1.5), ("cross_enc", 1.55)]:
        make_run(root, model, skill)
    return root


def cli(*argv: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# ----------------------------------------------------------------------------------- statistics


@pytest.mark.parametrize(("b", "c"), [(0, 0), (1, 0), (5, 5), (3, 12), (40, 61), (0, 9), (700, 650)])
def test_mcnemar_exact_matches_binomtest_and_statsmodels(b: int, c: int) -> None:
    expected = 1.0 if b + c == 0 else binomtest(min(b, c), b + c, 0.5).pvalue
    assert mcnemar_exact(b, c) == pytest.approx(expected)
    mcnemar = pytest.importorskip("statsmodels.stats.contingency_tables").mcnemar
    if b + c:
        assert mcnemar_exact(b, c) == pytest.approx(mcnemar([[10, b], [c, 10]], exact=True).pvalue)


def test_holm_matches_statsmodels() -> None:
    multipletests = pytest.importorskip("statsmodels.stats.multitest").multipletests
    p = [0.01, 0.04, 0.03, 0.2, 0.005]
    assert holm(p) == pytest.approx(list(multipletests(p, method="holm")[1]))
    assert holm([None, 0.02, None, 0.04]) == [None, 0.04, None, 0.04]
    assert holm([]) == []


def test_paired_stats_against_direct_computation() -> None:
    rng = np.random.default_rng(3)
    n = 400
    gold = rng.integers(0, 3, n)
    ref = np.where(rng.random(n) < 0.75, gold, rng.integers(0, 3, n))
    run = np.where(rng.random(n) < 0.6, gold, rng.integers(0, 3, n))
    st = paired_stats(gold, ref, run, "macro_f1", n_boot=2000, seed=0)
    expected = f1_score(gold, run, average="macro") - f1_score(gold, ref, average="macro")
    assert st.delta == pytest.approx(expected)
    lo, hi = st.delta_ci
    assert lo <= st.delta <= hi < 0
    assert st.p_boot is not None and st.p_boot < 0.01
    assert st.b == int(((ref == gold) & (run != gold)).sum()) and st.c == int(((ref != gold) & (run == gold)).sum())
    assert st.p_mcnemar == pytest.approx(binomtest(min(st.b, st.c), st.b + st.c).pvalue)
    assert paired_stats(gold, ref, run, "macro_f1", n_boot=2000, seed=0) == st  # deterministic
    # the multinomial shortcut = resampling items: compare with an explicit paired bootstrap
    idx = np.random.default_rng(9).integers(0, n, size=(300, n))
    explicit = [f1_score(gold[i], run[i], average="macro") - f1_score(gold[i], ref[i], average="macro") for i in idx]
    assert st.delta_ci == pytest.approx(list(np.percentile(explicit, [2.5, 97.5])), abs=0.025)


def test_identical_predictions_are_indistinguishable() -> None:
    gold = np.array([0, 1, 2, 0, 1, 2, 1])
    pred = np.array([0, 1, 1, 0, 2, 2, 1])
    st = paired_stats(gold, pred, pred.copy(), "accuracy", n_boot=500, seed=1)
    assert (st.delta, st.p_boot, st.p_mcnemar, st.b, st.c) == (0.0, 1.0, 1.0, 0, 0)
    assert st.delta_ci == [0.0, 0.0]


def test_bootstrap_p_value() -> None:
    assert bootstrap_p_value(np.full(99, 0.1)) == pytest.approx(2 / 100)
    assert bootstrap_p_value(np.array([-1.0, 1.0] * 50)) == 1.0
    assert bootstrap_p_value(np.array([np.nan])) is None


# ----------------------------------------------------------------------------------- tables


def test_table_sorted_with_reference_and_paired_columns(runs: Path) -> None:
    (table,) = compare_paths([runs], CompareOptions(n_boot=2000))
    models = [r.model for r in table.rows]
    assert models[-1] == "majority" and models[-2] == "tfidf_lr"
    values = [r.macro_f1 for r in table.rows]
    assert values == sorted(values, reverse=True)
    best, second = table.rows[0], table.rows[1]
    assert best.is_reference and best.indistinguishable and best.delta == 0.0
    assert table.reference == "best" and table.reference_model == best.model
    # the two strong models are close; majority is far worse
    assert second.indistinguishable is True and second.p_boot_holm >= 0.05
    worst = table.rows[-1]
    assert worst.indistinguishable is False and worst.p_boot_holm < 0.05 and worst.p_mcnemar_holm < 0.05
    assert worst.delta == pytest.approx(worst.macro_f1 - best.macro_f1)
    assert [r.rank for r in table.rows] == [1, 2, 3, 4]
    # Holm: adjusted >= raw, monotone in raw order
    for r in table.rows[1:]:
        assert r.p_boot_holm >= r.p_boot and r.p_mcnemar_holm >= r.p_mcnemar
    assert worst.runtime_s == 1.0 and worst.n == 300


def test_baseline_and_metric(runs: Path) -> None:
    (table,) = compare_paths([runs], CompareOptions(baseline="tfidf_lr", metric="accuracy", test="mcnemar", n_boot=500))
    ref = [r for r in table.rows if r.is_reference]
    assert [r.model for r in ref] == ["tfidf_lr"] and table.reference == "baseline"
    assert [r.accuracy for r in table.rows] == sorted([r.accuracy for r in table.rows], reverse=True)
    majority = next(r for r in table.rows if r.model == "majority")
    assert majority.delta == pytest.approx(majority.accuracy - ref[0].accuracy)
    assert majority.indistinguishable is (majority.p_mcnemar_holm >= 0.05)
    with pytest.raises(CompareError, match="baseline 'bert' is not among the compared models .* models: cross_enc, "):
        compare_paths([runs], CompareOptions(baseline="bert"))


def test_latest_keeps_one_run_per_model(runs: Path) -> None:
    make_run(runs, "tfidf_lr", 0.2, created_at="2025-02-01T00:00:00+00:00", run_id="20250201T000000.000000Z-new")
    (all_runs,) = compare_paths([runs], CompareOptions(n_boot=100))
    assert len(all_runs.rows) == 5 and all_runs.duplicate_models
    (latest,) = compare_paths([runs], CompareOptions(latest=True, n_boot=100))
    assert len(latest.rows) == 4
    assert next(r for r in latest.rows if r.model == "tfidf_lr").run_id.endswith("-new")
    assert "| run |" in render([all_runs], "md") and "| run |" not in render([latest], "md")


def test_mixed_fingerprints_refused_unless_allowed(runs: Path, tmp_path: Path) -> None:
    make_run(runs, "tfidf_lr", 0.8, fingerprint="e" * 64, run_id="20250101T000000.000000Z-other")
    with pytest.raises(MixedDatasetsError) as exc:
        compare_paths([runs], CompareOptions(n_boot=100))
    message = str(exc.value)
    assert "eeeeeeeeeeee" in message and "ffffffffffff" in message and "--allow-mixed" in message
    assert "seed:tfidf_lr/20250101T000000.000000Z-other" in message
    tables = compare_paths([runs], CompareOptions(allow_mixed=True, n_boot=100))
    assert sorted(len(t.rows) for t in tables) == [1, 4]
    assert {t.fingerprint[0] for t in tables} == {"e", "f"}


def test_dataset_filter(runs: Path) -> None:
    make_run(runs, "tfidf_lr", 0.8, dataset="other", fingerprint="e" * 64)
    (table,) = compare_paths([runs], CompareOptions(dataset="seed", n_boot=100))
    assert table.dataset_name == "seed" and len(table.rows) == 4
    with pytest.raises(CompareError, match="no runs on dataset 'nope'; datasets found: other, seed"):
        compare_paths([runs], CompareOptions(dataset="nope"))


def test_different_items_are_refused(runs: Path) -> None:
    make_run(runs, "broken", 1.0, drop=5)
    with pytest.raises(PairingError, match=r"different items \(0 pair_ids only in the first, 5 only in the second, e.g. p00000"):
        compare_paths([runs], CompareOptions(n_boot=100))


@pytest.mark.parametrize("by", ["origin", "source_pair", "label", "perturbation"])
def test_slices(runs: Path, by: str) -> None:
    tables = compare_paths([runs], CompareOptions(by=by, n_boot=300))
    values = [t.slice_value for t in tables]
    expected = {"origin": ["natural", "perturbed"], "label": list(LABEL_NAMES),
                "perturbation": ["negation", "none", "number"]}
    if by in expected:
        assert sorted(values) == sorted(expected[by])
    else:
        assert len(values) == 6 and all(" | " in v for v in values)
    assert sum(t.n_items for t in tables) == 300
    for t in tables:
        assert t.slice_by == by and len(t.rows) == 4
        assert sum(r.is_reference for r in t.rows) == 1


def test_label_slices_give_per_class_recall(runs: Path) -> None:
    (overall,) = compare_paths([runs], CompareOptions(n_boot=100))
    tables = compare_paths([runs], CompareOptions(by="label", n_boot=100))
    full = {p.parent.name: json.loads((p / "result.json").read_text())["metrics"]
            for p in runs.glob("seed/*/*")}
    for t in tables:
        assert t.metric == "accuracy" and t.metric_label == f"recall of {t.slice_value}"
        for r in t.rows:
            assert r.accuracy == pytest.approx(full[r.model]["per_class"][t.slice_value]["recall"])
    assert len(overall.rows) == 4


# ----------------------------------------------------------------------------------- formats


def test_every_format_parses_back(runs: Path) -> None:
    tables = compare_paths([runs], CompareOptions(n_boot=200))
    df = pd.read_csv(io.StringIO(render(tables, "csv")))
    assert len(df) == 4 and {"model", "macro_f1", "macro_f1_lo", "p_boot_holm", "indistinguishable"} <= set(df.columns)
    assert df["macro_f1"].is_monotonic_decreasing
    data = json.loads(render(tables, "json"))
    assert len(data["tables"]) == 1 and len(data["tables"][0]["rows"]) == 4
    assert data["tables"][0]["dataset"]["fingerprint"] == "f" * 64 and data["tables"][0]["alpha"] == 0.05
    md = render(tables, "md")
    caption = md.splitlines()[0]
    assert "**seed**" in caption and "`ffffffffffff`" in caption and "alpha = 0.05" in caption
    assert "paired bootstrap" in caption
    table_lines = [line for line in md.splitlines() if line.startswith("|")]
    assert len(table_lines) == 2 + 4  # header, separator, one row per run
    assert all(line.count("|") == table_lines[0].count("|") for line in table_lines)
    latex = render(tables, "latex")
    assert latex.count("\\toprule") == 1 and latex.count("\\midrule") == 1 and latex.count("\\bottomrule") == 1
    body = latex.split("\\midrule")[1].split("\\bottomrule")[0].strip().splitlines()
    assert len(body) == 4 and "cross\\_enc" in latex
    text = render(tables, "terminal")
    lines = text.strip().splitlines()
    assert len(lines) == 3 + 4 and lines[1].split()[:3] == ["#", "model", "macro-F1"]
    widths = {len(line) for line in lines[1:3]}
    assert len(widths) == 1  # header and rule aligned
    with pytest.raises(CompareError, match="unknown format 'html'; valid formats: terminal, md, csv, json, latex"):
        render(tables, "html")


# ----------------------------------------------------------------------------------- CLI


def test_cli_reports_bad_runs_and_compares_the_rest(runs: Path, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    corrupt = runs / "seed" / "corrupt" / "r1"
    corrupt.mkdir(parents=True)
    (corrupt / "result.json").write_text("{not json")
    future_dir = runs / "seed" / "future" / "r1"
    future_dir.mkdir(parents=True)
    data = json.loads(next(runs.glob("seed/majority/*/result.json")).read_text())
    (future_dir / "result.json").write_text(json.dumps({**data, "schema_version": 9}))
    empty = tmp_path / "empty"
    empty.mkdir()
    code, out, err = cli("compare", str(runs), str(empty), "--n-boot", "200", capsys=capsys)
    assert code == 0
    lines = err.strip().splitlines()
    assert len(lines) == 3
    assert any(str(corrupt / "result.json") in line and "corrupt JSON" in line for line in lines)
    assert any(str(future_dir / "result.json") in line and "unknown schema version 9; known schema versions: 1" in line
               for line in lines)
    assert any(str(empty) in line and "no runs found" in line for line in lines)
    assert sum(m in out for m in ("majority", "tfidf_lr", "sbert_lr", "cross_enc")) == 4


def test_cli_nothing_comparable_is_one_line_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli("compare", str(tmp_path / "nothing"), capsys=capsys)
    assert code == 1 and out == ""
    assert err.splitlines()[-1].startswith("error: nothing to compare")
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--metric", "f2"], "unknown metric 'f2'; valid metrics: macro_f1, accuracy, balanced_accuracy, kappa"),
        (["--by", "outlet"], "unknown slice 'outlet'; valid --by values: origin, source_pair, label, perturbation, dataset, event, hard"),
        (["--format", "xml"], "unknown --format 'xml'; valid formats: terminal, md, csv, json, latex"),
        (["--test", "wilcoxon"], "unknown test 'wilcoxon'; valid tests: bootstrap, mcnemar"),
        (["--write", "out.xyz"], "cannot tell the format of out.xyz"),
    ],
)
def test_cli_bad_options(runs: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str) -> None:
    code, _, err = cli("compare", str(runs), *args, capsys=capsys)
    assert code == 1 and err.startswith(f"error: {message}")
    assert len(err.strip().splitlines()) == 1


def test_cli_mixed_is_one_line_error(runs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    make_run(runs, "tfidf_lr", 0.8, fingerprint="e" * 64, run_id="20250101T000000.000000Z-other")
    code, _, err = cli("compare", str(runs), capsys=capsys)
    assert code == 1 and err.startswith("error: runs are on 2 different dataset fingerprints")
    code, out, _ = cli("compare", str(runs), "--allow-mixed", "--format", "json", "--n-boot", "100", capsys=capsys)
    assert code == 0 and len(json.loads(out)["tables"]) == 2


def test_cli_write_and_check(runs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    board = tmp_path / "results" / "leaderboard.md"
    opts = [str(runs), "--latest", "--n-boot", "500"]
    code, out, _ = cli("compare", *opts, "--write", str(board), capsys=capsys)
    assert code == 0 and board.is_file() and board.with_suffix(".csv").is_file()
    assert len(pd.read_csv(board.with_suffix(".csv"))) == 4
    assert "--latest" in board.read_text().splitlines()[0]
    assert not list(board.parent.glob(".*"))  # no temp files left
    code, out, err = cli("compare", *opts, "--check", str(board), capsys=capsys)
    assert code == 0 and "up to date" in out
    # a new run makes the leaderboard stale
    make_run(runs, "new_model", 3.0)
    code, out, err = cli("compare", *opts, "--check", str(board), capsys=capsys)
    assert code == 1
    assert "+| 1 | new_model" in out and out.startswith("---")
    assert err.startswith("error: ") and "out of date" in err and len(err.strip().splitlines()) == 1
    # a hand edit is stale too; a missing file as well
    code, *_ = cli("compare", *opts, "--write", str(board), capsys=capsys)
    board.write_text(board.read_text().replace("new_model", "new_modle"))
    assert cli("compare", *opts, "--check", str(board), capsys=capsys)[0] == 1
    assert cli("compare", *opts, "--check", str(tmp_path / "missing.md"), capsys=capsys)[0] == 1


def test_cli_stdout_formats(runs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli("compare", str(runs), "--format", "csv", "--by", "origin", "--n-boot", "100", capsys=capsys)
    df = pd.read_csv(io.StringIO(out))
    assert code == 0 and len(df) == 8 and set(df["slice_value"]) == {"natural", "perturbed"}
    code, out, _ = cli("compare", str(runs), "--n-boot", "100", capsys=capsys)
    assert code == 0 and out.splitlines()[0].startswith("seed (fingerprint ffffffffffff)")


def test_compare_does_not_import_heavy_modules(runs: Path) -> None:
    code = (
        "import sys\n"
        "from bench.cli.main import main\n"
        f"assert main(['compare', {str(runs)!r}, '--n-boot', '50']) == 0\n"
        "heavy = [m for m in ('torch', 'transformers', 'sentence_transformers') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_load_runs_dedupes_paths(runs: Path) -> None:
    warnings: list[str] = []
    loaded = load_runs([runs, runs / "seed", next(runs.glob("seed/majority/*"))], warn=warnings.append)
    assert len(loaded) == 4 and warnings == []


def test_predicted_column_is_used_as_recorded(runs: Path) -> None:
    run_dir = next(runs.glob("seed/sbert_lr/*"))
    rows = [json.loads(line) for line in (run_dir / "predictions.jsonl").read_text().splitlines()]
    probs = np.array([[r["probabilities"][k] for k in LABEL_NAMES] for r in rows])
    assert [LABEL_NAMES[i] for i in predicted_labels(probs)] == [r["predicted"] for r in rows]
    rows[0]["predicted"] = LABEL_NAMES[(LABEL_NAMES.index(rows[0]["predicted"]) + 1) % 3]
    (run_dir / "predictions.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    warnings: list[str] = []
    compare_paths([runs], CompareOptions(n_boot=50), warn=warnings.append)
    assert len(warnings) == 1 and "not the argmax" in warnings[0] and "1 rows" in warnings[0]


def test_latest_is_per_protocol_and_protocol_filter(runs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    newer = make_run(runs, "sbert_lr", 0.1, created_at="2026-01-01T00:00:00+00:00", run_id="20260101T000000.000000Z-kfold")
    record = json.loads((newer / "result.json").read_text())
    record["protocol"]["name"] = "kfold"
    (newer / "result.json").write_text(json.dumps(record))
    code, out, _ = cli("compare", str(runs), "--latest", "--protocol", "loso", "--format", "json", capsys=capsys)
    assert code == 0
    (table,) = json.loads(out)["tables"]
    run_ids = {row["run_id"] for row in table["rows"]}
    assert "20260101T000000.000000Z-kfold" not in run_ids and len(run_ids) == 4
    code, _, err = cli("compare", str(runs), "--protocol", "zero_shot", capsys=capsys)
    assert code == 1 and "protocols found: kfold, loso" in err


def test_embed_and_check_embed(runs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    readme = tmp_path / "README.md"
    readme.write_text("# Title\n\n<!-- results:begin -->\nold\n<!-- results:end -->\n\nrest\n")
    assert cli("compare", str(runs), "--embed", str(readme), capsys=capsys)[0] == 0
    text = readme.read_text()
    block = text.split("<!-- results:begin -->\n")[1].split("<!-- results:end -->")[0]
    assert text.startswith("# Title\n\n<!-- results:begin -->\n") and text.endswith("<!-- results:end -->\n\nrest\n")
    assert "old" not in block.splitlines()
    assert sum(line.startswith("|") for line in block.splitlines()) == 2 + 4  # header, rule, 4 runs
    assert cli("compare", str(runs), "--check-embed", str(readme), capsys=capsys)[0] == 0
    make_run(runs, "lexical_lr", 0.5)
    code, out, err = cli("compare", str(runs), "--check-embed", str(readme), capsys=capsys)
    assert code == 1 and "out of date" in err and "+" in out


def test_compare_defaults_to_the_main_metric_of_the_spec() -> None:
    from bench.metrics import MAIN_METRIC, METRICS

    assert CompareOptions().metric == MAIN_METRIC
    assert METRICS[MAIN_METRIC].higher_is_better


def test_embed_with_dataset_uses_the_block_named_after_it(runs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    make_run(runs, "tfidf_lr", 0.8, dataset="other", fingerprint="e" * 64)
    readme = tmp_path / "README.md"
    original = ("<!-- results:begin seed -->\nold seed\n<!-- results:end seed -->\n"
                "<!-- results:begin other -->\nold other\n<!-- results:end other -->\n")
    readme.write_text(original)
    assert cli("compare", str(runs), "--dataset", "seed", "--embed", str(readme), capsys=capsys)[0] == 0
    text = readme.read_text()
    assert "old seed" not in text and "old other" in text  # only the seed block was replaced
    assert cli("compare", str(runs), "--dataset", "seed", "--check-embed", str(readme), capsys=capsys)[0] == 0
    code, _, err = cli("compare", str(runs), "--dataset", "other", "--check-embed", str(readme), capsys=capsys)
    assert code == 1 and "out of date" in err
    readme.write_text("<!-- results:begin -->\nx\n<!-- results:end -->\n")
    code, _, err = cli("compare", str(runs), "--dataset", "seed", "--embed", str(readme), capsys=capsys)
    assert code == 1 and "no <!-- results:begin seed -->" in err


def test_tables_cluster_by_claim_pair_and_old_runs_fall_back_to_pairs(runs: Path, tmp_path: Path) -> None:
    table = compare_paths([runs])[0]
    assert (table.bootstrap_unit, table.n_clusters) == ("hypothesis", 150)
    assert "150 hypothesis clusters; McNemar treats pairs as independent" in render([table], "md")
    assert compare_paths([runs], CompareOptions(bootstrap_unit="pair"))[0].bootstrap_unit == "pair"
    old = tmp_path / "old"
    for model, skill in [("majority", 0.0), ("tfidf_lr", 0.8)]:
        make_run(old, model, skill, legacy=True)
    warnings: list[str] = []
    assert compare_paths([old], warn=warnings.append)[0].bootstrap_unit == "pair"
    assert any("resamples pairs" in w for w in warnings)
    with pytest.raises(CompareError, match="claim_a, claim_b"):
        compare_paths([old], CompareOptions(bootstrap_unit="claim_pair"), warn=warnings.append)


def test_hard_slice_needs_the_probe_run_and_follows_it(runs: Path, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no results/runs here to fall back on
    with pytest.raises(CompareError, match=r"`bench-run model=hypothesis_only dataset=seed protocol=loso`"):
        compare_paths([runs], CompareOptions(by="hard"))
    assert all(r.hard_macro_f1 is None for r in compare_paths([runs])[0].rows)
    make_run(runs, "hypothesis_only", 0.3)
    tables = {t.slice_value: t for t in compare_paths([runs], CompareOptions(by="hard"))}
    assert set(tables) == {"easy", "hard"}
    assert "hypothesis_only" not in {r.model for r in tables["hard"].rows}
    full = {r.model: r for r in compare_paths([runs])[0].rows}
    hard = {r.model: r.macro_f1 for r in tables["hard"].rows}
    assert full["sbert_lr"].hard_macro_f1 == pytest.approx(hard["sbert_lr"])
    assert full["hypothesis_only"].hard_macro_f1 is None
    assert "macro-F1 hard" in render([compare_paths([runs])[0]], "md")


def test_protocol_filter_keeps_runs_started_with_it(runs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A zero-shot model or a loso that fell back to grouped k-fold still belongs in the loso table."""
    for model, ran in (("nli_transfer", "zero_shot"), ("lexical_lr", "kfold")):
        run = make_run(runs, model, 0.5, created_at="2026-01-01T00:00:00+00:00")
        record = json.loads((run / "result.json").read_text())
        record["protocol"].update(name=ran, requested="loso")
        (run / "result.json").write_text(json.dumps(record))
    code, out, _ = cli("compare", str(runs), "--latest", "--protocol", "loso", "--format", "json", capsys=capsys)
    models = {row["model"] for row in json.loads(out)["tables"][0]["rows"]}
    assert code == 0 and {"nli_transfer", "lexical_lr"} <= models
    code, out, _ = cli("compare", str(runs), "--latest", "--protocol", "kfold", "--format", "json", capsys=capsys)
    assert {row["model"] for row in json.loads(out)["tables"][0]["rows"]} == {"lexical_lr"}
