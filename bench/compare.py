"""Many runs -> comparison tables with confidence intervals and paired significance tests.

One row per run (or the latest run per model), sorted by the main metric. Every run is compared
with a reference run (the best, or `baseline=MODEL`) on the *same items*, matched by pair_id from
predictions.jsonl:
- paired bootstrap of the metric difference (run - reference): 95% percentile CI and a two-sided
  p-value, p = min(1, 2 * min(#{d <= 0} + 1, #{d >= 0} + 1) / (B + 1));
- McNemar's exact test on correctness (binomial test on the discordant pairs, p0 = 1/2);
- Holm's step-down correction across the rows of one table, separately for each test;
- a column saying which runs are not significantly different from the reference at `alpha`
  under the chosen test (bootstrap by default: it tests the sorting metric itself, whereas
  McNemar tests accuracy).
Runs scored on different dataset fingerprints are never mixed in one table.

Nothing here imports torch or any model code: compare must run in a bare CI job.
"""

from __future__ import annotations

import csv
import io
import json
import math
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from bench.labels import LABEL_NAMES, NUM_LABELS, Label
from bench.metrics import (
    CONFUSION_METRICS,
    bootstrap_counts,
    compute_metrics,
    group_indices,
    item_slices,
    percentile_ci,
)
from bench.results import RunReadError, RunResult, find_runs, read_predictions, read_run

METRICS: tuple[str, ...] = tuple(CONFUSION_METRICS)  # sortable + paired-testable
SLICE_KINDS: tuple[str, ...] = ("origin", "source_pair", "label", "perturbation")
TESTS: tuple[str, ...] = ("bootstrap", "mcnemar")
FORMATS: tuple[str, ...] = ("terminal", "md", "csv", "json", "latex")
SUFFIX_FORMATS = {".md": "md", ".csv": "csv", ".json": "json", ".tex": "latex", ".txt": "terminal"}
METRIC_LABELS = {"macro_f1": "macro-F1", "accuracy": "accuracy",
                 "balanced_accuracy": "balanced accuracy", "kappa": "kappa"}

Warn = Callable[[str], None]


def _stderr(msg: str) -> None:
    print(msg, file=sys.stderr)


class CompareError(Exception):
    """Runs that cannot be compared as asked (message says what, where, and the valid options)."""


class MixedDatasetsError(CompareError):
    """Runs on different dataset fingerprints were asked to share one table."""

    def __init__(self, groups: dict[str, list[str]]) -> None:
        self.groups = groups
        parts = [f"{fp[:12]} ({', '.join(names)})" for fp, names in sorted(groups.items())]
        super().__init__(
            f"runs are on {len(groups)} different dataset fingerprints: {'; '.join(parts)}; "
            "compare one dataset (--dataset NAME or narrower PATHS), or pass --allow-mixed "
            "for one table per dataset"
        )


class PairingError(CompareError):
    """Two runs on the same dataset disagree on the items (pair ids or gold labels)."""


# --------------------------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RunItems:
    """A run's predictions as arrays sorted by pair_id (so runs align item by item)."""

    pair_id: np.ndarray
    gold: np.ndarray
    pred: np.ndarray
    proba: np.ndarray
    meta: dict[str, np.ndarray]


@dataclass
class LoadedRun:
    """A RunResult with the folder it came from (predictions are read lazily, once)."""

    path: Path
    result: RunResult
    _items: RunItems | None = field(default=None, repr=False)
    _items_error: str | None = field(default=None, repr=False)

    @property
    def model(self) -> str:
        return self.result.model_key

    @property
    def label(self) -> str:
        return f"{self.result.model_key}/{self.result.run_id}"

    def items(self, warn: Warn = _stderr) -> RunItems | None:
        """Parsed predictions, or None (reason reported once through `warn`)."""
        if self._items is None and self._items_error is None:
            try:
                self._items = parse_items(read_predictions(self.path), self.path, warn)
            except RunReadError as exc:
                self._items_error = str(exc)
                warn(f"warning: {exc}; paired tests skipped for {self.label}")
        return self._items


def parse_items(rows: list[dict[str, Any]], where: Path | str, warn: Warn = _stderr) -> RunItems:
    """Prediction rows -> RunItems; RunReadError on rows that cannot be used."""
    n = len(rows)
    if n == 0:
        raise RunReadError(where, "predictions.jsonl has no rows")
    index = {name: i for i, name in enumerate(LABEL_NAMES)}
    try:  # column-wise comprehensions: fast on 100k rows
        gold = np.fromiter((index[r["gold"]] for r in rows), dtype=np.int64, count=n)
        declared = np.fromiter((index[r["predicted"]] for r in rows), dtype=np.int64, count=n)
        proba = np.array([[p[name] for name in LABEL_NAMES] for p in (r["probabilities"] for r in rows)],
                         dtype=np.float64)
        if proba.shape != (n, NUM_LABELS):
            raise ValueError("probabilities shape")
    except (KeyError, TypeError, ValueError):
        _raise_bad_row(rows, where)
        raise  # pragma: no cover - _raise_bad_row always raises
    meta = {k: np.array([v if isinstance(v := r.get(k), str) else ("" if v is None else str(v))
                         for r in rows], dtype=object)
            for k in ("origin", "source_a", "source_b", "perturbation")}
    pair_id = np.array([str(r["pair_id"]) for r in rows])
    order = np.argsort(pair_id, kind="stable")
    if len(np.unique(pair_id)) != n:
        raise RunReadError(where, "duplicate pair_id in predictions.jsonl")
    # The recorded label is what the run's metrics used. Stored probabilities may be rounded, so
    # only flag rows where the recorded label is clearly not a maximum of its row.
    top = proba.max(axis=1)
    mismatch = int((proba[np.arange(n), declared] < top - 1e-5).sum())
    if mismatch:
        warn(f"warning: {where}: 'predicted' is not the argmax of 'probabilities' on {mismatch} "
             "rows; using 'predicted' as recorded")
    return RunItems(
        pair_id=pair_id[order], gold=gold[order], pred=declared[order], proba=proba[order],
        meta={k: v[order] for k, v in meta.items()},
    )


def _raise_bad_row(rows: list[dict[str, Any]], where: Path | str) -> None:
    """Find the first unusable prediction row and raise an error naming it."""
    for i, row in enumerate(rows):
        try:
            for key in ("gold", "predicted"):
                if row[key] not in LABEL_NAMES:
                    raise ValueError(f"{key} = {row[key]!r}")
            probs = row["probabilities"]
            [float(probs[name]) for name in LABEL_NAMES]
        except (KeyError, TypeError, ValueError) as exc:
            raise RunReadError(
                where, f"prediction row {i + 1} (pair_id {row.get('pair_id')!r}) is unusable: "
                f"{exc}; labels must be one of {', '.join(LABEL_NAMES)} and probabilities must "
                f"map each of them to a number") from None
    raise RunReadError(where, "unusable prediction rows")


def load_runs(paths: Iterable[Path | str], warn: Warn = _stderr) -> list[LoadedRun]:
    """Read every run under `paths`; each unreadable one (or empty path) is one `warn` line."""
    runs: list[LoadedRun] = []
    seen: set[Path] = set()
    for p in paths:
        path = Path(p)
        if not path.exists():
            warn(f"warning: {path}: no such file or directory")
            continue
        dirs = find_runs([path])
        if not dirs:
            warn(f"warning: {path}: no runs found (no result.json at or below it)")
            continue
        for d in dirs:
            key = d.resolve()
            if key in seen:
                continue
            seen.add(key)
            try:
                runs.append(LoadedRun(d, read_run(d)))
            except RunReadError as exc:
                warn(f"warning: skipped {exc}")
    return runs


# --------------------------------------------------------------------------------------------
# Statistics
# --------------------------------------------------------------------------------------------


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
    n_boot: int, seed: int,
) -> PairedStats:
    """Paired bootstrap of metric(run) - metric(ref) and McNemar's exact test on the same items.

    Items are resampled jointly; since both metrics are functions of the (gold, ref, run) cell
    counts, a resample is a Multinomial draw over the 27 cells (see bench.metrics).
    """
    fn = CONFUSION_METRICS[metric]
    k = NUM_LABELS
    joint = np.bincount(
        (np.asarray(gold) * k + np.asarray(pred_ref)) * k + np.asarray(pred_run),
        minlength=k**3,
    ).reshape(k, k, k)
    point = float(fn(joint.sum(axis=1)) - fn(joint.sum(axis=2)))  # [gold, ref, run]
    delta = None if not math.isfinite(point) else point
    ci = p_boot = None
    if n_boot > 0:
        boots = bootstrap_counts(joint, n_boot, np.random.default_rng(seed))
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


# --------------------------------------------------------------------------------------------
# Tables
# --------------------------------------------------------------------------------------------


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

    @property
    def metric_label(self) -> str:
        if self.slice_by == "label" and self.metric == "accuracy":
            return f"recall of {self.slice_value}"
        return METRIC_LABELS.get(self.metric, self.metric)

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


def _row(run: LoadedRun, metrics: dict[str, Any], metric: str, runtime: float | None) -> Row:
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
    )


def _sort_key(pair: tuple[Row, Any]) -> tuple[Any, ...]:
    row = pair[0]
    v = row.metric_value
    return (v is None, -(v if v is not None else 0.0), row.model, row.run_id)


def _latest(runs: Sequence[LoadedRun]) -> list[LoadedRun]:
    """The newest run per (model, protocol): a kfold or zero-shot run never replaces a loso row."""
    best: dict[tuple[str, str], LoadedRun] = {}
    for r in runs:
        key = (r.model, str(r.result.protocol.get("name")))
        cur = best.get(key)
        if cur is None or (r.result.created_at, r.result.run_id) > (cur.result.created_at,
                                                                     cur.result.run_id):
            best[key] = r
    return list(best.values())


def _aligned(runs: Sequence[LoadedRun], warn: Warn) -> dict[int, RunItems]:
    """Items of each run that has predictions; PairingError if item sets or gold differ."""
    items: dict[int, RunItems] = {}
    first: tuple[LoadedRun, RunItems] | None = None
    for i, run in enumerate(runs):
        it = run.items(warn)
        if it is None:
            continue
        if first is None:
            first = (run, it)
        else:
            ref_run, ref = first
            if len(ref.pair_id) != len(it.pair_id) or not np.array_equal(ref.pair_id, it.pair_id):
                only_a = np.setdiff1d(ref.pair_id, it.pair_id)
                only_b = np.setdiff1d(it.pair_id, ref.pair_id)
                ex = ", ".join(list(only_a[:2]) + list(only_b[:2]))
                raise PairingError(
                    f"runs {ref_run.path} and {run.path} have the same dataset fingerprint but "
                    f"different items ({len(only_a)} pair_ids only in the first, {len(only_b)} "
                    f"only in the second, e.g. {ex}); paired tests need identical items: "
                    "re-run or remove the broken run"
                )
            if not np.array_equal(ref.gold, it.gold):
                bad = ref.pair_id[np.flatnonzero(ref.gold != it.gold)[0]]
                raise PairingError(
                    f"runs {ref_run.path} and {run.path} disagree on gold labels (e.g. pair "
                    f"{bad}); they cannot have been scored on the same data"
                )
        items[i] = it
    return items


def _fill_paired(
    rows: list[Row], items: list[RunItems | None], ref_index: int, metric: str,
    n_boot: int, seed: int, alpha: float, test: str, subset: np.ndarray | None = None,
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
                          n_boot, seed)
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


def _build_table(
    runs: list[LoadedRun], rows: list[Row], items: list[RunItems | None], *, dataset_name: str,
    fingerprint: str, metric: str, baseline: str | None, alpha: float, test: str, n_boot: int,
    seed: int, n_items: int | None, slice_by: str | None = None, slice_value: str | None = None,
    subset: np.ndarray | None = None,
) -> Table:
    order = sorted(zip(rows, range(len(rows))), key=_sort_key)
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
    _fill_paired(rows, items, ref_index, metric, n_boot, seed, alpha, test, subset)
    models = [r.model for r in rows]
    return Table(
        dataset_name=dataset_name, fingerprint=fingerprint, metric=metric, alpha=alpha,
        test=test, n_boot=n_boot, seed=seed,
        reference="baseline" if baseline is not None else "best",
        reference_model=rows[ref_index].model, rows=rows, slice_by=slice_by,
        slice_value=slice_value, n_items=n_items, duplicate_models=len(set(models)) < len(models),
    )


def _slice_values(items: RunItems, by: str) -> list[str]:
    if by == "label":
        return [LABEL_NAMES[g] for g in items.gold]
    return item_slices(items.meta)[by]


def compare_runs(
    runs: Sequence[LoadedRun],
    *,
    metric: str = "macro_f1",
    baseline: str | None = None,
    latest: bool = False,
    by: str | None = None,
    alpha: float = 0.05,
    allow_mixed: bool = False,
    test: str = "bootstrap",
    n_boot: int = 10000,
    seed: int = 0,
    dataset: str | None = None,
    protocol: str | None = None,
    warn: Warn = _stderr,
) -> list[Table]:
    """Tables for `runs`: one per dataset fingerprint (only one unless allow_mixed), or with
    `by`, one per slice value of each dataset. Raises CompareError subclasses on bad requests."""
    if metric not in METRICS:
        raise CompareError(f"unknown metric {metric!r}; valid metrics: {', '.join(METRICS)}")
    if test not in TESTS:
        raise CompareError(f"unknown test {test!r}; valid tests: {', '.join(TESTS)}")
    if by is not None and by not in SLICE_KINDS:
        raise CompareError(f"unknown slice {by!r}; valid --by values: {', '.join(SLICE_KINDS)}")
    if not 0.0 < alpha < 1.0:
        raise CompareError(f"alpha must be between 0 and 1 (exclusive), got {alpha}")
    if n_boot < 0:
        raise CompareError(f"n_boot must be >= 0, got {n_boot}")
    runs = list(runs)
    if not runs:
        raise CompareError("nothing to compare: no readable runs")
    if dataset is not None:
        names = sorted({r.result.dataset_name for r in runs})
        runs = [r for r in runs if r.result.dataset_name == dataset]
        if not runs:
            raise CompareError(f"no runs on dataset {dataset!r}; datasets found: {', '.join(names)}")
    if protocol is not None:
        found = sorted({str(r.result.protocol.get("name")) for r in runs})
        runs = [r for r in runs if r.result.protocol.get("name") == protocol]
        if not runs:
            raise CompareError(f"no runs under protocol {protocol!r}; protocols found: {', '.join(found)}")

    groups: dict[str, list[LoadedRun]] = {}
    for r in runs:
        groups.setdefault(r.result.fingerprint, []).append(r)
    if len(groups) > 1 and not allow_mixed:
        raise MixedDatasetsError(
            {fp: [f"{r.result.dataset_name}:{r.label}" for r in g] for fp, g in groups.items()}
        )

    tables: list[Table] = []
    ordered = sorted(groups.items(), key=lambda kv: (kv[1][0].result.dataset_name, kv[0]))
    for fingerprint, group in ordered:
        if latest:
            group = _latest(group)
        group.sort(key=lambda r: (r.model, r.result.created_at, r.result.run_id))
        name = group[0].result.dataset_name
        n_items = group[0].result.dataset.get("n")
        n_items = n_items if isinstance(n_items, int) else None
        aligned = _aligned(group, warn)
        common: dict[str, Any] = dict(dataset_name=name, fingerprint=fingerprint, baseline=baseline, alpha=alpha,
                      test=test, n_boot=n_boot, seed=seed)
        if by is None:
            rows = [_row(r, r.result.metrics, metric, r.result.total_seconds) for r in group]
            items = [aligned.get(i) for i in range(len(group))]
            tables.append(_build_table(list(group), rows, items, metric=metric, n_items=n_items,
                                       **common))
            continue
        with_items = [i for i in range(len(group)) if i in aligned]
        if not with_items:
            warn(f"warning: dataset {name} ({fingerprint[:12]}): no run has readable "
                 f"predictions; cannot slice by {by}")
            continue
        sub_runs = [group[i] for i in with_items]
        sub_items = [aligned[i] for i in with_items]
        slice_metric = "accuracy" if by == "label" else metric
        for value, idx in group_indices(_slice_values(sub_items[0], by)).items():
            rows = [
                _row(run, compute_metrics(it.gold[idx], it.proba[idx], seed=seed, n_boot=n_boot,
                                          pred=it.pred[idx]), slice_metric, None)
                for run, it in zip(sub_runs, sub_items, strict=True)
            ]
            tables.append(_build_table(
                list(sub_runs), rows, list(sub_items), metric=slice_metric, n_items=len(idx),
                slice_by=by, slice_value=value, subset=idx, **common))
    if not tables:
        raise CompareError("nothing to compare: no table could be built from the runs given")
    return tables


def compare_paths(paths: Iterable[Path | str], warn: Warn = _stderr, **options: Any) -> list[Table]:
    """load_runs + compare_runs; 'nothing comparable' is an error naming the paths."""
    paths = list(paths)
    runs = load_runs(paths, warn)
    if not runs:
        raise CompareError(
            "nothing to compare: no readable runs under " + ", ".join(str(p) for p in paths)
        )
    return compare_runs(runs, warn=warn, **options)


# --------------------------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------------------------


def _num(x: float | None, digits: int = 3) -> str:
    return "—" if x is None else f"{x:.{digits}f}"


def _signed(x: float | None, digits: int = 3) -> str:
    return "—" if x is None else f"{x:+.{digits}f}"


def _p(x: float | None) -> str:
    if x is None:
        return "—"
    return "<0.001" if x < 0.001 else f"{x:.3f}"


def _runtime(x: float | None) -> str:
    if x is None:
        return "—"
    return f"{x:.1f}" if x < 100 else f"{x:.0f}"


def _with_ci(v: float | None, lo: float | None, hi: float | None, signed: bool = False) -> str:
    fmt = _signed if signed else _num
    if v is None:
        return "—"
    if lo is None or hi is None:
        return fmt(v)
    return f"{fmt(v)} [{fmt(lo)}, {fmt(hi)}]"


def _tie(r: Row) -> str:
    if r.is_reference:
        return "ref"
    if r.indistinguishable is None:
        return "n/a"
    return "yes" if r.indistinguishable else "no"


def _columns(t: Table, style: str) -> list[tuple[str, Callable[[Row], str], str]]:
    """(header, cell formatter, alignment) for the human-readable renderers."""
    uni = style != "terminal"
    metric_name = "recall" if t.slice_by == "label" else METRIC_LABELS.get(t.metric, t.metric)
    delta_head = f"{'Δ' if uni else 'delta'} {metric_name} [95% CI]"
    cols: list[tuple[str, Callable[[Row], str], str]] = [
        ("#", lambda r: str(r.rank), "r"),
        ("model", lambda r: r.model, "l"),
    ]
    if t.duplicate_models:
        cols.append(("run", lambda r: r.run_id, "l"))
    cols += [
        ("macro-F1 [95% CI]", lambda r: _with_ci(r.macro_f1, r.macro_f1_lo, r.macro_f1_hi), "l"),
        ("recall" if t.slice_by == "label" else "acc", lambda r: _num(r.accuracy), "r"),
        ("F1 ent", lambda r: _num(r.f1_entails), "r"),
        ("F1 con", lambda r: _num(r.f1_contradicts), "r"),
        ("F1 unr", lambda r: _num(r.f1_unrelated), "r"),
        ("AUC con", lambda r: _num(r.contradiction_roc_auc), "r"),
        ("κ" if uni else "kappa", lambda r: _num(r.kappa), "r"),
        ("n", lambda r: "—" if r.n is None else str(r.n), "r"),
        ("time (s)", lambda r: _runtime(r.runtime_s), "r"),
        (delta_head, lambda r: "—" if r.is_reference
         else _with_ci(r.delta, r.delta_lo, r.delta_hi, signed=True), "l"),
        ("p boot (Holm)", lambda r: "—" if r.is_reference else _p(r.p_boot_holm), "r"),
        ("p McNemar (Holm)", lambda r: "—" if r.is_reference else _p(r.p_mcnemar_holm), "r"),
        ("≈ ref" if uni else "~ref", _tie, "l"),
    ]
    return cols


def caption(t: Table, style: str = "md") -> str:
    """One line: dataset name + fingerprint prefix, slice, sort metric, reference, test, alpha."""
    test = ("paired bootstrap" if t.test == "bootstrap" else "McNemar exact")
    if style == "md":
        name = f"**{t.dataset_name}** (fingerprint `{t.fingerprint[:12]}`)"
    else:
        name = f"{t.dataset_name} (fingerprint {t.fingerprint[:12]})"
    parts = [name + (f", {t.n_items} pairs" if t.n_items is not None else "")]
    if t.slice_by is not None:
        parts.append(f"slice {t.slice_by} = {t.slice_value}")
    parts.append(f"sorted by {t.metric_label}")
    ref = "best run" if t.reference == "best" else "baseline"
    parts.append(f"reference: {ref} ({t.reference_model})")
    parts.append(
        f"test: {test} ({t.n_boot} resamples, seed {t.seed}) decides ≈ ref; "
        f"both tests Holm-corrected, alpha = {t.alpha:g}"
        if t.test == "bootstrap" else
        f"test: {test} on correctness decides ≈ ref; both tests Holm-corrected "
        f"(bootstrap: {t.n_boot} resamples, seed {t.seed}), alpha = {t.alpha:g}"
    )
    text = " · ".join(parts) if style == "md" else "; ".join(parts)
    return text.replace("≈ ref", "~ref") if style == "terminal" else text


def _md_cell(s: str) -> str:
    return s.replace("|", "\\|")


def render_md(tables: Sequence[Table], generated_by: str | None = None) -> str:
    """GitHub Markdown: per table a caption line, then the table."""
    out: list[str] = []
    if generated_by:
        out += [f"<!-- {generated_by} -->", ""]
    for t in tables:
        cols = _columns(t, "md")
        out.append(caption(t, "md"))
        out.append("")
        out.append("| " + " | ".join(_md_cell(h) for h, _, _ in cols) + " |")
        out.append("|" + "|".join("---:" if a == "r" else ":---" for _, _, a in cols) + "|")
        for r in t.rows:
            out.append("| " + " | ".join(_md_cell(f(r)) for _, f, _ in cols) + " |")
        out.append("")
    return "\n".join(out)


def _aligned_line(row: list[str], widths: list[int], aligns: list[str]) -> str:
    return "  ".join(c.rjust(w) if a == "r" else c.ljust(w)
                     for c, w, a in zip(row, widths, aligns, strict=True)).rstrip()


def render_terminal(tables: Sequence[Table]) -> str:
    """Aligned plain text, ASCII headers, one block per table."""
    out: list[str] = []
    for t in tables:
        cols = _columns(t, "terminal")
        cells = [[h for h, _, _ in cols]]
        cells += [[f(r).replace("—", "-") for _, f, _ in cols] for r in t.rows]
        widths = [max(len(row[j]) for row in cells) for j in range(len(cols))]

        aligns = [a for _, _, a in cols]
        out.append(caption(t, "terminal"))
        out.append(_aligned_line(cells[0], widths, aligns))
        out.append("  ".join("-" * w for w in widths))
        out.extend(_aligned_line(row, widths, aligns) for row in cells[1:])
        out.append("")
    return "\n".join(out)


# No `path` column: a checked-in CSV must not depend on how (or from where) the runs were named.
CSV_FIELDS = ("dataset", "fingerprint", "slice_by", "slice_value", "metric", "test", "alpha",
              "reference_model") + tuple(f for f in Row.__dataclass_fields__ if f != "path")


def _csv_value(v: Any) -> Any:
    if v is None:
        return ""
    if isinstance(v, float):
        return repr(round(v, 6))
    return v


def render_csv(tables: Sequence[Table]) -> str:
    """One CSV for all tables (long format: the table keys repeat on each row)."""
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(CSV_FIELDS), lineterminator="\n")
    w.writeheader()
    for t in tables:
        head = {"dataset": t.dataset_name, "fingerprint": t.fingerprint, "slice_by": t.slice_by,
                "slice_value": t.slice_value, "metric": t.metric, "test": t.test,
                "alpha": t.alpha, "reference_model": t.reference_model}
        for r in t.rows:
            row = {**head, **asdict(r)}
            w.writerow({k: _csv_value(row[k]) for k in CSV_FIELDS})
    return buf.getvalue()


def render_json(tables: Sequence[Table]) -> str:
    return json.dumps({"tables": [t.to_dict() for t in tables]}, indent=2, ensure_ascii=False,
                      allow_nan=False) + "\n"


_LATEX_ESCAPES = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#",
                  "_": r"\_", "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}",
                  "^": r"\textasciicircum{}", "—": "--", "≈": r"$\approx$", "Δ": r"$\Delta$",
                  "κ": r"$\kappa$", "<": r"$<$"}


def latex_escape(s: str) -> str:
    return "".join(_LATEX_ESCAPES.get(ch, ch) for ch in s)


def render_latex(tables: Sequence[Table]) -> str:
    """booktabs tables (needs \\usepackage{booktabs}); the reference and its ties in bold."""
    out: list[str] = []
    for t in tables:
        cols = _columns(t, "latex")
        spec = "".join(a for _, _, a in cols)
        out += ["\\begin{table}[t]", "\\centering", "\\small",
                f"\\caption{{{latex_escape(caption(t, 'latex'))}}}",
                f"\\begin{{tabular}}{{{spec}}}", "\\toprule",
                " & ".join(latex_escape(h) for h, _, _ in cols) + r" \\", "\\midrule"]
        for r in t.rows:
            cells = [latex_escape(f(r)) for _, f, _ in cols]
            if r.is_reference or r.indistinguishable:
                cells[1] = f"\\textbf{{{cells[1]}}}"
            out.append(" & ".join(cells) + r" \\")
        out += ["\\bottomrule", "\\end{tabular}", "\\end{table}", ""]
    return "\n".join(out)


def render(tables: Sequence[Table], fmt: str, generated_by: str | None = None) -> str:
    """Text of `tables` in format `fmt` (one of FORMATS)."""
    if fmt == "md":
        return render_md(tables, generated_by)
    renderers: dict[str, Callable[[Sequence[Table]], str]] = {
        "terminal": render_terminal, "csv": render_csv, "json": render_json,
        "latex": render_latex,
    }
    if fmt not in renderers:
        raise CompareError(f"unknown format {fmt!r}; valid formats: {', '.join(FORMATS)}")
    return renderers[fmt](tables)
