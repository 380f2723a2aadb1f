"""The `hard` slice (as SNLI-hard, Gururangan et al. 2018): pairs the hypothesis-only probe gets wrong.

A pair the probe labels right from the hypothesis alone can be solved from annotation artefacts;
the rest form `hard`. The probe run must be on the same data (dataset fingerprint) and protocol as
the runs it slices, so the slice follows the data: a changed dataset needs a new probe run.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from bench.compare.errors import CompareError
from bench.compare.load import LoadedRun, RunItems, Warn, load_runs

PROBE_MODEL = "hypothesis_only"
HARD, EASY = "hard", "easy"
#: Where a probe run is looked for when the compared runs hold none.
RESULTS_ROOT = Path("results/runs")


def find_probe(runs: Sequence[LoadedRun], fingerprint: str, protocol: str | None,
               warn: Warn, search_root: bool = True) -> LoadedRun | None:
    """The newest hypothesis_only run on `fingerprint` (under `protocol` if given), among `runs`
    or else (with `search_root`) under RESULTS_ROOT."""
    def pick(candidates: Sequence[LoadedRun]) -> LoadedRun | None:
        ok = [r for r in candidates if r.model == PROBE_MODEL and r.result.fingerprint == fingerprint
              and (protocol is None or r.result.protocol.get("name") == protocol)]
        return max(ok, key=lambda r: (r.result.created_at, r.result.run_id)) if ok else None

    found = pick(runs)
    if found is None and search_root and RESULTS_ROOT.is_dir():
        found = pick(load_runs([RESULTS_ROOT], warn=lambda _msg: None))
    return found


def hard_values(runs: Sequence[LoadedRun], items: RunItems, dataset: str, fingerprint: str,
                warn: Warn, search_root: bool = True) -> list[str]:
    """'hard' or 'easy' per aligned item; CompareError naming the command when no probe run exists."""
    protocols = [str(r.result.protocol.get("name")) for r in runs if r.model != PROBE_MODEL]
    protocol = max(set(protocols), key=protocols.count) if protocols else None
    probe = find_probe(runs, fingerprint, protocol, warn, search_root)
    probe_items = probe.items(warn) if probe is not None else None
    if probe_items is None or not np.array_equal(probe_items.pair_id, items.pair_id):
        under = f" under protocol {protocol}" if protocol else ""
        raise CompareError(
            f"--by hard needs a {PROBE_MODEL} run on dataset {dataset} (fingerprint {fingerprint[:12]}){under}; "
            f"produce it with `bench-run model={PROBE_MODEL} dataset={dataset}"
            + (f" protocol={protocol}`" if protocol else "`"))
    wrong = probe_items.pred != probe_items.gold
    return [HARD if w else EASY for w in wrong]
