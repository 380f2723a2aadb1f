"""Run folders -> records and predictions as arrays sorted by pair_id, so runs align item by item."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from bench.compare.errors import PairingError
from bench.labels import LABEL_NAMES, NUM_LABELS
from bench.results import RunReadError, RunResult, find_runs, read_predictions, read_run

Warn = Callable[[str], None]


def warn_stderr(msg: str) -> None:
    print(msg, file=sys.stderr)


@dataclass(frozen=True)
class RunItems:
    """A run's predictions as arrays sorted by pair_id (so runs align item by item)."""

    pair_id: np.ndarray
    gold: np.ndarray
    pred: np.ndarray
    proba: np.ndarray
    meta: dict[str, np.ndarray]


@dataclass
class LoadedRun:
    """A RunResult with the folder it came from (predictions are read lazily, once)."""

    path: Path
    result: RunResult
    _items: RunItems | None = field(default=None, repr=False)
    _items_error: str | None = field(default=None, repr=False)

    @property
    def model(self) -> str:
        return self.result.model_key

    @property
    def label(self) -> str:
        return f"{self.result.model_key}/{self.result.run_id}"

    def items(self, warn: Warn = warn_stderr) -> RunItems | None:
        """Parsed predictions, or None (reason reported once through `warn`)."""
        if self._items is None and self._items_error is None:
            try:
                self._items = parse_items(read_predictions(self.path), self.path, warn)
            except RunReadError as exc:
                self._items_error = str(exc)
                warn(f"warning: {exc}; paired tests skipped for {self.label}")
        return self._items


def parse_items(rows: list[dict[str, Any]], where: Path | str, warn: Warn = warn_stderr) -> RunItems:
    """Prediction rows -> RunItems; RunReadError on rows that cannot be used."""
    n = len(rows)
    if n == 0:
        raise RunReadError(where, "predictions.jsonl has no rows")
    index = {name: i for i, name in enumerate(LABEL_NAMES)}
    try:  # column-wise comprehensions: fast on 100k rows
        gold = np.fromiter((index[r["gold"]] for r in rows), dtype=np.int64, count=n)
        declared = np.fromiter((index[r["predicted"]] for r in rows), dtype=np.int64, count=n)
        proba = np.array([[p[name] for name in LABEL_NAMES] for p in (r["probabilities"] for r in rows)],
                         dtype=np.float64)
        if proba.shape != (n, NUM_LABELS):
            raise ValueError("probabilities shape")
    except (KeyError, TypeError, ValueError):
        _raise_bad_row(rows, where)
        raise  # pragma: no cover - _raise_bad_row always raises
    meta = {k: np.array([v if isinstance(v := r.get(k), str) else ("" if v is None else str(v))
                         for r in rows], dtype=object)
            for k in ("origin", "source_a", "source_b", "perturbation", "event_id")}  # event_id: newer runs
    pair_id = np.array([str(r["pair_id"]) for r in rows])
    order = np.argsort(pair_id, kind="stable")
    if len(np.unique(pair_id)) != n:
        raise RunReadError(where, "duplicate pair_id in predictions.jsonl")
    # The recorded label is what the run's metrics used. Stored probabilities may be rounded, so
    # only flag rows where the recorded label is clearly not a maximum of its row.
    top = proba.max(axis=1)
    mismatch = int((proba[np.arange(n), declared] < top - 1e-5).sum())
    if mismatch:
        warn(f"warning: {where}: 'predicted' is not the argmax of 'probabilities' on {mismatch} "
             "rows; using 'predicted' as recorded")
    return RunItems(
        pair_id=pair_id[order], gold=gold[order], pred=declared[order], proba=proba[order],
        meta={k: v[order] for k, v in meta.items()},
    )


def _raise_bad_row(rows: list[dict[str, Any]], where: Path | str) -> None:
    """Find the first unusable prediction row and raise an error naming it."""
    for i, row in enumerate(rows):
        try:
            for key in ("gold", "predicted"):
                if row[key] not in LABEL_NAMES:
                    raise ValueError(f"{key} = {row[key]!r}")
            probs = row["probabilities"]
            [float(probs[name]) for name in LABEL_NAMES]
        except (KeyError, TypeError, ValueError) as exc:
            raise RunReadError(
                where, f"prediction row {i + 1} (pair_id {row.get('pair_id')!r}) is unusable: "
                f"{exc}; labels must be one of {', '.join(LABEL_NAMES)} and probabilities must "
                f"map each of them to a number") from None
    raise RunReadError(where, "unusable prediction rows")


def load_runs(paths: Iterable[Path | str], warn: Warn = warn_stderr) -> list[LoadedRun]:
    """Read every run under `paths`; each unreadable one (or empty path) is one `warn` line."""
    runs: list[LoadedRun] = []
    seen: set[Path] = set()
    for p in paths:
        path = Path(p)
        if not path.exists():
            warn(f"warning: {path}: no such file or directory")
            continue
        dirs = find_runs([path])
        if not dirs:
            warn(f"warning: {path}: no runs found (no result.json at or below it)")
            continue
        for d in dirs:
            key = d.resolve()
            if key in seen:
                continue
            seen.add(key)
            try:
                runs.append(LoadedRun(d, read_run(d)))
            except RunReadError as exc:
                warn(f"warning: skipped {exc}")
    return runs


def aligned(runs: Sequence[LoadedRun], warn: Warn) -> dict[int, RunItems]:
    """Items of each run that has predictions; PairingError if item sets or gold differ."""
    items: dict[int, RunItems] = {}
    first: tuple[LoadedRun, RunItems] | None = None
    for i, run in enumerate(runs):
        it = run.items(warn)
        if it is None:
            continue
        if first is None:
            first = (run, it)
        else:
            ref_run, ref = first
            if len(ref.pair_id) != len(it.pair_id) or not np.array_equal(ref.pair_id, it.pair_id):
                only_a = np.setdiff1d(ref.pair_id, it.pair_id)
                only_b = np.setdiff1d(it.pair_id, ref.pair_id)
                ex = ", ".join(list(only_a[:2]) + list(only_b[:2]))
                raise PairingError(
                    f"runs {ref_run.path} and {run.path} have the same dataset fingerprint but "
                    f"different items ({len(only_a)} pair_ids only in the first, {len(only_b)} "
                    f"only in the second, e.g. {ex}); paired tests need identical items: "
                    "re-run or remove the broken run"
                )
            if not np.array_equal(ref.gold, it.gold):
                bad = ref.pair_id[np.flatnonzero(ref.gold != it.gold)[0]]
                raise PairingError(
                    f"runs {ref_run.path} and {run.path} disagree on gold labels (e.g. pair "
                    f"{bad}); they cannot have been scored on the same data"
                )
        items[i] = it
    return items
