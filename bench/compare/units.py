"""The bootstrap clusters of one comparison table, from the predictions of the runs it holds.

Runs in a table are aligned by pair_id, so the cluster columns of any one of them (claim ids,
event) serve all; runs written before clustered bootstraps lack those columns, and `auto` then
falls back to the pair unit with a warning (an explicit unit is an error instead).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from bench.clusters import ClusterError, cluster_ids
from bench.compare.errors import CompareError
from bench.compare.load import CLUSTER_COLUMNS, RunItems, Warn


def table_clusters(items: Sequence[RunItems], unit: str, warn: Warn, where: str) -> tuple[str, np.ndarray | None]:
    """(concrete unit, cluster id per aligned item, None for the pair unit) for one table."""
    with_columns = [it for it in items if all(c in it.meta for c in CLUSTER_COLUMNS)]
    source = with_columns[0] if with_columns else (items[0] if items else None)
    if source is None:
        return "pair", None
    try:
        concrete, ids = cluster_ids(unit, {"pair_id": source.pair_id, **source.meta})
    except ClusterError as exc:
        if unit != "auto":
            raise CompareError(f"{where}: {exc}") from None
        warn(f"warning: {where}: predictions lack claim ids and events (runs before clustered "
             "bootstraps); paired bootstrap resamples pairs (bootstrap unit pair)")
        return "pair", None
    return concrete, None if concrete == "pair" else ids
