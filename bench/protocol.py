"""Evaluation protocols: how a model gets exactly one probability row per pair of the dataset.

- zero_shot: the model predicts every pair once (fit is never called).
- loso: leave-one-source-out. Fold k trains on pairs that touch neither claim of source k and
  predicts the pairs that touch it; a pair touches two sources, so it is predicted by two folds and
  its row is the mean of the two. With several events the group is the event (leave-one-event-out).
- kfold: stratified k-fold with groups (a group never sits on both sides of a fold).

When leave-one-out cannot run (a flat pair file without a group column, fewer than 3 sources) or
would need more than MAX_LOSO_FOLDS fits, `loso` falls back to a grouped 5-fold split (grouped by
event, source pair, or premise text — a "random grouped split"), says so, and the result records
the protocol that actually ran.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from bench.labels import NUM_LABELS
from bench.models.base import PairBatch, PairClassifier

PROTOCOLS = ("zero_shot", "loso", "kfold")
#: Above this many groups, leave-one-group-out becomes a 5-fold grouped split (one fit per group
#: would be thousands of fits on, e.g., an NLI file grouped by caption).
MAX_LOSO_FOLDS = 50


class ProtocolError(ValueError):
    """A protocol that cannot run on this data or model; the message says what to use instead."""


@dataclass(frozen=True)
class Fold:
    name: str
    train: np.ndarray
    test: np.ndarray


@dataclass
class FoldReport:
    name: str
    n_train: int
    n_test: int
    fit_seconds: float
    predict_seconds: float
    train_classes: list[int]


@dataclass
class Predictions:
    proba: np.ndarray
    protocol: str
    folds: list[FoldReport] = field(default_factory=list)
    fold_names: list[list[str]] = field(default_factory=list)  # per pair: the folds that predicted it
    seconds: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def _column(batch: PairBatch, name: str) -> list[str]:
    if name not in batch.meta:
        raise ProtocolError(f"protocol groups by {name!r}, but the dataset has no such column; "
                            f"available: {', '.join(sorted(batch.meta))}")
    return [str(v) for v in batch.meta[name]]


def loso_folds(batch: PairBatch) -> list[Fold]:
    """One fold per source (or per event when there are several events)."""
    return loso_plan(batch)[1]


def loso_plan(batch: PairBatch) -> tuple[str, list[Fold]]:
    """("event" or "source", the leave-one-group-out folds)."""
    events = _column(batch, "event_id")
    if len({e for e in events if e}) > 1:
        groups = np.asarray(events)
        return "event", [Fold(g, np.flatnonzero(groups != g), np.flatnonzero(groups == g)) for g in sorted(set(events))]
    src_a = np.asarray(_column(batch, "source_a"))
    src_b = np.asarray(_column(batch, "source_b"))
    sources = sorted(set(src_a) | set(src_b))
    folds = []
    for source in sources:
        touches = (src_a == source) | (src_b == source)
        folds.append(Fold(source, np.flatnonzero(~touches), np.flatnonzero(touches)))
    return "source", folds


def kfold_folds(batch: PairBatch, k: int, group_by: str, seed: int) -> list[Fold]:
    """Stratified grouped k-fold (scikit-learn's StratifiedGroupKFold, shuffled with the seed)."""
    from sklearn.model_selection import StratifiedGroupKFold

    labels = batch.require_labels()
    groups, _ = kfold_groups(batch, group_by)
    n_groups = len(set(groups))
    if n_groups < 2:
        raise ProtocolError(f"kfold needs at least 2 groups, but grouping by {group_by!r} gives {n_groups}; "
                            "set protocol.group_by to another column")
    k = min(k, n_groups)
    splitter = StratifiedGroupKFold(n_splits=k, shuffle=True, random_state=seed)
    return [Fold(f"fold{i}", train, test)
            for i, (train, test) in enumerate(splitter.split(np.zeros(len(batch)), labels, groups))]


def kfold_groups(batch: PairBatch, group_by: str) -> tuple[list[str], str]:
    """(group of each pair, what the groups are). `auto`: event if several, else source pair if
    several, else premise text (a random grouped split: pairs sharing a premise stay together)."""
    if group_by != "auto":
        return _column(batch, group_by), group_by
    events = _column(batch, "event_id")
    if len(set(events)) > 1:
        return events, "event"
    pairs = ["|".join(sorted(ab)) for ab in zip(_column(batch, "source_a"), _column(batch, "source_b"))]
    if len(set(pairs)) > 1:
        return pairs, "source pair"
    return _column(batch, "claim_a"), "premise text"


def make_folds(batch: PairBatch, protocol: Mapping[str, Any], seed: int) -> tuple[str, list[Fold], list[str]]:
    """(protocol that will run, its folds, notes for the user)."""
    name = protocol.get("name")
    if name not in PROTOCOLS:
        raise ProtocolError(f"protocol {name!r} is unknown; valid protocols: {', '.join(PROTOCOLS)}")
    if name == "loso":
        grouping, folds = loso_plan(batch)
        minimum = 2 if grouping == "event" else 3  # a source fold trains on pairs touching neither source
        if minimum <= len(folds) <= MAX_LOSO_FOLDS and all(len(f.train) for f in folds):
            return "loso", folds, []
        _, kfold_grouping = kfold_groups(batch, "auto")
        if len(folds) > MAX_LOSO_FOLDS:
            reason = f"leaving out each of {len(folds)} {grouping}s would fit {len(folds)} models (cap {MAX_LOSO_FOLDS})"
        else:
            reason = f"loso needs >= {minimum} {grouping}s with training pairs left, and this data has {len(folds)}"
        note = f"{reason}; ran kfold (k=5) grouped by {kfold_grouping} instead"
        return "kfold", kfold_folds(batch, 5, "auto", seed), [note]
    if name == "kfold":
        return "kfold", kfold_folds(batch, int(protocol.get("k", 5)), str(protocol.get("group_by", "auto")), seed), []
    return "zero_shot", [], []


def run_protocol(
    model_factory: Callable[[], PairClassifier],
    batch: PairBatch,
    protocol: Mapping[str, Any],
    seed: int,
    progress: bool = True,
) -> Predictions:
    """Out-of-fold (or zero-shot) probabilities for every pair, in dataset order."""
    from tqdm.auto import tqdm

    started = time.perf_counter()
    probe = model_factory()
    trainable = bool(getattr(probe, "trainable", True))
    unlabelled = batch.without_labels()
    if not trainable or protocol.get("name") == "zero_shot":
        if trainable:
            raise ProtocolError(f"{type(probe).__name__} must be trained; use protocol=loso or protocol=kfold "
                                "(protocol=zero_shot is for pretrained models)")
        notes = [] if protocol.get("name") == "zero_shot" else [
            f"{type(probe).__name__} is not trained: predicting every pair once (zero_shot) instead of {protocol.get('name')}"]
        t0 = time.perf_counter()
        proba = _check_proba(probe.predict_proba(unlabelled), len(batch), "zero_shot")
        predict_s = time.perf_counter() - t0
        return Predictions(
            proba=proba, protocol="zero_shot",
            folds=[FoldReport("all", 0, len(batch), 0.0, predict_s, [])],
            fold_names=[["all"] for _ in range(len(batch))],
            seconds={"fit": 0.0, "predict": predict_s, "total": time.perf_counter() - started}, notes=notes,
        )

    prepare = getattr(probe, "prepare", None)
    t0 = time.perf_counter()
    if callable(prepare):
        prepare(unlabelled)  # label-free, shared by all folds (see PairClassifier)
    prepare_s = time.perf_counter() - t0

    effective, folds, notes = make_folds(batch, protocol, seed)
    for note in notes:
        print(f"note: {note}", file=sys.stderr)
    total = np.zeros((len(batch), NUM_LABELS))
    count = np.zeros(len(batch))
    fold_names: list[list[str]] = [[] for _ in range(len(batch))]
    reports: list[FoldReport] = []
    labels = batch.require_labels()
    model: PairClassifier | None = probe
    for fold in tqdm(folds, desc=f"{effective} folds", unit="fold", disable=not progress, file=sys.stderr):
        model = model if model is not None else model_factory()
        train = batch.subset(fold.train)
        t0 = time.perf_counter()
        model.fit(train)
        t1 = time.perf_counter()
        proba = _check_proba(model.predict_proba(unlabelled.subset(fold.test)), len(fold.test), fold.name)
        t2 = time.perf_counter()
        total[fold.test] += proba
        count[fold.test] += 1
        for i in fold.test:
            fold_names[i].append(fold.name)
        reports.append(FoldReport(fold.name, len(fold.train), len(fold.test), t1 - t0, t2 - t1,
                                  sorted({int(c) for c in labels[fold.train]})))
        model = None  # a fresh model per fold: nothing learnt on one fold leaks into the next
    if (count == 0).any():
        missing = int((count == 0).sum())
        raise ProtocolError(f"{missing} pair(s) were predicted by no fold under {effective}; this is a bug in the folds")
    proba = total / count[:, None]
    return Predictions(
        proba=proba, protocol=effective, folds=reports, fold_names=fold_names,
        seconds={"prepare": prepare_s, "fit": sum(r.fit_seconds for r in reports),
                 "predict": sum(r.predict_seconds for r in reports), "total": time.perf_counter() - started},
        notes=notes,
    )


def _check_proba(proba: Any, n: int, where: str) -> np.ndarray:
    """A model's output must be (n, 3), finite, rows summing to 1: anything else is a model bug."""
    array = np.asarray(proba, dtype=np.float64)
    if array.shape != (n, NUM_LABELS):
        raise ProtocolError(f"model returned shape {array.shape} on {where}; expected ({n}, {NUM_LABELS})")
    if not np.isfinite(array).all() or not np.allclose(array.sum(axis=1), 1.0, atol=1e-4):
        raise ProtocolError(f"model returned rows that are not probabilities on {where} (non-finite or not summing to 1)")
    return array
