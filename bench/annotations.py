"""Reading a whole annotations root: validate it, then build the records.

It sits above `bench.corpus` (records and file readers) and `bench.validate` (the rules), so
neither of those needs the other's caller: loading is the one place that uses both.
"""

from __future__ import annotations

from pathlib import Path

from bench.corpus import (
    ARTICLES_CSV,
    ARTICLES_DIR,
    CLAIMS_JSONL,
    PAIRS_JSONL,
    Annotations,
    article_from_row,
    claim_from_row,
    pair_from_row,
    read_articles_csv,
    read_jsonl,
)
from bench.validate import Violation, validate


class AnnotationError(Exception):
    """Annotations that break validation rules; `violations` lists every one."""

    def __init__(self, violations: list[Violation]) -> None:
        self.violations = violations
        shown = "\n".join(str(v) for v in violations[:20])
        more = f"\n... and {len(violations) - 20} more" if len(violations) > 20 else ""
        super().__init__(f"{len(violations)} annotation problem(s):\n{shown}{more}")


def load_annotations(root: str | Path = "annotations/seed") -> Annotations:
    """Read and validate an annotations root; raise AnnotationError listing every violation."""
    base = Path(root)
    violations = validate(base)
    if violations:
        raise AnnotationError(violations)
    _, article_rows, _ = read_articles_csv(base / ARTICLES_CSV)
    articles = {a.article_id: a for a in (article_from_row(r) for _, r in article_rows)}
    texts = {
        aid: (base / ARTICLES_DIR / a.file).read_bytes().decode("utf-8") for aid, a in articles.items()
    }
    claims = {
        c.claim_id: c
        for c in (claim_from_row(line.data) for line in read_jsonl(base / CLAIMS_JSONL) if line.data is not None)
    }
    pairs = [pair_from_row(line.data) for line in read_jsonl(base / PAIRS_JSONL) if line.data is not None]
    return Annotations(root=base, articles=articles, claims=claims, pairs=pairs, texts=texts)
