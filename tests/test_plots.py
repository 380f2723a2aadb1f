"""bench.plots + `bench plot`: PNGs are written, valid and sizeable; heatmap numbers are right."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from matplotlib.image import imread

from bench.cli.main import main
from bench.compare.errors import MixedDatasetsError
from bench.labels import LABEL_NAMES
from bench.metrics import compute_metrics
from bench.plots import consistency_matrix, plot_compare, plot_confusion, plot_run, save_run_plots
from bench.results import RunResult
from bench.run_writer import write_run

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
OUTLETS = ["Reuters", "Slate", "AP", "BBC", "Le Monde"]


def make_run(root: Path, model: str, skill: float, fingerprint: str = "c" * 64, n: int = 200) -> Path:
    rng = np.random.default_rng(0)  # same items for every model
    gold = rng.integers(0, 3, n)
    sa = rng.integers(0, len(OUTLETS), n)
    sb = (sa + rng.integers(1, len(OUTLETS), n)) % len(OUTLETS)
    logits = np.random.default_rng(len(model)).normal(size=(n, 3))
    logits[np.arange(n), gold] += skill
    proba = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    rows = [{"pair_id": f"p{i:04d}", "gold": LABEL_NAMES[gold[i]], "predicted": LABEL_NAMES[proba[i].argmax()],
             "probabilities": {k: float(proba[i, j]) for j, k in enumerate(LABEL_NAMES)}, "origin": "natural",
             "source_a": OUTLETS[sa[i]], "source_b": OUTLETS[sb[i]], "perturbation": "", "folds": []}
            for i in range(n)]
    result = RunResult(run_id=f"20250101T000000.000000Z-{model}", dataset={"name": "seed", "fingerprint": fingerprint,
                       "n": n}, model={"key": model, "config": {}}, protocol={"name": "zero_shot", "config": {}},
                       seed=0, metrics=compute_metrics(gold, proba, seed=0, n_boot=200))
    return write_run(root, result, rows, "seed: 0\n")


def assert_png(path: Path, min_bytes: int = 5 * 1024) -> None:
    data = path.read_bytes()
    assert data[:8] == PNG_SIGNATURE, f"{path} is not a PNG"
    assert len(data) > min_bytes, f"{path} is only {len(data)} bytes"
    image = imread(path)
    assert image.ndim == 3 and image.shape[0] > 200 and image.shape[1] > 300


def test_save_run_plots(tmp_path: Path) -> None:
    run_dir = make_run(tmp_path, "tfidf_lr", 1.0)
    written = save_run_plots(run_dir)
    assert [p.name for p in written] == ["confusion.png", "per_class.png"]
    for p in written:
        assert p.parent == run_dir
        assert_png(p)
    assert not list(run_dir.glob(".*"))  # no temp files left behind


def test_plot_run_into_other_folder(tmp_path: Path) -> None:
    run_dir = make_run(tmp_path / "runs", "tfidf_lr", 1.0)
    written = plot_run(run_dir, tmp_path / "figs")
    assert sorted(p.name for p in written) == ["confusion.png", "consistency.png", "per_class.png"]
    for p in written:
        assert_png(p)
    assert not (run_dir / "confusion.png").exists()


def test_plot_compare(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    for model, skill in [("majority", 0.0), ("tfidf_lr", 1.0), ("sbert_lr", 2.0)]:
        make_run(runs, model, skill)
    written = plot_compare([runs], tmp_path / "out")
    assert [p.name for p in written] == ["per_class.png", "consistency.png"]
    for p in written:
        assert_png(p)
    make_run(runs, "other_data", 1.0, fingerprint="d" * 64)
    with pytest.raises(MixedDatasetsError, match="2 different dataset fingerprints"):
        plot_compare([runs], tmp_path / "out2")


def test_confusion_handles_empty_rows(tmp_path: Path) -> None:
    assert_png(plot_confusion([[3, 1, 0], [0, 0, 0], [1, 0, 5]], tmp_path / "c.png", "empty contradicts row"))
    with pytest.raises(ValueError, match="confusion must be 3x3"):
        plot_confusion([[1, 2], [3, 4]], tmp_path / "bad.png")


def test_consistency_matrix_hand_computed() -> None:
    def row(a: str, b: str, gold: str, pred: str) -> dict[str, str]:
        return {"source_a": a, "source_b": b, "gold": gold, "predicted": pred}

    rows = [
        row("A", "B", "contradicts", "contradicts"),
        row("B", "A", "entails", "contradicts"),     # direction does not matter
        row("A", "B", "entails", "entails"),
        row("A", "B", "unrelated", "contradicts"),   # not related by gold: ignored
        row("A", "C", "entails", "unrelated"),
        row("B", "C", "unrelated", "unrelated"),     # B-C has no related pair
    ]
    names, gold_share, num, den = consistency_matrix(rows, "gold")
    assert names == ["A", "B", "C"]
    assert den.tolist() == [[0, 3, 1], [3, 0, 0], [1, 0, 0]]
    assert num.tolist() == [[0, 1, 0], [1, 0, 0], [0, 0, 0]]
    assert gold_share[0, 1] == pytest.approx(1 / 3) and gold_share[0, 2] == 0.0
    assert np.isnan(gold_share[1, 2]) and np.isnan(gold_share[0, 0])
    _, pred_share, _, pred_den = consistency_matrix(rows, "predicted")
    assert pred_share[0, 1] == pytest.approx(2 / 3) and (pred_den == den).all()
    with pytest.raises(ValueError, match="labels_from must be 'gold' or 'predicted'"):
        consistency_matrix(rows, "silver")


def test_cli_plot(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    runs = tmp_path / "runs"
    run_dir = make_run(runs, "tfidf_lr", 1.0)
    make_run(runs, "sbert_lr", 2.0)
    assert main(["plot", str(run_dir)]) == 0
    assert (run_dir / "consistency.png").is_file()
    assert main(["plot", "--compare", str(runs), "--out", str(tmp_path / "figs")]) == 0
    assert_png(tmp_path / "figs" / "per_class.png")
    capsys.readouterr()
    for argv, message in [
        (["plot", str(runs)], "is not a run folder (no result.json)"),
        (["plot", "--compare", str(runs)], "--compare needs --out DIR"),
        (["plot"], "give one RUN_DIR, or --compare"),
        (["plot", str(tmp_path / "nope")], "no such run directory"),
    ]:
        assert main(argv) == 1
        err = capsys.readouterr().err
        assert err.startswith("error: ") and message in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "nope").exists()


def test_plot_run_without_predictions_skips_heatmap(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run_dir = make_run(tmp_path, "tfidf_lr", 1.0)
    (run_dir / "predictions.jsonl").unlink()
    assert main(["plot", str(run_dir)]) == 0
    assert "consistency.png skipped" in capsys.readouterr().err
    assert (run_dir / "confusion.png").is_file() and not (run_dir / "consistency.png").exists()


def test_plots_stay_light(tmp_path: Path) -> None:
    """No torch, and no pyplot (global backend state) when plotting."""
    run_dir = make_run(tmp_path, "tfidf_lr", 1.0)
    code = (
        "import sys\n"
        "from bench.plots import plot_run\n"
        "assert 'matplotlib' not in sys.modules\n"
        f"plot_run({str(run_dir)!r})\n"
        "bad = [m for m in ('torch', 'transformers', 'sentence_transformers', 'matplotlib.pyplot') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
