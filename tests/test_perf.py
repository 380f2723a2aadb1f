"""The perf suite's parts and its output structure (not its timings: those belong to docs/PERF.md)."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from bench.perf.report import MISS, NA, PASS, Target
from bench.perf.scaling import fit_exponent
from bench.perf.standin import HashingProjectionEncoder
from bench.perf.synthetic import N_SOURCES, make_pairs, unique_texts
from bench.protocol import loso_folds

REPO = Path(__file__).resolve().parents[1]


def test_synthetic_pairs_have_the_benchmark_shape() -> None:
    batch = make_pairs(1000, seed=3)
    assert len(batch) == 1000 and len(set(batch.meta["pair_id"])) == 1000
    assert 150 <= unique_texts(batch) <= 200  # ~20% of pairs
    assert all(a != b for a, b in zip(batch.meta["source_a"], batch.meta["source_b"]))  # cross-source
    assert len(set(zip(batch.meta["claim_a"], batch.meta["claim_b"]))) == 1000  # no duplicate pairs
    counts = np.bincount(batch.require_labels(), minlength=3)
    assert counts.min() > 100  # every label well represented
    folds = loso_folds(batch)
    assert len(folds) == N_SOURCES and all(0.2 < len(f.test) / 1000 < 0.6 for f in folds)
    again = make_pairs(1000, seed=3)
    assert again.text_a == batch.text_a and np.array_equal(again.require_labels(), batch.require_labels())
    assert make_pairs(1000, seed=4).text_a != batch.text_a


def test_synthetic_rejects_too_few_pairs() -> None:
    with pytest.raises(ValueError, match="n_pairs=10"):
        make_pairs(10)


def test_standin_encoder_is_deterministic_normalised_and_lexical() -> None:
    texts = ["Officials met the officers three times.", "The officials met the officers.", "Prices doubled in Caracas."]
    a = HashingProjectionEncoder(dim=64, seed=1).encode(texts)
    b = HashingProjectionEncoder(dim=64, seed=1).encode(list(reversed(texts)))[::-1]
    assert a.shape == (3, 64) and a.dtype == np.float32
    np.testing.assert_allclose(a, b, atol=1e-6)
    np.testing.assert_allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-5)
    assert a[0] @ a[1] > a[0] @ a[2]  # shared words -> closer


def test_standin_never_shares_a_cache_shard_with_a_real_model(tmp_path: Path) -> None:
    from bench.encode import Encoder
    from bench.perf.hooks import StandinEncoder

    standin = StandinEncoder(HashingProjectionEncoder(dim=32), cache_dir=tmp_path)
    first = standin.encode(["a claim", "another claim", "a claim"])
    assert first.shape == (3, 32) and (first[0] == first[2]).all()
    np.testing.assert_array_equal(StandinEncoder(HashingProjectionEncoder(dim=32), cache_dir=tmp_path)
                                  .encode(["another claim"])[0], first[1])  # served from the cache
    assert standin.store.name != Encoder(None, cache_dir=tmp_path).store.name


def test_fit_exponent_recovers_a_power_law() -> None:
    sizes = [1000, 10000, 100000]
    assert fit_exponent(sizes, [0.002 * n**1.3 for n in sizes]) == pytest.approx(1.3)
    assert fit_exponent([1000], [1.0]) is None


def test_targets_report_pass_miss_and_not_measured() -> None:
    assert Target("t", 1.1, "<=", 1.15, "x").status == PASS
    assert Target("t", 1.2, "<=", 1.15, "x").status == MISS
    assert Target("t", 4.0, ">=", 5.0, "x").status == MISS
    assert Target("t", None, "<=", 1.0, "s").status == NA
    assert Target("t", math.nan, "<=", 1.0, "s").status == NA


def test_perf_cli_scaling_smoke(tmp_path: Path) -> None:
    """`python -m bench.perf --only scaling` on a few hundred pairs writes the documented JSON and the plot."""
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    proc = subprocess.run([sys.executable, "-m", "bench.perf", "--only", "scaling", "--models", "tfidf_lr,lexical_lr",
                           "--sizes", "200,400", "--max-wait", "0", "--out", str(tmp_path)], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    report = json.loads((tmp_path / "perf.json").read_text())
    assert (tmp_path / "perf.png").stat().st_size > 1000
    assert not (tmp_path / "scratch").exists()
    assert report["schema"] == "claimbench-perf/1"
    assert {"cores", "cpu_model", "python", "torch_threads", "memory_gb"} <= set(report["machine"])
    assert report["settings"]["sizes"] == [200, 400]
    rows = report["scaling"]["rows"]
    assert sorted((r["model"], r["pairs"]) for r in rows) == [("lexical_lr", 200), ("lexical_lr", 400),
                                                              ("tfidf_lr", 200), ("tfidf_lr", 400)]
    for row in rows:
        assert row["status"] == "ok", row
        assert row["folds"] == N_SOURCES and row["protocol"] == "loso"
        for key in ("seconds", "fit_seconds", "predict_seconds", "cpu_seconds", "peak_rss_mb", "macro_f1",
                    "unique_texts", "process_seconds"):
            assert isinstance(row[key], (int, float)) and row[key] >= 0, key
    assert {e["model"] for e in report["scaling"]["exponents"]} == {"tfidf_lr", "lexical_lr"}
    statuses = {t["name"]: t["status"] for t in report["targets"]}
    assert all(s in (PASS, MISS, NA) for s in statuses.values())
    assert statuses["lexical_lr, 100k pairs, 5 folds: wall time"] == NA  # 100k was not run
    assert "scaling" in proc.stdout and "| model" in proc.stdout
