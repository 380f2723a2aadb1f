"""Targets, tables and the figure of a perf run. Numbers are reported as measured: a missed target
is a MISS row, never a retuned threshold."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

PASS, MISS, NA = "PASS", "MISS", "n/a"


@dataclass
class Target:
    name: str
    measured: float | None
    op: str  # "<=" or ">="
    bound: float
    unit: str
    note: str = ""

    @property
    def status(self) -> str:
        if self.measured is None or (isinstance(self.measured, float) and math.isnan(self.measured)):
            return NA
        ok = self.measured <= self.bound if self.op == "<=" else self.measured >= self.bound
        return PASS if ok else MISS

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "status": self.status}


def fmt(value: Any, digits: int = 2) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        if math.isnan(value):
            return "-"
        return f"{value:.{digits}f}"
    return str(value)


def table(headers: list[str], rows: Iterable[list[Any]]) -> str:
    """A Markdown table that also reads well in a terminal."""
    cells = [[fmt(c) for c in row] for row in rows]
    widths = [max([len(h), *(len(r[i]) for r in cells)]) for i, h in enumerate(headers)]
    line = "| " + " | ".join(h.ljust(w) for h, w in zip(headers, widths)) + " |"
    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    body = ["| " + " | ".join(c.ljust(w) for c, w in zip(r, widths)) + " |" for r in cells]
    return "\n".join([line, rule, *body])


def targets_table(targets: list[dict[str, Any]]) -> str:
    return table(["measurement", "measured", "target", "status", "note"],
                 [[t["name"], _with_unit(t["measured"], t["unit"]), f"{t['op']} {fmt(t['bound'])} {t['unit']}".strip(),
                   t["status"], t.get("note", "")] for t in targets])


def _with_unit(value: Any, unit: str) -> str:
    return f"{fmt(value)} {unit}".strip() if value is not None else "-"


def scaling_table(rows: list[dict[str, Any]]) -> str:
    return table(
        ["model", "encoder", "pairs", "unique texts", "wall s", "fit s", "predict s", "cpu s", "peak RSS MB",
         "macro-F1", "status"],
        [[r["model"], r["encoder"], r["pairs"], r.get("unique_texts"), r.get("seconds"), r.get("fit_seconds"),
          r.get("predict_seconds"), r.get("cpu_seconds"), r.get("peak_rss_mb"), _f3(r.get("macro_f1")),
          r.get("status", "ok") if r.get("status", "ok") == "ok" else f"{r['status']}: {r.get('error', '')[:60]}"]
         for r in rows])


def _f3(value: Any) -> str:
    return "-" if value is None else f"{value:.3f}"


def comparison_table(report: dict[str, Any]) -> str:
    """Harness vs bare and cold vs warm, one row per measured pair of numbers."""
    rows = []
    for key, label in (("bi_encoder", "sbert_lr LOSO: harness vs bare"),
                       ("cross_encoder", "CrossEncoder predict: harness vs bare")):
        m = report.get("overhead", {}).get(key) or {}
        note = (f"median of {len(m['round_ratios'])} paired rounds; ratio of minimums {m['ratio_of_minimums']:.2f}"
                if m.get("round_ratios") else "; ".join(m.get("errors") or []))[:120]
        rows.append([label, m.get("harness_seconds"), m.get("bare_seconds"), m.get("ratio"), note])
    c = report.get("cache") or {}
    for kind, note in (("embedding", "time inside Encoder.encode: load + encode, or cache lookups"),
                       ("model", "prepare + fit + predict of the run record; ratio = cold / warm"),
                       ("run", "execute() incl. its imports, data load, metrics, record"),
                       ("process", "the whole fresh process, as seen from outside")):
        rows.append([f"sbert_lr run, cold vs warm cache ({kind})", c.get(f"cold_{kind}_seconds"),
                     c.get(f"warm_{kind}_seconds"), c.get(f"speedup_{kind}"), note])
    return table(["comparison", "A (harness / cold) s", "B (bare / warm) s", "ratio", "note"], rows)


def series_label(model: str, encoder: str) -> str:
    """`encoder` is "model" (what the config uses: MiniLM for sbert_*) or "standin" (bench.perf.standin)."""
    if encoder == "standin":
        return f"{model} (stand-in encoder)"
    return f"{model} (MiniLM)" if model.startswith("sbert") else model


def plot(report: dict[str, Any], path: Path) -> None:
    """perf.png: scaling (time and RSS, log-log, with fitted exponents) and the side-by-side ratios."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(16, 4.8))
    rows = [r for r in report.get("scaling", {}).get("rows", []) if r.get("status", "ok") == "ok"]
    series: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for r in rows:
        series.setdefault((r["model"], r["encoder"]), []).append(r)
    exponents = {(e["model"], e["encoder"]): e["exponent"] for e in report.get("scaling", {}).get("exponents", [])}
    for (model, encoder), pts in sorted(series.items()):
        pts = sorted(pts, key=lambda r: r["pairs"])
        label = series_label(model, encoder)
        if exponents.get((model, encoder)) is not None:
            label += f"  k={exponents[(model, encoder)]:.2f}"
        x = [p["pairs"] for p in pts]
        axes[0].plot(x, [p["seconds"] for p in pts], marker="o", label=label)
        axes[1].plot(x, [p["peak_rss_mb"] for p in pts], marker="o", label=series_label(model, encoder))
    for ax, ylabel, title in ((axes[0], "seconds (5 grouped folds)", "time vs pairs (k: log-log slope)"),
                              (axes[1], "peak RSS (MB)", "peak memory vs pairs")):
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("synthetic pairs")
        ax.set_ylabel(ylabel)
        ax.set_title(title)
        ax.grid(True, which="both", alpha=0.3)
        if ax.lines:
            ax.legend(fontsize=8)
    axes[0].axhline(60, color="grey", linestyle="--", linewidth=0.8)
    axes[1].axhline(4096, color="grey", linestyle="--", linewidth=0.8)

    bars = []  # (label, A seconds, B seconds, A name, B name, the section's own ratio and what it is)
    for key, label in (("bi_encoder", "sbert_lr\nLOSO"), ("cross_encoder", "CrossEncoder\npredict")):
        m = report.get("overhead", {}).get(key) or {}
        if m.get("harness_seconds") and m.get("bare_seconds") and m.get("ratio"):
            bars.append((label, m["bare_seconds"], m["harness_seconds"], "bare", "harness",
                         f"harness / bare\n{m['ratio']:.2f}x"))
    c = report.get("cache") or {}
    if c.get("cold_model_seconds") and c.get("warm_model_seconds"):
        bars.append(("sbert_lr cache\n(prepare+fit+predict)", c["cold_model_seconds"], c["warm_model_seconds"], "cold", "warm",
                     f"cold / warm\n{c['speedup_model']:.2f}x"))
    ax = axes[2]
    for i, (_label, a, b, la, lb, ratio) in enumerate(bars):
        ax.bar(i - 0.2, a, width=0.4, color="#999999")
        ax.bar(i + 0.2, b, width=0.4, color="#3a78b5")
        ax.text(i - 0.2, a, la, ha="center", va="bottom", fontsize=8)
        ax.text(i + 0.2, b, lb, ha="center", va="bottom", fontsize=8)
        ax.text(i, max(a, b) * 1.12, ratio, ha="center", va="bottom", fontsize=8, fontweight="bold")
    if bars:
        ax.set_ylim(0, max(max(b[1], b[2]) for b in bars) * 1.4)
    ax.set_xticks(range(len(bars)), [b[0] for b in bars])
    ax.set_ylabel("seconds")
    ax.set_title("side by side (medians; ratio as scored)")
    if not bars:
        ax.text(0.5, 0.5, "not measured in this run", ha="center", va="center", transform=ax.transAxes)
    machine = report.get("machine", {})
    fig.suptitle(f"ClaimBench perf — {machine.get('cores')} cores, {machine.get('cpu_model', '?')}, "
                 f"torch threads {machine.get('torch_threads', '?')}", fontsize=10)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
