"""The Emergent headline corpus: read the vendored CSV, lay out its annotation root, propose pairs.

Emergent (Ferreira & Vlachos, NAACL 2016) gives, per rumoured claim (our event), outlet headlines
with a stance towards the rumour (`for`, `against`, `observing`). Here a headline is the whole text
of its article (`article_id` = Emergent's articleId, `outlet` unknown: Emergent names none), and the
event id is `em-` + the first 8 hex digits of Emergent's claimId.

The stance only *proposes* candidate pairs (for x against: likely contradiction; for x for: likely
entailment; observing x for: hedges); every gold label is read and decided by an annotator, and the
stance is never stored in the annotation root, so no model can use it as a feature.
"""

from __future__ import annotations

import csv
import hashlib
import io
import itertools
import random
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.corpus import ARTICLE_COLUMNS, ARTICLES_CSV, ARTICLES_DIR, CLAIMS_JSONL, PAIRS_JSONL
from bench.fileio import atomic_write_bytes, atomic_write_text

COLUMNS = ("id", "claimHeadline", "articleHeadline", "articleHeadlineStance", "articleId", "claimId")
STANCES = ("for", "against", "observing")
UNKNOWN_OUTLET = "unknown (Emergent names no outlet)"


class EmergentError(ValueError):
    """The Emergent file cannot be used as it is; the message lists every bad line."""


@dataclass(frozen=True)
class Headline:
    line: int
    row_id: int
    rumour: str
    text: str
    stance: str
    article_id: str
    claim_id: str

    @property
    def event_id(self) -> str:
        return "em-" + self.claim_id[:8]


def read_emergent(path: str | Path) -> tuple[list[Headline], list[str]]:
    """Every usable row, and one `file:line: problem` per unusable one (never raises on content)."""
    file = Path(path)
    try:
        text = file.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        return [], [f"{file}: cannot read as UTF-8 ({exc})"]
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = reader.fieldnames or []
    absent = [c for c in COLUMNS if c not in header]
    if absent:
        return [], [f"{file}:1: missing column(s) {', '.join(absent)}; expected {','.join(COLUMNS)}"]
    rows: list[Headline] = []
    problems: list[str] = []
    seen: dict[str, int] = {}
    for row in reader:
        line = reader.line_num
        values = {c: (row.get(c) or "").strip() for c in COLUMNS}
        empty = [c for c, v in values.items() if not v]
        if None in row or empty:
            problems.append(f"{file}:{line}: malformed row ({'extra fields' if None in row else 'empty ' + ', '.join(empty)})")
            continue
        if values["articleHeadlineStance"] not in STANCES:
            problems.append(f"{file}:{line}: unknown stance {values['articleHeadlineStance']!r}; expected one of {', '.join(STANCES)}")
            continue
        if not values["id"].isdigit():
            problems.append(f"{file}:{line}: id {values['id']!r} is not a whole number")
            continue
        if values["articleId"] in seen:
            problems.append(f"{file}:{line}: duplicate articleId {values['articleId']!r} (also line {seen[values['articleId']]})")
            continue
        seen[values["articleId"]] = line
        rows.append(Headline(line, int(values["id"]), values["claimHeadline"], values["articleHeadline"],
                             values["articleHeadlineStance"], values["articleId"], values["claimId"]))
    return rows, problems


def load_emergent(path: str | Path) -> list[Headline]:
    """The rows of a clean Emergent file; EmergentError listing every problem otherwise."""
    rows, problems = read_emergent(path)
    if problems:
        shown = "\n".join(problems[:30]) + (f"\n... and {len(problems) - 30} more" if len(problems) > 30 else "")
        raise EmergentError(f"{len(problems)} unusable line(s), nothing written:\n{shown}")
    return rows


def by_event(rows: Iterable[Headline]) -> dict[str, list[Headline]]:
    """Headlines grouped by event id, events and headlines in file order."""
    out: dict[str, list[Headline]] = defaultdict(list)
    for row in rows:
        out[row.event_id].append(row)
    return dict(out)


def disputed_events(rows: Iterable[Headline]) -> list[str]:
    """Events with both `for` and `against` headlines: outlets that really disagree."""
    return [e for e, hs in by_event(rows).items() if {"for", "against"} <= {h.stance for h in hs}]


# Per event: unordered pairs drawn first from these stance pools (quota each), then filled from
# what is left, pool by pool, up to MAX_PER_EVENT; `observing` x `against` and `observing` x
# `observing` share one pool (both are mostly hedges next to other hedges).
POOLS = (("for", "against"), ("for", "for"), ("observing", "for"), ("against", "against"), ("observing", "other"))
QUOTAS = (7, 6, 2, 2, 1)
MAX_PER_EVENT = 18


def _pool(stance: dict[str, list[Headline]], x: str, y: str, rng: random.Random) -> list[tuple[Headline, Headline]]:
    """Unordered pairs of an `x` and a `y` headline with different texts, in seeded random order."""
    combos = itertools.combinations(stance[x], 2) if x == y else itertools.product(stance[x], stance[y])
    found = [(a, b) for a, b in combos if a.text.strip().lower() != b.text.strip().lower()]
    rng.shuffle(found)
    return found


def propose_pairs(rows: Sequence[Headline], events: Sequence[str], seed: int = 2015) -> list[tuple[Headline, Headline]]:
    """Ordered candidate pairs (both directions of each chosen unordered pair) for `events`, in order.

    Identical headline texts (syndication) are not paired. At most MAX_PER_EVENT unordered pairs per
    event, so that no event dominates the corpus. One seeded generator walks the events in the
    order given, so the same file, events and seed always give the same candidates.
    """
    rng = random.Random(seed)
    grouped = by_event(rows)
    out: list[tuple[Headline, Headline]] = []
    for event in events:
        stance: dict[str, list[Headline]] = defaultdict(list)
        for h in grouped[event]:
            stance[h.stance].append(h)

        pools = [_pool(stance, x, y, rng) for x, y in POOLS[:4]]
        hedges = _pool(stance, "observing", "against", rng) + _pool(stance, "observing", "observing", rng)
        rng.shuffle(hedges)
        pools.append(hedges)
        chosen = [p for found, quota in zip(pools, QUOTAS) for p in found[:quota]]
        chosen += [p for found, quota in zip(pools, QUOTAS) for p in found[quota:]]
        out += [d for a, b in chosen[:MAX_PER_EVENT] for d in ((a, b), (b, a))]
    return out


def write_articles(rows: Sequence[Headline], root: str | Path) -> int:
    """Add `root/articles/<articleId>.txt` (the headline, byte for byte) and its articles.csv row for
    every headline not there yet; existing rows and files are never touched (empty claims/pairs files
    are created when missing). Returns how many articles were added.
    """
    base = Path(root)
    target = base / ARTICLES_CSV
    old = target.read_text(encoding="utf-8") if target.exists() else ""
    present = {row["article_id"] for row in csv.DictReader(io.StringIO(old))} if old else set()
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    if not old:
        writer.writerow(ARTICLE_COLUMNS)
    added = 0
    for h in rows:
        if h.article_id in present:
            continue
        data = h.text.encode("utf-8")
        file = base / ARTICLES_DIR / f"{h.article_id}.txt"
        if file.exists() and file.read_bytes() != data:
            raise EmergentError(f"{file} exists with other content; refusing to overwrite an article text")
        atomic_write_bytes(file, data)
        writer.writerow([h.article_id, UNKNOWN_OUTLET, h.text, "", h.event_id, f"{h.article_id}.txt",
                         hashlib.sha256(data).hexdigest()])
        present.add(h.article_id)
        added += 1
    atomic_write_text(target, old + out.getvalue())
    for name in (CLAIMS_JSONL, PAIRS_JSONL):  # a new root is valid (and ready for merge_batch) at once
        if not (base / name).exists():
            atomic_write_text(base / name, "")
    return added


def write_events(rows: Sequence[Headline], root: str | Path) -> int:
    """`root/events.csv` (event_id, rumour, headlines): the per-event note annotators read first."""
    events = by_event(rows)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(("event_id", "rumour", "headlines"))
    for event, hs in events.items():
        writer.writerow((event, hs[0].rumour, len(hs)))
    atomic_write_text(Path(root) / "events.csv", out.getvalue())
    return len(events)


def headline_ids(rows: Iterable[Headline]) -> dict[str, str]:
    """`h<row id>` -> article id: the ids annotators saw in headline batches."""
    return {f"h{h.row_id:04d}": h.article_id for h in rows}


def supplement_events(rows: Iterable[Headline], count: int) -> list[str]:
    """The `count` undisputed events with the most `for` headlines (ties by id): extra events, mostly
    for entailment and hard unrelated pairs (the corpus used 10, proposed with seed 2016)."""
    events = by_event(rows)
    disputed = set(disputed_events(h for hs in events.values() for h in hs))
    others = [e for e in events if e not in disputed]
    return sorted(others, key=lambda e: (-sum(h.stance == "for" for h in events[e]), e))[:count]
