"""nli_transfer: the SICK reader, the cache key, train-once caching, and (slow) a real tiny fine-tune."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from bench.labels import Label
from bench.models.base import PairBatch
from bench.models.cross_encoder import base_model_dir
from bench.models.nli_transfer import INFO_FILE, NLITransferClassifier, pairs_fingerprint, training_pairs

E, C, U = (label.class_id for label in (Label.ENTAILS, Label.CONTRADICTS, Label.UNRELATED))


def test_sick_reader_keeps_the_split_and_maps_labels() -> None:
    train = training_pairs("sick", ["TRAIN"], "SemEval_set")
    assert len(train) == 4439  # the official SemEval-2014 TRAIN size (annotations/external/README.md)
    assert train.text_a[0].startswith("A group of kids is playing in a yard")
    assert train.require_labels()[0] == U  # pair 1 is NEUTRAL
    counts = np.bincount(train.require_labels(), minlength=3)
    assert counts[E] > 0 and counts[C] > 0 and counts[U] > counts[E]
    assert len(training_pairs("sick", ["TRAIN", "TRIAL"], "SemEval_set")) == 4439 + 495


def test_sick_reader_errors_name_the_bad_value_and_the_options() -> None:
    with pytest.raises(ValueError, match=r"no rows of 'sick' have SemEval_set in \['TRIAN'\]; values found: TEST, TRAIN, TRIAL"):
        training_pairs("sick", ["TRIAN"], "SemEval_set")
    with pytest.raises(ValueError, match=r"train_split_column='split' is not a column"):
        training_pairs("sick", ["TRAIN"], "split")
    with pytest.raises(ValueError, match=r"unknown dataset config 'snli'; valid names: all, emergent"):
        NLITransferClassifier(train_dataset="snli").training_pairs()
    with pytest.raises(ValueError, match="train_limit=1"):
        NLITransferClassifier(train_limit=1)


def test_train_limit_is_a_seeded_subset() -> None:
    a = NLITransferClassifier(train_limit=30, seed=3).training_pairs()
    assert len(a) == 30
    assert a.text_a == NLITransferClassifier(train_limit=30, seed=3).training_pairs().text_a
    assert a.text_a != NLITransferClassifier(train_limit=30, seed=4).training_pairs().text_a


def test_cache_folder_changes_with_the_data_and_the_settings(tmp_path: Path) -> None:
    model = NLITransferClassifier(cache_dir=tmp_path)
    base = base_model_dir(None)
    batch = PairBatch(["a b", "c d"], ["a", "e"], np.array([E, U]))
    relabelled = PairBatch(["a b", "c d"], ["a", "e"], np.array([E, C]))
    assert pairs_fingerprint(batch) != pairs_fingerprint(relabelled)
    folder = model.model_dir(batch, base)
    assert folder.parent == tmp_path / "nli_transfer"
    assert model.model_dir(relabelled, base) != folder
    assert NLITransferClassifier(cache_dir=tmp_path, epochs=3).model_dir(batch, base) != folder
    assert NLITransferClassifier(cache_dir=tmp_path, seed=1).model_dir(batch, base) != folder
    assert NLITransferClassifier(cache_dir=tmp_path, device="cpu").model_dir(batch, base) == folder


def test_a_cached_model_is_loaded_not_retrained(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    model = NLITransferClassifier(cache_dir=tmp_path, train_limit=10)
    folder = model.model_dir(model.training_pairs(), base_model_dir(None))
    folder.mkdir(parents=True)
    (folder / INFO_FILE).write_text(json.dumps({"train_n": 10}))

    def refuse(*args: object) -> None:
        raise AssertionError("trained although the cache holds the model")

    monkeypatch.setattr(NLITransferClassifier, "_train_into", refuse)
    assert model._ensure_trained() == folder and model.info_ == {"train_n": 10}
    assert NLITransferClassifier.trainable is False and model.fit(PairBatch([], [], np.array([]))) is model


@pytest.mark.slow
def test_trains_once_then_loads_from_the_cache(tmp_path: Path) -> None:
    kw = {"cache_dir": tmp_path, "train_limit": 24, "epochs": 1, "batch_size": 8, "max_length": 48,
          "device": "cpu", "show_progress": False}
    pairs = PairBatch(["A man is playing a guitar.", "A dog runs in the park."],
                      ["A man is not playing a guitar.", "A cat sleeps on a sofa."])
    first = NLITransferClassifier(**kw)
    proba = first.predict_proba(pairs)
    assert proba.shape == (2, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-6)
    info = first.run_info()
    assert info["trained_now"] is True and info["device"] == "cpu" and info["training"]["train_n"] == 24
    assert [p.name for p in (tmp_path / "nli_transfer").iterdir() if p.is_dir()] == [Path(info["model_dir"]).name]

    second = NLITransferClassifier(**kw)  # a second build: same data + settings -> loads, does not train
    np.testing.assert_allclose(second.predict_proba(pairs), proba, atol=1e-6)
    assert second.run_info()["trained_now"] is False
