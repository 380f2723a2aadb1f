"""Run the real `bench-run` CLI in a subprocess (fresh interpreter, real Hydra launchers and sweep dirs)."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
_calls = itertools.count()


def bench_run(args: list[str], tmp: Path, *, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    """`bench-run ARGS` with Hydra's run/sweep output dirs inside `tmp` (a new pair for every call, as
    two real invocations get); never writes into the repo."""
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false",
           "CLAIMBENCH_CACHE": str(tmp / "cache")}
    call = next(_calls)
    hydra_dirs = [f"hydra.run.dir={tmp / 'outputs' / str(call)}", f"hydra.sweep.dir={tmp / 'multirun' / str(call)}"]
    return subprocess.run([sys.executable, "-m", "bench.cli.run", *args, *hydra_dirs], cwd=tmp, env=env,
                          capture_output=True, text=True, timeout=timeout)


def tiny_run_args(root: Path, results: Path, seed: int | None = 0) -> list[str]:
    """Overrides that keep a run on the tiny fixture root fast and out of the repo (seed None: not set)."""
    args = [f"dataset.root={root}", f"paths.results={results}", "write_plots=false", "bootstrap=50"]
    return args if seed is None else [*args, f"seed={seed}"]
