"""Degenerate data (one gold class, one-class folds, undefined metrics, too few pairs) and the
bootstrap record of a run (unit, clusters, resamples)."""

import json
from pathlib import Path

import numpy as np
import pytest
from test_runner import composed, run

from bench.config import identity
from bench.degenerate import fold_notes, folds_notes, metric_notes, single_class_problem
from bench.metrics import compute_metrics
from bench.results import RunResult
from bench.run_reader import read_predictions, read_run
from bench.runner import RunFailed, execute


def test_one_class_dataset_stops_the_run_with_the_count_per_label(tmp_path: Path) -> None:
    path = tmp_path / "one.csv"
    path.write_text("text_a,text_b,label\n" + "".join(f"A{i} sat.,A{i} is sitting.,entails\n" for i in range(4)))
    cfg = composed(["dataset=pairs_file", f"dataset.path={path}", f"paths.results={tmp_path / 'runs'}",
                    "write_plots=false"])
    with pytest.raises(RunFailed, match=r"single gold class \(entails: 4, contradicts: 0, unrelated: 0\)"):
        execute(cfg, model_key="majority", protocol_key="loso", config_identity=identity(cfg), progress=False)
    assert not (tmp_path / "runs").exists()
    assert single_class_problem(np.array([0, 1]), "x") is None


def test_notes_for_one_class_folds_undefined_metrics_and_too_few_pairs() -> None:
    gold = np.array([0, 0, 1, 2])
    assert fold_notes(gold, [["f0"], ["f0"], ["f1"], ["f1"]]) == ["fold f0: its 2 test pair(s) are all entails"]
    one = compute_metrics(np.array([0, 0]), np.eye(3)[[0, 0]], seed=0, n_boot=0)
    assert any(n.startswith("kappa is undefined") for n in metric_notes(one))
    assert folds_notes(3, {"name": "kfold", "k": 5}, 3) == [
        "protocol asked for k=5 folds but the data has 3 pairs; ran 3 fold(s)"]
    assert folds_notes(30, {"name": "kfold", "k": 5}, 5) == []


def test_run_records_its_bootstrap_unit_clusters_and_the_pair_interval(mini_root: Path, tmp_path: Path) -> None:
    record = read_run(run(mini_root, tmp_path / "auto"))
    boot = record.bootstrap
    assert boot["unit"] == "hypothesis" and boot["requested"] == "auto" and boot["resamples"] == 200
    assert boot["clusters"] == record.metrics["bootstrap"]["clusters"] < 12
    assert len(boot["pair_unit_ci"]["macro_f1"]) == 2
    assert isinstance(record.metrics["notes"], list)
    rows = read_predictions(run(mini_root, tmp_path / "pair", "bootstrap_unit=pair"))
    assert {"claim_a", "claim_b", "event_id"} <= set(rows[0])
    pair = read_run(next((tmp_path / "pair").rglob("result.json")).parent).bootstrap
    assert pair["unit"] == "pair" and pair["clusters"] == 12 and pair["pair_unit_ci"] is None


def test_unknown_unit_is_one_line_naming_the_valid_ones(mini_root: Path, tmp_path: Path) -> None:
    with pytest.raises(RunFailed, match="bootstrap_unit 'article' is unknown; valid units: auto, pair"):
        run(mini_root, tmp_path / "runs", "bootstrap_unit=article")


def test_records_without_a_bootstrap_block_load_as_the_pair_unit(mini_root: Path, tmp_path: Path) -> None:
    data = read_run(run(mini_root, tmp_path / "runs")).to_dict()
    del data["bootstrap"]
    assert RunResult.from_dict(json.loads(json.dumps(data))).bootstrap == {"unit": "pair"}
