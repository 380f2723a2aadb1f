"""bench.metrics against scikit-learn, hand-computed cases, and bootstrap properties."""

from __future__ import annotations

import time
import warnings

import numpy as np
import pytest
from sklearn.metrics import (
    accuracy_score,
    balanced_accuracy_score,
    cohen_kappa_score,
    f1_score,
    precision_recall_fscore_support,
    roc_auc_score,
)
from sklearn.metrics import confusion_matrix as sk_confusion

from bench.confusion import bootstrap_counts, confusion_matrix, percentile_ci
from bench.labels import LABEL_NAMES
from bench.metrics import compute_metrics, predicted_labels, roc_auc, slice_metrics


def one_hot(pred: list[int]) -> np.ndarray:
    p = np.full((len(pred), 3), 0.1)
    p[np.arange(len(pred)), pred] = 0.8
    return p


def random_case(rng: np.random.Generator, n: int, n_classes: int = 3) -> tuple[np.ndarray, np.ndarray]:
    gold = rng.integers(0, n_classes, n)
    proba = rng.dirichlet([1.0, 1.0, 1.0], n)
    return gold, proba


@pytest.mark.parametrize("n", [7, 60, 500])
@pytest.mark.parametrize("case", range(12))
def test_matches_sklearn(n: int, case: int) -> None:
    rng = np.random.default_rng(1000 * n + case)
    gold, proba = random_case(rng, n, n_classes=2 if case % 4 == 3 else 3)
    if case % 3 == 0:
        proba = np.round(proba, 1)  # many ties
    m = compute_metrics(gold, proba, seed=0, n_boot=50)
    pred = proba.argmax(axis=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert m["accuracy"] == pytest.approx(accuracy_score(gold, pred))
        assert m["macro_f1"] == pytest.approx(f1_score(gold, pred, average="macro", zero_division=0))
        assert m["balanced_accuracy"] == pytest.approx(balanced_accuracy_score(gold, pred))
        kappa = cohen_kappa_score(gold, pred)
    assert (m["kappa"] is None and np.isnan(kappa)) or m["kappa"] == pytest.approx(kappa)
    assert m["confusion"] == sk_confusion(gold, pred, labels=[0, 1, 2]).tolist()
    p, r, f, s = precision_recall_fscore_support(gold, pred, labels=[0, 1, 2], zero_division=0)
    for c, name in enumerate(LABEL_NAMES):
        pc = m["per_class"][name]
        assert pc["support"] == s[c]
        if pc["f1"] is None:  # class in neither gold nor predictions
            assert s[c] == 0 and (pred == c).sum() == 0
            continue
        assert (pc["precision"], pc["recall"], pc["f1"]) == pytest.approx((p[c], r[c], f[c]))
    contra = gold == 1
    if 0 < contra.sum() < n:
        assert m["contradiction"]["roc_auc"] == pytest.approx(roc_auc_score(contra, proba[:, 1]))
        tpr = ((pred == 1) & contra).sum() / contra.sum()
        tnr = ((pred != 1) & ~contra).sum() / (~contra).sum()
        assert m["contradiction"]["balanced_accuracy"] == pytest.approx((tpr + tnr) / 2)
    else:
        assert m["contradiction"] == {"roc_auc": None, "balanced_accuracy": None}


def test_hand_computed_case() -> None:
    # gold:  E E E C C U U U U U   pred: E E C C U U U U E U
    gold = [0, 0, 0, 1, 1, 2, 2, 2, 2, 2]
    pred = [0, 0, 1, 1, 2, 2, 2, 2, 0, 2]
    m = compute_metrics(np.array(gold), one_hot(pred), seed=0, n_boot=0)
    assert m["confusion"] == [[2, 1, 0], [0, 1, 1], [1, 0, 4]]
    assert m["accuracy"] == pytest.approx(0.7)
    # entails: P 2/3 R 2/3 F 2/3; contradicts: P 1/2 R 1/2 F 1/2; unrelated: P 4/5 R 4/5 F 4/5
    assert m["per_class"]["entails"]["f1"] == pytest.approx(2 / 3)
    assert m["per_class"]["contradicts"]["precision"] == pytest.approx(0.5)
    assert m["per_class"]["unrelated"]["recall"] == pytest.approx(0.8)
    assert m["macro_f1"] == pytest.approx((2 / 3 + 1 / 2 + 4 / 5) / 3)
    assert m["balanced_accuracy"] == pytest.approx((2 / 3 + 1 / 2 + 4 / 5) / 3)
    po, pe = 0.7, (3 * 3 + 2 * 2 + 5 * 5) / 100
    assert m["kappa"] == pytest.approx((po - pe) / (1 - pe))
    assert m["macro_f1_ci"] is None and m["accuracy_ci"] is None
    assert m["n"] == 10


def test_ties_go_to_lowest_class_id() -> None:
    proba = np.array([[1 / 3, 1 / 3, 1 / 3], [0.2, 0.4, 0.4], [0.5, 0.0, 0.5], [0.1, 0.2, 0.7]])
    assert predicted_labels(proba).tolist() == [0, 1, 0, 2]


def test_confusion_is_always_3x3() -> None:
    assert confusion_matrix(np.array([2, 2]), np.array([2, 2])).tolist() == [[0, 0, 0], [0, 0, 0], [0, 0, 2]]


def test_single_class_slice_is_defined_where_possible() -> None:
    gold = np.array([2, 2, 2, 2])
    m = compute_metrics(gold, one_hot([2, 2, 2, 2]), seed=0, n_boot=20)
    assert m["accuracy"] == 1.0
    assert m["macro_f1"] == 1.0  # only `unrelated` occurs: sklearn's macro averages it alone
    assert m["per_class"]["entails"] == {"precision": None, "recall": None, "f1": None, "f1_ci": None, "support": 0}
    assert m["kappa"] is None  # chance agreement 1: undefined, sklearn gives nan
    assert m["contradiction"] == {"roc_auc": None, "balanced_accuracy": None}


def test_roc_auc_handles_ties_like_sklearn() -> None:
    y = np.array([0, 1, 1, 0, 1, 0, 0])
    s = np.array([0.5, 0.5, 0.9, 0.1, 0.5, 0.5, 0.9])
    assert roc_auc(y, s) == pytest.approx(roc_auc_score(y, s))
    assert roc_auc(np.ones(3), np.arange(3)) is None


def test_bootstrap_ci_contains_point_and_is_deterministic() -> None:
    rng = np.random.default_rng(7)
    gold, proba = random_case(rng, 400)
    proba[np.arange(400), gold] += 0.5
    a = compute_metrics(gold, proba, seed=3, n_boot=500)
    b = compute_metrics(gold, proba, seed=3, n_boot=500)
    c = compute_metrics(gold, proba, seed=4, n_boot=500)
    assert a == b
    assert a["macro_f1_ci"] != c["macro_f1_ci"]
    for key in ("macro_f1", "accuracy"):
        lo, hi = a[f"{key}_ci"]
        assert lo <= a[key] <= hi and hi - lo < 0.2
    for name in LABEL_NAMES:
        lo, hi = a["per_class"][name]["f1_ci"]
        assert lo <= a["per_class"][name]["f1"] <= hi
    assert a["bootstrap"] == {"n_boot": 500, "seed": 3, "level": 0.95,
                              "method": "percentile; items resampled with replacement",
                              "unit": "pair", "clusters": 400}


def test_multinomial_bootstrap_equals_resampling_items() -> None:
    """The shortcut must give the same distribution as resampling item indices."""
    rng = np.random.default_rng(11)
    n, boots = 300, 4000
    gold, proba = random_case(rng, n)
    proba[np.arange(n), gold] += 0.3
    pred = predicted_labels(proba)
    idx = np.random.default_rng(0).integers(0, n, size=(boots, n))
    explicit = np.array([f1_score(gold[i], pred[i], average="macro") for i in idx[:400]])
    fast = compute_metrics(gold, proba, seed=0, n_boot=boots)["macro_f1_ci"]
    slow = percentile_ci(explicit)
    assert fast == pytest.approx(slow, abs=0.02)
    counts = bootstrap_counts(confusion_matrix(gold, pred), boots, np.random.default_rng(1))
    assert counts.shape == (boots, 3, 3) and (counts.sum(axis=(1, 2)) == n).all()


def test_large_input_is_fast() -> None:
    rng = np.random.default_rng(0)
    gold, proba = random_case(rng, 100_000)
    start = time.perf_counter()
    m = compute_metrics(gold, proba, seed=0, n_boot=1000)
    assert time.perf_counter() - start < 1.0
    assert m["n"] == 100_000


def test_slice_metrics_equal_metrics_of_the_subset() -> None:
    rng = np.random.default_rng(5)
    gold, proba = random_case(rng, 120)
    origin = ["natural" if i % 3 else "perturbed" for i in range(120)]
    pert = [None if i % 3 else "negation" for i in range(120)]
    out = slice_metrics(gold, proba, {"origin": origin, "perturbation": pert}, seed=2, n_boot=100)
    assert set(out) == {"origin", "perturbation"}
    assert set(out["origin"]) == {"natural", "perturbed"}
    assert set(out["perturbation"]) == {"", "negation"}
    sel = np.array([o == "perturbed" for o in origin])
    assert out["origin"]["perturbed"] == compute_metrics(gold[sel], proba[sel], seed=2, n_boot=100)
    with pytest.raises(ValueError, match="slice 'origin' has 3 values but there are 120 items"):
        slice_metrics(gold, proba, {"origin": ["a", "b", "c"]}, seed=0)


def test_pred_override() -> None:
    gold = np.array([0, 1, 2])
    m = compute_metrics(gold, one_hot([0, 0, 0]), seed=0, n_boot=0, pred=np.array([0, 1, 2]))
    assert m["accuracy"] == 1.0


@pytest.mark.parametrize(
    ("gold", "proba", "message"),
    [
        (np.array([0, 3]), np.full((2, 3), 1 / 3), r"gold\[1\] = 3 is not a class id; valid ids are 0..2"),
        (np.array([0, 1]), np.full((2, 2), 0.5), r"proba must have shape \(n, 3\)"),
        (np.array([0, 1, 2]), np.full((2, 3), 1 / 3), "gold has 3 items but proba has 2 rows"),
        (np.array([], dtype=int), np.zeros((0, 3)), "no items"),
        (np.array(["entails"]), np.full((1, 3), 1 / 3), "integer class ids"),
        (np.array([0]), np.array([[np.nan, 0.5, 0.5]]), "proba row 0 is not finite"),
    ],
)
def test_bad_inputs_name_the_problem(gold: np.ndarray, proba: np.ndarray, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        compute_metrics(gold, proba, seed=0)


def test_a_slice_inside_one_event_uses_the_within_event_clusters() -> None:
    """`all` resamples events; its seed part is one event, so it falls back to hypothesis clusters."""
    from bench.metrics import slice_metrics

    rng = np.random.default_rng(0)
    n = 300
    gold = rng.integers(0, 3, n)
    proba = np.full((n, 3), 0.2)
    proba[np.arange(n), np.where(rng.random(n) < 0.7, gold, (gold + 1) % 3)] = 0.6
    events = np.array([0] * 150 + list(rng.integers(1, 40, 150)))
    part = ["seed"] * 150 + ["emergent"] * 150
    hypotheses = rng.integers(0, 60, n)
    plain = slice_metrics(gold, proba, {"dataset": part}, seed=0, n_boot=200, clusters=events, unit="event")
    ci = plain["dataset"]["seed"]["macro_f1_ci"]
    assert ci[0] == ci[1]  # one event: a zero-width interval, which is what the fallback avoids
    fixed = slice_metrics(gold, proba, {"dataset": part}, seed=0, n_boot=200, clusters=events, unit="event",
                          within_event=("hypothesis", hypotheses))
    low, high = fixed["dataset"]["seed"]["macro_f1_ci"]
    assert high - low > 0.02 and fixed["dataset"]["seed"]["bootstrap"]["unit"] == "hypothesis"
    assert fixed["dataset"]["emergent"]["bootstrap"]["unit"] == "event"  # many events: unchanged
