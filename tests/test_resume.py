"""skip_existing: an interrupted sweep resumes where it stopped; half-written run dirs never count as done."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from omegaconf import OmegaConf

from bench.config import identity
from bench.run_reader import find_runs, read_run
from bench.runner import find_existing

from benchrun import bench_run, tiny_run_args


def finished_runs(results: Path) -> list[Path]:
    return find_runs([results])


def test_interrupted_sweep_resumes_where_it_stopped(mini_root: Path, tmp_path: Path) -> None:
    results = tmp_path / "runs"
    base = tiny_run_args(mini_root, results)
    # Job #1 fails (a trained model under zero_shot), which aborts the sweep: job #2 never runs.
    first = bench_run(["-m", "model=majority", "protocol=loso,zero_shot,kfold", *base], tmp_path)
    assert first.returncode != 0
    assert "must be trained" in first.stderr
    (loso_run,) = finished_runs(results)
    assert read_run(loso_run).protocol["name"] == "loso"

    resumed = bench_run(["-m", "model=majority", "protocol=loso,kfold", "skip_existing=true", *base], tmp_path)
    assert resumed.returncode == 0, resumed.stderr
    assert f"skip: majority already has a finished run for this config and data: {loso_run}" in resumed.stdout
    runs = finished_runs(results)
    assert len(runs) == 2 and loso_run in runs
    assert sorted(read_run(r).protocol["name"] for r in runs) == ["kfold", "loso"]

    # A single run (Hydra run dir, not a sweep dir) recognises a record a sweep wrote, and vice versa.
    single = bench_run(["model=majority", "protocol=kfold", "skip_existing=true", *base], tmp_path)
    assert single.returncode == 0, single.stderr
    assert "skip: majority" in single.stdout
    assert len(finished_runs(results)) == 2

    # Anything that changes what is run (here the seed) is a different config: it runs.
    other_seed = bench_run(["model=majority", "protocol=kfold", "skip_existing=true", *base, "seed=1"], tmp_path)
    assert other_seed.returncode == 0, other_seed.stderr
    assert "skip:" not in other_seed.stdout
    assert len(finished_runs(results)) == 3


def _identity_and_fingerprint(run_dir: Path) -> tuple[str, str]:
    return identity(OmegaConf.load(run_dir / "config.yaml")), read_run(run_dir).fingerprint


def test_half_written_run_dirs_are_never_finished_runs(mini_root: Path, tmp_path: Path) -> None:
    results = tmp_path / "runs"
    base = tiny_run_args(mini_root, results)
    done = bench_run(["model=majority", *base], tmp_path)
    assert done.returncode == 0, done.stderr
    (run_dir,) = finished_runs(results)
    ident, fingerprint = _identity_and_fingerprint(run_dir)
    folder = results / "seed" / "majority"
    assert find_existing(results, "seed", "majority", ident, fingerprint) == run_dir
    assert find_existing(results, "seed", "majority", ident, "0" * 64) is None  # other data
    assert find_existing(results, "seed", "majority", "f" * 64, fingerprint) is None  # other config

    # Turn the finished run into the three kinds of debris an interrupted write can leave behind.
    shutil.copytree(run_dir, folder / f".tmp-{run_dir.name}-0123abcd")  # temp folder, complete inside
    no_result = folder / "20000101T000000.000000Z-deadbeef"
    shutil.copytree(run_dir, no_result)
    (no_result / "result.json").unlink()  # result.json is written last: without it a run is unfinished
    corrupt = folder / "20000101T000000.000001Z-deadbeef"
    shutil.copytree(run_dir, corrupt)
    text = (corrupt / "result.json").read_text()
    (corrupt / "result.json").write_text(text[: len(text) // 2])  # a torn write
    shutil.rmtree(run_dir)
    assert find_existing(results, "seed", "majority", ident, fingerprint) is None

    again = bench_run(["model=majority", "skip_existing=true", *base], tmp_path)
    assert again.returncode == 0, again.stderr
    assert "skip:" not in again.stdout
    new_runs = [r for r in finished_runs(results) if r != corrupt]
    assert len(new_runs) == 1 and new_runs[0].name not in (no_result.name, corrupt.name)
    assert not new_runs[0].name.startswith(".")
    assert json.loads((new_runs[0] / "result.json").read_text())["dataset"]["fingerprint"] == fingerprint
    assert find_existing(results, "seed", "majority", ident, fingerprint) == new_runs[0]
