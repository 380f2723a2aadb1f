"""bench-run refuses a bad config with one line before loading data or building a model (issue #13)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from bench.config import CONFIG_DIR
from bench.run_config import check_override_keys, check_resolved

from benchrun import REPO, bench_run, tiny_run_args


def composed(overrides: list[str]) -> tuple[object, dict[str, str]]:
    from hydra import compose, initialize_config_dir

    with initialize_config_dir(version_base="1.3", config_dir=str(CONFIG_DIR)):
        cfg = compose("run", overrides=overrides)
    chosen = {"dataset": "seed", "model": "majority", "protocol": "loso"}
    chosen.update(o.split("=", 1) for o in overrides if o.split("=", 1)[0] in chosen)  # type: ignore[misc]
    return cfg, chosen


def problems(overrides: list[str]) -> list[str]:
    cfg, chosen = composed(overrides)
    return check_resolved(cfg, chosen)


@pytest.mark.parametrize(("overrides", "expected"), [
    (["seed=zero"], "seed='zero': must be a whole number"),
    (["bootstrap=-5"], "bootstrap=-5: must be >= 0"),
    (["bootstrap=2.5"], "bootstrap=2.5: must be a whole number"),
    (["+dataset.label_map=foo"], "has no key(s) label_map; its keys: kind, name, root"),
    (["protocol=kfold", "protocol.k=2.5"], "protocol.k=2.5: must be a whole number (default 5)"),
    (["protocol=kfold", "protocol.k=1"], "protocol.k=1: must be a whole number >= 2"),
    (["model=tfidf_lr", "model.C=abc"], "model.C='abc': must be a number (default 1.0)"),
    (["model=tfidf_lr", "model.max_iter=2.5"], "model.max_iter=2.5: must be a whole number"),
    (["run_id=a/b"], "run_id='a/b' cannot be a folder name"),
    (["dataset=pairs_file"], "needs the file: add dataset.path=FILE"),
    (["dataset=pairs_file", "dataset.path=/dev/null"], "/dev/null is not a regular file"),
    (["dataset=pairs_file", "dataset.path=/tmp"], "dataset.path=/tmp is a folder"),
    (["dataset=pairs_file", "dataset.name=my data", "dataset.path=/dev/null"], "dataset.name='my data' cannot be"),
])
def test_bad_values_are_named(overrides: list[str], expected: str) -> None:
    found = problems(overrides)
    assert any(expected in p for p in found), found


def test_good_configs_pass() -> None:
    assert problems([]) == []
    assert problems(["model=tfidf_lr", "model.C=0.5", "protocol=kfold", "protocol.k=3", "seed=7"]) == []


def test_results_path_that_is_a_file_or_unwritable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "afile").write_text("x")
    assert any("is a file" in p for p in problems([f"paths.results={tmp_path / 'afile'}"]))
    monkeypatch.setattr("os.access", lambda path, mode: False)  # a read-only folder (tests run as root)
    assert any("is not writable" in p for p in problems([f"paths.results={tmp_path / 'runs'}"]))


def test_file_name_with_spaces_suggests_dataset_name(tmp_path: Path) -> None:
    flat = tmp_path / "my pairs.csv"
    flat.write_text("text_a,text_b,label\n")
    assert any("add dataset.name=NAME" in p for p in problems(["dataset=pairs_file", f"dataset.path={flat}"]))


@pytest.mark.parametrize(("argv", "expected"), [
    (["model=tfidf_lr", "model.CC=0.5"], "model 'tfidf_lr' has no key 'CC' (from `model.CC=0.5`); its keys: C,"),
    (["-m", "model=majority,tfidf_lr", "model.C=0.5"], "model 'majority' has no key 'C'"),
    (["sed=1"], "unknown setting 'sed'"),
])
def test_misspelled_override_keys_list_the_valid_ones(argv: list[str], expected: str) -> None:
    error = check_override_keys(argv)
    assert error is not None and expected in error


def test_valid_override_keys_pass() -> None:
    assert check_override_keys(["model=tfidf_lr", "model.C=0.5", "+model.extra=1", "seed=1", "paths.results=x",
                                "hydra.run.dir=x", "dataset=pairs_file", "dataset.path=f.csv"]) is None


def test_cli_refuses_before_loading_anything(mini_root: Path, tmp_path: Path) -> None:
    done = bench_run(["model=tfidf_lr", "model.C=abc", *tiny_run_args(mini_root, tmp_path / "runs")], tmp_path)
    assert done.returncode == 1 and done.stderr.strip() == "error: model.C='abc': must be a number (default 1.0)"
    assert not (tmp_path / "runs").exists()


def test_ctrl_c_in_bench_run_is_one_line_and_130(tmp_path: Path) -> None:
    script = textwrap.dedent("""
        import sys
        import bench.runner
        def interrupted(*args, **kwargs):
            raise KeyboardInterrupt
        bench.runner.execute = interrupted
        sys.argv = ["bench-run", "hydra.run.dir=%s"]
        from bench.cli.run import main
        main()
    """ % (tmp_path / "out"))
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 130 and done.stderr.strip().splitlines() == [
        "interrupted (files are written atomically: none is half-written)"], done.stderr
