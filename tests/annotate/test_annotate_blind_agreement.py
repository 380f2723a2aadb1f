"""`annotate blind` (no label leaks, seeded, stratified) and `annotate agreement` (kappas checked vs references)."""

from __future__ import annotations

import json
import random
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import aggregate_raters
from statsmodels.stats.inter_rater import fleiss_kappa as sm_fleiss

from bench.annotate.agreement import (
    AgreementError,
    agreement_report,
    cohen_kappa,
    fleiss_kappa,
    one_vs_rest_kappa,
    read_pass,
)
from bench.annotate.blind import BLIND_FIELDS, BlindError, blind_sample, write_blind
from bench.annotations import load_annotations
from bench.cli.main import main

# --------------------------------------------------------------------------------------- blind


def test_blind_rows_hide_gold(mini_root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "blind.jsonl"
    assert main(["annotate", "blind", "--root", str(mini_root), "--sample", "8", "--seed", "3", "--out", str(out)]) == 0
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 8 and all(tuple(r) == BLIND_FIELDS for r in rows)
    ann = load_annotations(mini_root)
    for r in rows:
        assert (r["text_a"], r["text_b"]) == (ann.claims[r["claim_a"]].text, ann.claims[r["claim_b"]].text)
    ids = [r["pair_id"] for r in rows]
    assert ids != sorted(ids)  # shuffled


def test_blind_is_seeded(mini_root: Path) -> None:
    ann = load_annotations(mini_root)
    assert blind_sample(ann, 6, 7) == blind_sample(ann, 6, 7)
    assert blind_sample(ann, 6, 7) != blind_sample(ann, 6, 8)


def test_blind_stratified_is_proportional_and_mixed(mini_root: Path) -> None:
    ann = load_annotations(mini_root)
    gold = {p.pair_id: p.label.value for p in ann.pairs}  # entails 3, contradicts 4, unrelated 5 of 12
    rows = blind_sample(ann, 6, 0, stratify="label")
    counts = Counter(gold[r["pair_id"]] for r in rows)
    assert sum(counts.values()) == 6
    for label, total in Counter(gold.values()).items():
        assert abs(counts[label] - 6 * total / 12) < 1
    labels = [gold[r["pair_id"]] for r in rows]
    runs = sum(1 for a, b in zip(labels, labels[1:]) if a != b)
    assert runs > 2  # not grouped by stratum
    full = blind_sample(ann, 12, 0, stratify="label")
    assert sorted(r["pair_id"] for r in full) == sorted(gold)


def test_blind_errors(mini_root: Path, tmp_path: Path) -> None:
    ann = load_annotations(mini_root)
    with pytest.raises(BlindError, match=r"need 1..12"):
        blind_sample(ann, 13, 0)
    with pytest.raises(BlindError, match="origin"):
        blind_sample(ann, 3, 0, stratify="annotator")
    out = tmp_path / "pass.jsonl"
    out.write_text("filled in\n", encoding="utf-8")
    with pytest.raises(BlindError, match="--force"):
        write_blind(blind_sample(ann, 3, 0), out)
    assert out.read_text(encoding="utf-8") == "filled in\n"
    copy = write_blind(blind_sample(ann, 3, 0), out, force=True)
    assert copy is not None and copy.read_text(encoding="utf-8") == "filled in\n"


# ------------------------------------------------------------------------------------- kappas

def test_kappas_match_reference_implementations() -> None:
    rng = random.Random(0)
    for _ in range(20):
        n = rng.randint(5, 40)
        a = [rng.randrange(3) for _ in range(n)]
        b = [x if rng.random() < 0.6 else rng.randrange(3) for x in a]
        c = [x if rng.random() < 0.5 else rng.randrange(3) for x in a]
        if len(set(a)) > 1 or len(set(b)) > 1:
            assert cohen_kappa(a, b) == pytest.approx(cohen_kappa_score(a, b))
        for label in range(3):
            ga, gb = [int(x == label) for x in a], [int(x == label) for x in b]
            if len(set(ga) | set(gb)) > 1:
                assert one_vs_rest_kappa(a, b, label) == pytest.approx(cohen_kappa_score(ga, gb))
        ratings = np.array([a, b, c]).T
        table, _ = aggregate_raters(ratings, n_cat=3)
        assert fleiss_kappa(ratings.tolist()) == pytest.approx(sm_fleiss(table, method="fleiss"))


def test_kappa_undefined_is_none() -> None:
    assert cohen_kappa([], []) is None
    assert cohen_kappa([1, 1, 1], [1, 1, 1]) is None  # chance agreement 1: 0/0
    assert fleiss_kappa([[2, 2], [2, 2]]) is None


# ---------------------------------------------------------------------------------- agreement

def write_pass(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


FLIP = {"entails": "unrelated", "unrelated": "entails", "contradicts": "contradicts"}


def test_report(mini_root: Path, tmp_path: Path) -> None:
    ann = load_annotations(mini_root)
    gold = {p.pair_id: p.label.value for p in ann.pairs}
    same = write_pass(tmp_path / "same.jsonl", [{"pair_id": k, "label": v, "annotator": "ann2"} for k, v in gold.items()])
    flipped = {k: (FLIP[v] if k in ("p0001", "p0002") else v) for k, v in gold.items()}
    other = write_pass(tmp_path / "other.jsonl", [{"pair_id": k, "label": v, "note": "unsure" if k == "p0001" else ""}
                                                  for k, v in flipped.items()])
    ids = set(gold)
    report = agreement_report(ann, [read_pass(same, ids), read_pass(other, ids)])
    first, second = report["passes"]
    assert (first["name"], first["kappa"], first["accuracy"]) == ("ann2", pytest.approx(1.0), 1.0)
    assert first["per_label_kappa"] == {"entails": pytest.approx(1.0), "contradicts": pytest.approx(1.0),
                                        "unrelated": pytest.approx(1.0)}
    order = ["entails", "contradicts", "unrelated"]
    g = [order.index(gold[k]) for k in sorted(gold)]
    o = [order.index(flipped[k]) for k in sorted(gold)]
    assert second["name"] == "other" and second["kappa"] == pytest.approx(cohen_kappa_score(g, o))
    assert second["confusion"] == [[2, 0, 1], [0, 4, 0], [1, 0, 4]]
    assert report["between_passes"]["cohen"][0]["kappa"] == pytest.approx(cohen_kappa_score(g, o))
    assert report["between_passes"]["fleiss"]["raters"] == ["gold", "ann2", "other"]
    disagreements = report["disagreements"]
    assert [d["pair_id"] for d in disagreements] == ["p0001", "p0002"]
    assert disagreements[0] == {"pair_id": "p0001", "text_a": ann.claims["alpha-c001"].text,
                                "text_b": ann.claims["beta-c001"].text, "gold": "entails",
                                "passes": {"ann2": "entails", "other": "unrelated"}, "rationale": "because",
                                "notes": {"other": "unsure"}}


def test_single_pass_has_no_between(mini_root: Path, tmp_path: Path) -> None:
    ann = load_annotations(mini_root)
    one = write_pass(tmp_path / "p.jsonl", [{"pair_id": "p0001", "label": "entails"}, {"pair_id": "p0002", "label": None}])
    report = agreement_report(ann, [read_pass(one, {p.pair_id for p in ann.pairs})])
    assert report["between_passes"] == {"cohen": []}
    assert report["passes"][0]["n"] == 1 and report["passes"][0]["unlabelled"] == 1


def test_bad_pass_rows_all_listed(mini_root: Path, tmp_path: Path) -> None:
    bad = write_pass(tmp_path / "bad.jsonl", [
        {"pair_id": "p0001", "label": "entails"},
        {"pair_id": "p9999", "label": "entails"},
        {"pair_id": "p0002", "label": "neutral"},
        {"pair_id": "p0001", "label": "entails"},
        {"pair_id": "p0003", "lable": "entails"},
    ])
    with pytest.raises(AgreementError) as info:
        read_pass(bad, {p.pair_id for p in load_annotations(mini_root).pairs})
    message = str(info.value)
    for line, text in [(2, "'p9999'"), (3, "'neutral'"), (4, "also line 1"), (5, "'lable'")]:
        assert f"{bad}:{line}: " in message and text in message


def test_agreement_cli(mini_root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blind = tmp_path / "blind.jsonl"
    assert main(["annotate", "blind", "--root", str(mini_root), "--sample", "12", "--seed", "1", "--stratify", "label",
                 "--out", str(blind)]) == 0
    rows = [json.loads(line) for line in blind.read_text(encoding="utf-8").splitlines()]
    for r in rows:
        r["label"] = "unrelated"  # a lazy annotator filling in the blind file
    filled = write_pass(tmp_path / "filled.jsonl", rows)
    capsys.readouterr()
    assert main(["annotate", "agreement", str(filled), "--root", str(mini_root), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["passes"][0]["accuracy"] == pytest.approx(5 / 12)
    assert len(report["disagreements"]) == 7
    assert main(["annotate", "agreement", str(filled), "--root", str(mini_root), "--markdown"]) == 0
    text = capsys.readouterr().out
    assert "| pass | n | accuracy | kappa |" in text and "gold rationale: because" in text
    assert main(["annotate", "agreement", str(tmp_path / "missing.jsonl"), "--root", str(mini_root)]) == 1
