"""Run a model under a protocol: exactly one probability row per scored pair of the dataset.

The protocol object comes from its config through `_target_` (`protocol_from_config`); a bare
`{"name": ...}` mapping reads `configs/protocol/<name>.yaml` first, so the config folder stays the
only registry. Fits never see the pairs they predict (the folds say which is which).
"""

from __future__ import annotations

import inspect
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from bench.labels import NUM_LABELS
from bench.models.base import PairBatch, PairClassifier
from bench.protocol.folds import Fold, ProtocolError

if TYPE_CHECKING:  # pragma: no cover
    from bench.protocol.kinds import Plan


@dataclass
class FoldReport:
    name: str
    n_train: int
    n_test: int
    fit_seconds: float
    predict_seconds: float
    train_classes: list[int]
    n_dev: int = 0
    dev_used: bool = False  # the model's fit took the dev rows (protocol=split)


@dataclass
class Predictions:
    """`proba` and `fold_names` have one row per scored pair: `scored` gives their dataset indices
    (every pair for all protocols but `split`); `record` holds protocol fields for the run record."""

    proba: np.ndarray
    protocol: str
    folds: list[FoldReport] = field(default_factory=list)
    fold_names: list[list[str]] = field(default_factory=list)  # per scored pair: the folds that predicted it
    seconds: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    scored: np.ndarray | None = None
    record: dict[str, Any] = field(default_factory=dict)


def protocol_from_config(protocol: Any) -> Any:
    """The protocol object a `configs/protocol/*.yaml` mapping describes (built via `_target_`)."""
    from hydra.utils import instantiate
    from omegaconf import OmegaConf

    from bench.config import CONFIG_DIR, choices

    if hasattr(protocol, "plan"):
        return protocol
    cfg = dict(protocol)
    if "_target_" not in cfg:
        name = cfg.get("name")
        if name not in choices("protocol"):
            raise ProtocolError(f"protocol {name!r} is unknown; valid protocols: {', '.join(choices('protocol'))}")
        cfg = {**OmegaConf.to_container(OmegaConf.load(CONFIG_DIR / "protocol" / f"{name}.yaml"),  # type: ignore[dict-item]
                                        resolve=True), **cfg}
    return instantiate(cfg, _convert_="all")


def run_protocol(
    model_factory: Callable[[], PairClassifier],
    batch: PairBatch,
    protocol: Mapping[str, Any] | Any,
    seed: int,
    progress: bool = True,
) -> Predictions:
    """Out-of-fold (or zero-shot) probabilities for every scored pair, in dataset order."""
    from bench.progress import progress_bar

    started = time.perf_counter()
    kind = protocol_from_config(protocol)
    probe = model_factory()
    trainable = bool(getattr(probe, "trainable", True))
    if trainable and not kind.fits:
        raise ProtocolError(f"{type(probe).__name__} must be trained; use protocol=loso or protocol=kfold "
                            "(protocol=zero_shot is for pretrained models)")
    unlabelled = batch.without_labels()
    if not trainable or not kind.fits:  # folds are not needed (nor built: they may not exist here)
        subset = getattr(kind, "scored_rows", None)
        scored = None if subset is None else subset(batch)
        rows = np.arange(len(batch)) if scored is None else scored
        notes = [] if not kind.fits else [f"{type(probe).__name__} is not trained: predicting every scored "
                                          f"pair once (zero_shot) instead of {kind.name}"]
        t0 = time.perf_counter()
        proba = _check_proba(probe.predict_proba(unlabelled.subset(rows)), len(rows), "zero_shot")
        predict_s = time.perf_counter() - t0
        return Predictions(
            proba=proba, protocol="zero_shot",
            folds=[FoldReport("all", 0, len(rows), 0.0, predict_s, [])],
            fold_names=[["all"] for _ in range(len(rows))],
            seconds={"fit": 0.0, "predict": predict_s, "total": time.perf_counter() - started}, notes=notes,
            scored=scored,
        )

    plan: Plan = kind.plan(batch, seed)
    scored = np.arange(len(batch)) if plan.scored is None else np.asarray(plan.scored, dtype=np.int64)
    prepare = getattr(probe, "prepare", None)
    t0 = time.perf_counter()
    if callable(prepare):
        prepare(unlabelled)  # label-free, shared by all folds (see PairClassifier)
    prepare_s = time.perf_counter() - t0

    for note in plan.notes:
        print(f"note: {note}", file=sys.stderr)
    train_source = batch if plan.train_batch is None else plan.train_batch
    total = np.zeros((len(batch), NUM_LABELS))
    count = np.zeros(len(batch))
    fold_names: list[list[str]] = [[] for _ in range(len(batch))]
    reports: list[FoldReport] = []
    labels = train_source.require_labels()
    model: PairClassifier | None = probe
    for fold in progress_bar(len(plan.folds), desc=f"{plan.protocol} folds", unit="fold", enabled=progress,
                             iterable=plan.folds):
        model = model if model is not None else model_factory()
        t0 = time.perf_counter()
        dev_used = _fit(model, train_source, fold)
        t1 = time.perf_counter()
        proba = _check_proba(model.predict_proba(unlabelled.subset(fold.test)), len(fold.test), fold.name)
        t2 = time.perf_counter()
        total[fold.test] += proba
        count[fold.test] += 1
        for i in fold.test:
            fold_names[i].append(fold.name)
        reports.append(FoldReport(fold.name, len(fold.train), len(fold.test), t1 - t0, t2 - t1,
                                  sorted({int(c) for c in labels[fold.train]}),
                                  0 if fold.dev is None else len(fold.dev), dev_used))
        model = None  # a fresh model per fold: nothing learnt on one fold leaks into the next
    if (count[scored] == 0).any():
        missing = int((count[scored] == 0).sum())
        raise ProtocolError(f"{missing} pair(s) were predicted by no fold under {plan.protocol}; this is a bug in the folds")
    return Predictions(
        proba=total[scored] / count[scored, None], protocol=plan.protocol, folds=reports,
        fold_names=[fold_names[i] for i in scored],
        seconds={"prepare": prepare_s, "fit": sum(r.fit_seconds for r in reports),
                 "predict": sum(r.predict_seconds for r in reports), "total": time.perf_counter() - started},
        notes=plan.notes, scored=None if plan.scored is None else scored, record=plan.record,
    )


def _fit(model: PairClassifier, source: PairBatch, fold: Fold) -> bool:
    """fit on the fold's training rows; dev rows go only to a model whose fit takes `dev=`
    (True then). No model is ever fitted on the rows it predicts."""
    train = source.subset(fold.train)
    if fold.dev is not None and "dev" in inspect.signature(model.fit).parameters:
        model.fit(train, dev=source.subset(fold.dev))  # type: ignore[call-arg]
        return True
    model.fit(train)
    return False


def _check_proba(proba: Any, n: int, where: str) -> np.ndarray:
    """A model's output must be (n, 3), finite, rows summing to 1: anything else is a model bug."""
    array = np.asarray(proba, dtype=np.float64)
    if array.shape != (n, NUM_LABELS):
        raise ProtocolError(f"model returned shape {array.shape} on {where}; expected ({n}, {NUM_LABELS})")
    if not np.isfinite(array).all() or not np.allclose(array.sum(axis=1), 1.0, atol=1e-4):
        raise ProtocolError(f"model returned rows that are not probabilities on {where} (non-finite or not summing to 1)")
    return array
