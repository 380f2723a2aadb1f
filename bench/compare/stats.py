"""Paired tests of two runs on the same items: pure numpy, no I/O.

- paired bootstrap of the metric difference (run - reference): 95% percentile CI and a two-sided
  p-value, p = min(1, 2 * min(#{d <= 0} + 1, #{d >= 0} + 1) / (B + 1)); with cluster ids
  (bench.clusters) whole clusters are resampled, both runs' predictions of a cluster together;
- McNemar's exact test on correctness (binomial test on the discordant pairs, p0 = 1/2); it
  treats pairs as independent, so it is optimistic when pairs are clustered (`render` says so);
- Holm's step-down correction across the rows of one table, separately for each test.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from bench.confusion import bootstrap_cells, percentile_ci
from bench.labels import NUM_LABELS
from bench.metrics import METRICS


@dataclass(frozen=True)
class PairedStats:
    delta: float | None  # metric(run) - metric(reference)
    delta_ci: list[float] | None
    p_boot: float | None
    p_mcnemar: float
    b: int  # reference right, run wrong
    c: int  # reference wrong, run right


def mcnemar_exact(b: int, c: int) -> float:
    """Two-sided exact McNemar p-value: binomial test of min(b, c) of b + c at p = 1/2."""
    n = b + c
    if n == 0:
        return 1.0
    # P(X <= k) for X ~ Binomial(n, 1/2), summed in log space (exact to ~1e-12 even for
    # n = 1e5; avoids importing scipy.stats, ~1 s, in every `bench compare`).
    k = min(b, c)
    i = np.arange(1, k + 1, dtype=np.float64)
    log_choose = np.concatenate(([0.0], np.cumsum(np.log(n - i + 1) - np.log(i))))
    log_pmf = log_choose - n * math.log(2.0)
    top = float(log_pmf.max())
    cdf = math.exp(top) * float(np.exp(log_pmf - top).sum())
    return float(min(1.0, 2.0 * cdf))


def bootstrap_p_value(diffs: np.ndarray) -> float | None:
    """Two-sided p-value that the bootstrap distribution of a difference is centred off 0.

    The (+1)/(B+1) form never returns 0 from a finite number of resamples.
    """
    d = np.asarray(diffs, dtype=np.float64)
    d = d[np.isfinite(d)]
    if d.size == 0:
        return None
    le = (np.count_nonzero(d <= 0) + 1) / (d.size + 1)
    ge = (np.count_nonzero(d >= 0) + 1) / (d.size + 1)
    return float(min(1.0, 2.0 * min(le, ge)))


def paired_stats(
    gold: np.ndarray, pred_ref: np.ndarray, pred_run: np.ndarray, metric: str,
    n_boot: int, seed: int, clusters: np.ndarray | None = None,
) -> PairedStats:
    """Paired bootstrap of metric(run) - metric(ref) and McNemar's exact test on the same items.

    Items are resampled jointly; since both metrics are functions of the (gold, ref, run) cell
    counts, a resample is a Multinomial draw over the 27 cells (see bench.metrics), or with
    `clusters`, a draw of whole clusters (bench.confusion.bootstrap_cells).
    """
    fn = METRICS[metric].from_confusion
    k = NUM_LABELS
    cells = (np.asarray(gold) * k + np.asarray(pred_ref)) * k + np.asarray(pred_run)
    joint = np.bincount(cells, minlength=k**3).reshape(k, k, k)
    point = float(fn(joint.sum(axis=1)) - fn(joint.sum(axis=2)))  # [gold, ref, run]
    delta = None if not math.isfinite(point) else point
    ci = p_boot = None
    if n_boot > 0:
        boots = bootstrap_cells(cells, k**3, n_boot, np.random.default_rng(seed), clusters).reshape(
            n_boot, k, k, k)
        diffs = fn(boots.sum(axis=2)) - fn(boots.sum(axis=3))
        ci = percentile_ci(diffs)
        p_boot = bootstrap_p_value(diffs)
    ref_ok = pred_ref == gold
    run_ok = pred_run == gold
    b = int(np.count_nonzero(ref_ok & ~run_ok))
    c = int(np.count_nonzero(~ref_ok & run_ok))
    return PairedStats(delta, ci, p_boot, mcnemar_exact(b, c), b, c)


def holm(pvalues: Sequence[float | None]) -> list[float | None]:
    """Holm step-down adjusted p-values (None entries are left out of the family)."""
    idx = [i for i, p in enumerate(pvalues) if p is not None]
    m = len(idx)
    out: list[float | None] = [None] * len(pvalues)
    running = 0.0
    for rank, i in enumerate(sorted(idx, key=lambda j: (pvalues[j], j))):
        p = pvalues[i]
        assert p is not None
        running = max(running, min(1.0, (m - rank) * p))
        out[i] = running
    return out
