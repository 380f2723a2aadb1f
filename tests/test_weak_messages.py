"""Issue #13, weak messages: each bad input is named with what is wrong and how to fix it."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from bench.cli.main import main
from bench.dataset import DatasetError, load_pairs_file
from bench.models.base import PairBatch
from bench.protocol import ProtocolError, kfold_folds
from bench.protocol.kinds import KFold
from bench.results import PREDICTIONS_FILE
from bench.run_reader import find_runs
from bench.runner import find_existing

from benchrun import bench_run, tiny_run_args


def run_cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    try:
        code = main(argv)
    except SystemExit as exc:
        code = int(exc.code or 0)
    return code, capsys.readouterr().err.strip()


def test_import_of_a_folder_says_folder(mini_root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, err = run_cli(["annotate", "import", str(tmp_path), "--root", str(mini_root)], capsys)
    assert code == 1 and "is a folder" in err and "no such file" not in err


def test_import_of_a_wrong_shaped_file_caps_the_listing(mini_root: Path, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    wrong = tmp_path / "wrong.jsonl"
    wrong.write_text("".join(json.dumps({"premise": f"p{i}", "hypothesis": "h"}) + "\n" for i in range(1100)))
    code, err = run_cli(["annotate", "import", str(wrong), "--root", str(mini_root)], capsys)
    lines = err.splitlines()
    assert code == 1 and len(lines) < 40, len(lines)
    assert "1100 of 1100 row(s) invalid" in lines[0] and "and 1070 more" in lines[-1]


def tiny(n: int, labels: list[int], sources: list[str]) -> PairBatch:
    meta = {"source_a": sources, "source_b": [s + "x" for s in sources], "event_id": ["e"] * n,
            "claim_a": [f"a{i}" for i in range(n)], "claim_b": [f"b{i}" for i in range(n)]}
    return PairBatch([f"t{i}" for i in range(n)], [f"h{i}" for i in range(n)], np.asarray(labels), meta)


def test_kfold_on_too_few_pairs_per_label_names_the_data_not_the_model() -> None:
    with pytest.raises(ProtocolError, match="at least 2 pairs"):
        kfold_folds(tiny(2, [0, 1], ["s1", "s2"]), k=2, group_by="source_a", seed=0)
    with pytest.raises(ProtocolError, match="protocol.k=1"):
        kfold_folds(tiny(2, [0, 1], ["s1", "s2"]), k=1, group_by="source_a", seed=0)


def test_two_row_file_run_blames_the_protocol(tmp_path: Path) -> None:
    two = tmp_path / "two.csv"
    two.write_text("text_a,text_b,label\na b,c d,entails\ne f,g h,contradicts\n")
    done = bench_run(["model=majority", "dataset=pairs_file", f"dataset.path={two}", "protocol=kfold",
                      f"paths.results={tmp_path / 'runs'}", "write_plots=false"], tmp_path)
    assert done.returncode == 1
    assert "model.* overrides" not in done.stderr and "at least 2 pairs" in done.stderr, done.stderr


def test_kfold_with_more_folds_than_groups_notes_how_many_ran() -> None:
    plan = KFold(k=5, group_by="source_a").plan(tiny(9, [0, 1, 2] * 3, ["s1", "s2", "s3"] * 3), seed=0)
    assert len(plan.folds) == 3
    assert plan.notes == ["protocol asked for k=5 folds but grouping by 'source_a' gives 3 group(s); ran 3 fold(s)"]


def test_skip_existing_reruns_a_run_without_predictions(mini_root: Path, tmp_path: Path) -> None:
    results = tmp_path / "runs"
    done = bench_run(["model=majority", *tiny_run_args(mini_root, results)], tmp_path)
    assert done.returncode == 0, done.stderr
    (run_dir,) = find_runs([results])
    from omegaconf import OmegaConf

    from bench.config import identity
    from bench.run_reader import read_run

    key = (identity(OmegaConf.load(run_dir / "config.yaml")), read_run(run_dir).fingerprint)
    dataset = read_run(run_dir).dataset["name"]
    assert find_existing(results, dataset, "majority", *key) == run_dir
    (run_dir / PREDICTIONS_FILE).unlink()
    assert find_existing(results, dataset, "majority", *key) is None


def test_header_only_pairs_file_says_no_rows(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("text_a,text_b,label\n")
    with pytest.raises(DatasetError, match="no pair rows") as info:
        load_pairs_file(empty)
    assert "(none)" not in str(info.value)


@pytest.mark.parametrize("command", [["plot", "RUN"], ["export"]])
def test_out_that_is_a_file_is_one_line(command: list[str], tmp_path: Path, mini_root: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "taken.txt"
    out.write_text("x")
    argv = [*(str(tmp_path) if c == "RUN" else c for c in command), "--out", str(out)]
    if command == ["export"]:
        argv += ["--root", str(mini_root)]
    code, err = run_cli(argv, capsys)
    assert code == 1 and len(err.splitlines()) == 1 and "is a file, not a folder; give a folder" in err, err
    assert "Errno" not in err


def test_blind_never_replaces_the_gold_pairs(mini_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    gold = mini_root / "pairs.jsonl"
    before = gold.read_bytes()
    code, err = run_cli(["annotate", "blind", "--sample", "2", "--seed", "0", "--out", str(gold), "--force",
                         "--root", str(mini_root)], capsys)
    assert code == 1 and "is an annotation file" in err
    assert gold.read_bytes() == before
