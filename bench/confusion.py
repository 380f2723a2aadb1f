"""Counts and scores of a 3x3 confusion matrix, vectorised over leading (bootstrap) axes.

Every headline score is a function of the confusion matrix, so a bootstrap replicate is a
confusion matrix drawn from a multinomial (see `bench.metrics`), and one (n_boot, 3, 3) array
scores all replicates at once. Shared by run metrics and by the paired tests of `bench.compare`.
"""

from __future__ import annotations

import numpy as np

from bench.labels import NUM_LABELS

CI_LEVEL = 0.95


def confusion_matrix(gold: np.ndarray, pred: np.ndarray) -> np.ndarray:
    """3x3 int64 counts, rows gold, columns predicted, in LABELS order (always 3x3)."""
    cells = np.asarray(gold, dtype=np.int64) * NUM_LABELS + np.asarray(pred, dtype=np.int64)
    return np.bincount(cells, minlength=NUM_LABELS * NUM_LABELS).reshape(NUM_LABELS, NUM_LABELS)


def bootstrap_counts(counts: np.ndarray, n_boot: int, rng: np.random.Generator) -> np.ndarray:
    """Bootstrap replicates of a table of item counts: shape (n_boot, *counts.shape).

    Resampling the n items with replacement makes the cell counts Multinomial(n, counts / n);
    drawing those directly is the same bootstrap without materialising resampled indices.
    """
    flat = np.asarray(counts, dtype=np.int64).ravel()
    n = int(flat.sum())
    draws = rng.multinomial(n, flat / n, size=n_boot)
    return draws.reshape((n_boot, *np.shape(counts)))


def bootstrap_cells(cells: np.ndarray, n_cells: int, n_boot: int, rng: np.random.Generator,
                    clusters: np.ndarray | None = None) -> np.ndarray:
    """(n_boot, n_cells) cell counts of bootstrap replicates of items with the given cell ids.

    Without `clusters`, items are resampled one by one (the multinomial draw of bootstrap_counts).
    With `clusters` (any id per item), the G distinct clusters are drawn with replacement and each
    brings all its items: replicate = (times each cluster was drawn) @ (cell counts per cluster).
    The replicate size then varies with the clusters drawn, as it should.
    """
    cells = np.asarray(cells, dtype=np.int64)
    if clusters is None:
        return bootstrap_counts(np.bincount(cells, minlength=n_cells), n_boot, rng)
    _, ids = np.unique(np.asarray(clusters), return_inverse=True)  # a subset's ids, made 0..G-1
    ids = ids.ravel()
    n_groups = int(ids.max()) + 1 if ids.size else 0
    per_cluster = np.zeros((n_groups, n_cells), dtype=np.float64)
    np.add.at(per_cluster, (ids, cells), 1.0)
    out = np.empty((n_boot, n_cells), dtype=np.int64)
    step = max(1, 2_000_000 // max(n_groups, 1))  # bound the (chunk, G) draw matrix to ~16 MB
    for start in range(0, n_boot, step):
        size = min(step, n_boot - start)
        # times each cluster is drawn: bincount of G uniform draws per replicate (a Multinomial,
        # ~7x faster than rng.multinomial over many categories)
        picks = rng.integers(0, n_groups, size=(size, n_groups)) + n_groups * np.arange(size)[:, None]
        draws = np.bincount(picks.ravel(), minlength=size * n_groups).reshape(size, n_groups)
        out[start:start + size] = np.rint(draws @ per_cluster).astype(np.int64)
    return out


def percentile_ci(values: np.ndarray, level: float = CI_LEVEL) -> list[float] | None:
    """Percentile interval of bootstrap replicates; NaN replicates (undefined) are dropped."""
    v = np.asarray(values, dtype=np.float64)
    v = v[np.isfinite(v)]
    if v.size == 0:
        return None
    tail = (1.0 - level) / 2.0 * 100.0
    lo, hi = np.percentile(v, [tail, 100.0 - tail])
    return [float(lo), float(hi)]


def _diag(conf: np.ndarray) -> np.ndarray:
    return np.diagonal(conf, axis1=-2, axis2=-1)


def per_class_f1(conf: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(F1 per class, present mask). F1 = 2TP / (2TP + FP + FN); absent classes get 0, present=False."""
    conf = np.asarray(conf, dtype=np.float64)
    tp = _diag(conf)
    denom = conf.sum(axis=-1) + conf.sum(axis=-2)  # support + predicted = 2TP + FP + FN
    present = denom > 0
    f1 = np.divide(2.0 * tp, denom, out=np.zeros_like(tp), where=present)
    return f1, present


def _mean_where(values: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Mean of `values` over the last axis where `mask` holds; NaN where it holds nowhere."""
    k = mask.sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(k > 0, (values * mask).sum(axis=-1) / np.maximum(k, 1), np.nan)


def macro_f1_from_confusion(conf: np.ndarray) -> np.ndarray:
    """Macro-F1 over the classes occurring in gold or predictions (sklearn's average='macro')."""
    f1, present = per_class_f1(conf)
    return _mean_where(f1, present)


def accuracy_from_confusion(conf: np.ndarray) -> np.ndarray:
    conf = np.asarray(conf, dtype=np.float64)
    total = conf.sum(axis=(-2, -1))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, _diag(conf).sum(axis=-1) / np.maximum(total, 1), np.nan)


def balanced_accuracy_from_confusion(conf: np.ndarray) -> np.ndarray:
    """Mean recall over the classes present in gold (sklearn's balanced_accuracy_score)."""
    conf = np.asarray(conf, dtype=np.float64)
    support = conf.sum(axis=-1)
    has = support > 0
    recall = np.divide(_diag(conf), support, out=np.zeros_like(support), where=has)
    return _mean_where(recall, has)


def kappa_from_confusion(conf: np.ndarray) -> np.ndarray:
    """Cohen's kappa of predictions vs gold; NaN when chance agreement is 1 (0/0)."""
    conf = np.asarray(conf, dtype=np.float64)
    total = conf.sum(axis=(-2, -1))
    safe = np.maximum(total, 1)
    po = _diag(conf).sum(axis=-1) / safe
    pe = (conf.sum(axis=-1) * conf.sum(axis=-2)).sum(axis=-1) / safe**2
    denom = 1.0 - pe
    ok = (total > 0) & (np.abs(denom) > 1e-12)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(ok, (po - pe) / np.where(ok, denom, 1.0), np.nan)
