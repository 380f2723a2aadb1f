"""Runs under protocol=split and protocol=transfer: the record, the predictions, and compare."""

from __future__ import annotations

from pathlib import Path

from hydra import compose, initialize_config_dir

from bench.compare.build import compare_paths
from bench.compare.options import CompareOptions
from bench.config import CONFIG_DIR, identity
from bench.results import RunResult
from bench.run_reader import find_runs, read_predictions, read_run
from bench.runner import execute
from bench.slices import NO_PART, slice_of

SETS = ["TRAIN", "TRAIN", "TEST", "TRIAL", "TEST", "TRAIN", "TEST", "TRAIN", "TRAIN", "TEST", "TRAIN", "TRAIN"]
LABELS = ["ENTAILMENT", "CONTRADICTION", "NEUTRAL"]


def pairs_tsv(path: Path) -> Path:
    lines = ["id\tA\tB\tgold\tSemEval_set"]
    lines += [f"{i}\tA man sleeps {i} times.\tA person rests {i}.\t{LABELS[i % 3]}\t{s}" for i, s in enumerate(SETS)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run(results: Path, overrides: list[str], model: str = "majority") -> Path:
    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
        cfg = compose(config_name="run", overrides=[f"model={model}", f"paths.results={results}",
                                                    "write_plots=false", "bootstrap=50", *overrides])
    execute(cfg, model_key=model, protocol_key=str(cfg.protocol.name), config_identity=identity(cfg), progress=False)
    return sorted(find_runs([results]))[-1]  # the newest run (run ids sort by time)


def split_overrides(path: Path) -> list[str]:
    return ["dataset=pairs_file", f"dataset.path={path}", "dataset.format=tsv", "dataset.text_a=A",
            "dataset.text_b=B", "dataset.label=gold", "dataset.pair_id=id", "dataset.split=SemEval_set",
            "dataset.label_map={entailment: entails, contradiction: contradicts, neutral: unrelated}",
            "protocol=split"]


def test_split_run_records_and_scores_only_the_test_rows(tmp_path: Path):
    run_dir = run(tmp_path / "runs", split_overrides(pairs_tsv(tmp_path / "pairs.txt")))
    result = read_run(run_dir)
    test_ids = [str(i) for i, s in enumerate(SETS) if s == "TEST"]
    assert [r["pair_id"] for r in read_predictions(run_dir)] == test_ids
    assert result.metrics["n"] == result.dataset["n"] == 4 and result.dataset["full_n"] == 12
    assert result.dataset["fingerprint"] != result.dataset["full_fingerprint"]
    assert result.protocol["split"]["counts"] == {"train": 7, "dev": 1, "test": 4, "unused": 0}
    (table,) = compare_paths([tmp_path / "runs"], CompareOptions(n_boot=50))
    assert table.n_items == 4 and table.fingerprint == result.dataset["fingerprint"]


def transfer_overrides(root: Path, path: Path) -> list[str]:
    return [f"dataset.root={root}", "protocol=transfer", "+protocol.train_dataset=pairs_file",
            f"+protocol.train_overrides.path={path}", "+protocol.train_overrides.format=tsv",
            "+protocol.train_overrides.text_a=A", "+protocol.train_overrides.text_b=B",
            "+protocol.train_overrides.label=gold",
            "+protocol.train_overrides.label_map={ENTAILMENT: entails, CONTRADICTION: contradicts, NEUTRAL: unrelated}"]


def test_transfer_run_records_both_fingerprints(mini_root: Path, tmp_path: Path):
    run_dir = run(tmp_path / "runs", transfer_overrides(mini_root, pairs_tsv(tmp_path / "pairs.txt")))
    result = read_run(run_dir)
    train = result.protocol["train_dataset"]
    assert result.protocol["name"] == "transfer" and result.dataset["n"] == 12 and train["n"] == 12
    assert train["fingerprint"] != result.dataset["fingerprint"] and train["config"] == "pairs_file"
    assert result.protocol["folds"][0]["n_train"] == 12 and result.protocol["folds"][0]["n_test"] == 12


def test_skip_existing_reruns_a_transfer_whose_training_data_changed(mini_root: Path, tmp_path: Path):
    path = pairs_tsv(tmp_path / "pairs.txt")
    overrides = [*transfer_overrides(mini_root, path), "skip_existing=true"]
    run(tmp_path / "runs", overrides)
    run(tmp_path / "runs", overrides)  # same config, same data: skipped
    assert len(find_runs([tmp_path / "runs"])) == 1
    path.write_text(path.read_text(encoding="utf-8").replace("NEUTRAL", "ENTAILMENT"), encoding="utf-8")
    run(tmp_path / "runs", overrides)  # same config, other training data: runs again
    assert len(find_runs([tmp_path / "runs"])) == 2


def test_dataset_and_event_slices_read_the_union_prefix_and_the_event():
    meta = {"pair_id": ["seed:p0001", "emergent:p0001", "p7"], "event_id": ["venezuela", "em-1", ""]}
    assert slice_of(meta, "dataset") == ["seed", "emergent", NO_PART]
    assert slice_of(meta, "event") == ["venezuela", "em-1", "none"]


def test_latest_keeps_one_transfer_row_per_training_dataset(tmp_path: Path):
    from bench.compare.load import LoadedRun
    from bench.compare.select import latest

    def loaded(fingerprint: str, created: str) -> LoadedRun:
        result = RunResult(run_id=f"r{created}", dataset={"name": "d", "fingerprint": "f", "n": 1},
                           model={"key": "m", "config": {}}, seed=0, created_at=created,
                           metrics={"macro_f1": 0.5, "accuracy": 0.5, "n": 1},
                           protocol={"name": "transfer", "train_dataset": {"fingerprint": fingerprint}})
        return LoadedRun(tmp_path / created, result)

    runs = [loaded("sick", "1"), loaded("all", "2"), loaded("sick", "3")]
    assert sorted(r.result.run_id for r in latest(runs)) == ["r2", "r3"]
