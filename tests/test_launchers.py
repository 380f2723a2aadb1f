"""The same sweep through Hydra's basic, joblib and submitit_local launchers gives identical numbers.

Also checks that the presets in configs/hydra/launcher/ compose onto the plugins' own configs.
About 15 s in all (each launcher sweep is one `bench-run -m` process, jobs in subprocesses).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bench.run_reader import find_runs, read_predictions, read_run

from benchrun import bench_run, tiny_run_args

MODELS = ("majority", "tfidf_lr")
LAUNCHERS = ("basic", "joblib", "submitit_local")


def sweep_outcome(results: Path) -> dict[str, dict[str, Any]]:
    """Per model key: the metrics and per-pair probabilities of its one run under `results`."""
    out: dict[str, dict[str, Any]] = {}
    for run_dir in find_runs([results]):
        result = read_run(run_dir)
        assert result.model_key not in out, f"two runs of {result.model_key} in {results}"
        out[result.model_key] = {
            "metrics": result.metrics,
            "slices": result.slices,
            "fingerprint": result.fingerprint,
            "proba": {row["pair_id"]: row["probabilities"] for row in read_predictions(run_dir)},
        }
    return out


def test_same_sweep_same_numbers_under_every_launcher(mini_root: Path, tmp_path: Path) -> None:
    outcomes = {}
    for launcher in LAUNCHERS:
        work = tmp_path / launcher
        work.mkdir()
        results = work / "runs"
        proc = bench_run(["-m", f"model={','.join(MODELS)}", f"hydra/launcher={launcher}",
                          *tiny_run_args(mini_root, results)], work)
        assert proc.returncode == 0, f"{launcher}: {proc.stderr[-2000:]}"
        outcomes[launcher] = sweep_outcome(results)
        assert sorted(outcomes[launcher]) == sorted(MODELS), f"{launcher} ran {sorted(outcomes[launcher])}"
    reference = outcomes["basic"]
    for launcher in LAUNCHERS[1:]:
        for model in MODELS:
            assert outcomes[launcher][model] == reference[model], f"{model} differs under {launcher}"


@pytest.mark.parametrize(("preset", "target", "fields"), [
    ("parallel", "JoblibLauncher", {"n_jobs": 2}),
    ("local_cluster", "LocalLauncher", {"timeout_min": 120}),
    ("slurm", "SlurmLauncher", {"timeout_min": 240, "cpus_per_task": 4, "partition": None, "mem_gb": None,
                                "gpus_per_node": None, "array_parallelism": 256}),
    ("joblib", "JoblibLauncher", {"n_jobs": -1}),
    ("submitit_local", "LocalLauncher", {"timeout_min": 60}),
])
def test_launcher_presets_extend_the_plugin_configs(preset: str, target: str, fields: dict[str, Any]) -> None:
    from hydra import compose, initialize_config_dir

    from bench.config import CONFIG_DIR

    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
        cfg = compose(config_name="run", overrides=[f"hydra/launcher={preset}"], return_hydra_config=True)
    launcher = cfg.hydra.launcher
    assert launcher._target_.endswith(target)
    for key, value in fields.items():
        assert launcher[key] == value, f"{preset}: {key}={launcher[key]!r}, expected {value!r}"


def test_sweep_on_joblib_preset_runs(mini_root: Path, tmp_path: Path) -> None:
    """The `parallel` preset end to end (two trivial jobs): records land where a basic sweep puts them."""
    results = tmp_path / "runs"
    proc = bench_run(["-m", "model=majority", "seed=0,1", "hydra/launcher=parallel",
                      *tiny_run_args(mini_root, results, seed=None)], tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    runs = find_runs([results])
    assert sorted(read_run(r).seed for r in runs) == [0, 1]
    assert all(json.loads((r / "result.json").read_text())["model"]["key"] == "majority" for r in runs)
