"""Shared plumbing of the perf suite: building models the way `bench-run` does, fresh-process jobs,
machine facts. Every measurement runs in its own interpreter so imports, caches and peak RSS of one
measurement never leak into another.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

RESULT_MARK = "@@PERF-RESULT@@"
REPO = Path(__file__).resolve().parents[2]


class PerfError(RuntimeError):
    """A measurement that could not be taken (the message says which and why)."""


def compose_run_config(overrides: list[str]) -> Any:
    """The run config `bench-run OVERRIDES` would compose (same config tree, same defaults)."""
    from hydra import compose, initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra

    from bench.config import CONFIG_DIR

    GlobalHydra.instance().clear()
    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
        return compose(config_name="run", overrides=overrides)


def model_config_exists(key: str) -> bool:
    from bench.config import CONFIG_DIR, choices

    return key in choices("model", CONFIG_DIR)


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far (Linux reports ru_maxrss in KiB)."""
    scale = 1 / (1024 * 1024) if sys.platform == "darwin" else 1 / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def system_busy_seconds() -> float | None:
    """CPU seconds all processes on the machine have used since boot (Linux /proc/stat), else None."""
    try:
        fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    except (OSError, IndexError):
        return None
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(x) for x in fields[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


class Stopwatch:
    """Wall and CPU time of a block, plus the CPU that *other* processes burnt meanwhile.

    `foreign_cpu_seconds` (machine-wide busy time minus ours) shows whether a measurement shared
    the machine: on 2 cores, a neighbour's busy process slows multi-threaded torch/BLAS code by 2-4x.
    """

    def __enter__(self) -> Stopwatch:
        self._busy0, self._cpu0, self._t0 = system_busy_seconds(), cpu_seconds(), time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self._t0
        self.cpu_seconds = cpu_seconds() - self._cpu0
        busy1 = system_busy_seconds()
        self.foreign_cpu_seconds = (None if busy1 is None or self._busy0 is None
                                    else max(0.0, busy1 - self._busy0 - self.cpu_seconds))

    def to_dict(self) -> dict[str, float | None]:
        return {"seconds": self.seconds, "cpu_seconds": self.cpu_seconds, "foreign_cpu_seconds": self.foreign_cpu_seconds}


QUIET_CORES = 0.3  # a machine is "quiet" when other processes use less than this many cores
MAX_WAIT_ENV = "CLAIMBENCH_PERF_MAX_WAIT"  # seconds; 0 disables waiting (set by --no-wait, inherited by workers)


def wait_for_quiet(max_wait: float | None = None, threshold: float = QUIET_CORES,
                   window: float = 2.0) -> dict[str, Any]:
    """Wait (at most `max_wait` s, default $CLAIMBENCH_PERF_MAX_WAIT or 30) until other processes use
    < `threshold` cores over a `window`.

    Benchmark hygiene on a shared machine: a neighbour's burst slows multi-threaded torch/BLAS
    2-4x. Waiting never changes what is measured, only when; the result says whether it worked.
    """
    if max_wait is None:
        max_wait = float(os.environ.get(MAX_WAIT_ENV) or 30.0)
    if max_wait <= 0:
        return {"waited_seconds": 0.0, "foreign_cores": None, "quiet": None}
    started = time.perf_counter()
    foreign = float("nan")
    while True:
        busy0, own0 = system_busy_seconds(), cpu_seconds()
        if busy0 is None:
            return {"waited_seconds": 0.0, "foreign_cores": None, "quiet": None}
        time.sleep(window)
        busy1 = system_busy_seconds() or busy0
        foreign = max(0.0, (busy1 - busy0) - (cpu_seconds() - own0)) / window
        waited = time.perf_counter() - started
        if foreign < threshold or waited >= max_wait:
            return {"waited_seconds": round(waited, 1), "foreign_cores": round(foreign, 2), "quiet": foreign < threshold}


def load_average() -> list[float]:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:  # pragma: no cover - not on Linux/macOS
        return []


def emit(result: dict[str, Any]) -> None:
    """Hand a worker's result to the parent (one marked JSON line on stdout)."""
    print(RESULT_MARK + json.dumps(result), flush=True)


def run_worker(module: str, args: list[str], *, timeout: float, env: dict[str, str] | None = None) -> dict[str, Any]:
    """`python -m MODULE ARGS` in a fresh interpreter; its emitted result plus the wall time seen from outside."""
    full_env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1",
                "TOKENIZERS_PARALLELISM": "false", **(env or {})}
    started = time.perf_counter()
    try:
        proc = subprocess.run([sys.executable, "-m", module, *args], cwd=REPO, env=full_env, capture_output=True,
                              text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"status": "timeout", "error": f"no result within {timeout:.0f} s", "process_seconds": timeout}
    wall = time.perf_counter() - started
    marked = [line for line in proc.stdout.splitlines() if line.startswith(RESULT_MARK)]
    if proc.returncode != 0 or not marked:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-12:]
        return {"status": "error", "error": f"{module} {' '.join(args)} exited {proc.returncode}: " + " | ".join(tail),
                "process_seconds": wall}
    result = json.loads(marked[-1][len(RESULT_MARK):])
    result.setdefault("status", "ok")
    result["process_seconds"] = wall
    return result


def machine_info() -> dict[str, Any]:
    """Facts that decide how the numbers read: cores, CPU, memory, Python, library versions, threads."""
    info: dict[str, Any] = {
        "cores": os.cpu_count(),
        "cpu_model": _cpu_model(),
        "memory_gb": _memory_gb(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "load_average_at_start": load_average(),
        "thread_env": {k: os.environ.get(k) for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")},
    }
    probe = ("import json, torch, numpy, sklearn, sentence_transformers, threadpoolctl; "
             "print(json.dumps({'torch': torch.__version__, 'torch_threads': torch.get_num_threads(), "
             "'numpy': numpy.__version__, 'scikit_learn': sklearn.__version__, "
             "'sentence_transformers': sentence_transformers.__version__, "
             "'blas': [(i['internal_api'], i['num_threads']) for i in threadpoolctl.threadpool_info()]}))")
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "HF_HUB_OFFLINE": "1"})
    if proc.returncode == 0:
        info.update(json.loads(proc.stdout.strip().splitlines()[-1]))
    return info


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_gb() -> float | None:
    try:
        import psutil

        return round(psutil.virtual_memory().total / 2**30, 1)
    except Exception:  # pragma: no cover
        return None
