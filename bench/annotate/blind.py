"""A label-free sample of pairs for an independent annotation pass (to measure agreement).

The file holds only what a second annotator may see: pair_id, claim ids and texts. No label,
origin, rationale or annotator, and the rows are shuffled, so neither a field nor the order hints at
the gold label. With `stratify`, each label (or origin) gets a share of the sample proportional to
its share of the data (largest-remainder rounding), so rare labels are not left out by chance.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from bench.corpus import ARTICLES_CSV, ARTICLES_DIR, CLAIMS_JSONL, PAIRS_JSONL, PASSES_DIR, Annotations, Pair
from bench.fileio import atomic_write_text, backup, jsonl_line

BLIND_FIELDS = ("pair_id", "claim_a", "claim_b", "text_a", "text_b")
STRATA = ("label", "origin")


class BlindError(ValueError):
    """A sample that cannot be drawn (size, stratum) or written (existing file)."""


def _quotas(sizes: dict[str, int], n: int) -> dict[str, int]:
    """Proportional integer quotas summing to n (largest remainder; ties to the earlier stratum)."""
    total = sum(sizes.values())
    exact = {key: n * size / total for key, size in sizes.items()}
    quotas = {key: int(value) for key, value in exact.items()}
    order = sorted(sizes, key=lambda key: (-(exact[key] - quotas[key]), list(sizes).index(key)))
    for key in order[: n - sum(quotas.values())]:
        quotas[key] += 1
    return quotas


def blind_sample(ann: Annotations, n: int, seed: int, stratify: str | None = None) -> list[dict[str, Any]]:
    """`n` pairs drawn with `seed` (same seed, same data: same sample), as shuffled blind rows."""
    pairs = sorted(ann.pairs, key=lambda p: p.pair_id)
    if not 0 < n <= len(pairs):
        raise BlindError(f"--sample {n}: need 1..{len(pairs)} (the number of annotated pairs)")
    rng = random.Random(seed)
    chosen: list[Pair]
    if stratify is None:
        chosen = rng.sample(pairs, n)
    elif stratify in STRATA:
        groups: dict[str, list[Pair]] = {}
        for p in pairs:
            key = p.label.value if stratify == "label" else p.origin
            groups.setdefault(key, []).append(p)
        groups = dict(sorted(groups.items()))
        chosen = []
        for key, quota in _quotas({k: len(v) for k, v in groups.items()}, n).items():
            chosen += rng.sample(groups[key], quota)
    else:
        raise BlindError(f"--stratify {stratify!r}; use one of: {', '.join(STRATA)}")
    rng.shuffle(chosen)
    return [{"pair_id": p.pair_id, "claim_a": p.claim_a, "claim_b": p.claim_b,
             "text_a": ann.claims[p.claim_a].text, "text_b": ann.claims[p.claim_b].text} for p in chosen]


def write_blind(rows: list[dict[str, Any]], out: str | Path, force: bool = False,
                root: str | Path | None = None) -> Path | None:
    """Write rows as JSONL (atomic). An existing file is replaced only with `force`, after a backup;
    never one of `root`'s annotation files (--force must not turn the gold pairs into a blind file)."""
    target = Path(out)
    if root is not None and is_annotation_file(Path(root), target):
        raise BlindError(f"--out {target} is an annotation file of {root}; write the blind sample elsewhere "
                         f"(e.g. --out {Path(root) / PASSES_DIR / 'blind.jsonl'})")
    copy = None
    if target.exists():
        if not force:
            raise BlindError(f"--out {target} exists (it may hold a filled-in pass); choose another path or add --force "
                             "(the old file is backed up first)")
        copy = backup(target)
    atomic_write_text(target, "".join(jsonl_line(row) for row in rows))
    return copy


def is_annotation_file(root: Path, path: Path) -> bool:
    """True for articles.csv, claims.jsonl, pairs.jsonl of `root` or a file under its articles/ (links resolved)."""
    base = root.resolve()
    target = path.resolve()
    return target in {base / name for name in (ARTICLES_CSV, CLAIMS_JSONL, PAIRS_JSONL)} or \
        target.is_relative_to(base / ARTICLES_DIR)
