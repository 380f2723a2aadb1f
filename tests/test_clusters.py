"""Cluster construction (bench.clusters) and the clustered bootstrap (bench.confusion) it feeds."""

from __future__ import annotations

import numpy as np
import pytest

from bench.clusters import ClusterError, cluster_ids, resolve_unit
from bench.compare.stats import paired_stats
from bench.confusion import accuracy_from_confusion, bootstrap_cells, percentile_ci
from bench.metrics import compute_metrics

META = {"pair_id": ["p1", "p2", "p3", "p4"], "claim_a": ["a", "b", "a", "c"],
        "claim_b": ["b", "a", "c", "a"], "event_id": ["e1", "e1", "e1", "e1"]}


def test_claim_pair_keeps_mirrors_together_and_hypothesis_groups_by_claim_b() -> None:
    unit, ids = cluster_ids("claim_pair", META)
    assert resolve_unit("auto", META) == "hypothesis"
    assert ids[0] == ids[1] and ids[2] == ids[3] and ids[0] != ids[2]
    _, hyp = cluster_ids("hypothesis", META)
    assert hyp[1] == hyp[3] and len(set(hyp.tolist())) == 3
    _, pair = cluster_ids("pair", META)
    assert len(set(pair.tolist())) == 4


def test_auto_is_event_when_there_are_several_events() -> None:
    meta = {**META, "event_id": ["e1", "e2", "e2", "e3"]}
    assert resolve_unit("auto", meta) == "event"
    assert cluster_ids("auto", meta)[1].tolist() == [0, 1, 1, 2]


def test_unknown_unit_and_missing_column_are_errors_naming_the_options() -> None:
    with pytest.raises(ClusterError, match="valid units: auto, pair"):
        resolve_unit("article", META)
    with pytest.raises(ClusterError, match="claim_a, claim_b.*bootstrap_unit=pair"):
        cluster_ids("claim_pair", {"pair_id": ["p1"]})


def test_cluster_bootstrap_draws_whole_clusters() -> None:
    cells = np.array([0, 0, 0, 4])  # cluster 7 holds three cell-0 items, cluster 9 one cell-4 item
    boots = bootstrap_cells(cells, 9, 200, np.random.default_rng(0), clusters=np.array([7, 7, 7, 9]))
    assert set(boots[:, 0].tolist()) <= {0, 3, 6}  # cell 0 only ever moves by whole clusters
    assert set((boots[:, 0] / 3 + boots[:, 4]).tolist()) == {2.0}  # two clusters drawn each time


def test_metrics_record_unit_and_cluster_count() -> None:
    gold = np.array([0, 1, 2, 0])
    proba = np.eye(3)[[0, 1, 1, 0]]
    m = compute_metrics(gold, proba, seed=0, n_boot=50, clusters=np.array([1, 1, 2, 3]), unit="claim_pair")
    assert m["bootstrap"]["unit"] == "claim_pair" and m["bootstrap"]["clusters"] == 3
    assert compute_metrics(gold, proba, seed=0, n_boot=50)["bootstrap"]["unit"] == "pair"


def _clustered_sample(rng: np.random.Generator, n_clusters: int, size: int) -> tuple[np.ndarray, ...]:
    """Clusters whose pairs share a difficulty p_g ~ Beta(1.5, 0.5): true accuracy 0.75, ICC 1/3."""
    p = rng.beta(1.5, 0.5, size=n_clusters)
    correct = rng.random((n_clusters, size)) < p[:, None]
    gold = rng.integers(0, 3, size=(n_clusters, size))
    pred = np.where(correct, gold, (gold + 1) % 3)
    clusters = np.repeat(np.arange(n_clusters), size)
    return gold.ravel(), np.eye(3)[pred.ravel()], clusters


def _covers(ci: list[float], truth: float) -> bool:
    return ci[0] <= truth <= ci[1]


def _accuracy_ci(gold: np.ndarray, pred: np.ndarray, seed: int, clusters: np.ndarray | None) -> list[float]:
    boots = bootstrap_cells(gold * 3 + pred, 9, 400, np.random.default_rng(seed), clusters)
    ci = percentile_ci(accuracy_from_confusion(boots.reshape(-1, 3, 3)))
    assert ci is not None
    return ci


def test_cluster_bootstrap_covers_at_the_nominal_rate_where_the_iid_one_does_not() -> None:
    """Seeded simulation (docs/STATISTICS.md): 1000 datasets of 100 clusters x 10 pairs, 95% CIs
    of accuracy from 400 resamples, iid (pair) vs cluster bootstrap."""
    rng = np.random.default_rng(20260101)
    truth, reps = 0.75, 1000
    hits = {"pair": 0, "cluster": 0}
    for rep in range(reps):
        gold, proba, clusters = _clustered_sample(rng, 100, 10)
        pred = proba.argmax(axis=1)
        hits["pair"] += _covers(_accuracy_ci(gold, pred, rep, None), truth)
        hits["cluster"] += _covers(_accuracy_ci(gold, pred, rep, clusters), truth)
    iid_coverage, cluster_coverage = hits["pair"] / reps, hits["cluster"] / reps
    print(f"coverage over {reps} datasets: pair {iid_coverage:.3f}, cluster {cluster_coverage:.3f}")
    assert iid_coverage < 0.85, iid_coverage
    assert abs(cluster_coverage - 0.95) <= 0.03, cluster_coverage


def test_paired_bootstrap_resamples_clusters_of_both_runs_together() -> None:
    rng = np.random.default_rng(5)
    gold, proba, clusters = _clustered_sample(rng, 60, 10)
    ref = proba.argmax(axis=1)
    run = np.where(rng.random(gold.size) < 0.9, ref, gold)
    iid = paired_stats(gold, ref, run, "accuracy", 2000, 0)
    clustered = paired_stats(gold, ref, run, "accuracy", 2000, 0, clusters=clusters)
    assert iid.delta == clustered.delta and iid.p_mcnemar == clustered.p_mcnemar
    assert iid.delta_ci is not None and clustered.delta_ci is not None
    assert clustered.delta_ci[1] - clustered.delta_ci[0] > iid.delta_ci[1] - iid.delta_ci[0]
