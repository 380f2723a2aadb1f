"""The evaluation protocols: one class per `configs/protocol/*.yaml` (its `_target_`).

Each turns the scored dataset into a Plan: the folds to fit, which pairs are scored, and (for
`transfer`) the batch the folds train on. Adding a protocol is one class here and one YAML.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from bench.corpus import normalize_text
from bench.models.base import PairBatch
from bench.protocol.folds import Fold, ProtocolError, column, kfold_folds, loso_or_fallback


@dataclass
class Plan:
    """What `run_protocol` executes. `scored`: indices of the pairs that get a prediction and a
    score (None: every pair); `train_batch`: the pairs the folds' train indices point into (None:
    the scored dataset itself); `record`: extra fields for the run record's `protocol` block."""

    protocol: str
    folds: list[Fold]
    notes: list[str] = field(default_factory=list)
    scored: np.ndarray | None = None
    train_batch: PairBatch | None = None
    record: dict[str, Any] = field(default_factory=dict)


class ZeroShot:
    """No training: the model predicts every pair once (pretrained NLI models, heuristics)."""

    fits = False

    def __init__(self, name: str = "zero_shot") -> None:
        self.name = name

    def plan(self, batch: PairBatch, seed: int) -> Plan:
        return Plan("zero_shot", [])


class LeaveOneOut:
    """Leave-one-source-out; with several events, leave-one-event-out: fold k trains on every
    event but event k and predicts event k, so an event never sits on both sides of a fold. Above
    MAX_LOSO_FOLDS groups it is a grouped 5-fold split, still grouped by event (a note says so)."""

    fits = True

    def __init__(self, name: str = "loso") -> None:
        self.name = name

    def plan(self, batch: PairBatch, seed: int) -> Plan:
        effective, folds, notes = loso_or_fallback(batch, seed)
        return Plan(effective, folds, notes)


class KFold:
    """Stratified k-fold grouped by a column (`auto`: event, else source pair, else premise text)."""

    fits = True

    def __init__(self, name: str = "kfold", k: int = 5, group_by: str = "auto") -> None:
        self.name, self.k, self.group_by = name, int(k), str(group_by)

    def plan(self, batch: PairBatch, seed: int) -> Plan:
        folds = kfold_folds(batch, self.k, self.group_by, seed)
        notes = []
        if len(folds) < self.k <= len(batch):  # fewer pairs than k: bench.degenerate.folds_notes says so
            notes.append(f"protocol asked for k={self.k} folds but grouping by {self.group_by!r} gives "
                         f"{len(folds)} group(s); ran {len(folds)} fold(s)")
        return Plan("kfold", folds, notes)


class FixedSplit:
    """Train on the rows whose `column` value is in `train`, hand `dev` rows to the model's own
    selection/calibration (only if its `fit` takes `dev=`), score the `test` rows only. Values
    match case-insensitively; rows in no list are neither trained on nor scored."""

    fits = True

    def __init__(self, name: str = "split", column: str = "split", train: Sequence[str] = ("train",),
                 dev: Sequence[str] = ("dev",), test: Sequence[str] = ("test",)) -> None:
        self.name, self.column = name, str(column)
        self.values = {role: {str(v).lower() for v in values} for role, values in
                       (("train", train), ("dev", dev), ("test", test))}

    def scored_rows(self, batch: PairBatch) -> np.ndarray:
        """The test rows: what every model, trained or not, predicts and is scored on."""
        return self._index(batch)["test"]

    def _index(self, batch: PairBatch) -> dict[str, np.ndarray]:
        raw = column(batch, self.column)
        values = np.asarray([v.lower() for v in raw])
        index = {role: np.flatnonzero(np.isin(values, sorted(wanted))) for role, wanted in self.values.items()}
        for role in ("train", "test"):
            if not len(index[role]):
                raise ProtocolError(f"protocol=split: no row has {self.column} in {sorted(self.values[role])} "
                                    f"(protocol.{role}); values in the data: {', '.join(sorted(set(raw)))}")
        return index

    def plan(self, batch: PairBatch, seed: int) -> Plan:
        index = self._index(batch)
        counts = {role: int(len(ix)) for role, ix in index.items()}
        counts["unused"] = len(batch) - sum(counts.values())
        fold = Fold("split", index["train"], index["test"], dev=index["dev"] if len(index["dev"]) else None)
        record = {"split": {"column": self.column, "values": {r: sorted(v) for r, v in self.values.items()},
                            "counts": counts}}
        return Plan("split", [fold], scored=index["test"], record=record)


class Transfer:
    """Fit on another dataset config (`train_dataset`: a `configs/dataset/` name), predict every
    pair of the scored dataset. Training pairs whose two texts also form a scored pair are dropped
    first (e.g. `all` contains `emergent`), so the scored data is never trained on."""

    fits = True

    def __init__(self, name: str = "transfer", train_dataset: str | None = None,
                 train_overrides: Mapping[str, Any] | None = None) -> None:
        self.name, self.train_dataset = name, train_dataset
        self.train_overrides = dict(train_overrides or {})

    def plan(self, batch: PairBatch, seed: int) -> Plan:
        from bench.annotations import AnnotationError
        from bench.config import choices
        from bench.dataset import DatasetError, load_dataset_config

        if not self.train_dataset:
            raise ProtocolError("protocol=transfer needs the dataset to fit on: add "
                                f"+protocol.train_dataset=<name>; valid names: {', '.join(choices('dataset'))}")
        try:
            data = load_dataset_config(self.train_dataset, self.train_overrides)
        except (DatasetError, AnnotationError) as exc:
            raise ProtocolError(f"protocol.train_dataset={self.train_dataset}: {exc}") from None
        train = PairBatch.from_dataset(data.hf)
        scored = {_text_pair(a, b) for a, b in zip(batch.text_a, batch.text_b)}
        keep = np.asarray([i for i, ab in enumerate(zip(train.text_a, train.text_b)) if _text_pair(*ab) not in scored],
                          dtype=np.int64)
        dropped = len(train) - len(keep)
        if not len(keep):
            raise ProtocolError(f"protocol.train_dataset={self.train_dataset}: every training pair is also a scored "
                                "pair; transfer needs another dataset to fit on")
        notes = [f"dropped {dropped} training pair(s) of {data.name} that are also scored pairs"] if dropped else []
        record = {"train_dataset": {"config": self.train_dataset, "name": data.name, "fingerprint": data.fingerprint,
                                    "n": len(data), "n_used": int(len(keep)), "source": data.source}}
        fold = Fold(f"train:{data.name}", np.arange(len(keep)), np.arange(len(batch)))
        return Plan("transfer", [fold], notes, train_batch=train.subset(keep), record=record)


def _text_pair(a: str, b: str) -> tuple[str, str]:
    return normalize_text(a), normalize_text(b)
