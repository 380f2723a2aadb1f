"""The perf suite's import section: real imports in fresh processes, the 10k-row and linearity targets."""

from __future__ import annotations

from pathlib import Path

from bench.perf import importing
from bench.perf.__main__ import collect_targets, render
from bench.perf.report import MISS, NA, PASS
from bench.validate import validate


def test_measure_imports_every_row_into_a_valid_root(tmp_path: Path) -> None:
    result = importing.measure(300, tmp_path)
    assert (result["rows"], result["pairs"], result["claims"]) == (300, 300, 450)
    assert result["seconds"] > 0
    assert validate(importing.build_root(tmp_path / "again")) == []


def test_section_runs_each_size_in_a_worker_and_sets_targets(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("CLAIMBENCH_PERF_MAX_WAIT", "0")
    section = importing.run_section(tmp_path, timeout=120, sizes=(100, 400))
    assert [r["rows"] for r in section["rows"]] == [100, 400]
    assert all(r["status"] == "ok" and r["pairs"] == r["rows"] for r in section["rows"]), section["rows"]
    assert section["exponent"] is not None
    targets = {t["name"]: t["status"] for t in collect_targets({"import": section}, [])}
    assert targets["import 10,000 rows: wall time"] == NA  # 10k was not run here
    assert targets["import scaling exponent, 100..400 rows"] in (PASS, MISS)
    assert "import" in render({"machine": {}, "import": section, "targets": []})
