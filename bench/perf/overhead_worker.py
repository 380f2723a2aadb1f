"""The measuring side of `bench.perf.overhead`: each mode runs in a fresh process and emits its timings.

    python -m bench.perf.overhead_worker bi --root annotations --scratch DIR --rounds 5     # workers
    python -m bench.perf.overhead_worker ce --root annotations --model DIR --rounds 5
    python -m bench.perf.overhead_worker cache-run --root annotations --cache DIR --results DIR

Side by side (`bi`, `ce`): one fresh process imports everything and loads the dataset (untimed,
not harness overhead), runs one discarded warm-up round, then alternates harness and bare runs
(h, b, b, h, h, b, ...) so that both sides see the same machine state; the score is the median of
the per-round ratios harness / bare. On a shared 2-core machine a neighbour's job slows
multi-threaded torch by 2-4x for seconds at a time; back-to-back pairs keep such bursts from
landing on one side only, and each run records the CPU other processes burnt meanwhile.

- `bi`: sbert_lr under LOSO. Harness: `run_protocol` + `SbertLRClassifier` as `bench-run` builds it,
  starting from an empty embedding cache each round (so it encodes each unique text once, like the
  bare script, and pays its cache writes and lookups). Bare: `bench.perf.bare.sbert_lr_loso`.
- `ce`: inference over every seed pair with one saved CrossEncoder. Harness:
  `PretrainedNLIClassifier.predict_proba`; bare: `CrossEncoder.predict`. Both models are loaded
  (and warmed up on 16 pairs) before the rounds.
- `cache-run`: one whole `bench-run model=sbert_lr` (`bench.runner.execute`) in a fresh process;
  the parent runs it twice on one cache folder (cold, then warm).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from bench.perf.common import Stopwatch, compose_run_config, emit, load_average, wait_for_quiet

HEAVY = ("torch", "transformers", "sentence_transformers")


def _config(model: str, root: str, cache: str | None, extra: list[str] | None = None) -> Any:
    overrides = [f"model={model}", f"dataset.root={root}", *(extra or [])]
    if cache:
        overrides.append(f"paths.cache={cache}")
    return compose_run_config(overrides)


def _batch(cfg: Any) -> Any:
    from bench.config import resolved_mapping
    from bench.dataset import load_from_config
    from bench.models.base import PairBatch

    data = load_from_config(resolved_mapping(cfg.dataset))
    return PairBatch.from_dataset(data.hf)


def _import_heavy() -> None:
    import sentence_transformers  # noqa: F401
    import sklearn.linear_model  # noqa: F401
    import torch  # noqa: F401


def _alternate(sides: dict[str, Callable[[], Any]], rounds: int) -> tuple[dict[str, list[dict[str, Any]]], dict[str, Any]]:
    """One warm-up call per side, then `rounds` rounds in ABBA order; per side the timings, and the last outputs."""
    from bench.progress import progress_bar

    names = list(sides)
    last = {name: sides[name]() for name in names}  # warm-up: first-call costs (kernels, allocators)
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in names}
    for r in progress_bar(rounds, desc=" / ".join(names), unit="round", iterable=range(rounds)):
        quiet = wait_for_quiet()
        for name in (names if r % 2 == 0 else names[::-1]):
            with Stopwatch() as watch:
                last[name] = sides[name]()
            runs[name].append({**watch.to_dict(), "before": quiet, "load_average": load_average()[:1]})
    return runs, last


def worker_bi(root: str, scratch: str, rounds: int, seed: int) -> dict[str, Any]:
    """sbert_lr LOSO, harness vs bare, alternating in this process."""
    from hydra.utils import instantiate

    from bench.config import resolved_mapping
    from bench.models.resolve import default_encoder_path
    from bench.perf.bare import loso_masks, sbert_lr_loso
    from bench.protocol import run_protocol

    _import_heavy()
    cache = Path(scratch) / "bi-cache"
    cfg = _config("sbert_lr", root, str(cache), [f"seed={seed}", "++model.show_progress=false"])
    batch = _batch(cfg)
    protocol = resolved_mapping(cfg.protocol)
    m = cfg.model
    model_dir = str(m.encoder) if m.get("encoder") else default_encoder_path()
    text_a, text_b, labels = list(batch.text_a), list(batch.text_b), batch.require_labels()
    meta = batch.meta

    def harness() -> np.ndarray:
        shutil.rmtree(cache, ignore_errors=True)  # cold: every round encodes and writes the cache anew
        return run_protocol(lambda: instantiate(cfg.model), batch, protocol, seed, progress=False).proba

    def bare() -> np.ndarray:
        masks = loso_masks(meta["source_a"], meta["source_b"], meta["event_id"])
        return sbert_lr_loso(text_a, text_b, labels, masks, model_dir, batch_size=int(m.batch_size),
                             max_seq_length=m.get("max_seq_length"), C=float(m.C), max_iter=int(m.max_iter),
                             class_weight=m.get("class_weight"), seed=seed)

    runs, last = _alternate({"harness": harness, "bare": bare}, rounds)
    shutil.rmtree(cache, ignore_errors=True)
    return {"runs": runs, "n": len(batch), "max_abs_proba_diff": float(np.abs(last["harness"] - last["bare"]).max())}


def worker_ce(root: str, model_dir: str, rounds: int, seed: int, batch_size: int) -> dict[str, Any]:
    """CrossEncoder inference over every seed pair, harness vs bare, alternating in this process."""
    from hydra.utils import instantiate
    from sentence_transformers import CrossEncoder

    from bench.models.nli_pretrained import map_columns
    from bench.perf.bare import cross_encoder_predict

    _import_heavy()
    cfg = _config("nli_pretrained", root, None, [f"seed={seed}", f"++model.model={model_dir}",
                                                 f"++model.batch_size={batch_size}", "++model.show_progress=false"])
    batch = _batch(cfg).without_labels()
    warm = batch.subset(np.arange(min(16, len(batch))))
    loads = {}
    with Stopwatch() as watch:
        model = instantiate(cfg.model)
        model.predict_proba(warm)  # the harness loads lazily, on the first predict
    loads["harness"] = watch.seconds
    with Stopwatch() as watch:
        ce = CrossEncoder(model_dir, device="cpu")
        cross_encoder_predict(ce, warm.text_a, warm.text_b, batch_size)
    loads["bare"] = watch.seconds
    text_a, text_b = list(batch.text_a), list(batch.text_b)
    runs, last = _alternate({"harness": lambda: model.predict_proba(batch),
                             "bare": lambda: cross_encoder_predict(ce, text_a, text_b, batch_size)}, rounds)
    mapped = np.zeros_like(last["harness"])  # bare output moved into our label order, as the harness does
    for j, column in enumerate(map_columns(ce.model.config.id2label)):
        mapped[:, column] += last["bare"][:, j]
    return {"runs": runs, "n": len(batch), "load_seconds": loads,
            "max_abs_proba_diff": float(np.abs(last["harness"] - mapped).max())}


def worker_cache_run(root: str, cache: str, results: str, seed: int) -> dict[str, Any]:
    """One whole `bench-run model=sbert_lr` (bench.runner.execute), as a user would start it."""
    t0 = time.perf_counter()
    from bench.config import identity
    from bench.encode import Encoder
    from bench.run_reader import find_runs, read_run
    from bench.runner import execute

    embedding = {"seconds": 0.0, "calls": 0}
    real_encode = Encoder.encode

    def timed_encode(self: Encoder, texts: Any) -> Any:  # instrumentation only: same call, timed
        started = time.perf_counter()
        try:
            return real_encode(self, texts)
        finally:
            embedding["seconds"] += time.perf_counter() - started
            embedding["calls"] += 1

    Encoder.encode = timed_encode  # type: ignore[method-assign]
    cfg = _config("sbert_lr", root, cache, [f"seed={seed}", f"paths.results={results}", "write_plots=false",
                                            "++model.show_progress=false"])
    with Stopwatch() as watch:
        execute(cfg, model_key="sbert_lr", protocol_key=str(cfg.protocol.name), config_identity=identity(cfg),
                progress=False)
    seconds = time.perf_counter() - t0
    run_dir = max(find_runs([Path(results)]), key=lambda p: p.name)
    timings = read_run(run_dir).timings
    return {"seconds": seconds, "execute": watch.to_dict(), "timings": timings,
            "model_seconds": timings.get("prepare", 0.0) + timings["fit"] + timings["predict"], "embedding_seconds": embedding["seconds"],
            "embedding_calls": embedding["calls"],
            "heavy_imported": sorted({m.split(".")[0] for m in sys.modules} & set(HEAVY))}


def make_random_head_cross_encoder(target: Path, seed: int = 0) -> Path:
    """A saved 3-way CrossEncoder (bundled MiniLM body, seeded random head): inference cost is what is measured."""
    import torch
    from sentence_transformers import CrossEncoder

    from bench.models.resolve import default_encoder_path

    torch.manual_seed(seed)
    model = CrossEncoder(default_encoder_path(), num_labels=3, device="cpu")
    config = model.model.config
    config.id2label = {0: "contradiction", 1: "entailment", 2: "neutral"}  # the usual NLI head order
    config.label2id = {v: k for k, v in config.id2label.items()}
    target.mkdir(parents=True, exist_ok=True)
    model.save(str(target))
    return target


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.perf.overhead_worker", description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=("bi", "ce", "cache-run", "make-ce"))
    parser.add_argument("--root", default="annotations/seed", help="annotations root of the seed dataset")
    parser.add_argument("--scratch", help="bi: folder for the harness's throw-away embedding cache")
    parser.add_argument("--cache", help="cache-run: embedding cache folder")
    parser.add_argument("--results", help="cache-run: runs folder")
    parser.add_argument("--model", help="ce: a saved CrossEncoder folder")
    parser.add_argument("--out", help="make-ce: where to save the CrossEncoder")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--batch-size", type=int, default=32)
    args = parser.parse_args(argv)
    if args.mode == "bi":
        emit(worker_bi(args.root, args.scratch, args.rounds, args.seed))
    elif args.mode == "ce":
        emit(worker_ce(args.root, args.model, args.rounds, args.seed, args.batch_size))
    elif args.mode == "cache-run":
        emit(worker_cache_run(args.root, args.cache, args.results, args.seed))
    else:
        emit({"path": str(make_random_head_cross_encoder(Path(args.out), args.seed))})


if __name__ == "__main__":
    main()
