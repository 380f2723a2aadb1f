"""End-to-end runs through the Hydra config tree (in-process compose, and the real CLI once)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from hydra import compose, initialize_config_dir

from bench.config import CONFIG_DIR, check_group_overrides, identity
from bench.run_reader import find_runs, read_predictions, read_run
from bench.runner import RunFailed, execute

from conftest import PAIRS, REPO, write_jsonl


def composed(overrides: list[str]):
    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
        return compose(config_name="run", overrides=overrides)


def run(root: Path, results: Path, *extra: str, model: str = "majority") -> Path:
    cfg = composed([f"model={model}", f"dataset.root={root}", f"paths.results={results}", "write_plots=false",
                    "bootstrap=200", *extra])
    execute(cfg, model_key=model, protocol_key="loso", config_identity=identity(cfg), progress=False)
    (run_dir,) = find_runs([results / "seed" / model])
    return run_dir


def test_run_writes_a_complete_record(mini_root, tmp_path, capsys):
    run_dir = run(mini_root, tmp_path / "runs")
    assert run_dir.parent.parent.name == "seed"
    result = read_run(run_dir)
    assert result.protocol["name"] == "loso" and result.dataset["n"] == 12
    assert set(result.slices) == {"origin", "source_pair", "perturbation"}
    rows = read_predictions(run_dir)
    assert [r["pair_id"] for r in rows] == [p["pair_id"] for p in PAIRS]
    assert all(len(r["folds"]) == 2 for r in rows)
    out = capsys.readouterr().out
    assert "majority" in out and "macro-F1" in out and "n=12" in out


def test_same_config_twice_gives_identical_metrics_and_predictions(mini_root, tmp_path):
    first = run(mini_root, tmp_path / "a", model="stratified")
    second = run(mini_root, tmp_path / "b", model="stratified")
    assert read_run(first).metrics == read_run(second).metrics
    assert read_predictions(first) == read_predictions(second)


def test_invalid_data_fails_without_leaving_a_run_dir(mini_root, tmp_path):
    write_jsonl(mini_root / "pairs.jsonl", [dict(PAIRS[0], label="agrees")])
    with pytest.raises(RunFailed, match="label 'agrees'"):
        run(mini_root, tmp_path / "runs")
    assert not (tmp_path / "runs").exists() or not find_runs([tmp_path / "runs"])


def test_missing_nli_model_fails_with_one_clear_line(mini_root, tmp_path):
    missing = tmp_path / "no-such-model"
    cfg = composed(["model=nli_pretrained", f"model.model={missing}", f"dataset.root={mini_root}",
                    f"paths.results={tmp_path / 'runs'}"])
    with pytest.raises(RunFailed) as info:
        execute(cfg, model_key="nli_pretrained", protocol_key="zero_shot", config_identity="x", progress=False)
    assert str(missing) in str(info.value) and "nli_pretrained" in str(info.value)
    assert not (tmp_path / "runs").exists()


def test_unknown_group_choice_lists_valid_ones():
    message = check_group_overrides(["-m", "model=majority,tfidf", "seed=1"])
    assert message is not None
    assert "unknown model 'tfidf'" in message and "majority" in message and "tfidf_lr" in message
    assert check_group_overrides(["protocol=kfold", "model.C=0.5"]) is None


def test_cli_unknown_model_exits_1_with_one_line(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "bench.cli.run", "model=nope"], cwd=REPO,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines() == [proc.stderr.strip()]
    assert "unknown model 'nope'" in proc.stderr and "Traceback" not in proc.stderr


def test_cli_run_on_pairs_file(tmp_path):
    rows = [{"s1": f"The officers met {i} times.", "s2": f"They met {i if i % 3 else i + 1} times.",
             "y": ["ENTAILMENT", "CONTRADICTION", "NEUTRAL"][i % 3], "g": f"g{i % 4}"} for i in range(24)]
    path = tmp_path / "pairs.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    proc = subprocess.run(
        [sys.executable, "-m", "bench.cli.run", "dataset=pairs_file", f"dataset.path={path}", "dataset.text_a=s1",
         "dataset.text_b=s2", "dataset.label=y", "dataset.group=g", "model=majority", "write_plots=false",
         "dataset.label_map={ENTAILMENT: entails, CONTRADICTION: contradicts, NEUTRAL: unrelated}",
         f"paths.results={tmp_path / 'runs'}", f"hydra.run.dir={tmp_path / 'hydra'}"],
        cwd=REPO, capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr
    (run_dir,) = find_runs([tmp_path / "runs"])
    result = read_run(run_dir)
    assert result.dataset["name"] == "pairs" and result.dataset["n"] == 24
    assert result.protocol["name"] == "loso" and len(result.protocol["folds"]) == 4
