"""Pairs -> bootstrap clusters: which pairs must be resampled together because they are dependent.

Pairs are not independent draws: the two directions of a claim pair (a, b) and (b, a) are nearly
the same item, pairs share claims, and with several events a result must generalise over events.
A bootstrap that resamples pairs one by one then gives intervals that are too narrow and tests that
are too eager; resampling whole clusters keeps the dependence inside a replicate.

Units (`bootstrap_unit=`), each derived from columns every run writes into predictions.jsonl
(pair_id, claim_a, claim_b, event_id), so `bench compare` clusters the runs it loads the same way:

- `pair`: every pair on its own (the iid bootstrap of older records);
- `claim_pair`: the unordered pair of claims {a, b}: a pair and its mirror are one cluster;
- `hypothesis`: the hypothesis claim b (pairs that share what is being judged);
- `event`: the news event;
- `auto`: `event` when the data has several events, else `hypothesis`.

Why `hypothesis` within one event (numbers from annotations/seed, 1664 pairs, one event; commands
in docs/STATISTICS.md): joining pairs through any shared claim gives one component holding all
1664 pairs, and even "same hypothesis, plus each pair with its mirror" leaves one cluster of 1315,
so no unit keeps every dependence and still leaves clusters to resample. Of the two natural units,
the hypothesis claim (283 clusters) is the coarser and carries the dependence that matters most
here: labels leak through hypothesis wording (the reason for the `hypothesis_only` probe), so pairs
sharing a hypothesis share that artefact. It widened sbert_lr's macro-F1 interval by 27% over pairs,
`claim_pair` (1279 clusters: a pair and its mirror together) by 5%. Its cost: a mirror pair (b, a)
falls in the cluster of a, not of b.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

#: Valid `bootstrap_unit` values, in the order errors list them.
UNITS = ("auto", "pair", "claim_pair", "hypothesis", "event")
#: What `auto` uses within a single event.
WITHIN_EVENT_UNIT = "hypothesis"
#: Columns each unit needs (beyond the order of the items).
_NEEDS = {"pair": ("pair_id",), "claim_pair": ("claim_a", "claim_b"), "hypothesis": ("claim_b",),
          "event": ("event_id",)}


class ClusterError(ValueError):
    """A unit that is unknown or cannot be built from the columns at hand."""


def resolve_unit(unit: str, meta: Mapping[str, Sequence[Any] | np.ndarray]) -> str:
    """The concrete unit `unit` stands for on this data (`auto` -> event or claim_pair)."""
    if unit not in UNITS:
        raise ClusterError(f"bootstrap_unit {unit!r} is unknown; valid units: {', '.join(UNITS)}")
    if unit != "auto":
        return unit
    events = {str(e) for e in meta.get("event_id", []) if e not in (None, "")}
    return "event" if len(events) > 1 else WITHIN_EVENT_UNIT


def cluster_keys(unit: str, meta: Mapping[str, Sequence[Any] | np.ndarray]) -> list[str]:
    """One cluster key per item for a concrete unit; ClusterError names a missing column."""
    if unit not in _NEEDS:
        raise ClusterError(f"bootstrap_unit {unit!r} is not a concrete unit; valid: {', '.join(_NEEDS)}")
    missing = [c for c in _NEEDS[unit] if c not in meta]
    if missing:
        raise ClusterError(f"bootstrap_unit={unit} needs column(s) {', '.join(missing)}, which these "
                           f"predictions lack (runs before clustered bootstraps); use bootstrap_unit=pair")
    if unit == "claim_pair":
        return [" | ".join(sorted((str(a), str(b)))) for a, b in zip(meta["claim_a"], meta["claim_b"], strict=True)]
    return [str(v) for v in meta[_NEEDS[unit][0]]]


def cluster_ids(unit: str, meta: Mapping[str, Sequence[Any] | np.ndarray]) -> tuple[str, np.ndarray]:
    """(concrete unit, int64 cluster id per item in 0..G-1), for `bench.confusion` bootstraps."""
    concrete = resolve_unit(unit, meta)
    keys = cluster_keys(concrete, meta)
    _, ids = np.unique(np.asarray(keys, dtype=str), return_inverse=True)
    return concrete, ids.astype(np.int64).ravel()
