"""Rows and tables: one row per run, sorted by the metric, paired columns against a reference.

Every run is compared with a reference run (the best, or `baseline=MODEL`) on the same items; the
"≈ ref" column says which runs are not significantly different from it at `alpha` under the chosen
test (bootstrap by default: it tests the sorting metric itself, whereas McNemar tests accuracy).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from bench.compare.errors import CompareError
from bench.compare.load import LoadedRun, RunItems
from bench.compare.stats import holm, paired_stats
from bench.labels import LABEL_NAMES, Label
from bench.metrics import METRICS
from bench.slices import LABEL_SLICE, slice_of


@dataclass
class Row:
    """One run in one table; raw numbers (None = undefined / not available)."""

    rank: int
    model: str
    run_id: str
    path: str
    metric_value: float | None
    macro_f1: float | None
    macro_f1_lo: float | None
    macro_f1_hi: float | None
    accuracy: float | None
    accuracy_lo: float | None
    accuracy_hi: float | None
    f1_entails: float | None
    f1_contradicts: float | None
    f1_unrelated: float | None
    contradiction_roc_auc: float | None
    kappa: float | None
    balanced_accuracy: float | None
    n: int | None
    runtime_s: float | None
    is_reference: bool = False
    delta: float | None = None
    delta_lo: float | None = None
    delta_hi: float | None = None
    p_boot: float | None = None
    p_boot_holm: float | None = None
    p_mcnemar: float | None = None
    p_mcnemar_holm: float | None = None
    mcnemar_b: int | None = None
    mcnemar_c: int | None = None
    indistinguishable: bool | None = None  # from the reference at alpha (True for the reference)
    hard_macro_f1: float | None = None  # on the pairs the hypothesis-only probe gets wrong
    ci_unit: str = "pair"  # bootstrap unit of this row's CIs (a record's own, or the table's)


@dataclass
class Table:
    """One comparison table: one dataset (fingerprint), optionally one slice of it."""

    dataset_name: str
    fingerprint: str
    metric: str
    alpha: float
    test: str
    n_boot: int
    seed: int
    reference: str  # "best" or "baseline"
    reference_model: str | None
    rows: list[Row]
    slice_by: str | None = None
    slice_value: str | None = None
    n_items: int | None = None
    duplicate_models: bool = False
    bootstrap_unit: str = "pair"  # what the paired bootstrap (and slice CIs) resample
    n_clusters: int | None = None

    @property
    def metric_label(self) -> str:
        if self.slice_by == LABEL_SLICE and self.metric == "accuracy":
            return f"recall of {self.slice_value}"
        return METRICS[self.metric].label

    def to_dict(self) -> dict[str, Any]:
        return {
            "dataset": {"name": self.dataset_name, "fingerprint": self.fingerprint,
                        "n": self.n_items},
            "slice": None if self.slice_by is None else {"by": self.slice_by,
                                                         "value": self.slice_value},
            "metric": self.metric,
            "reference": {"kind": self.reference, "model": self.reference_model},
            "test": self.test,
            "alpha": self.alpha,
            "correction": "holm",
            "n_boot": self.n_boot,
            "seed": self.seed,
            "bootstrap": {"unit": self.bootstrap_unit, "clusters": self.n_clusters},
            "rows": [asdict(r) for r in self.rows],
        }


def _f(x: Any) -> float | None:
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        return None
    return float(x) if math.isfinite(x) else None


def _ci(ci: Any) -> tuple[float | None, float | None]:
    if isinstance(ci, (list, tuple)) and len(ci) == 2:
        return _f(ci[0]), _f(ci[1])
    return None, None


def make_row(run: LoadedRun, metrics: dict[str, Any], metric: str, runtime: float | None) -> Row:
    """A row from a record's (or a slice's) metrics; its CI unit is the one they were made with."""
    per_class = metrics.get("per_class") or {}
    lo, hi = _ci(metrics.get("macro_f1_ci"))
    alo, ahi = _ci(metrics.get("accuracy_ci"))
    contra = metrics.get("contradiction") or {}
    n = metrics.get("n")
    return Row(
        rank=0, model=run.model, run_id=run.result.run_id, path=str(run.path),
        metric_value=_f(metrics.get(metric)),
        macro_f1=_f(metrics.get("macro_f1")), macro_f1_lo=lo, macro_f1_hi=hi,
        accuracy=_f(metrics.get("accuracy")), accuracy_lo=alo, accuracy_hi=ahi,
        f1_entails=_f((per_class.get(Label.ENTAILS.value) or {}).get("f1")),
        f1_contradicts=_f((per_class.get(Label.CONTRADICTS.value) or {}).get("f1")),
        f1_unrelated=_f((per_class.get(Label.UNRELATED.value) or {}).get("f1")),
        contradiction_roc_auc=_f(contra.get("roc_auc")),
        kappa=_f(metrics.get("kappa")),
        balanced_accuracy=_f(metrics.get("balanced_accuracy")),
        n=n if isinstance(n, int) else None,
        runtime_s=runtime,
        ci_unit=str((metrics.get("bootstrap") or {}).get("unit") or "pair"),
    )


def _sort_key(pair: tuple[Row, Any], metric: str) -> tuple[Any, ...]:
    """Best first by the metric's direction; undefined values last; then model, run id."""
    row = pair[0]
    v = row.metric_value
    sign = -1.0 if METRICS[metric].higher_is_better else 1.0
    return (v is None, sign * (v if v is not None else 0.0), row.model, row.run_id)


def _fill_paired(
    rows: list[Row], items: list[RunItems | None], ref_index: int, metric: str,
    n_boot: int, seed: int, alpha: float, test: str, subset: np.ndarray | None = None,
    clusters: np.ndarray | None = None,
) -> None:
    """Paired columns of every row vs rows[ref_index], Holm-corrected across the table."""
    ref_items = items[ref_index]
    rows[ref_index].is_reference = True
    rows[ref_index].indistinguishable = True
    rows[ref_index].delta = 0.0
    for i, row in enumerate(rows):
        if i == ref_index or ref_items is None or items[i] is None:
            continue
        it = items[i]
        assert it is not None
        sel = slice(None) if subset is None else subset
        st = paired_stats(ref_items.gold[sel], ref_items.pred[sel], it.pred[sel], metric,
                          n_boot, seed, clusters=None if clusters is None else clusters[sel])
        row.delta = st.delta
        row.delta_lo, row.delta_hi = _ci(st.delta_ci)
        row.p_boot, row.p_mcnemar = st.p_boot, st.p_mcnemar
        row.mcnemar_b, row.mcnemar_c = st.b, st.c
    for raw, adj in (("p_boot", "p_boot_holm"), ("p_mcnemar", "p_mcnemar_holm")):
        adjusted = holm([getattr(r, raw) for r in rows])
        for r, a in zip(rows, adjusted, strict=True):
            setattr(r, adj, a)
    key = "p_boot_holm" if test == "bootstrap" else "p_mcnemar_holm"
    for i, r in enumerate(rows):
        if i != ref_index:
            p = getattr(r, key)
            r.indistinguishable = None if p is None else bool(p >= alpha)


def build_table(
    runs: list[LoadedRun], rows: list[Row], items: list[RunItems | None], *, dataset_name: str,
    fingerprint: str, metric: str, baseline: str | None, alpha: float, test: str, n_boot: int,
    seed: int, n_items: int | None, slice_by: str | None = None, slice_value: str | None = None,
    subset: np.ndarray | None = None, bootstrap_unit: str = "pair", clusters: np.ndarray | None = None,
) -> Table:
    order = sorted(zip(rows, range(len(rows))), key=lambda pair: _sort_key(pair, metric))
    rows = [r for r, _ in order]
    items = [items[i] for _, i in order]
    runs = [runs[i] for _, i in order]
    for rank, r in enumerate(rows, start=1):
        r.rank = rank
    if baseline is not None:
        candidates = [i for i, r in enumerate(runs) if r.model == baseline]
        if not candidates:
            raise CompareError(
                f"baseline {baseline!r} is not among the compared models of dataset "
                f"{dataset_name!r}; models: {', '.join(sorted({r.model for r in runs}))}"
            )
        ref_index = max(candidates, key=lambda i: (runs[i].result.created_at,
                                                   runs[i].result.run_id))
    else:
        ref_index = 0
    _fill_paired(rows, items, ref_index, metric, n_boot, seed, alpha, test, subset, clusters)
    in_table = None if clusters is None else (clusters if subset is None else clusters[subset])
    models = [r.model for r in rows]
    return Table(
        dataset_name=dataset_name, fingerprint=fingerprint, metric=metric, alpha=alpha,
        test=test, n_boot=n_boot, seed=seed,
        reference="baseline" if baseline is not None else "best",
        reference_model=rows[ref_index].model, rows=rows, slice_by=slice_by,
        slice_value=slice_value, n_items=n_items, duplicate_models=len(set(models)) < len(models),
        bootstrap_unit=bootstrap_unit,
        n_clusters=None if in_table is None else int(np.unique(in_table).size),
    )


def slice_values(items: RunItems, by: str) -> list[str]:
    if by == LABEL_SLICE:
        return [LABEL_NAMES[g] for g in items.gold]
    return slice_of({**items.meta, "pair_id": items.pair_id}, by)
