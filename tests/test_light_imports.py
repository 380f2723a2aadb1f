"""Light paths stay light: no torch / transformers / sentence_transformers behind a trivial run,
`bench compare` or `bench annotate validate|stats` (each checked in a fresh interpreter).

When a heavy module leaks in, the failure names the first bench/ file on the import stack.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench.run_reader import find_runs

HEAVY = ("torch", "transformers", "sentence_transformers")

# Runs an entry point in-process, recording who first imports a heavy module; prints a JSON report.
PROBE = r"""
import importlib.abc, json, runpy, sys, traceback
HEAVY = set(json.loads(sys.argv[1]))
culprits = {}

class Spy(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        top = name.split(".")[0]
        if top in HEAVY and top not in culprits:
            stack = [f"{f.filename}:{f.lineno}" for f in traceback.extract_stack()[:-1]
                     if "/bench/" in f.filename and "importlib" not in f.filename]
            culprits[top] = stack[-3:] or ["(outside bench/)"]
        return None

sys.meta_path.insert(0, Spy())
module, argv = sys.argv[2], json.loads(sys.argv[3])
sys.argv = [module, *argv]
code = 0
try:
    runpy.run_module(module, run_name="__main__")
except SystemExit as exc:
    code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
loaded = sorted({m.split(".")[0] for m in sys.modules} & HEAVY)
print("\n@@PROBE@@" + json.dumps({"code": code, "loaded": loaded, "culprits": culprits}))
"""


def probe(module: str, argv: list[str], cwd: Path) -> dict:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "CLAIMBENCH_CACHE": str(cwd / "cache")}
    proc = subprocess.run([sys.executable, "-c", PROBE, json.dumps(HEAVY), module, json.dumps(argv)],
                          cwd=cwd, env=env, capture_output=True, text=True, timeout=180)
    assert "@@PROBE@@" in proc.stdout, f"{module} {argv} crashed:\n{proc.stderr[-3000:]}"
    report = json.loads(proc.stdout.rsplit("@@PROBE@@", 1)[1])
    report["stderr"] = proc.stderr
    return report


def assert_light(report: dict, what: str) -> None:
    assert report["code"] == 0, f"{what} exited {report['code']}:\n{report['stderr'][-2000:]}"
    assert not report["loaded"], (
        f"{what} imported {report['loaded']}; first import from: {json.dumps(report['culprits'], indent=1)}")


@pytest.fixture(scope="module")
def trivial_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict]:
    """One `bench-run model=majority` on the tiny root, probed; (work dir, annotations root, report)."""
    from conftest import write_root

    work = tmp_path_factory.mktemp("light")
    root = write_root(work / "annotations")
    args = ["model=majority", f"dataset.root={root}", f"paths.results={work / 'runs'}", "bootstrap=50",
            "write_plots=true", f"hydra.run.dir={work / 'outputs'}"]
    return work, root, probe("bench.cli.run", args, work)


def test_trivial_run_never_imports_torch(trivial_run: tuple[Path, Path, dict]) -> None:
    work, _, report = trivial_run
    assert_light(report, "bench-run model=majority")
    assert len(find_runs([work / "runs"])) == 1


def test_compare_never_imports_torch(trivial_run: tuple[Path, Path, dict]) -> None:
    work, _, _ = trivial_run
    (run_dir,) = find_runs([work / "runs"])
    assert_light(probe("bench.cli.main", ["compare", str(work / "runs")], work), "bench compare")
    assert_light(probe("bench.cli.main", ["compare", str(run_dir), "--format", "md"], work), "bench compare RUN")


@pytest.mark.parametrize("action", [["validate"], ["stats"]])
def test_annotate_never_imports_torch(trivial_run: tuple[Path, Path, dict], action: list[str]) -> None:
    work, root, _ = trivial_run
    assert_light(probe("bench.cli.main", ["annotate", *action, "--root", str(root)], work),
                 f"bench annotate {action[0]}")
