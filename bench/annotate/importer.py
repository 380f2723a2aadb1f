"""Import a flat pair file (CSV, TSV or JSONL) into claims.jsonl + pairs.jsonl, all or nothing.

A flat row names two claim texts, their articles and a label. Each text becomes a claim id: an
existing claim of the same article with the same `normalize_text` is reused, otherwise a new claim
is created (span = the text's position when it is a verbatim quote found exactly once in the
article, else null). Every row is checked first; if any row is bad, nothing is written and every
bad row is reported with its line number. A row that repeats an already annotated pair with the
same label is skipped (so importing a file twice adds nothing); with another label it is an error.
Writes go claims first, then pairs (see `bench.annotate.store` for why a crash there is safe).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench import flatfile
from bench.annotate.store import (
    EditError,
    IdAllocator,
    Snapshot,
    capped,
    check_additions,
    commit,
    default_annotator,
    locked,
    read_snapshot,
    row_text,
)
from bench.corpus import ORIGINS, Claim, Pair, SpanError, collapse_whitespace, find_span, normalize_text
from bench.labels import LABEL_NAMES, Label, LabelError, parse
from bench.validate import RATIONALE_REQUIRED
from bench.violation import lone_surrogate

FIELDS = ("text_a", "source_a", "text_b", "source_b", "label", "origin", "rationale", "annotator")
REQUIRED = ("text_a", "source_a", "text_b", "source_b", "label")


@dataclass
class ImportPlan:
    """What an import adds (or would add, with --dry-run)."""

    file: Path
    rows: int
    claims: list[Claim] = field(default_factory=list)
    pairs: list[Pair] = field(default_factory=list)
    reused_claims: set[str] = field(default_factory=set)
    skipped: list[tuple[int, Pair]] = field(default_factory=list)  # (line, the existing pair it repeats)


def parse_assignments(spec: str | None, option: str) -> dict[str, str]:
    """`a=b,c=d` -> {a: b, c: d}; an item without `=` is an error naming the option."""
    out: dict[str, str] = {}
    if not spec:
        return out
    for item in spec.split(","):
        if not item.strip():
            continue
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise EditError(f"{option}: {item!r} is not KEY=VALUE (e.g. {option} text_a=premise,label=gold)")
        out[key.strip()] = value.strip()
    return out


def column_map(spec: str | None) -> dict[str, str]:
    """Our field -> the file's column, from `--columns`; defaults to the field's own name."""
    given = parse_assignments(spec, "--columns")
    unknown = sorted(set(given) - set(FIELDS))
    if unknown:
        raise EditError(f"--columns: unknown field(s) {', '.join(map(repr, unknown))}; fields: {', '.join(FIELDS)}")
    return {name: given.get(name, name) for name in FIELDS}


def label_map(spec: str | None) -> dict[str, Label]:
    """The file's label value -> our Label, from `--labels ENTAILMENT=entails,...`."""
    out: dict[str, Label] = {}
    for theirs, ours in parse_assignments(spec, "--labels").items():
        try:
            out[theirs] = parse(ours, where=f"--labels {theirs}={ours}")
        except LabelError as exc:
            raise EditError(str(exc)) from None
    return out


def read_flat(path: Path) -> tuple[list[str] | None, list[tuple[int, dict[str, Any] | None, str | None]]]:
    """bench.flatfile.read_flat with its errors as EditError (what `annotate` commands report)."""
    try:
        return flatfile.read_flat(path)
    except flatfile.FlatFileError as exc:
        raise EditError(str(exc)) from None


def _value(row: Mapping[str, Any], column: str) -> str:
    value = row.get(column)
    return "" if value is None else str(value).strip()


def plan_import(
    snap: Snapshot,
    path: Path,
    *,
    columns: Mapping[str, str],
    labels: Mapping[str, Label],
    annotator: str | None = None,
) -> ImportPlan:
    """Resolve every row of `path` against `snap`; raise EditError listing every bad row."""
    header, rows = read_flat(path)
    if header is not None:
        absent = [f"{name} (column {columns[name]!r})" for name in REQUIRED if columns[name] not in header]
        if absent:
            raise EditError(f"{path}: missing {', '.join(absent)}; columns present: {', '.join(header)}; "
                            "map them with --columns text_a=COL,source_a=COL,...")
    who = annotator or default_annotator()
    plan = ImportPlan(file=path, rows=len(rows))
    by_text = {(c.article_id, normalize_text(c.text)): c for c in snap.claims.values()}
    annotated = {(p.claim_a, p.claim_b): (f"{snap.root / 'pairs.jsonl'}", p) for p in snap.pairs}
    ids = IdAllocator(snap.claims, (p.pair_id for p in snap.pairs))
    flat_texts = {aid: collapse_whitespace(text) for aid, text in snap.texts.items()}  # for a cheap "is it a quote?"
    errors: list[str] = []
    claim_line: dict[str, int] = {}
    pair_line: dict[str, int] = {}

    def claim_for(text: str, article: str, line: int, row_annotator: str) -> Claim:
        key = (article, normalize_text(text))
        found = by_text.get(key)
        if found is not None:
            if found.claim_id in snap.claims:
                plan.reused_claims.add(found.claim_id)
            return found
        span: tuple[int, int] | None = None
        if collapse_whitespace(text).strip() in flat_texts[article]:  # find_span is slow on a miss (closest passage)
            try:
                span = find_span(snap.texts[article], text)
            except SpanError:
                span = None
        new = Claim(ids.claim(article), article, text, span, None, None, row_annotator)
        by_text[key] = new
        plan.claims.append(new)
        claim_line[new.claim_id] = line
        return new

    for line, row, error in rows:
        where = f"{path}:{line}"
        if row is None:
            errors.append(f"{where}: {error}")
            continue
        problems: list[str] = []
        if header is None:
            absent = [f"{n} (key {columns[n]!r})" for n in REQUIRED if columns[n] not in row]
            if absent:
                errors.append(f"{where}: missing {', '.join(absent)}; keys present: {', '.join(map(repr, row))}")
                continue
        values = {name: _value(row, columns[name]) for name in FIELDS}
        for name, value in values.items():
            problem = lone_surrogate(value)
            if problem:
                problems.append(f"{name}: {problem}")
        for side in ("a", "b"):
            if not values[f"text_{side}"]:
                problems.append(f"text_{side} is empty")
            source = values[f"source_{side}"]
            if source not in snap.articles:
                problems.append(f"source_{side} {source!r} is not an article_id; known: {', '.join(sorted(snap.articles))}")
        raw_label = values["label"]
        gold: Label | None = labels.get(raw_label)
        if gold is None:
            try:
                gold = parse(raw_label)
            except LabelError:
                mapped = f"; mapped: {', '.join(labels)}" if labels else ""
                problems.append(f"label {raw_label!r} is not one of {', '.join(LABEL_NAMES)}{mapped} "
                                "(map it with --labels THEIRS=ours)")
        origin = values["origin"] or None
        if origin is not None and origin not in ORIGINS:
            problems.append(f"origin {origin!r}; use one of: {', '.join(ORIGINS)} or leave it empty")
        if gold in RATIONALE_REQUIRED and not values["rationale"]:
            problems.append(f"a {gold} pair needs a rationale (one sentence saying why)")
        if values["source_a"] and values["source_a"] == values["source_b"]:
            problems.append(f"both claims come from {values['source_a']!r}; pairs are cross-source")
        if problems:
            errors.append(f"{where}: " + "; ".join(problems))
            continue
        assert gold is not None
        row_annotator = values["annotator"] or who
        a = claim_for(values["text_a"], values["source_a"], line, row_annotator)
        b = claim_for(values["text_b"], values["source_b"], line, row_annotator)
        implied = "perturbed" if (a.derived_from or b.derived_from) else "natural"
        if origin is not None and origin != implied:
            errors.append(f"{where}: origin {origin!r} but the claims imply {implied!r} "
                          "(perturbed exactly when a claim has derived_from)")
            continue
        existing = annotated.get((a.claim_id, b.claim_id))
        if existing is not None:
            source, other = existing
            if other.label is gold:
                plan.skipped.append((line, other))
                continue
            errors.append(f"{where}: ({a.claim_id}, {b.claim_id}) is already annotated as {other.label} "
                          f"at {source}: {row_text(other)}")
            continue
        mirror = annotated.get((b.claim_id, a.claim_id))
        if mirror is not None and (mirror[1].label is Label.CONTRADICTS) != (gold is Label.CONTRADICTS):
            errors.append(f"{where}: {gold} conflicts with the mirror pair at {mirror[0]}: {row_text(mirror[1])} "
                          "(contradiction is symmetric)")
            continue
        pair = Pair(ids.pair(), a.claim_id, b.claim_id, gold, origin or implied, row_annotator,
                    values["rationale"])
        annotated[(a.claim_id, b.claim_id)] = (f"{path}:{line}", pair)
        pair_line[pair.pair_id] = line
        plan.pairs.append(pair)
    if errors:
        raise EditError(f"{path}: {len(errors)} of {len(rows)} row(s) invalid; nothing written:\n"
                        + capped(f"  {e}" for e in errors))
    violations = check_additions(snap, plan.claims, plan.pairs)
    if violations:  # the row checks above should catch everything; this is the last gate
        c0, p0 = len(snap.raw.claim_lines), len(snap.raw.pair_lines)
        shown = []
        for v in violations:
            origin_line: int | None = None
            if v.line is not None and v.file.endswith("claims.jsonl") and v.line > c0:
                origin_line = claim_line.get(plan.claims[v.line - c0 - 1].claim_id)
            elif v.line is not None and v.file.endswith("pairs.jsonl") and v.line > p0:
                origin_line = pair_line.get(plan.pairs[v.line - p0 - 1].pair_id)
            shown.append(f"  {path}:{origin_line}: {v.rule}: {v.value} — {v.fix}" if origin_line else f"  {v}")
        raise EditError(f"{path}: the import would break {len(violations)} rule(s); nothing written:\n" + capped(shown),
                        violations)
    return plan


def import_file(
    root: str | Path,
    path: str | Path,
    *,
    columns: str | None = None,
    labels: str | None = None,
    dry_run: bool = False,
    annotator: str | None = None,
) -> ImportPlan:
    """Import `path` into `root` (or only plan it with `dry_run`); return what was (would be) added."""
    cols, labs = column_map(columns), label_map(labels)
    with locked(root):
        snap = read_snapshot(root)
        plan = plan_import(snap, Path(path), columns=cols, labels=labs, annotator=annotator)
        if not dry_run and (plan.claims or plan.pairs):
            commit(snap, plan.claims, plan.pairs, validated=True)  # plan_import ran check_additions
    return plan
