"""PNG views of runs: confusion matrix, per-class F1 with bootstrap CIs, source-by-source heatmap.

matplotlib is imported inside the functions and used through its object API (`Figure` +
the Agg canvas), never pyplot: no global backend switch, no GUI, safe in CI and in worker
processes, and `import bench.plots` costs nothing. Every PNG is written atomically.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from bench.compare.load import LoadedRun
from bench.compare.select import by_fingerprint
from bench.fileio import atomic_write_bytes
from bench.labels import LABEL_NAMES, NUM_LABELS, Label
from bench.metrics import MAIN_METRIC, METRICS
from bench.results import RunReadError
from bench.run_reader import find_runs, read_predictions, read_run

DPI = 120
RELATED_LABELS = (Label.ENTAILS.value, Label.CONTRADICTS.value)


def _figure(width: float, height: float) -> Any:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _save(fig: Any, path: Path | str) -> Path:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI)
    target = Path(path)
    atomic_write_bytes(target, buf.getvalue())
    return target


def _annotate_heatmap(ax: Any, values: np.ndarray, texts: list[list[str]], vmax: float,
                      fontsize: int = 8) -> None:
    for i in range(values.shape[0]):
        for j in range(values.shape[1]):
            v = values[i, j]
            dark = np.isfinite(v) and v > 0.6 * vmax
            ax.text(j, i, texts[i][j], ha="center", va="center", fontsize=fontsize,
                    color="white" if dark else "black")


# --------------------------------------------------------------------------------------------
# Confusion matrix
# --------------------------------------------------------------------------------------------


def plot_confusion(confusion: Sequence[Sequence[int]], path: Path | str, title: str = "") -> Path:
    """Two panels: counts, and shares of each gold row (recall on the diagonal)."""
    conf = np.asarray(confusion, dtype=np.float64)
    if conf.shape != (NUM_LABELS, NUM_LABELS):
        raise ValueError(f"confusion must be {NUM_LABELS}x{NUM_LABELS} (rows gold, columns "
                         f"predicted, order {', '.join(LABEL_NAMES)}), got shape {conf.shape}")
    support = conf.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        norm = np.where(support > 0, conf / np.where(support > 0, support, 1), np.nan)

    fig = _figure(10, 4.4)
    axes = fig.subplots(1, 2)
    panels = (
        ("counts", conf, [[f"{int(v)}" for v in row] for row in conf], max(conf.max(), 1.0)),
        ("share of gold row", norm,
         [["—" if not np.isfinite(v) else f"{v:.0%}" for v in row] for row in norm], 1.0),
    )
    for ax, (name, values, texts, vmax) in zip(axes, panels, strict=True):
        im = ax.imshow(np.nan_to_num(values, nan=0.0), cmap="Blues", vmin=0, vmax=vmax)
        _annotate_heatmap(ax, values, texts, vmax, fontsize=11)
        ax.set_xticks(range(NUM_LABELS), LABEL_NAMES)
        ax.set_yticks(range(NUM_LABELS), LABEL_NAMES)
        ax.set_xlabel("predicted")
        ax.set_ylabel("gold")
        ax.set_title(name)
        fig.colorbar(im, ax=ax, shrink=0.8)
    if title:
        fig.suptitle(title)
    return _save(fig, path)


# --------------------------------------------------------------------------------------------
# Per-class F1 bars
# --------------------------------------------------------------------------------------------


def plot_per_class(
    runs: Sequence[tuple[str, Mapping[str, Any]]], path: Path | str, title: str = ""
) -> Path:
    """Grouped bars of F1 per class (+ the main metric, macro-F1), one bar per run, 95% bootstrap CI error bars.

    `runs` = (name, metrics) with metrics as from `bench.metrics.compute_metrics`; a missing CI
    (older record, n_boot=0) just draws the bar without an error bar.
    """
    if not runs:
        raise ValueError("plot_per_class needs at least one run")
    main = METRICS[MAIN_METRIC]
    groups = [*LABEL_NAMES, main.label]
    fig = _figure(max(7.0, 1.2 + 0.45 * len(groups) * len(runs)), 4.6)
    ax = fig.subplots()
    width = 0.8 / len(runs)
    x = np.arange(len(groups))
    for k, (name, metrics) in enumerate(runs):
        per_class = metrics.get("per_class") or {}
        values, lows, highs = [], [], []
        for g in groups:
            if g == main.label:
                v, ci = metrics.get(main.name), metrics.get(f"{main.name}_ci")
            else:
                entry = per_class.get(g) or {}
                v, ci = entry.get("f1"), entry.get("f1_ci")
            v = float("nan") if v is None else float(v)
            values.append(v)
            if ci and math.isfinite(v):
                lows.append(max(v - float(ci[0]), 0.0))
                highs.append(max(float(ci[1]) - v, 0.0))
            else:
                lows.append(0.0)
                highs.append(0.0)
        pos = x - 0.4 + width * (k + 0.5)
        ax.bar(pos, np.nan_to_num(values), width, label=name,
               yerr=np.array([lows, highs]), capsize=3, ecolor="0.25")
    ax.set_xticks(x, groups)
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("F1 (95% bootstrap CI)")
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    if title:
        ax.set_title(title)
    return _save(fig, path)


# --------------------------------------------------------------------------------------------
# Source-by-source consistency heatmap
# --------------------------------------------------------------------------------------------


def consistency_matrix(
    rows: Sequence[Mapping[str, Any]], labels_from: str = "gold", outlets: Sequence[str] | None = None
) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
    """Per pair of outlets: share of their related pairs labelled contradicts.

    Related = gold label is not `unrelated` (the same denominator for gold and predicted panels,
    so the panels differ only in who labels). The matrix is symmetric (a pair of sources in either
    direction counts for both cells). Returns (outlets, share with NaN where no related pair,
    numerator counts, denominator counts).
    """
    if labels_from not in ("gold", "predicted"):
        raise ValueError(f"labels_from must be 'gold' or 'predicted', got {labels_from!r}")
    names = sorted(outlets if outlets is not None else
                   {str(r.get(k) or "") for r in rows for k in ("source_a", "source_b")})
    pos = {n: i for i, n in enumerate(names)}
    num = np.zeros((len(names), len(names)), dtype=np.int64)
    den = np.zeros_like(num)
    for r in rows:
        if r.get("gold") not in RELATED_LABELS:
            continue
        a, b = str(r.get("source_a") or ""), str(r.get("source_b") or "")
        if a not in pos or b not in pos:
            continue
        hit = r.get(labels_from) == Label.CONTRADICTS.value
        cells = {(pos[a], pos[b]), (pos[b], pos[a])}
        for i, j in cells:
            den[i, j] += 1
            num[i, j] += hit
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(den > 0, num / np.where(den > 0, den, 1), np.nan)
    return names, share, num, den


def plot_consistency(
    runs: Sequence[tuple[str, Sequence[Mapping[str, Any]]]], path: Path | str, title: str = ""
) -> Path:
    """Heatmaps: gold (from the first run's rows) beside each run's predictions.

    Cell (i, j) = share of outlet i/j pairs with gold related that are labelled contradicts;
    grey = the two outlets share no related pair.
    """
    if not runs:
        raise ValueError("plot_consistency needs at least one run's prediction rows")
    outlets = sorted({str(r.get(k) or "") for _, rows in runs for r in rows
                      for k in ("source_a", "source_b")})
    panels = [("gold", consistency_matrix(runs[0][1], "gold", outlets))]
    panels += [(f"predicted: {name}", consistency_matrix(rows, "predicted", outlets))
               for name, rows in runs]
    k = len(outlets)
    cell = 0.55 if k <= 12 else max(0.12, 6.5 / k)
    side = max(3.2, 1.6 + cell * k)
    ncols = min(len(panels), 3)
    nrows = math.ceil(len(panels) / ncols)
    fig = _figure(side * ncols + 1.0, side * nrows + 0.6)
    axes = np.atleast_1d(fig.subplots(nrows, ncols, squeeze=False)).ravel()

    from matplotlib import colormaps

    cmap = colormaps["Reds"].with_extremes(bad="0.85")
    im = None
    for ax, (name, (names, share, num, den)) in zip(axes, panels, strict=False):
        im = ax.imshow(np.ma.masked_invalid(share), cmap=cmap, vmin=0.0, vmax=1.0)
        if k <= 12:
            texts = [["" if den[i, j] == 0 else f"{share[i, j]:.2f}\n{num[i, j]}/{den[i, j]}"
                      for j in range(k)] for i in range(k)]
            _annotate_heatmap(ax, share, texts, 1.0)
        ticks = range(k)
        ax.set_xticks(ticks, names, rotation=45, ha="right", fontsize=8)
        ax.set_yticks(ticks, names, fontsize=8)
        ax.set_title(name, fontsize=10)
    for ax in axes[len(panels):]:
        ax.set_visible(False)
    if im is not None:
        fig.colorbar(im, ax=list(axes[: len(panels)]), shrink=0.8,
                     label="share of related pairs labelled contradicts")
    fig.suptitle(title or "source-by-source contradiction share (related = gold not unrelated)")
    return _save(fig, path)


# --------------------------------------------------------------------------------------------
# Run-level entry points
# --------------------------------------------------------------------------------------------


def _run_title(result: Any) -> str:
    return f"{result.model_key} on {result.dataset_name} ({result.run_id})"


def save_run_plots(run_dir: Path | str) -> list[Path]:
    """confusion.png and per_class.png inside a finished run directory (from result.json only)."""
    run_dir = Path(run_dir)
    result = read_run(run_dir)
    title = _run_title(result)
    return [
        plot_confusion(result.metrics["confusion"], run_dir / "confusion.png", title),
        plot_per_class([(result.model_key, result.metrics)], run_dir / "per_class.png", title),
    ]


def plot_run(
    run_dir: Path | str, out_dir: Path | str | None = None,
    warn: Callable[[str], None] | None = None,
) -> list[Path]:
    """confusion.png, per_class.png and (with predictions) consistency.png into out_dir.

    Without readable predictions the heatmap is skipped (reported through `warn`), since the
    two other plots only need result.json.
    """
    run_dir = Path(run_dir)
    result = read_run(run_dir)  # first: a bad RUN_DIR must not get created as an output folder
    out = Path(out_dir) if out_dir is not None else run_dir
    out.mkdir(parents=True, exist_ok=True)
    title = _run_title(result)
    written = [
        plot_confusion(result.metrics["confusion"], out / "confusion.png", title),
        plot_per_class([(result.model_key, result.metrics)], out / "per_class.png", title),
    ]
    try:
        rows = read_predictions(run_dir)
    except RunReadError as exc:
        if warn is None:
            raise
        warn(f"warning: {exc}; consistency.png skipped")
        return written
    written.append(plot_consistency([(result.model_key, rows)], out / "consistency.png", title))
    return written


def plot_compare(run_dirs: Sequence[Path | str], out_dir: Path | str) -> list[Path]:
    """per_class.png (all runs side by side) and consistency.png (gold + each run) into out_dir.

    `run_dirs` may be run folders or folders holding runs. Runs must share one dataset
    fingerprint (the bars and cells would otherwise describe different items).
    """
    dirs = find_runs(run_dirs)
    if not dirs:
        raise RunReadError(", ".join(str(p) for p in run_dirs), "no runs found (no result.json)")
    results = [(d, read_run(d)) for d in dirs]
    by_fingerprint([LoadedRun(d, r) for d, r in results])  # raises MixedDatasetsError
    models = [r.model_key for _, r in results]
    names = [r.model_key if models.count(r.model_key) == 1 else f"{r.model_key}/{r.run_id}"
             for _, r in results]
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    dataset = results[0][1].dataset_name
    title = f"{dataset} ({results[0][1].fingerprint[:12]}): {len(results)} runs"
    written = [plot_per_class([(n, r.metrics) for n, (_, r) in zip(names, results, strict=True)],
                              out / "per_class.png", title)]
    rows = [(n, read_predictions(d)) for n, (d, _) in zip(names, results, strict=True)]
    written.append(plot_consistency(rows, out / "consistency.png", title))
    return written
