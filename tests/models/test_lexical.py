"""Lexical baselines: shapes, determinism, training-side fitting, and the hand features themselves."""

from __future__ import annotations

import time

import numpy as np
import pytest

from bench.labels import Label
from bench.models.base import PairBatch, PairClassifier
from bench.models.lexical import (
    HypothesisOnlyClassifier,
    LexicalFeatureClassifier,
    TfidfPairClassifier,
)
from bench.models.lexical_features import feature_names, pair_features

E, C, U = (label.class_id for label in (Label.ENTAILS, Label.CONTRADICTS, Label.UNRELATED))
MODELS = [HypothesisOnlyClassifier, TfidfPairClassifier, LexicalFeatureClassifier]

BASE = [
    "Officials met the officers three times in 2017.",
    "The officers asked for encrypted radios.",
    "The mayor resigned on Monday.",
    "Police arrested 12 protesters in Caracas.",
    "The company reported a profit in March.",
    "Diplomats held several meetings with Maduro.",
]
OTHER = ["Prices of bread doubled last year.", "The river flooded the valley.", "A new stadium opened in Lima."]


def tiny() -> PairBatch:
    """Entails = same claim, contradicts = negated, unrelated = another topic (18 pairs)."""
    a, b, y = [], [], []
    for i, s in enumerate(BASE):
        a += [s, s, s]
        b += [s.replace(".", " indeed."), s.replace(" ", " did not ", 1) if i % 2 else "No. " + s, OTHER[i % 3]]
        y += [E, C, U]
    return PairBatch(a, b, np.asarray(y))


def features(a: str, b: str) -> dict[str, float]:
    X, names = pair_features([a], [b])
    return dict(zip(names, X[0].tolist()))


@pytest.mark.parametrize("cls", MODELS)
def test_shape_rows_and_protocol(cls: type) -> None:
    model = cls(seed=0)
    assert isinstance(model, PairClassifier)
    proba = model.fit(tiny()).predict_proba(PairBatch(["Unseen words here."] * 2, ["Totally novel text.", "x"]))
    assert proba.shape == (2, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)


@pytest.mark.parametrize("cls", MODELS)
def test_missing_class_gives_three_columns(cls: type) -> None:
    train = tiny()
    keep = np.flatnonzero(train.labels != C)
    proba = cls().fit(train.subset(keep)).predict_proba(tiny().without_labels())
    assert proba.shape == (18, 3)
    assert (proba[:, C] == 0).all()
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)


@pytest.mark.parametrize("cls", MODELS)
def test_single_class_training_predicts_it(cls: type) -> None:
    train = tiny()
    proba = cls().fit(train.subset(np.flatnonzero(train.labels == U))).predict_proba(train)
    np.testing.assert_array_equal(proba, np.tile([0.0, 0.0, 1.0], (18, 1)))


@pytest.mark.parametrize("cls", MODELS)
def test_deterministic(cls: type) -> None:
    a = cls(seed=5).fit(tiny()).predict_proba(tiny())
    b = cls(seed=5).fit(tiny()).predict_proba(tiny())
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("cls", [TfidfPairClassifier, LexicalFeatureClassifier])
def test_columns_follow_labels_order(cls: type) -> None:
    """On a learnable toy task the argmax column is the gold label id (entails=0, contradicts=1, unrelated=2)."""
    data = tiny()
    pred = cls(C=100.0).fit(data).predict_proba(data).argmax(axis=1)
    assert (pred == data.labels).mean() >= 0.8


def test_hypothesis_only_ignores_claim_a() -> None:
    model = HypothesisOnlyClassifier().fit(tiny())
    test = tiny()
    swapped = PairBatch(["something else entirely"] * len(test), test.text_b)
    np.testing.assert_array_equal(model.predict_proba(test), model.predict_proba(swapped))


def test_tfidf_vocabulary_is_fitted_on_training_side_only() -> None:
    model = TfidfPairClassifier().fit(tiny())
    model.predict_proba(PairBatch(["zanzibar quokka"], ["quokka zanzibar"]))
    assert "quokka" not in model.vectorizer_.vocabulary_
    lex = LexicalFeatureClassifier().fit(tiny())
    lex.predict_proba(PairBatch(["zanzibar quokka"], ["quokka zanzibar"]))
    assert "quokka" not in lex.tfidf_.vocabulary_


# --- the hand features -------------------------------------------------------------------------


def test_number_mismatch() -> None:
    f = features("Three people died in the fire.", "Five people died in the fire.")
    assert f["num_mismatch"] == 1 and f["num_disjoint"] == 1 and f["num_b_new"] == 1
    f = features("Three people died in the fire.", "3 people died in the fire.")  # words == digits
    assert f["num_mismatch"] == 0 and f["num_jaccard"] == 1
    f = features("Police arrested 1,200 people.", "Police arrested twelve hundred people.")
    assert f["num_mismatch"] == 0 and f["num_jaccard"] == 1
    f = features("Police arrested twenty-five people.", "Police arrested 25 people.")
    assert f["num_mismatch"] == 0
    f = features("A few hundred protesters gathered.", "Protesters gathered.")
    assert f["vague_a"] == 1 and f["num_a"] == 0  # "few hundred" is vague, not the number 100
    f = features("Several officers were hurt.", "Four officers were hurt.")
    assert f["vague_vs_exact"] == 1 and f["num_mismatch"] == 0


def test_negation_and_refuting_words() -> None:
    f = features("The mayor resigned.", "The mayor did not resign.")
    assert f["neg_b"] == 1 and f["neg_mismatch"] == 1 and f["polarity_mismatch"] == 1
    f = features("The mayor didn\u2019t resign.", "The mayor did not resign.")  # curly apostrophe, contraction
    assert f["neg_a"] == 1 and f["neg_mismatch"] == 0
    f = features("The minister confirmed the meeting.", "The minister denied the meeting.")
    assert f["refute_b"] == 1 and f["refute_mismatch"] == 1 and f["neg_mismatch"] == 0
    f = features("The army never denied the report.", "The army denied the report.")  # double negation
    assert f["polarity_mismatch"] == 1
    f = features("The union declined the offer.", "The union rebuffed the offer.")
    assert f["refute_mismatch"] == 0
    assert features("The mayor resigned.", "The mayor resigned.")["polarity_mismatch"] == 0


def test_date_mismatch() -> None:
    f = features("The talks began in March 2019.", "The talks began in April 2019.")
    assert f["date_month_mismatch"] == 1 and f["date_year_mismatch"] == 0 and f["date_mismatch"] == 1
    f = features("Maduro took power in 2013.", "Maduro took power in 2014.")
    assert f["date_year_mismatch"] == 1
    assert f["num_a"] == 0  # a year is a date, not a count
    f = features("It happened on 3 March.", "It happened on March 3.")
    assert f["date_day_mismatch"] == 0 and f["date_mismatch"] == 0
    f = features("The vote was on Monday.", "The vote was on Friday.")
    assert f["date_weekday_mismatch"] == 1
    assert features("The vote was in May.", "The vote was held.")["date_mismatch"] == 0  # only one side dated


def test_entity_overlap_and_mismatch() -> None:
    f = features("Joe Biden won in Ohio.", "Donald Trump won in Ohio.")
    assert f["ent_b_new"] == 2 and f["ent_mismatch"] == 1 and 0 < f["ent_jaccard"] < 1
    f = features("The talks in Caracas failed.", "Talks failed in Caracas.")
    assert f["ent_b_new"] == 0


def test_overlap_and_length() -> None:
    f = features("The officers asked for encrypted radios.", "The officers asked for encrypted radios.")
    assert f["word_jaccard"] == 1 and f["char4_jaccard"] == 1 and f["bigram_jaccard"] == 1 and f["len_ratio"] == 1
    f = features("The officers asked for encrypted radios yesterday in the capital.", "The officers asked for radios.")
    assert f["word_b_in_a"] == 1 and f["word_a_in_b"] < 1 and f["len_ratio"] == pytest.approx(5 / 10)
    assert features("abc", "xyz")["char4_jaccard"] == 0  # shorter than one 4-gram: no overlap, no crash


def test_feature_matrix_is_per_pair_and_consistent_with_single_rows() -> None:
    data = tiny()
    X, names = pair_features(data.text_a, data.text_b)
    assert X.shape == (18, len(names)) and names == feature_names()
    assert np.isfinite(X).all()
    for i in (0, 7, 17):
        np.testing.assert_allclose(X[i], pair_features([data.text_a[i]], [data.text_b[i]])[0][0])


def _synthetic(n_claims: int, n_pairs: int, seed: int = 0) -> PairBatch:
    rng = np.random.default_rng(seed)
    vocab = ["".join(rng.choice(list("abcdefghijklmnopqrstuvwxyz"), rng.integers(3, 10))) for _ in range(5000)]
    cues = ["three", "12", "several", "in March", "in 2017", "not", "denied", "Biden", "Caracas", ""]
    claims = [" ".join([str(rng.choice(cues)), *rng.choice(vocab, rng.integers(8, 20)), str(rng.choice(cues))]) + "."
              for _ in range(n_claims)]
    ia, ib = rng.integers(0, n_claims, n_pairs), rng.integers(0, n_claims, n_pairs)
    return PairBatch([claims[i] for i in ia], [claims[i] for i in ib], rng.integers(0, 3, n_pairs))


@pytest.mark.slow
def test_lexical_scales_to_100k_pairs_under_5_fold_cv() -> None:
    """The budget: 100k pairs over 20k unique claims, 5 folds of fit + predict, <= 60 s on 2 cores."""
    data = _synthetic(20_000, 100_000)
    folds = np.array_split(np.random.default_rng(0).permutation(len(data)), 5)
    start = time.perf_counter()
    for k in range(5):
        train = np.concatenate([f for j, f in enumerate(folds) if j != k])
        proba = LexicalFeatureClassifier().fit(data.subset(train)).predict_proba(data.subset(folds[k]))
        assert proba.shape == (len(folds[k]), 3)
    seconds = time.perf_counter() - start
    print(f"lexical_lr 5-fold CV on 100k pairs: {seconds:.1f}s")
    assert seconds <= 60 * 1.5, f"{seconds:.0f}s (budget 60 s; 1.5x slack for a shared CI machine)"
