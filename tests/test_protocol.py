from typing import ClassVar

import numpy as np
import pytest

from bench.dataset import load_annotations_dataset
from bench.models.base import PairBatch
from bench.protocol import ProtocolError, kfold_folds, loso_folds, run_protocol


class Recorder:
    """A model that remembers what it was trained on and predicts a one-hot of a fixed class."""

    trainable: ClassVar[bool] = True
    seen: ClassVar[list[set[str]]] = []

    def fit(self, train: PairBatch) -> "Recorder":
        Recorder.seen.append(set(train.meta["claim_a"]) | set(train.meta["claim_b"]))
        self.cls = int(np.bincount(train.require_labels(), minlength=3).argmax())
        return self

    def predict_proba(self, pairs: PairBatch) -> np.ndarray:
        out = np.zeros((len(pairs), 3))
        out[:, len(Recorder.seen) % 3] = 1.0
        return out


class ZeroShot:
    trainable: ClassVar[bool] = False

    def fit(self, train):  # pragma: no cover - must never be called
        raise AssertionError("zero-shot models are never fitted")

    def predict_proba(self, pairs):
        return np.full((len(pairs), 3), 1 / 3)


@pytest.fixture
def batch(mini_root):
    return PairBatch.from_dataset(load_annotations_dataset(mini_root).hf)


def test_loso_never_trains_on_a_held_out_articles_claims(batch):
    folds = loso_folds(batch)
    assert [f.name for f in folds] == ["alpha", "beta", "gamma"]
    for fold in folds:
        train_claims = {c for i in fold.train for c in (batch.meta["claim_a"][i], batch.meta["claim_b"][i])}
        assert not any(c.startswith(fold.name + "-") for c in train_claims)
        test_sources = {(batch.meta["source_a"][i], batch.meta["source_b"][i]) for i in fold.test}
        assert all(fold.name in pair for pair in test_sources)
        assert set(fold.train).isdisjoint(fold.test)


def test_loso_predicts_each_pair_twice_and_averages(batch):
    Recorder.seen = []
    preds = run_protocol(Recorder, batch, {"name": "loso"}, seed=0, progress=False)
    assert preds.protocol == "loso"
    assert all(len(names) == 2 for names in preds.fold_names)
    # fold k predicts the one-hot of class (k+1) % 3; each row is the mean of its two folds' rows
    order = {"alpha": 1, "beta": 2, "gamma": 0}
    for row, names in zip(preds.proba, preds.fold_names):
        expected = np.zeros(3)
        for name in names:
            expected[order[name]] += 0.5
        np.testing.assert_allclose(row, expected)
    for fold_claims, name in zip(Recorder.seen, ["alpha", "beta", "gamma"]):
        assert not any(c.startswith(name) for c in fold_claims)


def test_kfold_keeps_groups_apart_and_covers_every_pair(batch):
    folds = kfold_folds(batch, k=3, group_by="source_a", seed=0)
    covered = np.concatenate([f.test for f in folds])
    assert sorted(covered) == list(range(len(batch)))
    for fold in folds:
        train_groups = {batch.meta["source_a"][i] for i in fold.train}
        test_groups = {batch.meta["source_a"][i] for i in fold.test}
        assert train_groups.isdisjoint(test_groups)


def test_kfold_unknown_group_column_names_options(batch):
    with pytest.raises(ProtocolError, match="no such column; available: .*source_a"):
        kfold_folds(batch, k=3, group_by="topic", seed=0)


def test_zero_shot_model_is_never_fitted_and_predicts_once(batch):
    preds = run_protocol(ZeroShot, batch, {"name": "loso"}, seed=0, progress=False)
    assert preds.protocol == "zero_shot" and preds.proba.shape == (len(batch), 3)
    assert preds.notes and "not trained" in preds.notes[0]


def test_trainable_model_refuses_zero_shot(batch):
    with pytest.raises(ProtocolError, match="use protocol=loso"):
        run_protocol(Recorder, batch, {"name": "zero_shot"}, seed=0, progress=False)


def test_single_group_loso_falls_back_to_grouped_kfold():
    texts = [f"premise {i % 6}" for i in range(30)]
    batch = PairBatch(texts, [f"hyp {i}" for i in range(30)], np.arange(30) % 3,
                      {"claim_a": texts, "claim_b": texts, "source_a": [""] * 30, "source_b": [""] * 30, "event_id": [""] * 30})
    Recorder.seen = []
    preds = run_protocol(Recorder, batch, {"name": "loso"}, seed=0, progress=False)
    assert preds.protocol == "kfold" and "grouped by premise text instead" in preds.notes[0]
    assert all(len(n) == 1 for n in preds.fold_names)


def test_bad_model_output_is_caught(batch):
    class Broken(ZeroShot):
        def predict_proba(self, pairs):
            return np.ones((len(pairs), 2))

    with pytest.raises(ProtocolError, match=r"shape \(12, 2\)"):
        run_protocol(Broken, batch, {"name": "zero_shot"}, seed=0, progress=False)


def _events_batch(n_events: int, per_event: int = 12) -> PairBatch:
    n = n_events * per_event
    events = [f"e{i // per_event}" for i in range(n)]
    texts = [f"claim {i}" for i in range(n)]
    return PairBatch(texts, texts[::-1], np.arange(n) % 3,
                     {"claim_a": texts, "claim_b": texts[::-1], "source_a": events, "source_b": events, "event_id": events})


def test_two_events_run_leave_one_event_out():
    Recorder.seen = []
    preds = run_protocol(Recorder, _events_batch(2), {"name": "loso"}, seed=0, progress=False)
    assert preds.protocol == "loso" and [f.name for f in preds.folds] == ["e0", "e1"]
    assert all(len(n) == 1 for n in preds.fold_names)


def test_many_groups_fall_back_to_grouped_kfold():
    preds = run_protocol(Recorder, _events_batch(60, per_event=3), {"name": "loso"}, seed=0, progress=False)
    assert preds.protocol == "kfold" and len(preds.folds) == 5
    assert "60 events" in preds.notes[0] and "grouped by event" in preds.notes[0]


def test_prepare_runs_once_on_unlabelled_data_before_the_folds(batch):
    calls: list[tuple[int, bool, int]] = []

    class Preparing(Recorder):
        def prepare(self, pairs: PairBatch) -> None:
            calls.append((len(pairs), pairs.labels is None, len(Recorder.seen)))

    Recorder.seen = []
    preds = run_protocol(Preparing, batch, {"name": "loso"}, seed=0, progress=False)
    assert calls == [(len(batch), True, 0)]  # whole dataset, no labels, before any fit
    assert "prepare" in preds.seconds
