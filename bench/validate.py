"""Every rule an annotation root must obey, checked all at once.

Each violation reads `file:line: rule: value — fix` so a user can jump to the line and mend it.
Checks run on `RawAnnotations` (what is on disk, or what would be after an edit), never on disk
directly, so `bench annotate add-pair/import` can validate the would-be files before writing.

Decision (documented in GUIDELINES.md): `contradicts` is symmetric — if both directions of a claim
pair are annotated and either says contradicts, both must. `unrelated` is not required to be
symmetric: the reverse of a one-way entailment (specific => general) is `unrelated`.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from pathlib import Path
from typing import Any

from bench.corpus import (
    ARTICLE_COLUMNS,
    ARTICLES_CSV,
    ARTICLES_DIR,
    CLAIM_FIELDS,
    CLAIMS_JSONL,
    ORIGINS,
    PAIR_FIELDS,
    PAIRS_JSONL,
)
from bench.labels import LABEL_NAMES, Label, LabelError, parse
from bench.raw_annotations import RawAnnotations
from bench.violation import Violation, check_fields, show_path

__all__ = ["RATIONALE_REQUIRED", "RawAnnotations", "Violation", "check", "count_by_rule", "validate"]

RATIONALE_REQUIRED = (Label.ENTAILS, Label.CONTRADICTS)


def validate(root: str | Path) -> list[Violation]:
    """All violations of the annotations under `root` (empty list: valid)."""
    return check(RawAnnotations.read(root))


def check(raw: RawAnnotations) -> list[Violation]:
    out: list[Violation] = []
    for name in raw.missing:
        out.append(Violation(show_path(raw.root / name), None, "file-missing", name,
                             f"create it (an empty {name} is valid)" if name.endswith("jsonl")
                             else f"create it with header {','.join(ARTICLE_COLUMNS)}"))
    for name in raw.not_files:
        out.append(Violation(show_path(raw.root / name), None, "not-a-file", f"{name} is not a regular file",
                             f"replace it with the file {name} (move the folder or broken link away)"))
    texts = _check_articles(raw, out)
    claims = _check_claims(raw, texts, out)
    _check_pairs(raw, claims, out)
    return out


# ------------------------------------------------------------------------------------ articles

def _check_articles(raw: RawAnnotations, out: list[Violation]) -> dict[str, str]:
    """Return the decoded text of every article whose file exists and matches its sha256."""
    path = show_path(raw.root / ARTICLES_CSV)
    if raw.articles_error:
        out.append(Violation(path, 1, "csv", raw.articles_error, "save it as UTF-8 CSV with a header row"))
        return {}
    if ARTICLES_CSV in raw.missing or ARTICLES_CSV in raw.not_files:
        return {}
    absent = [c for c in ARTICLE_COLUMNS if c not in raw.article_header]
    if absent:
        out.append(Violation(path, 1, "csv-header", f"missing column(s) {', '.join(absent)}",
                             f"the header must have {','.join(ARTICLE_COLUMNS)}"))
        return {}
    texts: dict[str, str] = {}
    seen: dict[str, int] = {}
    for line, row in raw.article_rows:
        aid = (row.get("article_id") or "").strip()
        for column in ("article_id", "outlet", "event_id", "file", "sha256"):
            if not (row.get(column) or "").strip():
                out.append(Violation(path, line, "field-missing", f"{column} is empty",
                                     f"fill in {column} (only headline and byline may be empty)"))
        if not aid:
            continue
        if aid in seen:
            out.append(Violation(path, line, "id-duplicate", f"article_id {aid!r} (also line {seen[aid]})",
                                 "give each article a unique article_id"))
            continue
        seen[aid] = line
        name = (row.get("file") or "").strip()
        if not name:
            continue
        if name in raw.file_problems:
            out.append(Violation(path, line, "article-file-outside", f"file of {aid!r}: {raw.file_problems[name]}",
                                 f"put the text inside {show_path(raw.root / ARTICLES_DIR)}/ and give its name "
                                 "relative to that folder"))
            continue
        data = raw.texts.get(name)
        shown_file = show_path(raw.root / ARTICLES_DIR / name)
        if data is None:
            out.append(Violation(path, line, "article-file-missing", f"{shown_file} for {aid!r}",
                                 f"put the article text at {shown_file} or correct the file column"))
            continue
        digest = hashlib.sha256(data).hexdigest()
        expected = (row.get("sha256") or "").strip().lower()
        if digest != expected:
            out.append(Violation(path, line, "article-sha256", f"{name} has sha256 {digest[:12]}…, "
                                 f"articles.csv says {expected[:12] or '(empty)'}…",
                                 "restore the original text (article files are kept byte for byte), "
                                 "or, for a deliberate new version, update sha256"))
            continue
        try:
            texts[aid] = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            out.append(Violation(shown_file, None, "encoding", f"not UTF-8 at byte {exc.start}",
                                 "re-save the article as UTF-8"))
    return texts


# -------------------------------------------------------------------------------------- claims

def _check_claims(raw: RawAnnotations, texts: dict[str, str], out: list[Violation]) -> dict[str, dict[str, Any]]:
    """Return the well-formed claims by id (for the pair checks), reporting every problem."""
    path = show_path(raw.root / CLAIMS_JSONL)
    known_articles = {(r.get("article_id") or "").strip() for _, r in raw.article_rows}
    claims: dict[str, dict[str, Any]] = {}
    lines: dict[str, int] = {}
    for item in raw.claim_lines:
        if item.data is None:
            out.append(Violation(path, item.line, "json", item.error or "unreadable", "write one JSON object per line"))
            continue
        row = item.data
        if not check_fields(row, CLAIM_FIELDS, _CLAIM_TYPES, path, item.line, out):
            continue
        cid = row["claim_id"]
        if cid in lines:
            out.append(Violation(path, item.line, "id-duplicate", f"claim_id {cid!r} (also line {lines[cid]})",
                                 "give each claim a unique claim_id"))
            continue
        lines[cid] = item.line
        claims[cid] = row
        if not row["text"].strip():
            out.append(Violation(path, item.line, "text-empty", f"claim {cid!r} has empty text",
                                 "write the claim as one self-contained statement"))
        aid = row["article_id"]
        if aid not in known_articles:
            out.append(Violation(path, item.line, "claim-article", f"article_id {aid!r} of claim {cid!r}",
                                 f"use one of: {', '.join(sorted(a for a in known_articles if a))}"))
        span = row["span"]
        if span is not None:
            if len(span) != 2 or not all(isinstance(x, int) and not isinstance(x, bool) for x in span):
                out.append(Violation(path, item.line, "field-type", f"span {span!r} of claim {cid!r}",
                                     "write span as [start, end] integers or null"))
            elif aid in texts:
                start, end = span
                if not (0 <= start < end <= len(texts[aid])):
                    out.append(Violation(path, item.line, "span-range", f"span {span!r} of claim {cid!r}",
                                         f"need 0 <= start < end <= {len(texts[aid])} (length of {aid}'s text); "
                                         "use `bench annotate add-claim --quote` to compute it"))
                elif not texts[aid][start:end].strip():
                    out.append(Violation(path, item.line, "span-empty", f"span {span!r} of claim {cid!r} is whitespace",
                                         "point the span at the supporting passage"))
        derived, kind = row["derived_from"], row["perturbation"]
        if (derived is None) != (kind is None):
            out.append(Violation(path, item.line, "derived-perturbation",
                                 f"claim {cid!r} has derived_from={derived!r}, perturbation={kind!r}",
                                 "set both (a perturbed claim) or neither (a natural claim)"))
    for cid, row in claims.items():
        derived = row["derived_from"]
        if derived is not None:
            if derived not in claims:
                out.append(Violation(path, lines[cid], "derived-from", f"claim {cid!r} derives from unknown {derived!r}",
                                     "name an existing claim_id"))
            elif derived == cid:
                out.append(Violation(path, lines[cid], "derived-from", f"claim {cid!r} derives from itself",
                                     "name the natural claim it was perturbed from"))
    return claims


_CLAIM_TYPES: dict[str, tuple[type, ...]] = {
    "claim_id": (str,), "article_id": (str,), "text": (str,), "span": (list, type(None)),
    "derived_from": (str, type(None)), "perturbation": (str, type(None)), "annotator": (str,),
}


# --------------------------------------------------------------------------------------- pairs

def _check_pairs(raw: RawAnnotations, claims: dict[str, dict[str, Any]], out: list[Violation]) -> None:
    path = show_path(raw.root / PAIRS_JSONL)
    events = {(r.get("article_id") or "").strip(): (r.get("event_id") or "").strip() for _, r in raw.article_rows}
    ids: dict[str, int] = {}
    ordered: dict[tuple[str, str], tuple[int, Label | None]] = {}
    for item in raw.pair_lines:
        if item.data is None:
            out.append(Violation(path, item.line, "json", item.error or "unreadable", "write one JSON object per line"))
            continue
        row = item.data
        if not check_fields(row, PAIR_FIELDS, _PAIR_TYPES, path, item.line, out):
            continue
        pid, a, b = row["pair_id"], row["claim_a"], row["claim_b"]
        if pid in ids:
            out.append(Violation(path, item.line, "id-duplicate", f"pair_id {pid!r} (also line {ids[pid]})",
                                 "give each pair a unique pair_id"))
            continue
        ids[pid] = item.line
        label: Label | None
        try:
            label = parse(row["label"])
        except LabelError:
            label = None
            out.append(Violation(path, item.line, "label", f"label {row['label']!r} of pair {pid!r}",
                                 f"use one of: {', '.join(LABEL_NAMES)}"))
        if row["origin"] not in ORIGINS:
            out.append(Violation(path, item.line, "origin", f"origin {row['origin']!r} of pair {pid!r}",
                                 f"use one of: {', '.join(ORIGINS)}"))
        if label in RATIONALE_REQUIRED and not row["rationale"].strip():
            out.append(Violation(path, item.line, "rationale", f"pair {pid!r} ({label}) has no rationale",
                                 "add one sentence saying why this label holds"))
        missing = [c for c in (a, b) if c not in claims]
        for cid in missing:
            out.append(Violation(path, item.line, "pair-claim", f"claim {cid!r} of pair {pid!r} does not exist",
                                 f"add it to {CLAIMS_JSONL} first or fix the id"))
        if a == b:
            out.append(Violation(path, item.line, "self-pair", f"pair {pid!r} pairs {a!r} with itself",
                                 "pair claims from two different articles"))
            continue
        if (a, b) in ordered:
            other = ordered[(a, b)][0]
            out.append(Violation(path, item.line, "pair-duplicate", f"({a}, {b}) of pair {pid!r} (also line {other})",
                                 "remove the duplicate or reverse its direction"))
            continue
        ordered[(a, b)] = (item.line, label)
        if missing:
            continue
        event_a, event_b = events.get(claims[a]["article_id"]), events.get(claims[b]["article_id"])
        if event_a and event_b and event_a != event_b:
            out.append(Violation(path, item.line, "cross-event",
                                 f"pair {pid!r}: {a!r} is from event {event_a!r}, {b!r} from {event_b!r}",
                                 "pair claims about the same event (a pair is grouped by event in cross-validation)"))
        if claims[a]["article_id"] == claims[b]["article_id"]:
            out.append(Violation(path, item.line, "same-source",
                                 f"pair {pid!r}: {a!r} and {b!r} both come from {claims[a]['article_id']!r}",
                                 "pairs are cross-source: pick claims from two different articles"))
        derived = claims[a]["derived_from"] is not None or claims[b]["derived_from"] is not None
        if row["origin"] in ORIGINS and (row["origin"] == "perturbed") != derived:
            expected = "perturbed" if derived else "natural"
            out.append(Violation(path, item.line, "origin-mismatch",
                                 f"pair {pid!r} has origin {row['origin']!r}",
                                 f"use {expected!r}: origin is 'perturbed' exactly when a claim has derived_from"))
    for (a, b), (line, label) in ordered.items():
        mirror = ordered.get((b, a))
        if mirror is None or line > mirror[0]:
            continue  # report each conflicting mirror once, at the later line
        other_line, other_label = mirror
        if label is None or other_label is None:
            continue
        if (label is Label.CONTRADICTS) != (other_label is Label.CONTRADICTS):
            out.append(Violation(path, other_line, "mirror-conflict",
                                 f"({b}, {a}) is {other_label} but its mirror on line {line} is {label}",
                                 "contradiction is symmetric: label both directions contradicts, or neither"))


_PAIR_TYPES: dict[str, tuple[type, ...]] = {
    "pair_id": (str,), "claim_a": (str,), "claim_b": (str,), "label": (str,), "origin": (str,),
    "annotator": (str,), "rationale": (str,),
}


def count_by_rule(violations: list[Violation]) -> Counter[str]:
    return Counter(v.rule for v in violations)
