"""Data on which scores mean less than they seem: one gold class, one-class test folds, undefined
metrics, fewer pairs than folds. A one-class dataset stops the run (a constant predictor would score
macro-F1 1.000 [1.000, 1.000]); the rest become notes in the record and on the terminal.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from bench.labels import LABEL_NAMES, NUM_LABELS


def label_counts(gold: np.ndarray) -> str:
    """'entails: 3, contradicts: 0, unrelated: 9' for gold class ids."""
    counts = np.bincount(np.asarray(gold, dtype=np.int64), minlength=NUM_LABELS)
    return ", ".join(f"{name}: {int(c)}" for name, c in zip(LABEL_NAMES, counts, strict=True))


def single_class_problem(gold: np.ndarray, dataset: str) -> str | None:
    """One line when every gold label is the same class (the run must not be scored), else None."""
    if len(np.unique(np.asarray(gold))) > 1:
        return None
    return (f"dataset {dataset!r} has a single gold class ({label_counts(gold)}): every score would "
            "be trivially perfect or undefined; add pairs of the other classes or check dataset.label_map")


def fold_notes(gold: np.ndarray, fold_names: Sequence[Sequence[str]]) -> list[str]:
    """A note per fold whose test side holds one gold class (its per-fold scores are degenerate)."""
    members: dict[str, list[int]] = {}
    for i, names in enumerate(fold_names):
        for name in names:
            members.setdefault(name, []).append(i)
    notes = []
    for name, idx in members.items():
        classes = np.unique(np.asarray(gold)[idx])
        if len(idx) and len(classes) == 1:
            notes.append(f"fold {name}: its {len(idx)} test pair(s) are all {LABEL_NAMES[int(classes[0])]}")
    return notes


def metric_notes(metrics: Mapping[str, Any]) -> list[str]:
    """A note per headline score that is undefined (None) on this data."""
    notes = []
    if metrics.get("kappa") is None:
        notes.append("kappa is undefined (chance agreement is 1: one class in gold and predictions)")
    contra = metrics.get("contradiction") or {}
    if contra.get("roc_auc") is None:
        notes.append("contradiction ROC-AUC is undefined (gold has no contradicts pair, or only those)")
    return notes


def folds_notes(n_pairs: int, protocol: Mapping[str, Any], n_folds: int) -> list[str]:
    """A note when kfold asked for more folds than there are pairs (it ran fewer)."""
    asked = protocol.get("k")
    if protocol.get("name") == "kfold" and isinstance(asked, int) and n_pairs < asked:
        return [f"protocol asked for k={asked} folds but the data has {n_pairs} pairs; ran {n_folds} fold(s)"]
    return []
