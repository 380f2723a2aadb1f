import json

import pytest

from bench.annotations import AnnotationError
from bench.dataset import FIELDS, DatasetError, load_annotations_dataset, load_pairs_file

from conftest import PAIRS, write_jsonl, write_root


def test_features_and_classlabel_order(mini_root):
    data = load_annotations_dataset(mini_root)
    assert tuple(data.hf.column_names) == FIELDS
    assert data.hf.features["label"].names == ["entails", "contradicts", "unrelated"]
    row = data.hf[2]
    assert row["pair_id"] == "p0003" and row["label"] == 1
    assert row["source_a"] == "alpha" and row["source_b"] == "beta" and row["event_id"] == "ev-1"
    perturbed = data.hf[9]
    assert perturbed["origin"] == "perturbed" and perturbed["perturbation"] == "negation"


def test_fingerprint_changes_iff_data_changes(tmp_path):
    one = load_annotations_dataset(write_root(tmp_path / "a")).fingerprint
    same = load_annotations_dataset(write_root(tmp_path / "b")).fingerprint
    assert one == same
    reordered = load_annotations_dataset(write_root(tmp_path / "c", pairs=list(reversed(PAIRS)))).fingerprint
    assert reordered == one  # order of rows in the file is not data
    renamed_rationale = [dict(p, rationale="other words") for p in PAIRS]
    assert load_annotations_dataset(write_root(tmp_path / "d", pairs=renamed_rationale)).fingerprint == one
    relabelled = [dict(p, label="unrelated") if p["pair_id"] == "p0001" else p for p in PAIRS]
    assert load_annotations_dataset(write_root(tmp_path / "e", pairs=relabelled)).fingerprint != one
    fewer = PAIRS[:-1]
    assert load_annotations_dataset(write_root(tmp_path / "f", pairs=fewer)).fingerprint != one


def test_invalid_annotations_refused(mini_root):
    write_jsonl(mini_root / "pairs.jsonl", [dict(PAIRS[0], label="maybe")])
    with pytest.raises(AnnotationError, match="label"):
        load_annotations_dataset(mini_root)


def test_empty_dataset_refused(mini_root):
    (mini_root / "pairs.jsonl").write_text("")
    with pytest.raises(DatasetError, match="has no pairs"):
        load_annotations_dataset(mini_root)


NLI_TSV = "premise\thypothesis\tgold\ttopic\nA man sleeps.\tA person rests.\tENTAILMENT\tt1\n" \
          "A man sleeps.\tThe man runs.\tCONTRADICTION\tt1\nA dog barks.\tIt is noon.\tNEUTRAL\tt2\n" \
          "A dog barks.\tCats fly.\t-\tt2\n"
NLI_MAP = {"ENTAILMENT": "entails", "CONTRADICTION": "contradicts", "NEUTRAL": "unrelated", "-": None}


def test_pairs_file_maps_columns_labels_and_groups(tmp_path):
    path = tmp_path / "nli.tsv"
    path.write_text(NLI_TSV, encoding="utf-8")
    data = load_pairs_file(path, "premise", "hypothesis", "gold", NLI_MAP, group="topic")
    assert data.name == "nli" and len(data) == 3  # the "-" row is dropped by its null mapping
    assert data.hf["label"] == [0, 1, 2]
    assert data.hf["event_id"] == ["t1", "t1", "t2"]
    assert data.hf["claim_a"][0] == data.hf["claim_a"][1]  # same premise text, same claim id


def test_pairs_jsonl_without_map_uses_our_labels(tmp_path):
    path = tmp_path / "p.jsonl"
    path.write_text("\n".join(json.dumps({"a": f"x{i}", "b": "y", "y": lab})
                              for i, lab in enumerate(["entails", "unrelated"])) + "\n")
    data = load_pairs_file(path, "a", "b", "y")
    assert data.hf["label"] == [0, 2] and data.hf["pair_id"] == ["row-1", "row-2"]


def test_pairs_file_missing_column_names_columns(tmp_path):
    path = tmp_path / "nli.tsv"
    path.write_text(NLI_TSV, encoding="utf-8")
    with pytest.raises(DatasetError, match=r"no column 'sentence1' \(dataset.text_a\); columns in the file: gold, hypothesis, premise, topic"):
        load_pairs_file(path, "sentence1", "hypothesis", "gold", NLI_MAP)


def test_pairs_file_label_outside_map_names_line_and_options(tmp_path):
    path = tmp_path / "nli.tsv"
    path.write_text(NLI_TSV, encoding="utf-8")
    with pytest.raises(DatasetError, match=r"nli.tsv:5: label '-' is not in dataset.label_map"):
        load_pairs_file(path, "premise", "hypothesis", "gold", {k: v for k, v in NLI_MAP.items() if k != "-"})


def test_pairs_file_unmapped_foreign_labels_suggest_label_map(tmp_path):
    path = tmp_path / "nli.tsv"
    path.write_text(NLI_TSV, encoding="utf-8")
    with pytest.raises(DatasetError, match="ENTAILMENT.*set dataset.label_map"):
        load_pairs_file(path, "premise", "hypothesis", "gold")


def test_integer_labels_need_an_explicit_map(tmp_path):
    path = tmp_path / "mnli.jsonl"
    path.write_text('{"p": "A", "h": "B", "label": 1}\n')
    with pytest.raises(DatasetError, match=r"mnli.jsonl:1: label 1 is a number.*label_map"):
        load_pairs_file(path, "p", "h", "label")
    data = load_pairs_file(path, "p", "h", "label", {"0": "entails", "1": "unrelated", "2": "contradicts"})
    assert data.hf["label"] == [2]
