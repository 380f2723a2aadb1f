"""The LLM judge against the real local llama.cpp server on the bundled GGUF model (slow)."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import numpy as np
import psutil
import pytest

from bench.models.base import PairBatch
from bench.models.llm_judge import LLMJudge

from benchrun import REPO, bench_run, tiny_run_args

pytestmark = pytest.mark.slow
pytest.importorskip("llama_cpp.server", reason="llama-cpp-python[server] is installed by `make setup`")

PAIRS = PairBatch(
    ["Officials met the officers three times.", "The officers asked for radios.", "Maduro took power in 2013.",
     "No support was given.", "The meeting was secret.", "Prices doubled in Caracas."],
    ["Officials met the officers.", "The officers did not ask for radios.", "Maduro took power in 2009.",
     "Support was given.", "The meeting was covert.", "The officers asked for money."],
)


def servers(tmp_path) -> list[psutil.Process]:
    """The llama.cpp servers this test started: their model lies in the test's own cache folder
    (another run on the machine may have a server of its own)."""
    found = []
    for proc in psutil.process_iter(["cmdline"]):
        cmd = proc.info.get("cmdline") or []
        if "llama_cpp.server" in cmd and any(str(tmp_path) in part for part in cmd):
            found.append(proc)
    return found


def test_local_server_scores_caches_and_overlaps(tmp_path):
    first = LLMJudge(cache=str(tmp_path / "cache"), concurrency=2, show_progress=False)
    proba = first.predict_proba(PAIRS)
    info = first.run_info()
    assert proba.shape == (6, 3) and np.allclose(proba.sum(1), 1.0)
    assert 0.0 <= info["parse_rate"] <= 1.0 and info["requests"] == 6
    assert info["max_in_flight"] == 2  # two requests really were in flight at once
    again = LLMJudge(cache=str(tmp_path / "cache"), concurrency=2, show_progress=False)
    assert np.array_equal(again.predict_proba(PAIRS), proba)
    assert again.run_info()["requests"] == 0 and again.run_info()["cache_hits"] == 6
    assert not servers(tmp_path)  # stopped when prediction returned


def test_unreachable_endpoint_is_one_line_and_exit_1(tmp_path, mini_root):
    done = bench_run(["model=llm_judge", "model.base_url=http://127.0.0.1:9/v1", "model.model=m",
                      "model.max_retries=0", *tiny_run_args(mini_root, tmp_path / "runs")], tmp_path, timeout=120)
    assert done.returncode == 1
    assert "cannot reach http://127.0.0.1:9/v1" in done.stderr and "Traceback" not in done.stderr


def test_ctrl_c_leaves_no_server_behind(tmp_path, mini_root):
    env_args = [sys.executable, "-m", "bench.cli.run", "model=llm_judge", "protocol=zero_shot",
                *tiny_run_args(mini_root, tmp_path / "runs"), f"hydra.run.dir={tmp_path / 'out'}",
                f"paths.cache={tmp_path / 'cache'}"]
    proc = subprocess.Popen(env_args, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not servers(tmp_path) and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.5)
    assert servers(tmp_path), "the local server never started"
    time.sleep(2)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err[-500:]
    time.sleep(1)
    assert not servers(tmp_path)
