"""Every progress bar goes through bench.progress (few lines in a log, BENCH_PROGRESS=0 turns it off)."""

from __future__ import annotations

from pathlib import Path

import bench

ROOT = Path(bench.__file__).resolve().parent
def test_no_direct_tqdm_outside_bench_progress() -> None:
    direct = sorted(str(p.relative_to(ROOT)) for p in ROOT.rglob("*.py")
                    if "tqdm" in p.read_text(encoding="utf-8") and p.name != "progress.py")
    assert direct == []
