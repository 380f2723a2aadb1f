import datasets
import pytest

from bench.cli.main import main
from bench.dataset import load_annotations_dataset


def test_export_round_trip_keeps_features_and_rows(mini_root, tmp_path, monkeypatch):
    monkeypatch.setenv("HF_DATASETS_CACHE", str(tmp_path / "hf-cache"))
    out = tmp_path / "export"
    assert main(["export", "--root", str(mini_root), "--out", str(out)]) == 0
    card = (out / "README.md").read_text(encoding="utf-8")
    assert card.startswith("---\nlicense: cc-by-4.0\n")
    for needle in ("task_categories:", "size_categories:\n- n<1K", "class_label:", "'1': contradicts", "num_examples: 12"):
        assert needle in card
    loaded = datasets.load_dataset("parquet", data_dir=str(out))["test"]
    original = load_annotations_dataset(mini_root).hf
    assert loaded.features == original.features
    assert loaded.to_list() == original.to_list()


def test_export_refuses_non_empty_folder_without_force(mini_root, tmp_path, capsys):
    out = tmp_path / "export"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    assert main(["export", "--root", str(mini_root), "--out", str(out)]) == 1
    assert "pass --force" in capsys.readouterr().err
    assert (out / "keep.txt").read_text() == "mine"


@pytest.mark.parametrize("broken", ["bad json"])
def test_export_of_invalid_annotations_fails_cleanly(mini_root, tmp_path, capsys, broken):
    (mini_root / "pairs.jsonl").write_text(broken + "\n")
    assert main(["export", "--root", str(mini_root), "--out", str(tmp_path / "x")]) == 1
    assert "pairs.jsonl:1: json" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()


def test_force_never_replaces_a_folder_that_is_not_an_export(mini_root, tmp_path, capsys):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")
    assert main(["export", "--root", str(mini_root), "--out", str(out), "--force"]) == 1
    assert "not a previous export" in capsys.readouterr().err
    assert (out / "notes.txt").read_text() == "keep me"


def test_force_replaces_a_previous_export(mini_root, tmp_path):
    out = tmp_path / "export"
    assert main(["export", "--root", str(mini_root), "--out", str(out)]) == 0
    assert main(["export", "--root", str(mini_root), "--out", str(out), "--force"]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["README.md", "data"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]
