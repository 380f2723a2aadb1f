"""Runs -> tables: select the runs, align their items, build one table per dataset (or slice value)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from bench.clusters import cluster_ids
from bench.compare.errors import CompareError
from bench.compare.hard import HARD, PROBE_MODEL, hard_values
from bench.compare.load import LoadedRun, RunItems, Warn, aligned, load_runs, warn_stderr
from bench.compare.options import CompareOptions
from bench.compare.select import by_fingerprint, filter_runs, latest
from bench.compare.table import Table, build_table, make_row, slice_values
from bench.compare.units import table_clusters
from bench.metrics import compute_metrics, group_indices
from bench.slices import HARD_SLICE, LABEL_SLICE


def compare_runs(runs: Sequence[LoadedRun], options: CompareOptions = CompareOptions(),
                 warn: Warn = warn_stderr) -> list[Table]:
    """Tables for `runs`: one per dataset fingerprint (only one unless allow_mixed), or with
    `by`, one per slice value of each dataset. Raises CompareError subclasses on bad requests."""
    options.check()
    runs = list(runs)
    if not runs:
        raise CompareError("nothing to compare: no readable runs")
    runs = filter_runs(runs, options.dataset, options.protocol)
    metric, by, seed, n_boot = options.metric, options.by, options.seed, options.n_boot
    tables: list[Table] = []
    for fingerprint, group in by_fingerprint(runs, options.allow_mixed):
        if options.latest:
            group = latest(group)
        group.sort(key=lambda r: (r.model, r.result.created_at, r.result.run_id))
        name = group[0].result.dataset_name
        n_items = group[0].result.dataset.get("n")
        n_items = n_items if isinstance(n_items, int) else None
        items_of = aligned(group, warn)
        unit, clusters = table_clusters(list(items_of.values()), options.bootstrap_unit, warn,
                                        f"dataset {name} ({fingerprint[:12]})")
        common: dict[str, Any] = dict(dataset_name=name, fingerprint=fingerprint, baseline=options.baseline,
                                      alpha=options.alpha, test=options.test, n_boot=n_boot, seed=seed,
                                      bootstrap_unit=unit, clusters=clusters)
        if by is None:
            rows = [make_row(r, r.result.metrics, metric, r.result.total_seconds) for r in group]
            items = [items_of.get(i) for i in range(len(group))]
            _fill_hard_column(group, rows, items, name, fingerprint, warn)
            tables.append(build_table(list(group), rows, items, metric=metric, n_items=n_items,
                                      **common))
            continue
        with_items = [i for i in range(len(group)) if i in items_of
                      and not (by == HARD_SLICE and group[i].model == PROBE_MODEL)]
        if not with_items:
            warn(f"warning: dataset {name} ({fingerprint[:12]}): no run has readable "
                 f"predictions; cannot slice by {by}")
            continue
        sub_runs = [group[i] for i in with_items]
        sub_items = [items_of[i] for i in with_items]
        slice_metric = "accuracy" if by == LABEL_SLICE else metric
        values = (hard_values(group, sub_items[0], name, fingerprint, warn) if by == HARD_SLICE
                  else slice_values(sub_items[0], by))
        for value, idx in group_indices(values).items():
            s_unit, s_clusters = _slice_clusters(options.bootstrap_unit, unit, clusters, sub_items[0], idx)
            rows = [
                make_row(run, compute_metrics(it.gold[idx], it.proba[idx], seed=seed, n_boot=n_boot,
                                              pred=it.pred[idx], unit=s_unit,
                                              clusters=None if s_clusters is None else s_clusters[idx]),
                         slice_metric, None)
                for run, it in zip(sub_runs, sub_items, strict=True)
            ]
            tables.append(build_table(
                list(sub_runs), rows, list(sub_items), metric=slice_metric, n_items=len(idx),
                slice_by=by, slice_value=value, subset=idx,
                **{**common, "bootstrap_unit": s_unit, "clusters": s_clusters}))
    if not tables:
        raise CompareError("nothing to compare: no table could be built from the runs given")
    return tables


def _fill_hard_column(group: Sequence[LoadedRun], rows: list[Any], items: list[Any], name: str,
                      fingerprint: str, warn: Warn) -> None:
    """macro-F1 on the hard slice beside the full one, when the compared runs hold the probe run."""
    first = next((it for it in items if it is not None), None)
    if first is None:
        return
    try:
        hard = np.flatnonzero(np.asarray(hard_values(group, first, name, fingerprint, warn, search_root=False)) == HARD)
    except CompareError:
        return  # no probe run among these runs: no column (`--by hard` says how to make one)
    for run, row, it in zip(group, rows, items, strict=True):
        if it is not None and run.model != PROBE_MODEL and hard.size:
            row.hard_macro_f1 = float(compute_metrics(it.gold[hard], it.proba[hard], seed=0, n_boot=0,
                                                      pred=it.pred[hard])["macro_f1"])


def compare_paths(paths: Iterable[Path | str], options: CompareOptions = CompareOptions(),
                  warn: Warn = warn_stderr) -> list[Table]:
    """load_runs + compare_runs; 'nothing comparable' is an error naming the paths."""
    paths = list(paths)
    runs = load_runs(paths, warn)
    if not runs:
        raise CompareError(
            "nothing to compare: no readable runs under " + ", ".join(str(p) for p in paths)
        )
    return compare_runs(runs, options, warn)


def _slice_clusters(requested: str, unit: str, clusters: np.ndarray | None, items: RunItems,
                    idx: np.ndarray) -> tuple[str, np.ndarray | None]:
    """The table's clusters, unless `auto` resolved to events and the slice holds one event (the seed
    part of `all`): then the slice's own `auto` unit (within one event), so its CI is not zero-width."""
    if requested != "auto" or clusters is None or np.unique(clusters[idx]).size > 1:
        return unit, clusters
    meta = {"pair_id": np.asarray(items.pair_id)[idx], **{k: np.asarray(v)[idx] for k, v in items.meta.items()}}
    s_unit, ids = cluster_ids("auto", meta)
    full = np.zeros(len(items.pair_id), dtype=np.int64)
    full[idx] = ids
    return s_unit, None if s_unit == "pair" else full
