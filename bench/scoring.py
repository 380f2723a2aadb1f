"""A run's predictions -> its metrics, slices, bootstrap record and data notes.

The CIs resample the clusters of `bootstrap_unit` (bench.clusters); when that is not the pair, the
iid (pair) interval of macro-F1 and accuracy is recorded beside it, so a reader sees how much the
dependence between pairs widens the interval.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from bench.clusters import cluster_ids
from bench.degenerate import fold_notes, folds_notes, metric_notes
from bench.metrics import compute_metrics, slice_metrics
from bench.slices import item_slices


@dataclass
class Scores:
    metrics: dict[str, Any]
    slices: dict[str, Any]
    bootstrap: dict[str, Any]  # {unit, requested, clusters, resamples, pair_unit_ci}
    notes: list[str]


def score_run(gold: np.ndarray, proba: np.ndarray, meta: Mapping[str, Sequence[Any]], *, seed: int,
              n_boot: int, unit: str, fold_names: Sequence[Sequence[str]], protocol: Mapping[str, Any],
              n_folds: int) -> Scores:
    """Score one run; ClusterError (a ValueError) if `unit` is unknown or lacks its columns."""
    concrete, ids = cluster_ids(unit, meta)
    clusters = None if concrete == "pair" else ids
    metrics = compute_metrics(gold, proba, seed=seed, n_boot=n_boot, clusters=clusters, unit=concrete)
    within: tuple[str, Any] | None = None
    if unit == "auto" and concrete == "event":  # a slice inside one event (seed's pairs in `all`): its own unit
        inner, inner_ids = cluster_ids("hypothesis", meta)
        within = (inner, inner_ids)
    slices = slice_metrics(gold, proba, item_slices(meta), seed=seed, n_boot=n_boot, clusters=clusters,
                           unit=concrete, within_event=within)
    bootstrap: dict[str, Any] = {"unit": concrete, "requested": unit, "clusters": metrics["bootstrap"]["clusters"],
                                 "resamples": n_boot, "pair_unit_ci": None}
    if clusters is not None and n_boot > 0:
        iid = compute_metrics(gold, proba, seed=seed, n_boot=n_boot)
        bootstrap["pair_unit_ci"] = {"macro_f1": iid["macro_f1_ci"], "accuracy": iid["accuracy_ci"]}
    notes = [*folds_notes(len(gold), protocol, n_folds), *fold_notes(gold, fold_names), *metric_notes(metrics)]
    metrics["notes"] = notes
    return Scores(metrics, slices, bootstrap, notes)


def ci_widths(metrics: Mapping[str, Any], bootstrap: Mapping[str, Any]) -> str:
    """'macro-F1 CI width 0.081 (claim_pair, 1279 clusters) vs 0.070 (pair)' for the terminal."""
    def width(ci: Any) -> str:
        return f"{ci[1] - ci[0]:.3f}" if isinstance(ci, list) and len(ci) == 2 else "n/a"

    text = (f"macro-F1 CI width {width(metrics.get('macro_f1_ci'))} "
            f"({bootstrap.get('unit')}, {bootstrap.get('clusters')} clusters)")
    iid = bootstrap.get("pair_unit_ci")
    if iid:
        text += f" vs {width(iid.get('macro_f1'))} (pair)"
    return text
