"""Read the annotations root under its locks, check would-be rows, and write them safely.

Every writing command follows one path: `with locked(root): snap = read_snapshot(root)`, build new
rows (ids come from `snap`, so they are assigned under the lock and two processes never pick the
same id), `commit(snap, claims, pairs)`. `commit` validates the would-be files with every rule of
`bench.validate` before touching disk, then writes.

Write order (why a crash is safe): both locks are held (claims first, then pairs — one fixed order,
so two writers cannot deadlock); claims.jsonl is replaced atomically first, pairs.jsonl second.
A crash between the two leaves new claims that no pair uses yet. An orphan claim breaks no rule, so
the root stays valid; re-running the same import reuses those claims (same normalised text in the
same article) instead of duplicating them. The reverse order could leave pairs naming missing
claims (rule pair-claim), which is why it is not used.
"""

from __future__ import annotations

import dataclasses
import getpass
import json
import os
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench.corpus import (
    CLAIMS_JSONL,
    PAIRS_JSONL,
    Article,
    Claim,
    JsonlLine,
    Pair,
    article_from_row,
    claim_from_row,
    claim_to_row,
    pair_from_row,
    pair_to_row,
)
from bench.fileio import append_jsonl_locked, file_lock, jsonl_line
from bench.validate import RawAnnotations, Violation, check

MAX_SHOWN = 30


class EditError(ValueError):
    """A write that was refused; nothing was written. `violations` holds rule breaks, if any."""

    def __init__(self, message: str, violations: Sequence[Violation] = ()) -> None:
        super().__init__(message)
        self.violations = list(violations)


@dataclass
class Snapshot:
    """A valid annotations root as read under the lock: raw lines (for validation) and records."""

    root: Path
    raw: RawAnnotations
    articles: dict[str, Article]
    texts: dict[str, str]
    claims: dict[str, Claim]
    pairs: list[Pair]


def unencodable(value: str) -> str | None:
    """Why `value` cannot be stored as UTF-8 (a lone surrogate, e.g. from a mis-decoded argument), or None."""
    for i, ch in enumerate(value):
        if "\ud800" <= ch <= "\udfff":
            return f"character {i} is a lone surrogate U+{ord(ch):04X} (not UTF-8 text)"
    return None


def require_encodable(**values: str | None) -> None:
    """EditError naming the first argument that cannot be written as UTF-8."""
    for name, value in values.items():
        problem = unencodable(value) if value else None
        if problem:
            raise EditError(f"--{name.replace('_', '-')} {value!r}: {problem}; re-type it or fix the terminal encoding")


def default_annotator() -> str:
    """$BENCH_ANNOTATOR, else the login name: who wrote a row is recorded even when not given."""
    name = os.environ.get("BENCH_ANNOTATOR", "").strip()
    if name:
        return name
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (some containers)
        return "unknown"


@contextmanager
def locked(root: str | Path) -> Iterator[None]:
    """Hold the claims lock, then the pairs lock (always this order: no deadlock between writers)."""
    base = Path(root)
    with file_lock(base / CLAIMS_JSONL), file_lock(base / PAIRS_JSONL):
        yield


def read_snapshot(root: str | Path) -> Snapshot:
    """Read `root`; refuse (EditError) if it already breaks a rule, so a write never hides old errors.

    A missing claims.jsonl or pairs.jsonl counts as empty: the first write creates it.
    """
    base = Path(root)
    if not base.is_dir():
        raise EditError(f"annotations folder {base} does not exist; pass --root DIR")
    raw = RawAnnotations.read(base)
    raw.missing = [name for name in raw.missing if name not in (CLAIMS_JSONL, PAIRS_JSONL)]
    violations = check(raw)
    if violations:
        raise EditError(
            f"{base} already breaks {len(violations)} rule(s); nothing written. Fix them first "
            f"(`bench annotate validate --root {base}`):\n" + _listing(violations),
            violations,
        )
    articles = {a.article_id: a for a in (article_from_row(r) for _, r in raw.article_rows)}
    texts = {aid: (raw.texts.get(a.file) or b"").decode("utf-8") for aid, a in articles.items()}  # valid: present
    claims = {c.claim_id: c for c in (claim_from_row(x.data) for x in raw.claim_lines if x.data is not None)}
    pairs = [pair_from_row(x.data) for x in raw.pair_lines if x.data is not None]
    return Snapshot(root=base, raw=raw, articles=articles, texts=texts, claims=claims, pairs=pairs)


def next_claim_id(existing: Sequence[str], article_id: str) -> str:
    """`<article>-c<NNN>` with NNN = largest number used for this article + 1 (gaps are not reused)."""
    pattern = re.compile(re.escape(article_id) + r"-c(\d+)")
    numbers = [int(m.group(1)) for cid in existing if (m := pattern.fullmatch(cid))]
    return f"{article_id}-c{max(numbers, default=0) + 1:03d}"


def next_pair_id(existing: Sequence[str]) -> str:
    """`p<NNNN>` with NNNN = largest pair number used + 1."""
    numbers = [int(m.group(1)) for pid in existing if (m := re.fullmatch(r"p(\d+)", pid))]
    return f"p{max(numbers, default=0) + 1:04d}"


def _as_read(row: dict[str, object], line: int) -> JsonlLine:
    """The JsonlLine that reading the written row back would give (same serialisation as the write)."""
    return JsonlLine(line, json.loads(jsonl_line(row)))


def would_be(snap: Snapshot, claims: Sequence[Claim], pairs: Sequence[Pair]) -> RawAnnotations:
    """The raw content of the root after appending `claims` and `pairs` (nothing is written)."""
    raw = snap.raw
    c0, p0 = len(raw.claim_lines), len(raw.pair_lines)
    return dataclasses.replace(
        raw,
        claim_lines=[*raw.claim_lines, *(_as_read(claim_to_row(c), c0 + i) for i, c in enumerate(claims, 1))],
        pair_lines=[*raw.pair_lines, *(_as_read(pair_to_row(p), p0 + i) for i, p in enumerate(pairs, 1))],
    )


def check_additions(snap: Snapshot, claims: Sequence[Claim], pairs: Sequence[Pair]) -> list[Violation]:
    """Every rule violation of the would-be files (the snapshot itself is valid, so all are new)."""
    return check(would_be(snap, claims, pairs))


def commit(snap: Snapshot, claims: Sequence[Claim], pairs: Sequence[Pair]) -> None:
    """Validate the would-be files, then write claims and pairs (caller holds `locked(snap.root)`)."""
    violations = check_additions(snap, claims, pairs)
    if violations:
        raise EditError(f"refused, nothing written: the new rows would break {len(violations)} rule(s):\n"
                        + _listing(violations), violations)
    if claims:
        append_jsonl_locked(snap.root / CLAIMS_JSONL, [claim_to_row(c) for c in claims])
    if pairs:
        append_jsonl_locked(snap.root / PAIRS_JSONL, [pair_to_row(p) for p in pairs])


def _listing(violations: Sequence[Violation]) -> str:
    shown = [f"  {v}" for v in violations[:MAX_SHOWN]]
    if len(violations) > MAX_SHOWN:
        shown.append(f"  ... and {len(violations) - MAX_SHOWN} more")
    return "\n".join(shown)


def row_text(pair: Pair) -> str:
    """A pair as its JSONL line (what the user sees in pairs.jsonl), for messages."""
    return json.dumps(pair_to_row(pair), ensure_ascii=False)
