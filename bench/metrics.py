"""Scores of one prediction matrix against gold labels, with bootstrap confidence intervals.

Every score here is a function of the 3x3 confusion matrix (except the contradiction ROC-AUC,
which needs the probability column). That is what makes the bootstrap cheap: resampling n items
with replacement gives confusion-cell counts that are exactly Multinomial(n, cell shares), so we
draw `n_boot` confusion matrices directly (an (n_boot, 9) array) instead of an (n_boot, n) index
matrix. The distribution is identical to resampling items; it costs O(n_boot) instead of
O(n_boot * n) and handles 100k items in milliseconds. The same functions, vectorised over a leading
axis, serve `bench.compare` for the paired bootstrap.

Conventions (those of scikit-learn, so the numbers match `sklearn.metrics`):
- predicted label = argmax of the probability row; ties go to the lowest class id;
- per-class precision is 0 when a class is never predicted, recall is 0 when it has no gold items;
  a class absent from both gold and predictions has precision/recall/F1 `None` (undefined);
- macro-F1 averages F1 over the classes that occur in gold or predictions (sklearn's default
  `average="macro"` without `labels=`), so a slice lacking a class is not punished with a 0 for it;
- balanced accuracy averages recall over the classes present in gold;
- Cohen's kappa and the contradiction scores are `None` where they are undefined (0/0).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from bench.confusion import (
    CI_LEVEL,
    accuracy_from_confusion,
    balanced_accuracy_from_confusion,
    bootstrap_cells,
    confusion_matrix,
    kappa_from_confusion,
    macro_f1_from_confusion,
    per_class_f1,
    percentile_ci,
)
from bench.labels import LABEL_NAMES, NUM_LABELS, Label

CONTRADICTS = Label.CONTRADICTS.class_id


# --------------------------------------------------------------------------------------------
# Input checks and basic building blocks
# --------------------------------------------------------------------------------------------


def check_inputs(gold: Any, proba: Any) -> tuple[np.ndarray, np.ndarray]:
    """Return (gold as int64 (n,), proba as float64 (n, 3)); raise ValueError naming the problem."""
    g = np.asarray(gold)
    p = np.asarray(proba, dtype=np.float64)
    if g.ndim != 1:
        raise ValueError(f"gold must be a 1-d array of class ids, got shape {g.shape}")
    if g.size and not np.issubdtype(g.dtype, np.integer):
        if np.issubdtype(g.dtype, np.floating) and np.all(np.mod(g, 1) == 0):
            g = g.astype(np.int64)
        else:
            raise ValueError(
                f"gold must hold integer class ids 0..{NUM_LABELS - 1} "
                f"({', '.join(LABEL_NAMES)}), got dtype {g.dtype}"
            )
    g = g.astype(np.int64, copy=False)
    if p.ndim != 2 or p.shape[1] != NUM_LABELS:
        raise ValueError(
            f"proba must have shape (n, {NUM_LABELS}) with columns {', '.join(LABEL_NAMES)}, "
            f"got {p.shape}"
        )
    if p.shape[0] != g.shape[0]:
        raise ValueError(f"gold has {g.shape[0]} items but proba has {p.shape[0]} rows")
    if g.shape[0] == 0:
        raise ValueError("no items to score (gold is empty)")
    bad = (g < 0) | (g >= NUM_LABELS)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"gold[{i}] = {int(g[i])} is not a class id; valid ids are 0..{NUM_LABELS - 1} "
            f"({', '.join(LABEL_NAMES)})"
        )
    if not np.all(np.isfinite(p)):
        i = int(np.flatnonzero(~np.isfinite(p).all(axis=1))[0])
        raise ValueError(f"proba row {i} is not finite: {p[i].tolist()}")
    return g, p


def predicted_labels(proba: np.ndarray) -> np.ndarray:
    """Argmax of each row; np.argmax returns the first maximum, i.e. ties -> lowest class id."""
    return np.asarray(proba).argmax(axis=1).astype(np.int64)


@dataclass(frozen=True)
class MetricSpec:
    """One score: its key in a record, how it is computed, its direction and its display label.

    `from_confusion` scores (..., 3, 3) confusion counts, so every spec serves the run's value,
    its bootstrap CI and the paired tests of `bench compare` alike.
    """

    name: str
    label: str
    from_confusion: Callable[[np.ndarray], np.ndarray]
    higher_is_better: bool = True


#: The scores a table can be sorted and tested on, by record key.
METRICS: dict[str, MetricSpec] = {spec.name: spec for spec in (
    MetricSpec("macro_f1", "macro-F1", macro_f1_from_confusion),
    MetricSpec("accuracy", "accuracy", accuracy_from_confusion),
    MetricSpec("balanced_accuracy", "balanced accuracy", balanced_accuracy_from_confusion),
    MetricSpec("kappa", "kappa", kappa_from_confusion),
)}
#: The headline score: what a run returns, what tables sort by unless told otherwise.
MAIN_METRIC = "macro_f1"


def _opt(x: Any) -> float | None:
    """A float, or None for NaN (JSON has no NaN; None reads as 'undefined')."""
    x = float(x)
    return None if not np.isfinite(x) else x


def roc_auc(y_true: np.ndarray, score: np.ndarray) -> float | None:
    """Binary ROC-AUC via the Mann-Whitney rank statistic (ties get average ranks).

    Equal to sklearn.metrics.roc_auc_score; None when only one class is present.
    """
    y = np.asarray(y_true, dtype=bool)
    n_pos = int(y.sum())
    n_neg = int(y.size - n_pos)
    if n_pos == 0 or n_neg == 0:
        return None
    _, inverse, counts = np.unique(np.asarray(score, dtype=np.float64), return_inverse=True,
                                   return_counts=True)
    upper = np.cumsum(counts)
    avg_rank = upper - (counts - 1) / 2.0  # 1-based average rank of each tie group
    ranks = avg_rank[inverse.ravel()]
    u = ranks[y].sum() - n_pos * (n_pos + 1) / 2.0
    return float(u / (n_pos * n_neg))


# --------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------


def compute_metrics(
    gold: Any, proba: Any, seed: int, n_boot: int = 1000, pred: Any | None = None,
    clusters: Any | None = None, unit: str = "pair",
) -> dict[str, Any]:
    """All scores of one run (or one slice), JSON-ready (plain floats/ints/lists, None = undefined).

    Keys: accuracy, accuracy_ci, macro_f1 (the main score), macro_f1_ci, per_class
    {label: {precision, recall, f1, f1_ci, support}}, kappa, balanced_accuracy, confusion (3x3,
    rows gold, columns predicted), contradiction {roc_auc, balanced_accuracy} (contradicts vs
    rest), n, bootstrap {n_boot, seed, level, method, unit, clusters}. CIs are 95% percentile
    intervals, `None` when n_boot is 0. Deterministic given `seed`.

    `clusters` (one id per item, see bench.clusters) makes the bootstrap resample whole clusters
    of the named `unit`; None resamples items one by one (unit "pair").

    `pred` (optional class ids) overrides argmax(proba): compare passes the labels a run recorded,
    since probabilities stored rounded can tie where the unrounded ones did not.
    """
    g, p = check_inputs(gold, proba)
    if n_boot < 0:
        raise ValueError(f"n_boot must be >= 0, got {n_boot}")
    if pred is None:
        pred = predicted_labels(p)
    else:
        pred = np.asarray(pred, dtype=np.int64)
        if pred.shape != g.shape or ((pred < 0) | (pred >= NUM_LABELS)).any():
            raise ValueError(f"pred must hold {g.shape[0]} class ids in 0..{NUM_LABELS - 1}")
    conf = confusion_matrix(g, pred)
    n = int(g.shape[0])

    f1, present = per_class_f1(conf)
    tp = np.diagonal(conf).astype(np.float64)
    support = conf.sum(axis=1)
    predicted = conf.sum(axis=0)

    boot_ci: dict[str, Any] = {"macro_f1": None, "accuracy": None}
    f1_ci: list[list[float] | None] = [None] * NUM_LABELS
    if n_boot > 0:
        rng = np.random.default_rng(seed)
        cells = g * NUM_LABELS + pred
        boots = bootstrap_cells(cells, NUM_LABELS * NUM_LABELS, n_boot, rng, clusters).reshape(
            n_boot, NUM_LABELS, NUM_LABELS)
        boot_ci["macro_f1"] = percentile_ci(macro_f1_from_confusion(boots))
        boot_ci["accuracy"] = percentile_ci(accuracy_from_confusion(boots))
        bf1, bpresent = per_class_f1(boots)
        for c in range(NUM_LABELS):
            if present[c]:
                f1_ci[c] = percentile_ci(np.where(bpresent[:, c], bf1[:, c], np.nan))

    per_class: dict[str, dict[str, Any]] = {}
    for c, name in enumerate(LABEL_NAMES):
        if not present[c]:
            per_class[name] = {"precision": None, "recall": None, "f1": None, "f1_ci": None,
                               "support": 0}
            continue
        per_class[name] = {
            "precision": float(tp[c] / predicted[c]) if predicted[c] else 0.0,
            "recall": float(tp[c] / support[c]) if support[c] else 0.0,
            "f1": float(f1[c]),
            "f1_ci": f1_ci[c],
            "support": int(support[c]),
        }

    is_contra = g == CONTRADICTS
    pred_contra = pred == CONTRADICTS
    if is_contra.all() or not is_contra.any():
        contra_bal = None
    else:
        tpr = float((pred_contra & is_contra).sum() / is_contra.sum())
        tnr = float((~pred_contra & ~is_contra).sum() / (~is_contra).sum())
        contra_bal = (tpr + tnr) / 2.0

    return {
        "n": n,
        "accuracy": float(accuracy_from_confusion(conf)),
        "accuracy_ci": boot_ci["accuracy"],
        "macro_f1": float(macro_f1_from_confusion(conf)),
        "macro_f1_ci": boot_ci["macro_f1"],
        "per_class": per_class,
        "kappa": _opt(kappa_from_confusion(conf)),
        "balanced_accuracy": float(balanced_accuracy_from_confusion(conf)),
        "confusion": conf.astype(int).tolist(),
        "contradiction": {
            "roc_auc": roc_auc(is_contra, p[:, CONTRADICTS]),
            "balanced_accuracy": contra_bal,
        },
        "bootstrap": {
            "n_boot": int(n_boot),
            "seed": int(seed),
            "level": CI_LEVEL,
            "method": "percentile; items resampled with replacement" if clusters is None
            else f"percentile; {unit} clusters resampled with replacement",
            "unit": "pair" if clusters is None else unit,
            "clusters": n if clusters is None else int(np.unique(np.asarray(clusters)).size),
        },
    }


def group_indices(values: Sequence[Any]) -> dict[str, np.ndarray]:
    """Map each distinct value (as str, sorted) to the indices where it occurs; one pass, O(n log n)."""
    keys = np.asarray(["" if v is None else str(v) for v in values], dtype=object)
    if keys.size == 0:
        return {}
    uniq, inverse = np.unique(keys.astype(str), return_inverse=True)
    order = np.argsort(inverse, kind="stable")
    bounds = np.cumsum(np.bincount(inverse, minlength=len(uniq)))[:-1]
    return {str(u): idx for u, idx in zip(uniq, np.split(order, bounds), strict=True)}


def _slice_unit(unit: str, clusters: Any | None, within_event: tuple[str, Any] | None,
                idx: np.ndarray) -> tuple[str, Any | None]:
    if within_event is not None and clusters is not None and np.unique(np.asarray(clusters)[idx]).size < 2:
        return within_event
    return unit, clusters


def slice_metrics(
    gold: Any,
    proba: Any,
    slices: Mapping[str, Sequence[Any]],
    seed: int,
    n_boot: int = 1000,
    clusters: Any | None = None,
    unit: str = "pair",
    within_event: tuple[str, Any] | None = None,
) -> dict[str, dict[str, dict[str, Any]]]:
    """compute_metrics on each value of each slicing column: {slice_name: {value: metrics}}.

    `slices` maps a slice name (e.g. "origin") to one value per item (same order as gold);
    values are compared as strings (None -> ""). Each slice uses the same seed, so its numbers do
    not depend on which other slices were requested. `clusters`/`unit` as in compute_metrics;
    `within_event` = (unit, clusters) replaces them for a slice that falls inside a single cluster
    (event clusters, a slice of one event), whose interval would otherwise have zero width.
    """
    g, p = check_inputs(gold, proba)
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for name, values in slices.items():
        if len(values) != g.shape[0]:
            raise ValueError(
                f"slice {name!r} has {len(values)} values but there are {g.shape[0]} items"
            )
        out[name] = {
            value: compute_metrics(g[idx], p[idx], seed=seed, n_boot=n_boot, unit=s_unit,
                                   clusters=None if s_clusters is None else np.asarray(s_clusters)[idx])
            for value, idx in group_indices(values).items()
            for s_unit, s_clusters in [_slice_unit(unit, clusters, within_event, idx)]
        }
    return out
