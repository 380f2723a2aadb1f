"""The slices a table or a run record can be cut by: one list, one definition of each value.

The runner stores per-slice metrics under ITEM_SLICES; `bench compare --by` accepts SLICES (the
item slices plus `label`, which comes from gold rather than from the pair's metadata, and `dataset`
/ `event`, too many values to store in every record). No numpy at
import time: the CLI lists these names in its help.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

#: Slice value of a natural pair on the `perturbation` slice.
NO_PERTURBATION = "none"
#: The slice of the gold label: in compare only (a record's per-class metrics already cover it).
LABEL_SLICE = "label"
#: The slice of pairs the hypothesis-only probe gets wrong (compare only: bench.compare.hard).
HARD_SLICE = "hard"
#: Compare-only slices (too many values to store per run: Emergent has hundreds of events): the
#: corpus of a union's pair (`seed:p0001` -> seed) and the pair's event.
DATASET_SLICE = "dataset"
EVENT_SLICE = "event"
#: Slice value of a pair outside any union (its id has no `<root>:` prefix), or without an event.
NO_PART = "(whole dataset)"
NO_EVENT = "none"
#: Every `--by` value of `bench compare`, in the order the help and errors list them.
SLICES = ("origin", "source_pair", LABEL_SLICE, "perturbation", DATASET_SLICE, EVENT_SLICE, HARD_SLICE)
#: The slices every run record carries: those read from the pair's metadata.
ITEM_SLICES = ("origin", "source_pair", "perturbation")


def item_slices(meta: Mapping[str, Sequence[Any] | np.ndarray]) -> dict[str, list[str]]:
    """Each pair's value on every ITEM_SLICE, from its origin, sources and perturbation kind.

    One definition for the run record (runner) and for tables computed from predictions (compare),
    so that a slice value means the same in both: source pairs are unordered, "a | b" sorted.
    """
    pairs = [" | ".join(sorted((str(a), str(b)))) for a, b in zip(meta["source_a"], meta["source_b"], strict=True)]
    return {"origin": [str(v) for v in meta["origin"]], "source_pair": pairs,
            "perturbation": [str(p or "") or NO_PERTURBATION for p in meta["perturbation"]]}


def slice_of(meta: Mapping[str, Sequence[Any] | np.ndarray], by: str) -> list[str]:
    """Each pair's value on any slice but `label`: an ITEM_SLICE, `dataset` or `event`."""
    if by == DATASET_SLICE:
        return [str(p).partition(":")[0] if ":" in str(p) else NO_PART for p in meta["pair_id"]]
    if by == EVENT_SLICE:
        return [str(e or "") or NO_EVENT for e in meta.get("event_id", [""] * len(meta["pair_id"]))]
    return item_slices(meta)[by]
