"""Scaling: one model on N synthetic pairs under 5 grouped folds, in a fresh process per (model, N).

    python -m bench.perf.scaling --model lexical_lr --pairs 100000     # one measurement (a worker)

The pairs come from `bench.perf.synthetic` (5 sources: LOSO gives 5 folds, each training on ~60% of
the pairs and predicting ~40%). The model is built from configs/model/<key>.yaml exactly as
`bench-run` builds it and runs through `bench.protocol.run_protocol`. A 200-pair warm-up run first
pays one-off costs (lazy imports, model weights), so the timed run measures per-pair work; peak RSS
is the whole process's (interpreter + data + model). `sbert_lr` with `--encoder standin` swaps the
MiniLM encoder for `bench.perf.standin.HashingProjectionEncoder` (see there why).
"""

from __future__ import annotations

import argparse
import math
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from bench.perf.common import Stopwatch, compose_run_config, emit, load_average, peak_rss_mb, run_worker

ENCODERS = ("model", "standin")  # model: whatever the model config uses (MiniLM for sbert_*)
WARMUP_PAIRS = 200


def model_factory(key: str, encoder: str, seed: int, cache_dir: str | None) -> Callable[[], Any]:
    """A zero-argument builder of `key` as configured in configs/model/, optionally with the stand-in encoder."""
    from hydra.utils import instantiate

    if encoder not in ENCODERS:
        raise ValueError(f"encoder {encoder!r} is unknown; valid: {', '.join(ENCODERS)}")
    overrides = [f"model={key}", f"seed={seed}"]
    if cache_dir:
        overrides.append(f"paths.cache={cache_dir}")
    cfg = compose_run_config(overrides)
    if encoder == "model":
        return lambda: instantiate(cfg.model)
    from bench.perf.standin import HashingProjectionEncoder

    shared = HashingProjectionEncoder(seed=seed)  # built once: its projection matrix is a fixed table

    def build() -> Any:
        return use_standin(instantiate(cfg.model), shared)

    return build


def use_standin(model: Any, encoder: Any) -> Any:
    """Plug the stand-in into a bi-encoder model through the encoder hook it exposes."""
    from bench.perf.hooks import attach_encoder

    return attach_encoder(model, encoder)


def measure(key: str, n_pairs: int, encoder: str = "model", seed: int = 0, cache_dir: str | None = None,
            warmup: bool = True) -> dict[str, Any]:
    """Time one LOSO run of `key` on `n_pairs` synthetic pairs in this process."""
    from sklearn.metrics import f1_score

    from bench.perf.synthetic import make_pairs, unique_texts
    from bench.protocol import run_protocol

    load_before = load_average()
    factory = model_factory(key, encoder, seed, cache_dir)
    if warmup:
        run_protocol(factory, make_pairs(WARMUP_PAIRS, seed + 1), {"name": "loso"}, seed, progress=False)
    t0 = time.perf_counter()
    batch = make_pairs(n_pairs, seed)
    gen_s = time.perf_counter() - t0
    rss_before = peak_rss_mb()
    with Stopwatch() as watch:
        predictions = run_protocol(factory, batch, {"name": "loso"}, seed, progress=False)
    gold = batch.require_labels()
    return {
        "model": key, "encoder": encoder, "pairs": n_pairs, "unique_texts": unique_texts(batch),
        "folds": len(predictions.folds), "protocol": predictions.protocol,
        "seconds": watch.seconds, "fit_seconds": predictions.seconds["fit"],
        "predict_seconds": predictions.seconds["predict"], "cpu_seconds": watch.cpu_seconds,
        "foreign_cpu_seconds": watch.foreign_cpu_seconds, "generate_seconds": gen_s, "peak_rss_mb": peak_rss_mb(), "rss_before_mb": rss_before,
        "macro_f1": float(f1_score(gold, predictions.proba.argmax(axis=1), average="macro")),
        "load_average": [load_before, load_average()],
    }


def measure_in_subprocess(key: str, n_pairs: int, encoder: str = "model", seed: int = 0, timeout: float = 3600,
                          cache_dir: str | None = None, warmup: bool = True) -> dict[str, Any]:
    args = ["--model", key, "--pairs", str(n_pairs), "--encoder", encoder, "--seed", str(seed)]
    if cache_dir:
        args += ["--cache", cache_dir]
    if not warmup:
        args.append("--no-warmup")
    result = run_worker("bench.perf.scaling", args, timeout=timeout)
    result.update({"model": key, "encoder": encoder, "pairs": n_pairs})
    return result


def fit_exponent(pairs: list[int], seconds: list[float]) -> float | None:
    """Slope of log(seconds) against log(pairs), least squares: 1.0 is linear scaling."""
    points = [(math.log(n), math.log(s)) for n, s in zip(pairs, seconds) if s and s > 0]
    if len(points) < 2 or len({p[0] for p in points}) < 2:
        return None
    x, y = np.array(points).T
    return float(np.polyfit(x, y, 1)[0])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.perf.scaling", description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True, help="a model key (configs/model/<key>.yaml)")
    parser.add_argument("--pairs", type=int, required=True, help="number of synthetic pairs")
    parser.add_argument("--encoder", choices=ENCODERS, default="model")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cache", help="embedding cache folder (default: a fresh one is up to the model config)")
    parser.add_argument("--no-warmup", action="store_true", help="time the first run (one-off costs included)")
    args = parser.parse_args(argv)
    emit(measure(args.model, args.pairs, args.encoder, args.seed, args.cache, warmup=not args.no_warmup))


if __name__ == "__main__":
    main()
