"""Cross-encoders: label-column mapping, missing-model errors, and (slow) a real fine-tune + reload."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bench.labels import Label
from bench.models.base import PairBatch, PairClassifier
from bench.models.cross_encoder import FineTunedCrossEncoder, ModelNotFoundError
from bench.models.finetune import length_bucketed_batches
from bench.models.nli_pretrained import PretrainedNLIClassifier, map_columns

E, C, U = (label.class_id for label in (Label.ENTAILS, Label.CONTRADICTS, Label.UNRELATED))
PERMUTED = {0: "CONTRADICTION", 1: "ENTAILMENT", 2: "NEUTRAL"}


def tiny(labels: list[int] | None = None) -> PairBatch:
    a = ["The mayor resigned on Monday.", "Police arrested 12 protesters.", "The river flooded the valley.",
         "Officials met three times.", "The company reported a profit.", "Prices of bread doubled.",
         "The talks began in March.", "The army denied the report.", "Maduro took power in 2013.",
         "The union rebuffed the offer.", "Three people died in the fire.", "The bridge was closed."]
    b = ["The mayor stepped down on Monday.", "Police did not arrest anyone.", "A stadium opened in Lima.",
         "Officials met on three occasions.", "The company reported a loss.", "The new bridge is long.",
         "The talks started in March.", "The army confirmed the report.", "A festival was held in Lima.",
         "The union turned down the offer.", "Five people died in the fire.", "Bread prices fell."]
    y = labels if labels is not None else [E, C, U] * 4
    return PairBatch(a, b, np.asarray(y))


# --- column mapping ----------------------------------------------------------------------------


def test_map_columns_by_name_not_position() -> None:
    assert map_columns(PERMUTED) == [C, E, U]
    assert map_columns({0: "entailment", 1: "neutral", 2: "contradiction"}) == [E, U, C]
    assert map_columns({"0": "Entails", "1": "Contradicts", "2": "Unrelated"}) == [E, C, U]  # our own names


def test_map_columns_label_map_overrides_and_can_merge() -> None:
    assert map_columns({0: "LABEL_0", 1: "LABEL_1", 2: "LABEL_2"},
                       {"label_0": "unrelated", "LABEL_1": "entails", "Label_2": "contradicts"}) == [U, E, C]
    assert map_columns({0: "entailment", 1: "not_entailment"}, {"not_entailment": "unrelated"}) == [E, U]


def test_map_columns_errors_name_the_label_and_the_targets() -> None:
    with pytest.raises(ValueError) as info:
        map_columns({0: "entailment", 1: "weird", 2: "neutral"}, model="'m'")
    message = str(info.value)
    assert "'weird'" in message and "entails, contradicts, unrelated" in message and "label_map" in message
    with pytest.raises(ValueError, match=r"label_map keys \['entailmnt'\] are not labels"):
        map_columns(PERMUTED, {"entailmnt": "entails"})
    with pytest.raises(ValueError, match="unknown label 'yes'.*valid labels: entails, contradicts, unrelated"):
        map_columns(PERMUTED, {"ENTAILMENT": "yes"})


# --- construction and errors (no torch needed) ---------------------------------------------------


def test_pretrained_is_zero_shot_and_lazy(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text("{}")  # enough to pass the construction check; nothing is loaded
    model = PretrainedNLIClassifier(model=str(tmp_path), label_map={"a": "entails"})
    assert isinstance(model, PairClassifier) and PretrainedNLIClassifier.trainable is False
    assert model.fit(tiny()) is model  # no-op, and nothing loaded yet
    assert FineTunedCrossEncoder.trainable is True and isinstance(FineTunedCrossEncoder(), PairClassifier)


def test_missing_local_model_names_path_and_fix(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-nli-model"
    with pytest.raises(ModelNotFoundError) as info:
        PretrainedNLIClassifier(model=str(missing))  # at construction: before any fold runs
    message = str(info.value)
    assert isinstance(info.value, ValueError)
    assert str(missing) in message and "offline" in message and "model.model=/path/to/dir" in message
    assert "\n" not in message


def test_missing_hub_model_offline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    with pytest.raises(ModelNotFoundError) as info:
        PretrainedNLIClassifier(model="cross-encoder/nli-deberta-v3-xsmall")
    message = str(info.value)
    assert "'cross-encoder/nli-deberta-v3-xsmall'" in message and "hub is unreachable offline" in message
    assert "model.model=/path/to/dir" in message


def test_missing_base_model_or_encoder_fails_at_construction(tmp_path: Path) -> None:
    from bench.models.embedding import SbertLRClassifier

    with pytest.raises(ModelNotFoundError, match="model.base_model=/path/to/dir"):
        FineTunedCrossEncoder(base_model=str(tmp_path / "nope"))
    with pytest.raises(ModelNotFoundError, match="model.encoder=/path/to/dir"):
        SbertLRClassifier(encoder=str(tmp_path / "nope"))


@pytest.mark.parametrize("kw, name", [({"epochs": 0}, "epochs"), ({"lr": -1.0}, "lr"), ({"batch_size": 0}, "batch_size"),
                                      ({"warmup_ratio": 1.5}, "warmup_ratio"), ({"class_weight": "auto"}, "class_weight")])
def test_fine_tune_rejects_bad_hyperparameters(kw: dict, name: str) -> None:
    with pytest.raises(ValueError, match=name):
        FineTunedCrossEncoder(**kw)


def test_length_bucketed_batches_cover_each_pair_once_and_are_seeded() -> None:
    lengths = np.random.default_rng(0).integers(10, 200, 101)
    batches = length_bucketed_batches(lengths, 8, np.random.default_rng(1))
    assert sorted(np.concatenate(batches).tolist()) == list(range(101))
    again = length_bucketed_batches(lengths, 8, np.random.default_rng(1))
    assert all(np.array_equal(x, y) for x, y in zip(batches, again))


# --- slow: real fine-tuning ----------------------------------------------------------------------


@pytest.mark.slow
def test_fine_tune_is_seeded_and_reloads_through_pretrained_with_permuted_labels(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    train = tiny([E, U, U] * 4)  # no 'contradicts' in training: the head still has 3 columns
    kw = {"epochs": 1, "batch_size": 4, "max_length": 48, "seed": 11, "show_progress": False}
    first = FineTunedCrossEncoder(**kw).fit(train)
    proba = first.predict_proba(tiny().without_labels())
    assert proba.shape == (12, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-6)
    assert len(first.losses_) == 3 and all(np.isfinite(first.losses_))
    assert first.model_.model.config.id2label == {0: "entails", 1: "contradicts", 2: "unrelated"}
    second = FineTunedCrossEncoder(**kw).fit(train)
    np.testing.assert_allclose(second.predict_proba(tiny()), proba, atol=1e-6)  # same seed, same model

    # relabel the head's columns with NLI names in a different order, save, reload zero-shot
    ce = first.model_
    ce.model.config.id2label = dict(PERMUTED)
    ce.model.config.label2id = {v: k for k, v in PERMUTED.items()}
    first.save(tmp_path / "nli")
    nli = PretrainedNLIClassifier(model=str(tmp_path / "nli"), show_progress=False)
    got = nli.predict_proba(tiny())
    assert nli.columns_ == [C, E, U]
    raw = ce.predict(list(zip(tiny().text_a, tiny().text_b)), apply_softmax=True, convert_to_numpy=True)
    want = np.zeros_like(got)
    want[:, E], want[:, C], want[:, U] = raw[:, 1], raw[:, 0], raw[:, 2]  # ENTAILMENT is column 1, etc.
    np.testing.assert_allclose(got, want, atol=1e-5)
    # and the same numbers as before the relabelling, moved: old column 0 now feeds contradicts, 1 entails
    np.testing.assert_allclose(got, proba[:, [1, 0, 2]], atol=1e-5)

    relabelled = PretrainedNLIClassifier(model=str(tmp_path / "nli"), show_progress=False,
                                         label_map={"contradiction": "unrelated", "neutral": "contradicts"})
    got2 = relabelled.predict_proba(tiny())
    np.testing.assert_allclose(got2[:, [E, U, C]], want[:, [E, C, U]], atol=1e-5)


def test_max_train_pairs_keeps_a_seeded_stratified_sample() -> None:
    from bench.models.cross_encoder import FineTunedCrossEncoder

    model = FineTunedCrossEncoder(max_train_pairs=30, seed=3)
    labels = np.array([0] * 20 + [1] * 20 + [2] * 60)
    train = PairBatch([f"a{i}" for i in range(100)], [f"b{i}" for i in range(100)], labels)
    kept = model._capped(train)
    assert len(kept) == 30 and sorted(np.bincount(kept.require_labels())) == [6, 6, 18]
    assert kept.text_a == FineTunedCrossEncoder(max_train_pairs=30, seed=3)._capped(train).text_a
    assert model._capped(train.subset(np.arange(20))) is not None and len(FineTunedCrossEncoder()._capped(train)) == 100
    with pytest.raises(ValueError, match="model.max_train_pairs=0"):
        FineTunedCrossEncoder(max_train_pairs=0)
