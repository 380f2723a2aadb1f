"""Folds: which pairs each fit trains on and which it predicts (leave-one-group-out, grouped k-fold).

A fold never puts a group on both sides: leave-one-source-out keeps a source's claims out of the
training side; with several events the group is the event (leave-one-event-out), and the grouped
k-fold fallback groups by event too, so an event is never trained on and scored in one fold.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bench.models.base import PairBatch

#: Above this many groups, leave-one-group-out becomes a 5-fold grouped split (one fit per group
#: would be thousands of fits on, e.g., an NLI file grouped by caption).
MAX_LOSO_FOLDS = 50


class ProtocolError(ValueError):
    """A protocol that cannot run on this data or model; the message says what to use instead."""


@dataclass(frozen=True)
class Fold:
    name: str
    train: np.ndarray
    test: np.ndarray
    dev: np.ndarray | None = None  # rows for the model's own selection/calibration (protocol=split)


def column(batch: PairBatch, name: str) -> list[str]:
    if name not in batch.meta:
        raise ProtocolError(f"protocol reads column {name!r}, but the dataset has no such column; "
                            f"available: {', '.join(sorted(batch.meta))}")
    return [str(v) for v in batch.meta[name]]


def loso_folds(batch: PairBatch) -> list[Fold]:
    """One fold per source (or per event when there are several events)."""
    return loso_plan(batch)[1]


def loso_plan(batch: PairBatch) -> tuple[str, list[Fold]]:
    """("event" or "source", the leave-one-group-out folds)."""
    events = column(batch, "event_id")
    if len({e for e in events if e}) > 1:
        groups = np.asarray(events)
        return "event", [Fold(g, np.flatnonzero(groups != g), np.flatnonzero(groups == g)) for g in sorted(set(events))]
    src_a = np.asarray(column(batch, "source_a"))
    src_b = np.asarray(column(batch, "source_b"))
    sources = sorted(set(src_a) | set(src_b))
    folds = []
    for source in sources:
        touches = (src_a == source) | (src_b == source)
        folds.append(Fold(source, np.flatnonzero(~touches), np.flatnonzero(touches)))
    return "source", folds


def kfold_folds(batch: PairBatch, k: int, group_by: str, seed: int) -> list[Fold]:
    """Stratified grouped k-fold (scikit-learn's StratifiedGroupKFold, shuffled with the seed)."""
    from sklearn.model_selection import StratifiedGroupKFold

    labels = batch.require_labels()
    groups, _ = kfold_groups(batch, group_by)
    n_groups = len(set(groups))
    if n_groups < 2:
        raise ProtocolError(f"kfold needs at least 2 groups, but grouping by {group_by!r} gives {n_groups}; "
                            "set protocol.group_by to another column")
    if k < 2:
        raise ProtocolError(f"protocol.k={k}: kfold needs k >= 2 folds; set protocol.k=2 or more")
    k = min(k, n_groups)
    largest = int(np.bincount(np.asarray(labels)).max()) if len(labels) else 0
    if largest < k:  # scikit-learn's "n_splits cannot be greater than the number of members in each class"
        raise ProtocolError(f"kfold with {k} folds needs a label with at least {k} pairs, but the {len(batch)} "
                            f"pair(s) have at most {largest} per label; add pairs or lower protocol.k")
    splitter = StratifiedGroupKFold(n_splits=k, shuffle=True, random_state=seed)
    return [Fold(f"fold{i}", train, test)
            for i, (train, test) in enumerate(splitter.split(np.zeros(len(batch)), labels, groups))]


def kfold_groups(batch: PairBatch, group_by: str) -> tuple[list[str], str]:
    """(group of each pair, what the groups are). `auto`: event if several, else source pair if
    several, else premise text (a random grouped split: pairs sharing a premise stay together)."""
    if group_by != "auto":
        return column(batch, group_by), group_by
    events = column(batch, "event_id")
    if len(set(events)) > 1:
        return events, "event"
    pairs = ["|".join(sorted(ab)) for ab in zip(column(batch, "source_a"), column(batch, "source_b"))]
    if len(set(pairs)) > 1:
        return pairs, "source pair"
    return column(batch, "claim_a"), "premise text"


def loso_or_fallback(batch: PairBatch, seed: int) -> tuple[str, list[Fold], list[str]]:
    """Leave-one-source/event-out, or a grouped 5-fold split (with a note) when it cannot run."""
    grouping, folds = loso_plan(batch)
    minimum = 2 if grouping == "event" else 3  # a source fold trains on pairs touching neither source
    if minimum <= len(folds) <= MAX_LOSO_FOLDS and all(len(f.train) for f in folds):
        return "loso", folds, []
    _, kfold_grouping = kfold_groups(batch, "auto")
    if len(folds) > MAX_LOSO_FOLDS:
        reason = f"leaving out each of {len(folds)} {grouping}s would fit {len(folds)} models (cap {MAX_LOSO_FOLDS})"
    else:
        reason = f"loso needs >= {minimum} {grouping}s with training pairs left, and this data has {len(folds)}"
    note = f"{reason}; ran kfold (k=5) grouped by {kfold_grouping} instead"
    return "kfold", kfold_folds(batch, 5, "auto", seed), [note]
