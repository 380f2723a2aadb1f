"""One benchmark run, end to end: dataset -> model under a protocol -> metrics -> run record.

Kept apart from the Hydra entry point so tests and the perf suite call it directly. A run that
fails leaves nothing behind: the record is written in one atomic step after everything else worked.
"""

from __future__ import annotations

import os
import random
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from bench.labels import LABEL_NAMES

if TYPE_CHECKING:
    from omegaconf import DictConfig

    from bench.dataset import BenchDataset
    from bench.models.base import PairBatch, PairClassifier


class RunFailed(Exception):
    """A run that cannot start or finish for a reason the user can fix (message says how)."""


def load_dataset_or_fail(dataset_cfg: Mapping[str, Any]) -> BenchDataset:
    from bench.annotations import AnnotationError
    from bench.dataset import DatasetError, load_from_config

    try:
        return load_from_config(dataset_cfg)
    except AnnotationError as exc:
        first = exc.violations[0]
        root = dataset_cfg.get("root", "annotations/seed")
        raise RunFailed(f"{len(exc.violations)} annotation problem(s), first: {first}; "
                        f"run `bench annotate validate --root {root}`") from None
    except DatasetError as exc:
        raise RunFailed(str(exc)) from None


def model_info(models: list[PairClassifier]) -> dict[str, Any]:
    """`{"info": ...}` from the models' optional `run_info()` (what a model reports about its run:
    device, requests, parse rate...), numbers summed over the folds; `{}` when no model reports."""
    infos = [getattr(m, "run_info")() for m in models if callable(getattr(m, "run_info", None))]  # noqa: B009 (optional)
    if not infos:
        return {}
    merged: dict[str, Any] = dict(infos[0])
    for info in infos[1:]:
        for key, value in info.items():
            old = merged.get(key)
            both_numbers = isinstance(value, int | float) and isinstance(old, int | float) and not isinstance(value, bool)
            if key == "max_in_flight" and both_numbers:
                merged[key] = max(old, value)  # type: ignore[type-var]
            else:
                merged[key] = old + value if both_numbers and key != "parse_rate" else value
    if merged.get("pairs"):
        merged["parse_rate"] = merged.get("parsed", 0) / merged["pairs"]
    return {"info": merged}


def build_model(model_cfg: DictConfig, model_key: str) -> PairClassifier:
    """Instantiate a model config; an instantiation error becomes one line naming the model key."""
    from hydra.errors import InstantiationException
    from hydra.utils import instantiate

    try:
        return instantiate(model_cfg)
    except InstantiationException as exc:
        cause: BaseException = exc
        while cause.__cause__ is not None:
            cause = cause.__cause__
        raise RunFailed(f"model {model_key!r} could not be built: {cause}") from None


def prediction_rows(batch: PairBatch, proba: np.ndarray, fold_names: list[list[str]]) -> list[dict[str, Any]]:
    from bench.metrics import predicted_labels

    predicted = predicted_labels(proba)
    gold = batch.require_labels()
    meta = batch.meta
    return [
        {
            "pair_id": meta["pair_id"][i],
            "gold": LABEL_NAMES[int(gold[i])],
            "predicted": LABEL_NAMES[int(predicted[i])],
            "probabilities": {name: round(float(proba[i, j]), 6) for j, name in enumerate(LABEL_NAMES)},
            "origin": meta["origin"][i],
            "source_a": meta["source_a"][i],
            "source_b": meta["source_b"][i],
            "perturbation": meta["perturbation"][i],
            **{k: meta[k][i] for k in ("claim_a", "claim_b", "event_id") if k in meta},  # clusters, --by event
            "folds": fold_names[i],
        }
        for i in range(len(batch))
    ]


def find_existing(runs_root: Path, dataset: str, model_key: str, config_identity: str, fingerprint: str) -> Path | None:
    """A finished run of the same resolved config on the same data, if any (for skip_existing)."""
    from omegaconf import OmegaConf

    from bench.config import identity
    from bench.results import CORE_FILES, RunReadError
    from bench.run_reader import find_runs, read_run

    folder = runs_root / dataset / model_key
    if not folder.is_dir():
        return None
    for run_dir in sorted(find_runs([folder])):
        try:
            result = read_run(run_dir)
        except RunReadError:
            continue  # a corrupt record is not a finished run
        config_file = run_dir / "config.yaml"
        if not all((run_dir / name).is_file() for name in CORE_FILES):
            continue  # e.g. predictions.jsonl deleted: not a finished run, so it is re-run
        if result.dataset.get("full_fingerprint", result.fingerprint) == fingerprint:
            if identity(OmegaConf.load(config_file)) == config_identity and training_data_unchanged(result.protocol):
                return run_dir
    return None


def training_data_unchanged(protocol: Mapping[str, Any]) -> bool:
    """A transfer run only counts as done while the data it was fitted on is unchanged too."""
    from bench.annotations import AnnotationError
    from bench.dataset import DatasetError, load_dataset_config

    train = protocol.get("train_dataset")
    if not isinstance(train, dict):
        return True
    overrides = (protocol.get("config") or {}).get("train_overrides")
    try:
        return load_dataset_config(str(train.get("config")), overrides).fingerprint == train.get("fingerprint")
    except (AnnotationError, DatasetError):
        return False


def execute(cfg: DictConfig, model_key: str, protocol_key: str, config_identity: str, progress: bool = True) -> float:
    """Run `cfg` and write its record; return its MAIN_METRIC (macro-F1)."""
    from omegaconf import OmegaConf

    from bench.clusters import ClusterError
    from bench.config import resolved_mapping
    from bench.degenerate import single_class_problem
    from bench.metrics import MAIN_METRIC
    from bench.models.base import PairBatch
    from bench.models.resolve import ModelNotFoundError
    from bench.protocol import ProtocolError, run_protocol
    from bench.provenance import git_commit, new_run_id, versions
    from bench.results import RunResult, RunWriteError
    from bench.run_reader import read_run
    from bench.run_writer import write_run
    from bench.scoring import ci_widths, score_run

    started = time.perf_counter()
    seed = int(cfg.seed)
    random.seed(seed)
    np.random.seed(seed)
    data = load_dataset_or_fail(resolved_mapping(cfg.dataset))
    runs_root = Path(cfg.paths.results)
    if cfg.get("skip_existing"):
        existing = find_existing(runs_root, data.name, model_key, config_identity, data.fingerprint)
        if existing is not None:
            previous = read_run(existing)
            print(f"skip: {model_key} already has a finished run for this config and data: {existing}")
            return float(previous.metrics[MAIN_METRIC])
    load_s = time.perf_counter() - started

    batch = PairBatch.from_dataset(data.hf)
    problem = single_class_problem(batch.require_labels(), data.name)
    if problem:
        raise RunFailed(problem)
    first = [build_model(cfg.model, model_key)]  # fail fast, with one line, before any fold runs
    built: list[PairClassifier] = []

    def factory() -> PairClassifier:  # the first build is reused as the first fold's model
        model = first.pop() if first else build_model(cfg.model, model_key)
        built.append(model)
        return model

    try:
        predictions = run_protocol(factory, batch,
                                   resolved_mapping(cfg.protocol), seed, progress=progress)
    except ProtocolError as exc:
        raise RunFailed(str(exc)) from None
    except ModelNotFoundError as exc:  # e.g. a hub download that fails mid-run
        raise RunFailed(f"model {model_key!r}: {exc}") from None
    except (ValueError, TypeError) as exc:  # a hyper-parameter the library rejects at fit time
        if os.environ.get("BENCH_DEBUG"):
            raise
        raise RunFailed(f"model {model_key!r} failed: {type(exc).__name__}: {exc} "
                        "(check the model.* overrides; BENCH_DEBUG=1 shows the traceback)") from None

    t0 = time.perf_counter()
    scored = batch if predictions.scored is None else batch.subset(predictions.scored)  # metrics see only these
    gold = scored.require_labels()
    try:
        scores = score_run(gold, predictions.proba, scored.meta, seed=seed, n_boot=int(cfg.bootstrap),
                           unit=str(cfg.get("bootstrap_unit", "auto")), fold_names=predictions.fold_names,
                           protocol=resolved_mapping(cfg.protocol),
                           n_folds=len(predictions.folds))
    except ClusterError as exc:
        raise RunFailed(str(exc)) from None
    metrics, slices = scores.metrics, scores.slices
    for note in scores.notes:
        print(f"note: {note}", file=sys.stderr)
    metrics_s = time.perf_counter() - t0

    resolved = resolved_mapping(cfg)
    result = RunResult(
        run_id=str(cfg.run_id) if cfg.get("run_id") else new_run_id(config_identity[:8]),
        dataset=dataset_record(data, predictions.scored),
        model={"key": model_key, "config": resolved["model"], **model_info(built)},
        protocol={"name": predictions.protocol, "requested": protocol_key, "config": resolved["protocol"],
                  "folds": [vars(f) for f in predictions.folds], "notes": predictions.notes, **predictions.record},
        seed=seed,
        metrics=metrics,
        slices=slices,
        bootstrap=scores.bootstrap,
        timings={"load": load_s, "prepare": predictions.seconds.get("prepare", 0.0),
                 "fit": predictions.seconds["fit"], "predict": predictions.seconds["predict"],
                 "metrics": metrics_s, "total": time.perf_counter() - started},
        versions=versions(),
        git_commit=git_commit(),
    )
    try:
        run_dir = write_run(runs_root, result, prediction_rows(scored, predictions.proba, predictions.fold_names),
                            OmegaConf.to_yaml(cfg, resolve=True))
    except RunWriteError as exc:
        raise RunFailed(f"the run record could not be written: {exc}") from None
    if cfg.get("write_plots", True):
        try:
            from bench.plots import save_run_plots

            save_run_plots(run_dir)
        except Exception as exc:  # plots are derived views; a failure must not lose the record
            print(f"warning: plots for {run_dir} failed: {exc}", file=sys.stderr)
    print(summary_line(model_key, metrics, len(scored), result.timings["total"]))
    print(ci_widths(metrics, scores.bootstrap))
    print(f"record: {run_dir}")
    return float(metrics[MAIN_METRIC])


def dataset_record(data: Any, scored: np.ndarray | None) -> dict[str, Any]:
    """The record's dataset block: fingerprint and n of the scored pairs (what compare pairs runs
    on); when only some pairs are scored (protocol=split), the whole dataset's as full_*."""
    record = {"name": data.name, "fingerprint": data.fingerprint, "n": len(data), "source": data.source}
    if scored is not None:
        record.update(fingerprint=data.subset_fingerprint(scored), n=len(scored),
                      full_fingerprint=data.fingerprint, full_n=len(data))
    return record


def summary_line(model_key: str, metrics: Mapping[str, Any], n: int, seconds: float) -> str:
    ci = metrics.get("macro_f1_ci") or [float("nan"), float("nan")]
    return (f"{model_key:<16} macro-F1 {metrics['macro_f1']:.3f} [{ci[0]:.3f}, {ci[1]:.3f}]  "
            f"acc {metrics['accuracy']:.3f}  n={n}  time {seconds:.1f}s")
