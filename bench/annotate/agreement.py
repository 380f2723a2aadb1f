"""Agreement of independent annotation passes with the gold labels and with each other.

A pass file is JSONL, one row per pair: {pair_id, label, annotator?, note?} — a filled-in blind
file (its claim ids and texts may stay in the rows). Rows with an empty label are not yet
annotated and are skipped. Reported: Cohen's kappa of each pass vs gold (overall, and per label as
one-vs-rest binary kappa), accuracy, the gold x pass confusion; between passes, Cohen's kappa for
each two passes and Fleiss' kappa over gold plus all passes when there are three or more raters;
and every disagreement with its texts and gold rationale, for adjudication.
Kappa is None (shown "n/a") where it is undefined: no items, or chance agreement of 1.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path
from typing import Any

from bench.annotate.blind import BLIND_FIELDS
from bench.corpus import Annotations, read_jsonl
from bench.labels import LABEL_NAMES, LABELS, NUM_LABELS, Label, LabelError, parse

PASS_FIELDS = ("pair_id", "label", "annotator", "note")


class AgreementError(ValueError):
    """Unreadable pass files; the message lists every bad row."""


@dataclass
class Pass:
    name: str
    file: str
    labels: dict[str, Label] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    unlabelled: int = 0


# ---------------------------------------------------------------------------------------- kappas

def cohen_kappa(a: Sequence[int], b: Sequence[int], k: int = NUM_LABELS) -> float | None:
    """Cohen's kappa of two raters over the same items (class ids 0..k-1)."""
    n = len(a)
    if n == 0 or len(b) != n:
        return None
    conf = [[0] * k for _ in range(k)]
    for x, y in zip(a, b):
        conf[x][y] += 1
    po = sum(conf[i][i] for i in range(k)) / n
    pe = sum(sum(conf[i]) * sum(row[i] for row in conf) for i in range(k)) / (n * n)
    return None if pe >= 1 - 1e-12 else (po - pe) / (1 - pe)


def fleiss_kappa(ratings: Sequence[Sequence[int]], k: int = NUM_LABELS) -> float | None:
    """Fleiss' kappa: `ratings[i]` holds the class ids every rater gave item i (same count per item)."""
    if not ratings or len(ratings[0]) < 2:
        return None
    raters = len(ratings[0])
    counts = [[row.count(j) for j in range(k)] for row in ratings]
    per_item = [(sum(c * c for c in row) - raters) / (raters * (raters - 1)) for row in counts]
    p_bar = sum(per_item) / len(per_item)
    shares = [sum(row[j] for row in counts) / (len(ratings) * raters) for j in range(k)]
    pe = sum(s * s for s in shares)
    return None if pe >= 1 - 1e-12 else (p_bar - pe) / (1 - pe)


def one_vs_rest_kappa(gold: Sequence[int], other: Sequence[int], label: int) -> float | None:
    return cohen_kappa([int(g == label) for g in gold], [int(o == label) for o in other], 2)


# ------------------------------------------------------------------------------------ pass files

def read_pass(path: str | Path, gold_ids: set[str]) -> Pass:
    """Read one pass file; raise AgreementError listing every bad row (unknown pair, bad label, ...)."""
    file = Path(path)
    if not file.is_file():
        raise AgreementError(f"pass file {file}: no such file")
    allowed = set(PASS_FIELDS) | set(BLIND_FIELDS)
    result = Pass(name=file.stem, file=str(file))
    annotators: set[str] = set()
    seen: dict[str, int] = {}
    errors: list[str] = []
    for item in read_jsonl(file):
        where = f"{file}:{item.line}"
        if item.data is None:
            if item.error != "blank line":
                errors.append(f"{where}: {item.error}")
            continue
        row = item.data
        unknown = sorted(set(row) - allowed)
        if unknown:
            errors.append(f"{where}: unknown field(s) {', '.join(map(repr, unknown))}; allowed: {', '.join(PASS_FIELDS)}")
            continue
        pid = row.get("pair_id")
        if not isinstance(pid, str) or pid not in gold_ids:
            errors.append(f"{where}: pair_id {pid!r} is not a pair of pairs.jsonl")
            continue
        if pid in seen:
            errors.append(f"{where}: pair_id {pid!r} again (also line {seen[pid]}); keep one label per pair")
            continue
        seen[pid] = item.line
        label = row.get("label")
        if label is None or (isinstance(label, str) and not label.strip()):
            result.unlabelled += 1
            continue
        try:
            result.labels[pid] = parse(label)
        except LabelError:
            errors.append(f"{where}: label {label!r} of {pid}; use one of: {', '.join(LABEL_NAMES)}")
            continue
        if isinstance(row.get("annotator"), str) and row["annotator"].strip():
            annotators.add(row["annotator"].strip())
        if isinstance(row.get("note"), str) and row["note"].strip():
            result.notes[pid] = row["note"].strip()
    if errors:
        raise AgreementError(f"{file}: {len(errors)} bad row(s):\n" + "\n".join(f"  {e}" for e in errors))
    if len(annotators) == 1:
        result.name = annotators.pop()
    return result


# ---------------------------------------------------------------------------------------- report

def agreement_report(ann: Annotations, passes: Sequence[Pass]) -> dict[str, Any]:
    """Everything the `agreement` command prints, as a JSON-serialisable dict."""
    gold = {p.pair_id: p for p in ann.pairs}
    names = _unique_names([p.name for p in passes])
    report: dict[str, Any] = {"labels": list(LABEL_NAMES), "passes": [], "between_passes": {}, "disagreements": []}
    for name, one in zip(names, passes):
        ids = sorted(one.labels)
        g = [gold[i].label.class_id for i in ids]
        o = [one.labels[i].class_id for i in ids]
        confusion = [[0] * NUM_LABELS for _ in range(NUM_LABELS)]
        for x, y in zip(g, o):
            confusion[x][y] += 1
        report["passes"].append({
            "name": name, "file": one.file, "n": len(ids), "unlabelled": one.unlabelled,
            "accuracy": sum(x == y for x, y in zip(g, o)) / len(ids) if ids else None,
            "kappa": cohen_kappa(g, o),
            "per_label_kappa": {label.value: one_vs_rest_kappa(g, o, label.class_id) for label in LABELS},
            "confusion": confusion,
        })
    cohen = []
    for (na, pa), (nb, pb) in combinations(zip(names, passes), 2):
        ids = sorted(set(pa.labels) & set(pb.labels))
        cohen.append({"a": na, "b": nb, "n": len(ids),
                      "kappa": cohen_kappa([pa.labels[i].class_id for i in ids], [pb.labels[i].class_id for i in ids])})
    report["between_passes"]["cohen"] = cohen
    if len(passes) >= 2:
        common = sorted(set.intersection(*(set(p.labels) for p in passes)))
        ratings = [[gold[i].label.class_id, *(p.labels[i].class_id for p in passes)] for i in common]
        report["between_passes"]["fleiss"] = {"raters": ["gold", *names], "n": len(common), "kappa": fleiss_kappa(ratings)}
    for pid in sorted(set().union(*(set(p.labels) for p in passes)) if passes else []):
        given = {name: p.labels[pid].value for name, p in zip(names, passes) if pid in p.labels}
        if any(label != gold[pid].label.value for label in given.values()):
            pair = gold[pid]
            report["disagreements"].append({
                "pair_id": pid, "text_a": ann.claims[pair.claim_a].text, "text_b": ann.claims[pair.claim_b].text,
                "gold": pair.label.value, "passes": given, "rationale": pair.rationale,
                "notes": {name: p.notes[pid] for name, p in zip(names, passes) if pid in p.notes},
            })
    return report


def _unique_names(names: list[str]) -> list[str]:
    out: list[str] = []
    for name in names:
        candidate, k = name, 2
        while candidate in out or candidate == "gold":
            candidate, k = f"{name}#{k}", k + 1
        out.append(candidate)
    return out


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def _table(header: list[str], rows: list[list[str]], markdown: bool) -> list[str]:
    if markdown:
        return ["| " + " | ".join(header) + " |", "|" + "|".join(["---"] + ["---:"] * (len(header) - 1)) + "|",
                *("| " + " | ".join(r) + " |" for r in rows)]
    widths = [max(len(str(x)) for x in column) for column in zip(header, *rows)]
    return ["  ".join(str(x).ljust(w) for x, w in zip(line, widths)).rstrip() for line in [header, *rows]]


def render(report: dict[str, Any], markdown: bool = False) -> str:
    """Readable text, or Markdown tables for the datasheet (`markdown=True`)."""
    out: list[str] = []
    h = "#### " if markdown else ""
    out += [f"{h}Each pass vs gold (Cohen's kappa; per label: one-vs-rest kappa)", ""]
    out += _table(["pass", "n", "accuracy", "kappa", *(f"κ {label}" for label in LABEL_NAMES)],
                  [[p["name"], str(p["n"]), _fmt(p["accuracy"]), _fmt(p["kappa"]),
                    *(_fmt(p["per_label_kappa"][label]) for label in LABEL_NAMES)] for p in report["passes"]], markdown)
    skipped = [f"{p['name']}: {p['unlabelled']}" for p in report["passes"] if p["unlabelled"]]
    if skipped:
        out += ["", f"Rows without a label (skipped): {', '.join(skipped)}."]
    between = report["between_passes"]
    if between.get("cohen") or between.get("fleiss"):
        out += ["", f"{h}Between passes", ""]
        rows = [[f"{c['a']} vs {c['b']}", "Cohen", str(c["n"]), _fmt(c["kappa"])] for c in between.get("cohen", [])]
        if "fleiss" in between:
            f = between["fleiss"]
            rows.append([" + ".join(f["raters"]), "Fleiss", str(f["n"]), _fmt(f["kappa"])])
        out += _table(["raters", "statistic", "n", "kappa"], rows, markdown)
    for p in report["passes"]:
        out += ["", f"{h}Confusion of {p['name']} (rows: gold, columns: {p['name']})", ""]
        out += _table(["gold \\ pass", *LABEL_NAMES],
                      [[label, *(str(c) for c in row)] for label, row in zip(LABEL_NAMES, p["confusion"])], markdown)
    out += ["", f"{h}Disagreements with gold ({len(report['disagreements'])})", ""]
    for d in report["disagreements"]:
        given = ", ".join(f"{name}: {label}" for name, label in d["passes"].items())
        bullet = "- " if markdown else ""
        out.append(f"{bullet}{d['pair_id']}: gold {d['gold']}; {given}")
        out.append(f"  a: {d['text_a']}")
        out.append(f"  b: {d['text_b']}")
        out.append(f"  gold rationale: {d['rationale'] or '(none)'}")
        for name, note in d["notes"].items():
            out.append(f"  note ({name}): {note}")
    return "\n".join(out) + "\n"
