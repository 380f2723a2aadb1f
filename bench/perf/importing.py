"""Import timing: `bench annotate import` of N flat rows into a fresh small root, one process per N.

    python -m bench.perf.importing --rows 10000 --scratch DIR     # one measurement (a worker)
    python -m bench.perf --only import                            # the section: 1k, 3k, 10k rows

Each row is a new cross-source pair (text_b always new, text_a shared by two rows: 1.5 new claims
per row), so ids, claim reuse and the last validation are all exercised. Targets (issue #13, fixed
before measuring): 10,000 rows in <= 5 s, and linear (log-log slope <= 1.1; it was quadratic
before ids were allocated from one parse, see `bench.annotate.store.IdAllocator`).
"""

from __future__ import annotations

import argparse
import shutil
import time
from pathlib import Path
from typing import Any

from bench.perf.common import emit, run_worker, wait_for_quiet
from bench.perf.report import Target
from bench.perf.scaling import fit_exponent

SIZES = (1_000, 3_000, 10_000)
MAX_SECONDS_10K = 5.0
MAX_EXPONENT = 1.1
ARTICLES = {"alpha": "Alpha reports that officials met three times.\n",
            "beta": "Beta reports that the meetings never happened.\n"}


def build_root(root: Path) -> Path:
    """A valid annotations root with two articles (added through `bench annotate add-article`'s code)."""
    from bench.annotate.add_article import add_article
    from bench.corpus import ARTICLE_COLUMNS

    shutil.rmtree(root, ignore_errors=True)
    (root / "articles").mkdir(parents=True)
    (root / "articles.csv").write_text(",".join(ARTICLE_COLUMNS) + "\n", encoding="utf-8")
    for name in ("claims.jsonl", "pairs.jsonl"):
        (root / name).write_text("", encoding="utf-8")
    for aid, text in ARTICLES.items():
        source = root.parent / f"{root.name}-{aid}.txt"
        source.write_text(text, encoding="utf-8")
        add_article(root, source, outlet=aid.title(), event_id="ev-1", article_id=aid)
        source.unlink()
    return root


def write_flat(path: Path, rows: int) -> Path:
    lines = [f"Alpha claim number {i // 2}.,alpha,Beta claim number {i}.,beta,unrelated" for i in range(rows)]
    path.write_text("text_a,source_a,text_b,source_b,label\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return path


def measure(rows: int, scratch: Path) -> dict[str, Any]:
    """Time one real import (planning, validation, the write) of `rows` rows in this process."""
    from bench.annotate.importer import import_file

    root = build_root(scratch / f"import-root-{rows}")
    flat = write_flat(scratch / f"import-{rows}.csv", rows)
    started = time.perf_counter()
    plan = import_file(root, flat, annotator="perf")
    seconds = time.perf_counter() - started
    shutil.rmtree(root, ignore_errors=True)
    flat.unlink()
    return {"rows": rows, "seconds": seconds, "claims": len(plan.claims), "pairs": len(plan.pairs)}


def run_section(scratch: Path, timeout: float, sizes: tuple[int, ...] = SIZES) -> dict[str, Any]:
    """Every size in a fresh process, then the log-log slope."""
    out = []
    for rows in sizes:
        quiet = wait_for_quiet()
        result = run_worker("bench.perf.importing", ["--rows", str(rows), "--scratch", str(scratch)], timeout=timeout)
        out.append({**result, "rows": rows, "before": quiet})
    ok = [r for r in out if r.get("status", "ok") == "ok"]
    return {"what": "bench annotate import of N CSV rows (1.5 new claims per row) into a fresh 2-article root, "
                    "one fresh process per N; seconds = import_file (read, plan, validate, write)",
            "rows": out, "exponent": fit_exponent([r["rows"] for r in ok], [r["seconds"] for r in ok])}


def targets(section: dict[str, Any]) -> list[Target]:
    ten_k: dict[str, Any] = next((r for r in section["rows"] if r["rows"] == 10_000 and r.get("status", "ok") == "ok"), {})
    sizes = [r["rows"] for r in section["rows"]]
    return [Target("import 10,000 rows: wall time", ten_k.get("seconds"), "<=", MAX_SECONDS_10K, "s",
                   "" if ten_k else "not run"),
            Target(f"import scaling exponent, {sizes[0]}..{sizes[-1]} rows", section.get("exponent"), "<=",
                   MAX_EXPONENT, "", "")]


def render(section: dict[str, Any]) -> str:
    lines = [f"  {r['rows']:>6} rows: " + (f"{r['seconds']:.2f} s" if r.get("status", "ok") == "ok"
                                            else f"{r.get('status')}: {r.get('error', '')[:200]}")
             for r in section["rows"]]
    if section.get("exponent") is not None:
        lines.append(f"  exponent: {section['exponent']:.2f}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.perf.importing", description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, required=True, help="number of flat rows to import")
    parser.add_argument("--scratch", type=Path, required=True, help="folder for the temporary root and file")
    args = parser.parse_args(argv)
    args.scratch.mkdir(parents=True, exist_ok=True)
    emit(measure(args.rows, args.scratch))


if __name__ == "__main__":
    main()
