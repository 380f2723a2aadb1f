"""Floor baselines: majority and stratified random."""

from __future__ import annotations

import numpy as np
import pytest

from bench.labels import LABELS, Label
from bench.models.base import PairBatch, PairClassifier
from bench.models.trivial import MajorityClassifier, StratifiedClassifier

E, C, U = (label.class_id for label in (Label.ENTAILS, Label.CONTRADICTS, Label.UNRELATED))


def batch(labels: list[int], prefix: str = "p") -> PairBatch:
    n = len(labels)
    return PairBatch([f"{prefix} premise {i}" for i in range(n)], [f"{prefix} hypothesis {i}" for i in range(n)],
                     np.asarray(labels))


@pytest.mark.parametrize("cls", [MajorityClassifier, StratifiedClassifier])
def test_protocol_shape_and_rows(cls: type) -> None:
    model = cls(seed=0)
    assert isinstance(model, PairClassifier) and model.trainable
    proba = model.fit(batch([E, C, C, U, C])).predict_proba(batch([0] * 7, "q").without_labels())
    assert proba.shape == (7, len(LABELS))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert (proba >= 0).all()


def test_majority_is_the_training_prior_with_majority_argmax() -> None:
    proba = MajorityClassifier().fit(batch([U, C, C, U, C])).predict_proba(batch([0, 0]))
    np.testing.assert_allclose(proba, [[0.0, 0.6, 0.4]] * 2)  # columns: entails, contradicts, unrelated
    assert (proba.argmax(axis=1) == C).all()


def test_majority_tie_goes_to_lowest_class_id_like_argmax() -> None:
    model = MajorityClassifier().fit(batch([U, C, U, C]))
    assert model.majority_ == C
    assert model.predict_proba(batch([0])).argmax() == C


@pytest.mark.parametrize("cls", [MajorityClassifier, StratifiedClassifier])
def test_missing_class_still_three_columns(cls: type) -> None:
    proba = cls(seed=3).fit(batch([U, U, E])).predict_proba(batch(list(range(3)) * 20, "q"))
    assert proba.shape == (60, 3)
    assert (proba[:, C] == 0).all()  # never trained on contradicts: never predicted


def test_stratified_is_one_hot_seeded_and_order_independent() -> None:
    train = batch([E, C, U, U])
    test = batch([0] * 50, "q")
    a = StratifiedClassifier(seed=1).fit(train).predict_proba(test)
    b = StratifiedClassifier(seed=1).fit(train).predict_proba(test)
    np.testing.assert_array_equal(a, b)
    assert set(np.unique(a)) == {0.0, 1.0} and (a.sum(axis=1) == 1).all()
    perm = np.random.default_rng(0).permutation(50)
    np.testing.assert_array_equal(StratifiedClassifier(seed=1).fit(train).predict_proba(test.subset(perm)), a[perm])
    c = StratifiedClassifier(seed=2).fit(train).predict_proba(test)
    assert not np.array_equal(a, c)


def test_stratified_follows_training_proportions() -> None:
    train = batch([E] * 2 + [C] * 3 + [U] * 5)
    proba = StratifiedClassifier(seed=0).fit(train).predict_proba(batch([0] * 4000, "q"))
    np.testing.assert_allclose(proba.mean(axis=0), [0.2, 0.3, 0.5], atol=0.03)


@pytest.mark.parametrize("cls", [MajorityClassifier, StratifiedClassifier])
def test_errors(cls: type) -> None:
    with pytest.raises(RuntimeError, match="before fit"):
        cls().predict_proba(batch([0]))
    with pytest.raises(ValueError, match=r"label ids \[5\]"):
        cls().fit(batch([0, 5]))
    with pytest.raises(ValueError, match="no labels"):
        cls().fit(batch([0]).without_labels())
