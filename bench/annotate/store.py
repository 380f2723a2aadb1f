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
from collections.abc import Iterable, Iterator, Sequence
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
from bench.fileio import LockError, append_jsonl_locked, deferred_interrupts, file_lock, jsonl_line
from bench.validate import RawAnnotations, Violation, check
from bench.violation import lone_surrogate

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


def require_encodable(**values: str | None) -> None:
    """EditError naming the first argument that cannot be written as UTF-8."""
    for name, value in values.items():
        problem = lone_surrogate(value) if value else None
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
    if not base.is_dir():  # checked before locking: a lock would create the folder
        what = "is not a folder" if base.exists() else "does not exist"
        raise EditError(f"annotations folder {base} {what}; pass --root DIR (an existing annotations folder)")
    try:
        with file_lock(base / CLAIMS_JSONL), file_lock(base / PAIRS_JSONL):
            yield
    except LockError as exc:
        raise EditError(f"{exc}; nothing written") from None


def read_snapshot(root: str | Path) -> Snapshot:
    """Read `root`; refuse (EditError) if it already breaks a rule, so a write never hides old errors.

    A missing claims.jsonl or pairs.jsonl counts as empty: the first write creates it.
    """
    base = Path(root)
    if not base.is_dir():
        raise EditError(f"annotations folder {base} does not exist; pass --root DIR")
    raw = RawAnnotations.read(base)
    if raw.not_files:
        raise EditError(f"{base / raw.not_files[0]} is not a regular file (a folder or a broken link?); "
                        "replace it with the file, then retry; nothing written")
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


class IdAllocator:
    """Next free ids, `<article>-c<NNN>` and `p<NNNN>`: largest number in use + 1 (gaps are not reused).

    Parses the existing ids once, so allocating n ids for an import is O(n), not O(n^2).
    """

    def __init__(self, claim_ids: Iterable[str] = (), pair_ids: Iterable[str] = ()) -> None:
        self._claims: dict[str, int] = {}
        for cid in claim_ids:
            if m := re.fullmatch(r"(.*)-c(\d+)", cid):
                self._claims[m.group(1)] = max(self._claims.get(m.group(1), 0), int(m.group(2)))
        self._pairs = max((int(m.group(1)) for pid in pair_ids if (m := re.fullmatch(r"p(\d+)", pid))), default=0)

    def claim(self, article_id: str) -> str:
        number = self._claims.get(article_id, 0) + 1
        self._claims[article_id] = number
        return f"{article_id}-c{number:03d}"

    def pair(self) -> str:
        self._pairs += 1
        return f"p{self._pairs:04d}"


def next_claim_id(existing: Iterable[str], article_id: str) -> str:
    return IdAllocator(claim_ids=existing).claim(article_id)


def next_pair_id(existing: Iterable[str]) -> str:
    return IdAllocator(pair_ids=existing).pair()


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


def commit(snap: Snapshot, claims: Sequence[Claim], pairs: Sequence[Pair], *, validated: bool = False) -> None:
    """Validate the would-be files, then write claims and pairs (caller holds `locked(snap.root)`).

    `validated=True`: the caller already ran `check_additions` on exactly these rows under this lock
    (an import does, to map violations to its own line numbers); checking twice doubled its time.
    """
    violations = [] if validated else check_additions(snap, claims, pairs)
    if violations:
        raise EditError(f"refused, nothing written: the new rows would break {len(violations)} rule(s):\n"
                        + _listing(violations), violations)
    done = f"stopped after the write finished: {len(claims)} claim(s) and {len(pairs)} pair(s) were added to {snap.root}"
    written = "nothing written"
    with deferred_interrupts(done):  # never stop between the two files
        try:
            if claims:
                append_jsonl_locked(snap.root / CLAIMS_JSONL, [claim_to_row(c) for c in claims])
                written = f"{len(claims)} claim(s) were added to {CLAIMS_JSONL} (no pair uses them yet: harmless)"
            if pairs:
                append_jsonl_locked(snap.root / PAIRS_JSONL, [pair_to_row(p) for p in pairs])
        except OSError as exc:
            raise EditError(f"cannot write {exc.filename or snap.root}: {exc.strerror or exc}; {written}") from None


def _listing(violations: Sequence[Violation]) -> str:
    return capped(f"  {v}" for v in violations)


def capped(lines: Iterable[str], limit: int = MAX_SHOWN) -> str:
    """The first `limit` lines, then how many more there are (a 10,000-row file must not flood the terminal)."""
    items = list(lines)
    shown = items[:limit]
    if len(items) > limit:
        shown.append(f"  ... and {len(items) - limit} more (fix these, then re-run to see the rest)")
    return "\n".join(shown)


def row_text(pair: Pair) -> str:
    """A pair as its JSONL line (what the user sees in pairs.jsonl), for messages."""
    return json.dumps(pair_to_row(pair), ensure_ascii=False)
