"""Tables -> text: one function per format (terminal, md, csv, json, latex); `render` picks one.

Numbers are formatted here only; a table holds raw values (None = undefined).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Sequence
from dataclasses import asdict
from typing import Any

from bench.compare.errors import CompareError
from bench.compare.table import Row, Table
from bench.metrics import METRICS
from bench.slices import LABEL_SLICE

FORMATS: tuple[str, ...] = ("terminal", "md", "csv", "json", "latex")
SUFFIX_FORMATS = {".md": "md", ".csv": "csv", ".json": "json", ".tex": "latex", ".txt": "terminal"}


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
    metric_name = "recall" if t.slice_by == LABEL_SLICE else METRICS[t.metric].label
    delta_head = f"{'Δ' if uni else 'delta'} {metric_name} [95% CI]"
    cols: list[tuple[str, Callable[[Row], str], str]] = [
        ("#", lambda r: str(r.rank), "r"),
        ("model", lambda r: r.model, "l"),
    ]
    if t.duplicate_models:
        cols.append(("run", lambda r: r.run_id, "l"))
    cols.append(("macro-F1 [95% CI]", lambda r: _with_ci(r.macro_f1, r.macro_f1_lo, r.macro_f1_hi), "l"))
    if any(r.hard_macro_f1 is not None for r in t.rows):
        cols.append(("macro-F1 hard", lambda r: _num(r.hard_macro_f1), "r"))
    cols += [
        ("recall" if t.slice_by == LABEL_SLICE else "acc", lambda r: _num(r.accuracy), "r"),
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
    parts.append(bootstrap_note(t))
    text = " · ".join(parts) if style == "md" else "; ".join(parts)
    return text.replace("≈ ref", "~ref") if style == "terminal" else text


def bootstrap_note(t: Table) -> str:
    """What the bootstrap resampled; McNemar's independence assumption when pairs are clustered;
    and the runs whose recorded CIs used another unit (older records: pairs)."""
    if t.bootstrap_unit == "pair":
        text = "bootstrap resamples pairs (iid)"
    else:
        text = (f"bootstrap resamples {t.n_clusters} {t.bootstrap_unit} clusters; McNemar treats pairs as "
                "independent, so its p is optimistic here")
    other = sorted({f"{r.model} by {r.ci_unit}" for r in t.rows if r.ci_unit != t.bootstrap_unit})
    if other:
        text += f"; CIs as recorded: {', '.join(other)}"
    if t.slice_by == "hard":
        text += "; hard = pairs the hypothesis_only probe gets wrong (probe row left out)"
    return text


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
