"""Merge an annotated headline batch into an annotation root (claims and pairs), all or nothing.

A headline batch is how the Emergent corpus was annotated: per headline (`hid` = `h` + Emergent row
id) the annotator wrote one claim or a skip reason (`claims.jsonl`), and per proposed ordered pair
(`candidates.jsonl`: `cid`, `a`, `b`) a label with a rationale (`labels.jsonl`). Merging turns each
claim into a claim of the headline's article (span = the whole headline: the headline is the
article) and each label into a natural pair; skipped headlines are listed in `skipped.csv`, so the
datasheet can count them. The would-be files are validated before anything is written.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from bench.annotate.store import EditError, commit, locked, next_claim_id, read_snapshot
from bench.corpus import Claim, Pair
from bench.fileio import atomic_write_text
from bench.labels import parse

SKIPPED_CSV = "skipped.csv"
SKIP_REASONS = ("question", "no-assertion", "off-topic")


def _jsonl(path: Path) -> list[tuple[int, dict[str, Any]]]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise EditError(f"{path}: cannot read ({exc.strerror or exc})") from None
    out = []
    for number, line in enumerate(lines, 1):
        if line.strip():
            try:
                out.append((number, json.loads(line)))
            except json.JSONDecodeError as exc:
                raise EditError(f"{path}:{number}: not JSON ({exc.msg})") from None
    return out


def merge_batch(root: str | Path, batch: str | Path, articles_by_hid: Mapping[str, str], annotator: str,
                pair_prefix: str = "p") -> tuple[int, int, int]:
    """Append the batch's claims and pairs to `root`; return (claims, pairs, skipped)."""
    base, folder = Path(root), Path(batch)
    with locked(base):
        snap = read_snapshot(base)
        claim_ids = list(snap.claims)
        by_hid: dict[str, Claim] = {}
        skipped: list[tuple[str, str]] = []
        for line, row in _jsonl(folder / "claims.jsonl"):
            hid = str(row.get("hid"))
            if hid not in articles_by_hid:
                raise EditError(f"{folder / 'claims.jsonl'}:{line}: unknown headline {hid!r}")
            article = articles_by_hid[hid]
            if row.get("claim") is None:
                if row.get("skip") not in SKIP_REASONS:
                    raise EditError(f"{folder / 'claims.jsonl'}:{line}: skip {row.get('skip')!r}; use one of {', '.join(SKIP_REASONS)}")
                skipped.append((article, row["skip"]))
                continue
            headline = snap.texts.get(article)
            if headline is None:
                raise EditError(f"{folder / 'claims.jsonl'}:{line}: article {article!r} is not in {base}")
            claim = Claim(next_claim_id(claim_ids, article), article, str(row["claim"]).strip(), (0, len(headline)),
                          None, None, annotator)
            claim_ids.append(claim.claim_id)
            by_hid[hid] = claim
        candidates = {row["cid"]: row for _, row in _jsonl(folder / "candidates.jsonl")}
        numbers = [int(p.pair_id[len(pair_prefix):]) for p in snap.pairs
                   if p.pair_id.startswith(pair_prefix) and p.pair_id[len(pair_prefix):].isdigit()]
        next_number = max(numbers, default=0) + 1
        pairs: list[Pair] = []
        for line, row in _jsonl(folder / "labels.jsonl"):
            cand = candidates.get(str(row.get("cid")))
            if cand is None:
                raise EditError(f"{folder / 'labels.jsonl'}:{line}: unknown candidate {row.get('cid')!r}")
            a, b = by_hid.get(str(cand["a"])), by_hid.get(str(cand["b"]))
            if a is None or b is None:
                raise EditError(f"{folder / 'labels.jsonl'}:{line}: {row['cid']} pairs a headline without a claim")
            pairs.append(Pair(f"{pair_prefix}{next_number:04d}", a.claim_id, b.claim_id, parse(row["label"]), "natural",
                              annotator, str(row.get("rationale") or "").strip()))
            next_number += 1
        commit(snap, list(by_hid.values()), pairs)
        _append_skipped(base / SKIPPED_CSV, skipped)
    return len(by_hid), len(pairs), len(skipped)


def _append_skipped(path: Path, rows: list[tuple[str, str]]) -> None:
    """`skipped.csv` (article_id, reason): the headlines that gave no claim, and why."""
    old = path.read_text(encoding="utf-8") if path.exists() else "article_id,reason\n"
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    atomic_write_text(path, old + out.getvalue())
