"""Dataset and protocol configs built through `_target_`; dataset=all; dataset.format; identities."""

from __future__ import annotations

from pathlib import Path

import pytest
from hydra import compose, initialize_config_dir
from hydra.utils import instantiate

from bench.config import CONFIG_DIR, choices, identity
from bench.dataset import DatasetError, fingerprint, load_dataset_config, load_from_config, load_pairs_file
from bench.dataset_kinds import UnionDataset
from bench.protocol import protocol_from_config

#: identity() of these overrides before datasets and protocols got `_target_` (commit 179eab5):
#: committed run records and `skip_existing` rely on them staying equal.
IDENTITY_BEFORE = {
    ("model=majority",): "69d9ada220dfaa21f9b47785f879cb1f1df78a1c04a8380b3a74b8285f07ebc4",
    ("model=tfidf_lr", "protocol=kfold", "protocol.k=5"): "da33dfd00bba2e9d4f9436ad74edaaef04c940b0e778cde8c3aec37b2918883b",
    ("model=majority", "dataset=emergent"): "06d344a219db2656525e9bb1ce9fa097b028b6f5d006a893ceefb8389dd75e74",
    ("model=majority", "dataset.root=/x/y"): "4f8879b7a8277a101852939e45f6d0578b96b51daaaf03a537a2f5864702a5c2",
    ("model=majority", "dataset=pairs_file", "dataset.path=a.csv", "dataset.text_a=s1"):
        "4cb0364f4f1374f096cb920bdc4cc17b05acc3c4800eef0e50f607dc8eb9859b",
    ("model=majority", "protocol=zero_shot"): "52109a9a3264ae4d38c6b90ee90fa4f70f6fdeeadc4d568512ba74a7124b99b3",
}


def composed(overrides: list[str]):
    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
        return compose(config_name="run", overrides=overrides)


@pytest.mark.parametrize("overrides", sorted(IDENTITY_BEFORE))
def test_identity_of_existing_configs_is_unchanged(overrides):
    # bootstrap_unit=pair reproduces what those runs did; the new default (auto) is a new identity.
    assert identity(composed([*overrides, "bootstrap_unit=pair"])) == IDENTITY_BEFORE[overrides]
    assert identity(composed(list(overrides))) != IDENTITY_BEFORE[overrides]


@pytest.mark.parametrize("name", choices("protocol"))
def test_every_protocol_config_composes_and_instantiates(name):
    cfg = composed([f"protocol={name}"])
    assert "_target_" in cfg.protocol and cfg.protocol.name == name
    kind = protocol_from_config(cfg.protocol)
    assert callable(kind.plan) and isinstance(kind.fits, bool)


@pytest.mark.parametrize("name", choices("dataset"))
def test_every_dataset_config_composes_and_instantiates(name):
    extra = ["dataset.path=x.csv"] if name == "pairs_file" else []
    cfg = composed([f"dataset={name}", *extra])
    assert "_target_" in cfg.dataset and "kind" in cfg.dataset
    assert callable(instantiate(cfg.dataset).load)


def test_config_without_target_names_the_dataset_configs():
    with pytest.raises(DatasetError, match="has no _target_.*seed"):
        load_from_config({"kind": "annotations", "root": "annotations/seed"})
    with pytest.raises(DatasetError, match="unknown dataset config 'nope'; valid names: all, .*sick"):
        load_dataset_config("nope")


def test_split_protocol_column_follows_the_dataset_split_column():
    cfg = composed(["dataset=sick", "protocol=split"])
    assert protocol_from_config(cfg.protocol).column == "SemEval_set"
    assert protocol_from_config({"name": "split"}).column == "split"


def test_all_joins_seed_and_emergent_with_unique_ids_and_one_fingerprint():
    union = load_dataset_config("all")
    parts = {name: load_dataset_config(name) for name in ("seed", "emergent")}
    ids = union.hf["pair_id"]
    assert len(ids) == len(set(ids)) == sum(len(p) for p in parts.values())
    assert {i.partition(":")[0] for i in ids} == {"seed", "emergent"} and "seed:p0001" in ids
    prefixed = [{**row, "pair_id": f"{name}:{row['pair_id']}"} for name, part in parts.items() for row in part.hf]
    assert union.fingerprint == fingerprint(prefixed)
    assert union.fingerprint not in {p.fingerprint for p in parts.values()}
    events = dict(zip(ids, union.hf["event_id"]))
    assert events["seed:p0001"] == "venezuela-coup-talks-2018" and events["emergent:p0001"].startswith("em-")


def test_union_refuses_roots_that_share_articles(mini_root: Path):
    with pytest.raises(DatasetError, match="article 'alpha' is in both a and b"):
        UnionDataset({"a": str(mini_root), "b": str(mini_root)}).load()


TSV = "s1\ts2\ty\tset\nA man sleeps.\tA person rests.\tentails\tTRAIN\nA dog barks.\tCats fly.\tunrelated\tTEST\n"


def test_format_override_reads_a_txt_file_and_keeps_the_split_column(tmp_path: Path):
    path = tmp_path / "pairs.txt"
    path.write_text(TSV, encoding="utf-8")
    data = load_pairs_file(path, "s1", "s2", "y", split="set", format="tsv")
    assert data.hf["set"] == ["TRAIN", "TEST"] and data.hf["label"] == [0, 2]
    plain = load_pairs_file(path.rename(tmp_path / "pairs.tsv"), "s1", "s2", "y")
    assert "set" not in plain.hf.column_names and plain.fingerprint != data.fingerprint


@pytest.mark.parametrize(("fmt", "expected"), [
    (None, r"unknown format '.txt'; use one of: .csv, .tsv, .jsonl.*\(dataset.format\) as one of: csv, tsv, jsonl"),
    ("xlsx", "unknown format 'xlsx' \\(dataset.format\\); valid formats: csv, tsv, jsonl"),
])
def test_unknown_format_fails_with_one_line_naming_the_formats(tmp_path: Path, fmt, expected):
    path = tmp_path / "pairs.txt"
    path.write_text(TSV, encoding="utf-8")
    with pytest.raises(DatasetError, match=expected) as info:
        load_pairs_file(path, "s1", "s2", "y", format=fmt)
    assert "\n" not in str(info.value)


def test_sick_config_reads_the_vendored_file_with_its_official_split():
    sick = load_dataset_config("sick")
    assert len(sick) == 9840
    counts = {v: sick.hf["SemEval_set"].count(v) for v in ("TRAIN", "TRIAL", "TEST")}
    assert counts == {"TRAIN": 4439, "TRIAL": 495, "TEST": 4906}
