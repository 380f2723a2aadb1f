"""Harness vs bare library code, and what the embedding cache buys, on the seed dataset.

The parent side: starts `bench.perf.overhead_worker` in fresh processes (its docstring says how each
side is measured) and turns their timings into ratios and speedups for the perf report.
"""

from __future__ import annotations

import shutil
import statistics
from pathlib import Path
from typing import Any

from bench.perf.common import run_worker, wait_for_quiet

WORKER = "bench.perf.overhead_worker"


def _median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def summarize(out: dict[str, Any]) -> dict[str, Any]:
    """Per-round ratios harness / bare (rounds pair back-to-back runs) and their median."""
    h = [r["seconds"] for r in out["runs"]["harness"]]
    b = [r["seconds"] for r in out["runs"]["bare"]]
    ratios = [x / y for x, y in zip(h, b)]
    return {
        "ratio": _median(ratios), "round_ratios": ratios,
        "harness_seconds": _median(h), "bare_seconds": _median(b),
        "ratio_of_minimums": min(h) / min(b) if h and b else None,
        "runs": out["runs"], "n_pairs": out["n"], "max_abs_proba_diff": out["max_abs_proba_diff"],
    }


def bi_encoder_overhead(root: str, scratch: Path, rounds: int, seed: int = 0, timeout: float = 3600) -> dict[str, Any]:
    """sbert_lr under LOSO: harness (run_protocol + SbertLRClassifier, cold cache) vs the bare script."""
    out = run_worker(WORKER, ["bi", "--root", root, "--scratch", str(scratch), "--rounds", str(rounds),
                                             "--seed", str(seed)], timeout=timeout)
    base = {"what": "sbert_lr under LOSO on the seed dataset, harness vs bare script, alternating in one process; "
                    "cold embedding cache for the harness every round, no cache for the bare script; ratio = median "
                    "over rounds of harness / bare", "rounds": rounds, "errors": []}
    if out["status"] != "ok":
        return {**base, "errors": [out["error"]], "ratio": None}
    return {**base, **summarize(out)}


def cross_encoder_overhead(root: str, scratch: Path, rounds: int, seed: int = 0, batch_size: int = 32,
                           timeout: float = 3600) -> dict[str, Any]:
    """nli_pretrained's predict_proba vs bare CrossEncoder.predict over the seed pairs, same saved model."""
    base = {"what": "predict over every seed pair with one saved CrossEncoder (bundled MiniLM body, seeded random "
                    f"3-way head), batch size {batch_size}, models loaded and warmed up first, alternating in one "
                    "process; ratio = median over rounds of harness / bare", "rounds": rounds, "errors": []}
    model_dir = scratch / "cross-encoder"
    if not (model_dir / "config.json").is_file():
        made = run_worker(WORKER, ["make-ce", "--out", str(model_dir), "--seed", str(seed)], timeout=timeout)
        if made["status"] != "ok":
            return {**base, "errors": [made["error"]], "ratio": None}
    out = run_worker(WORKER, ["ce", "--root", root, "--model", str(model_dir), "--rounds", str(rounds),
                                             "--seed", str(seed), "--batch-size", str(batch_size)], timeout=timeout)
    if out["status"] != "ok":
        return {**base, "errors": [out["error"]], "ratio": None}
    return {**base, **summarize(out), "load_seconds": out["load_seconds"]}


def cache_speedup(root: str, scratch: Path, repeats: int, seed: int = 0, timeout: float = 1800) -> dict[str, Any]:
    """A whole sbert_lr run twice on one cache folder: cold (empty), then warm; `repeats` fresh folders."""
    from bench.progress import progress_bar

    cold: list[dict[str, Any]] = []
    warm: list[dict[str, Any]] = []
    errors = []
    for r in progress_bar(repeats, desc="sbert_lr cold / warm cache", unit="repeat", iterable=range(repeats)):
        cache, results = scratch / f"cache-{r}", scratch / f"cache-runs-{r}"
        for path in (cache, results):
            shutil.rmtree(path, ignore_errors=True)
        for runs in (cold, warm):
            quiet = wait_for_quiet()
            result = run_worker(WORKER, ["cache-run", "--root", root, "--cache", str(cache),
                                                        "--results", str(results), "--seed", str(seed)], timeout=timeout)
            if result["status"] != "ok":
                errors.append(result["error"])
                break  # a warm run without its cold run would measure nothing
            runs.append({**result, "before": quiet})
        for path in (cache, results):
            shutil.rmtree(path, ignore_errors=True)

    def med(runs: list[dict[str, Any]], key: str) -> float | None:
        return _median([float(x[key]) for x in runs])

    def brief(x: dict[str, Any]) -> dict[str, Any]:
        return {"model_seconds": x["model_seconds"], "embedding_seconds": x["embedding_seconds"],
                "run_seconds": x["seconds"], "process_seconds": x["process_seconds"],
                "timings": x["timings"], "foreign_cpu_seconds": x["execute"]["foreign_cpu_seconds"],
                "before": x["before"]}

    out: dict[str, Any] = {
        "what": "bench.runner.execute(model=sbert_lr) in a fresh process, twice on one cache folder (cold, then "
                "warm); embedding = time inside Encoder.encode (model load + encoding, or cache lookups); "
                "model = prepare + fit + predict from the run record; run = execute() plus its imports; process = the "
                "worker as seen from outside; medians over repeats",
        "repeats": repeats, "errors": errors,
        "cold_model_seconds": med(cold, "model_seconds"), "warm_model_seconds": med(warm, "model_seconds"),
        "cold_embedding_seconds": med(cold, "embedding_seconds"), "warm_embedding_seconds": med(warm, "embedding_seconds"),
        "cold_run_seconds": med(cold, "seconds"), "warm_run_seconds": med(warm, "seconds"),
        "cold_process_seconds": med(cold, "process_seconds"), "warm_process_seconds": med(warm, "process_seconds"),
        "warm_heavy_imports": sorted({m for x in warm for m in x.get("heavy_imported", [])}),
        "cold_runs": [brief(x) for x in cold], "warm_runs": [brief(x) for x in warm],
    }
    for kind in ("embedding", "model", "run", "process"):
        c, w = out[f"cold_{kind}_seconds"], out[f"warm_{kind}_seconds"]
        out[f"speedup_{kind}"] = (c / w) if c and w else None
    return out
