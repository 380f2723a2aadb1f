"""protocol=split, protocol=transfer and leave-one-event-out: what each fit may and may not see."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import numpy as np
import pytest

from bench.dataset import load_annotations_dataset, load_dataset_config
from bench.models.base import PairBatch
from bench.protocol import ProtocolError, protocol_from_config, run_protocol


class Spy:
    """Remembers the pair ids (and dev ids) of every fit; predicts uniform rows."""

    trainable: ClassVar[bool] = True
    fits: ClassVar[list[dict[str, list[str]]]] = []

    def fit(self, train: PairBatch, dev: PairBatch | None = None) -> Spy:
        Spy.fits.append({"train": list(train.meta["pair_id"]), "texts": list(zip(train.text_a, train.text_b)),
                         "dev": [] if dev is None else list(dev.meta["pair_id"])})
        return self

    def predict_proba(self, pairs: PairBatch) -> np.ndarray:
        return np.full((len(pairs), 3), 1 / 3)


def split_batch(values: list[str]) -> PairBatch:
    n = len(values)
    ids = [f"r{i}" for i in range(n)]
    return PairBatch([f"a {i}" for i in range(n)], [f"b {i}" for i in range(n)], np.arange(n) % 3,
                     {"pair_id": ids, "claim_a": ids, "claim_b": ids, "source_a": [""] * n, "source_b": [""] * n,
                      "event_id": [""] * n, "SemEval_set": values})


SPLIT = {"name": "split", "column": "SemEval_set", "train": ["TRAIN"], "dev": ["TRIAL"], "test": ["TEST"]}


def test_split_never_trains_on_test_rows_and_scores_only_them():
    values = ["TRAIN", "TEST", "TRIAL", "TRAIN", "TEST", "other", "TRAIN", "TEST", "TRAIN"]
    Spy.fits = []
    preds = run_protocol(Spy, split_batch(values), SPLIT, seed=0, progress=False)
    (fit,) = Spy.fits
    assert fit["train"] == ["r0", "r3", "r6", "r8"] and fit["dev"] == ["r2"]
    assert preds.scored is not None and list(preds.scored) == [1, 4, 7] and preds.proba.shape == (3, 3)
    assert preds.record["split"]["counts"] == {"train": 4, "dev": 1, "test": 3, "unused": 1}
    assert preds.folds[0].dev_used


def test_split_without_test_rows_names_the_values_found():
    with pytest.raises(ProtocolError, match=r"no row has SemEval_set in \['test'\].*values in the data: TRAIN, TRIAL"):
        run_protocol(Spy, split_batch(["TRAIN", "TRIAL"]), SPLIT, seed=0, progress=False)


def test_untrained_model_under_split_still_scores_only_the_test_rows():
    class Uniform(Spy):
        trainable: ClassVar[bool] = False

    preds = run_protocol(Uniform, split_batch(["TRAIN", "TEST", "TEST"]), SPLIT, seed=0, progress=False)
    assert preds.protocol == "zero_shot" and list(preds.scored) == [1, 2]  # type: ignore[arg-type]


def test_transfer_fits_on_the_other_dataset_and_never_on_the_scored_pairs(mini_root: Path, tmp_path: Path):
    scored = load_annotations_dataset(mini_root)
    batch = PairBatch.from_dataset(scored.hf)
    other = tmp_path / "other.jsonl"  # two pairs of its own, and one that is also a scored pair
    other.write_text('{"text_a": "A cat sleeps.", "text_b": "An animal rests.", "label": "entails"}\n'
                     '{"text_a": "A cat sleeps.", "text_b": "The cat runs.", "label": "contradicts"}\n'
                     f'{{"text_a": "{batch.text_a[0]}", "text_b": "{batch.text_b[0]}", "label": "entails"}}\n')
    Spy.fits = []
    protocol = {"name": "transfer", "train_dataset": "pairs_file", "train_overrides": {"path": str(other)}}
    preds = run_protocol(Spy, batch, protocol, seed=0, progress=False)
    (fit,) = Spy.fits
    assert fit["texts"] == [("A cat sleeps.", "An animal rests."), ("A cat sleeps.", "The cat runs.")]
    assert preds.protocol == "transfer" and preds.proba.shape == (len(batch), 3) and preds.scored is None
    train = preds.record["train_dataset"]
    assert train["n"] == 3 and train["n_used"] == 2 and train["fingerprint"] != scored.fingerprint
    assert "dropped 1 training pair" in preds.notes[0]


def test_transfer_onto_itself_is_refused(mini_root: Path):
    batch = PairBatch.from_dataset(load_annotations_dataset(mini_root).hf)
    protocol = {"name": "transfer", "train_dataset": "seed", "train_overrides": {"root": str(mini_root)}}
    with pytest.raises(ProtocolError, match="every training pair is also a scored pair"):
        run_protocol(Spy, batch, protocol, seed=0, progress=False)


def test_transfer_without_train_dataset_lists_the_dataset_configs(mini_root: Path):
    batch = PairBatch.from_dataset(load_annotations_dataset(mini_root).hf)
    with pytest.raises(ProtocolError, match=r"\+protocol.train_dataset=<name>; valid names: .*sick"):
        run_protocol(Spy, batch, {"name": "transfer"}, seed=0, progress=False)


@pytest.fixture(scope="module")
def multi_event_batches() -> dict[str, PairBatch]:
    return {name: PairBatch.from_dataset(load_dataset_config(name).hf) for name in ("emergent", "all")}


@pytest.mark.parametrize("name", ["emergent", "all"])
def test_leave_one_event_out_never_puts_an_event_on_both_sides(multi_event_batches, name):
    batch = multi_event_batches[name]
    events = np.asarray(batch.meta["event_id"])
    plan = protocol_from_config({"name": "loso"}).plan(batch, seed=0)
    assert len(plan.folds) >= 2
    assert plan.protocol == "loso" or "grouped by event" in plan.notes[0]  # above the cap: grouped 5-fold
    covered = np.zeros(len(batch), dtype=int)
    for fold in plan.folds:
        assert set(events[fold.train]).isdisjoint(events[fold.test]), fold.name
        covered[fold.test] += 1
    assert (covered == 1).all()
    if name == "all":
        assert "venezuela-coup-talks-2018" in set(events) and any(e.startswith("em-") for e in events)
