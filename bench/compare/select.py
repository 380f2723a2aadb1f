"""Which runs share a table: filters by dataset and protocol, `--latest`, one group per fingerprint.

Runs scored on different dataset fingerprints are never mixed in one table (`bench plot` uses the
same grouping, so its bars and cells also describe one set of items).
"""

from __future__ import annotations

from collections.abc import Sequence

from bench.compare.errors import CompareError, MixedDatasetsError
from bench.compare.load import LoadedRun


def filter_runs(runs: Sequence[LoadedRun], dataset: str | None, protocol: str | None) -> list[LoadedRun]:
    """The runs on `dataset` under `protocol` (None: any); an empty result names what was found.

    A run is under `protocol` when it ran it or was started with it (`protocol.requested`): a
    zero-shot model started with `protocol=loso` predicts every pair once, and `loso` on more events
    than the fold cap runs a grouped k-fold by event; both belong in the `loso` table.
    """
    selected = list(runs)
    if dataset is not None:
        names = sorted({r.result.dataset_name for r in selected})
        selected = [r for r in selected if r.result.dataset_name == dataset]
        if not selected:
            raise CompareError(f"no runs on dataset {dataset!r}; datasets found: {', '.join(names)}")
    if protocol is not None:
        found = sorted({str(r.result.protocol.get("name")) for r in selected})
        selected = [r for r in selected if protocol in (r.result.protocol.get("name"), r.result.protocol.get("requested"))]
        if not selected:
            raise CompareError(f"no runs under protocol {protocol!r}; protocols found: {', '.join(found)}")
    return selected


def latest(runs: Sequence[LoadedRun]) -> list[LoadedRun]:
    """The newest run per (model, protocol, training data): a kfold or zero-shot run never replaces
    a loso row, nor a transfer from one dataset a transfer from another."""
    best: dict[tuple[str, str, str], LoadedRun] = {}
    for r in runs:
        train = r.result.protocol.get("train_dataset")
        key = (r.model, str(r.result.protocol.get("name")), str(train.get("fingerprint")) if isinstance(train, dict) else "")
        cur = best.get(key)
        if cur is None or (r.result.created_at, r.result.run_id) > (cur.result.created_at,
                                                                     cur.result.run_id):
            best[key] = r
    return list(best.values())


def by_fingerprint(runs: Sequence[LoadedRun], allow_mixed: bool = False) -> list[tuple[str, list[LoadedRun]]]:
    """(fingerprint, its runs in input order), sorted by dataset name then fingerprint.

    More than one fingerprint raises MixedDatasetsError unless `allow_mixed`.
    """
    groups: dict[str, list[LoadedRun]] = {}
    for r in runs:
        groups.setdefault(r.result.fingerprint, []).append(r)
    if len(groups) > 1 and not allow_mixed:
        raise MixedDatasetsError(
            {fp: [f"{r.result.dataset_name}:{r.label}" for r in g] for fp, g in groups.items()}
        )
    return sorted(groups.items(), key=lambda kv: (kv[1][0].result.dataset_name, kv[0]))
