"""Run records: round trip, atomic run directories, readers' errors, provenance."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import bench.run_writer as run_writer
from bench.labels import LABEL_NAMES
from bench.metrics import compute_metrics
from bench.provenance import git_commit, new_run_id, versions
from bench.results import SCHEMA_VERSION, RunReadError, RunResult, RunWriteError
from bench.run_reader import find_runs, read_predictions, read_run
from bench.run_writer import write_run


def synthetic(n: int = 40, seed: int = 0) -> tuple[np.ndarray, np.ndarray, list[dict[str, Any]]]:
    rng = np.random.default_rng(seed)
    gold = rng.integers(0, 3, n)
    proba = rng.dirichlet([1, 1, 1], n)
    rows = [
        {"pair_id": f"p{i:04d}", "gold": LABEL_NAMES[gold[i]], "predicted": LABEL_NAMES[proba[i].argmax()],
         "probabilities": {k: float(proba[i, j]) for j, k in enumerate(LABEL_NAMES)},
         "origin": "natural", "source_a": "alpha", "source_b": "beta", "perturbation": "",
         "folds": ["alpha", "beta"]}
        for i in range(n)
    ]
    return gold, proba, rows


def make_result(n: int = 40, run_id: str = "20250101T000000.000000Z-abcdef01", **kw: Any) -> RunResult:
    gold, proba, _ = synthetic(n)
    fields: dict[str, Any] = dict(
        run_id=run_id,
        dataset={"name": "seed", "fingerprint": "a" * 64, "n": n},
        model={"key": "majority", "config": {"_target_": "bench.models.trivial.MajorityClassifier"}},
        protocol={"name": "loso", "config": {"group_by": "auto"}},
        seed=0,
        metrics=compute_metrics(gold, proba, seed=0, n_boot=50),
        timings={"fit": 1.0, "predict": 0.5, "total": 2.0},
        versions={"python": "3.11"},
        git_commit=None,
    )
    fields.update(kw)
    return RunResult(**fields)


def test_round_trip(tmp_path: Path) -> None:
    result = make_result()
    _, _, rows = synthetic()
    run_dir = write_run(tmp_path, result, rows, "seed: 0")
    assert run_dir == tmp_path / "seed" / "majority" / result.run_id
    assert sorted(p.name for p in run_dir.iterdir()) == ["config.yaml", "predictions.jsonl", "result.json"]
    back = read_run(run_dir)
    assert back == result
    assert RunResult.from_dict(result.to_dict()) == result
    assert read_predictions(run_dir) == rows
    assert (run_dir / "config.yaml").read_text() == "seed: 0\n"
    data = json.loads((run_dir / "result.json").read_text())
    assert list(data)[:3] == ["schema_version", "run_id", "created_at"]
    assert data["schema_version"] == SCHEMA_VERSION == 1
    assert back.total_seconds == 2.0 and back.model_key == "majority" and back.fingerprint == "a" * 64


def test_extra_files_and_numpy_values(tmp_path: Path) -> None:
    result = make_result(metrics={**make_result().metrics, "kappa": float("nan"), "extra": np.float32(0.5)},
                         seed=0)
    _, _, rows = synthetic()
    run_dir = write_run(tmp_path, result, rows, "a: 1\n", extra_files={"confusion.png": b"\x89PNG"})
    assert (run_dir / "confusion.png").read_bytes() == b"\x89PNG"
    data = json.loads((run_dir / "result.json").read_text())
    assert data["metrics"]["kappa"] is None and data["metrics"]["extra"] == 0.5
    with pytest.raises(RunWriteError, match="extra file name 'result.json' is not allowed"):
        write_run(tmp_path, make_result(run_id="x2"), rows, "", extra_files={"result.json": b"{}"})


def test_failure_mid_write_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[Path] = []
    real = run_writer._write_file

    def flaky(path: Path, data: bytes) -> None:
        calls.append(path)
        if len(calls) == 2:
            raise OSError("disk full (simulated)")
        real(path, data)

    monkeypatch.setattr(run_writer, "_write_file", flaky)
    _, _, rows = synthetic()
    with pytest.raises(OSError, match="disk full"):
        write_run(tmp_path, make_result(), rows, "seed: 0")
    parent = tmp_path / "seed" / "majority"
    assert list(parent.iterdir()) == []  # no run dir, no temp dir
    assert find_runs([tmp_path]) == []


def test_failed_rename_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(src: Any, dst: Any) -> None:
        raise OSError("rename failed (simulated)")

    monkeypatch.setattr(run_writer.os, "rename", boom)
    _, _, rows = synthetic()
    with pytest.raises(OSError, match="rename failed"):
        write_run(tmp_path, make_result(), rows, "seed: 0")
    assert list((tmp_path / "seed" / "majority").iterdir()) == []


def test_never_overwrites(tmp_path: Path) -> None:
    _, _, rows = synthetic()
    run_dir = write_run(tmp_path, make_result(), rows, "seed: 0")
    before = (run_dir / "result.json").read_bytes()
    with pytest.raises(RunWriteError, match="already exists"):
        write_run(tmp_path, make_result(seed=1), rows, "seed: 1")
    assert (run_dir / "result.json").read_bytes() == before


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"dataset": {"name": "a/b", "fingerprint": "f", "n": 40}}, "dataset name 'a/b' cannot be a directory name"),
        ({"model": {"key": ".hidden"}}, "model key '.hidden' cannot be a directory name"),
        ({"dataset": {"name": "seed", "fingerprint": "f", "n": 41}}, "40 prediction rows but dataset.n = 41"),
    ],
)
def test_write_rejects_bad_records(tmp_path: Path, kw: dict[str, Any], message: str) -> None:
    _, _, rows = synthetic()
    with pytest.raises(RunWriteError, match=re.escape(message)):
        write_run(tmp_path, make_result(**kw), rows, "")
    assert find_runs([tmp_path]) == []


def test_write_rejects_bad_prediction_rows(tmp_path: Path) -> None:
    _, _, rows = synthetic()
    rows[3] = {**rows[3], "gold": "neutral"}
    with pytest.raises(RunWriteError, match=r"prediction row 3 \(pair_id 'p0003'\): gold = 'neutral'; valid labels"):
        write_run(tmp_path, make_result(), rows, "")
    _, _, rows = synthetic()
    del rows[0]["folds"]
    with pytest.raises(RunWriteError, match="lacks folds"):
        write_run(tmp_path, make_result(), rows, "")


def test_record_validation() -> None:
    with pytest.raises(ValueError, match="dataset lacks fingerprint"):
        make_result(dataset={"name": "seed", "n": 3})
    with pytest.raises(ValueError, match="unknown schema version 99; known schema versions: 1"):
        make_result(schema_version=99)


def test_read_errors_name_path_and_reason(tmp_path: Path) -> None:
    missing = tmp_path / "missing"
    missing.mkdir()
    with pytest.raises(RunReadError, match=r"missing result\.json") as exc:
        read_run(missing)
    assert exc.value.path == missing / "result.json"

    corrupt = tmp_path / "corrupt"
    corrupt.mkdir()
    (corrupt / "result.json").write_text('{"schema_version": 1, "run_id": ')
    with pytest.raises(RunReadError, match=r"corrupt.result\.json: corrupt JSON: .* line 1"):
        read_run(corrupt)

    future = tmp_path / "future"
    future.mkdir()
    data = make_result().to_dict()
    data["schema_version"] = 7
    (future / "result.json").write_text(json.dumps(data))
    with pytest.raises(RunReadError, match="unknown schema version 7; known schema versions: 1"):
        read_run(future)

    incomplete = tmp_path / "incomplete"
    incomplete.mkdir()
    (incomplete / "result.json").write_text(json.dumps({"schema_version": 1, "run_id": "x"}))
    with pytest.raises(RunReadError, match="invalid record: missing field"):
        read_run(incomplete)

    (incomplete / "predictions.jsonl").write_text('{"pair_id": "p1"}\nnot json\n')
    with pytest.raises(RunReadError, match="line 2: corrupt JSON"):
        read_predictions(incomplete)
    with pytest.raises(RunReadError, match="no such run directory"):
        read_run(tmp_path / "nope")


def test_find_runs_skips_hidden_and_incomplete(tmp_path: Path) -> None:
    _, _, rows = synthetic()
    a = write_run(tmp_path / "runs", make_result(run_id="r1"), rows, "")
    b = write_run(tmp_path / "runs", make_result(run_id="r2", model={"key": "tfidf_lr"}), rows, "")
    leftover = tmp_path / "runs" / "seed" / "majority" / ".tmp-r3-deadbeef"
    leftover.mkdir()
    (leftover / "result.json").write_text("{}")
    (tmp_path / "runs" / "seed" / "majority" / "r4").mkdir()  # no result.json: not a run
    assert find_runs([tmp_path / "runs"]) == sorted([a, b])
    assert find_runs([a, a / "result.json", tmp_path / "does-not-exist"]) == [a]


def test_versions_reads_metadata_without_importing() -> None:
    code = ("import sys, bench.provenance as r; v = r.versions(); "
            "assert 'torch' not in sys.modules and 'sklearn' not in sys.modules, 'imported'; "
            "print(v['python'], v['numpy'])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert re.fullmatch(r"3\.\d+\.\d+ \d+\.\d+.*\n", out.stdout)
    v = versions()
    assert {"python", "numpy", "scikit-learn", "torch", "datasets"} <= set(v)


def test_git_commit(tmp_path: Path) -> None:
    assert git_commit(tmp_path) is None  # not a repository
    head = git_commit()
    assert head is None or re.fullmatch(r"[0-9a-f]{40}", head)


def test_new_run_id_sorts_by_time() -> None:
    t = datetime(2025, 3, 4, 5, 6, 7, 89, tzinfo=timezone.utc)
    first = new_run_id("3f2a9c1b77", now=t)
    assert first == "20250304T050607.000089Z-3f2a9c1b"
    later = [new_run_id("0000aaaa", now=t + timedelta(microseconds=k)) for k in (1, 10**6, 10**9)]
    assert sorted([*later, first]) == [first, *later]
    assert re.fullmatch(r"\d{8}T\d{6}\.\d{6}Z-[0-9a-f]{8}", new_run_id("deadbeefcafe"))
    with pytest.raises(ValueError, match="config_hash must be a non-empty alphanumeric string"):
        new_run_id("../x")
