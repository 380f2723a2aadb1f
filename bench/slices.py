"""The slices a table or a run record can be cut by: one list, one definition of each value.

The runner stores per-slice metrics under ITEM_SLICES; `bench compare --by` accepts SLICES (the
item slices plus `label`, which comes from gold rather than from the pair's metadata). No numpy at
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
#: Every `--by` value of `bench compare`, in the order the help and errors list them.
SLICES = ("origin", "source_pair", LABEL_SLICE, "perturbation", HARD_SLICE)
#: The slices every run record carries: those read from the pair's metadata.
ITEM_SLICES = tuple(name for name in SLICES if name not in (LABEL_SLICE, HARD_SLICE))


def item_slices(meta: Mapping[str, Sequence[Any] | np.ndarray]) -> dict[str, list[str]]:
    """Each pair's value on every ITEM_SLICE, from its origin, sources and perturbation kind.

    One definition for the run record (runner) and for tables computed from predictions (compare),
    so that a slice value means the same in both: source pairs are unordered, "a | b" sorted.
    """
    pairs = [" | ".join(sorted((str(a), str(b)))) for a, b in zip(meta["source_a"], meta["source_b"], strict=True)]
    return {"origin": [str(v) for v in meta["origin"]], "source_pair": pairs,
            "perturbation": [str(p or "") or NO_PERTURBATION for p in meta["perturbation"]]}
