"""`python -m bench.perf`: the performance and scale suite; writes perf.json + perf.png, prints the tables.

    python -m bench.perf                      # everything (about 8 minutes on 2 quiet cores)
    python -m bench.perf --quick              # smoke test: 1k and 10k pairs, one repeat
    python -m bench.perf --only scaling --models lexical_lr --sizes 1000,100000
    python -m bench.perf --out /tmp/perf      # default: results/perf

Every measurement runs in a fresh process. Targets are fixed in TARGETS below; a missed one is
printed and recorded as MISS. See docs/PERF.md for what each number means.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from bench.perf.common import MAX_WAIT_ENV, REPO, machine_info, model_config_exists, wait_for_quiet
from bench.perf.report import Target, comparison_table, plot, scaling_table, targets_table

SECTIONS = ("overhead", "cache", "cross", "scaling", "import")
SCALING_MODELS = ("tfidf_lr", "lexical_lr", "sbert_lr")
FULL_SIZES = (1_000, 10_000, 100_000)
QUICK_SIZES = (1_000, 10_000)
REAL_ENCODER_MAX_PAIRS = 1_000  # MiniLM itself only at 1k pairs; larger sbert_lr runs use the stand-in
SCHEMA = "claimbench-perf/1"

# The targets of issue #7; fixed before measuring, never adjusted to the numbers.
MAX_OVERHEAD_RATIO = 1.15
MIN_CACHE_SPEEDUP = 5.0
MAX_LEXICAL_100K_SECONDS = 60.0
MAX_LEXICAL_100K_RSS_MB = 4096.0
MAX_EXPONENT = 1.1


def parse_sizes(text: str) -> list[int]:
    try:
        sizes = sorted({int(s.replace("_", "").replace("k", "000")) for s in text.split(",") if s.strip()})
    except ValueError:
        raise SystemExit(f"error: --sizes {text!r} must be a comma-separated list of pair counts, e.g. 1000,10000") from None
    if not sizes or sizes[0] < 50:
        raise SystemExit(f"error: --sizes {text!r}: every size must be >= 50 pairs (5 grouped folds)")
    return sizes


def parse_list(text: str, valid: tuple[str, ...], what: str) -> list[str]:
    items = [s.strip() for s in text.split(",") if s.strip()]
    bad = [s for s in items if s not in valid]
    if bad:
        raise SystemExit(f"error: unknown {what} {', '.join(map(repr, bad))}; valid: {', '.join(valid)}")
    return items


def scaling_plan(models: list[str], sizes: list[int]) -> list[tuple[str, str, int]]:
    """(model, encoder, pairs) jobs: bi-encoders on the stand-in at every size, plus MiniLM at small sizes."""
    plan = []
    for model in models:
        if model.startswith("sbert"):
            plan += [(model, "model", n) for n in sizes if n <= REAL_ENCODER_MAX_PAIRS]
            plan += [(model, "standin", n) for n in sizes]
        else:
            plan += [(model, "model", n) for n in sizes]
    return plan


def run_scaling(models: list[str], sizes: list[int], scratch: Path, seed: int, timeout: float) -> dict[str, Any]:
    from bench.perf.scaling import fit_exponent, measure_in_subprocess
    from bench.progress import progress_bar

    rows = []
    plan = scaling_plan(models, sizes)
    for model, encoder, n in progress_bar(len(plan), desc="scaling", unit="run", iterable=plan):
        cache = scratch / f"scaling-cache-{model}-{encoder}-{n}"
        shutil.rmtree(cache, ignore_errors=True)
        quiet = wait_for_quiet()
        row = {**measure_in_subprocess(model, n, encoder, seed, timeout=timeout, cache_dir=str(cache)), "before": quiet}
        shutil.rmtree(cache, ignore_errors=True)
        rows.append(row)
        status = row.get("status", "ok")
        print(f"  {model:<11} {encoder:<8} {n:>7} pairs: "
              + (f"{row['seconds']:.1f} s, peak RSS {row['peak_rss_mb']:.0f} MB, macro-F1 {row['macro_f1']:.3f}"
                 if status == "ok" else f"{status}: {row.get('error', '')[:200]}"), file=sys.stderr)
    exponents = []
    for model in models:
        for encoder in ("model", "standin"):
            ok = sorted((r for r in rows if r["model"] == model and r["encoder"] == encoder and r.get("status", "ok") == "ok"),
                        key=lambda r: r["pairs"])
            if len(ok) >= 2:
                exponents.append({"model": model, "encoder": encoder, "sizes": [r["pairs"] for r in ok],
                                  "exponent": fit_exponent([r["pairs"] for r in ok], [r["seconds"] for r in ok])})
    return {
        "what": "synthetic pairs (bench.perf.synthetic; unique claims ~20% of pairs, 5 sources -> 5 LOSO folds), "
                "one fresh process per row, after a 200-pair warm-up; wall s = run_protocol over the 5 folds; "
                "peak RSS = the whole process; exponent = log-log least-squares slope of wall s vs pairs",
        "rows": rows, "exponents": exponents,
    }


def collect_targets(report: dict[str, Any], sizes: list[int]) -> list[dict[str, Any]]:
    targets: list[Target] = []
    bi = report.get("overhead", {}).get("bi_encoder")
    if bi is not None:
        targets.append(Target("harness overhead: sbert_lr LOSO, harness / bare (cold cache both)", bi.get("ratio"),
                              "<=", MAX_OVERHEAD_RATIO, "x", _na_note(bi)))
    cache = report.get("cache")
    if cache is not None:
        targets.append(Target("cache: sbert_lr cold / warm, model time (prepare + fit + predict)", cache.get("speedup_model"),
                              ">=", MIN_CACHE_SPEEDUP, "x", _na_note(cache)))
        targets.append(Target("cache: sbert_lr cold / warm, whole run (execute incl. metrics)", cache.get("speedup_run"),
                              ">=", MIN_CACHE_SPEEDUP, "x", _na_note(cache)))
    ce = report.get("overhead", {}).get("cross_encoder")
    if ce is not None:
        targets.append(Target("harness overhead: CrossEncoder predict, harness / bare", ce.get("ratio"), "<=",
                              MAX_OVERHEAD_RATIO, "x", _na_note(ce)))
    scaling = report.get("scaling")
    if scaling is not None:
        biggest = max(sizes)
        lex = [r for r in scaling["rows"] if r["model"] == "lexical_lr" and r["pairs"] == 100_000]
        if "lexical_lr" in {r["model"] for r in scaling["rows"]}:
            note = "" if lex else f"not run (largest size here: {biggest} pairs)"
            row = lex[0] if lex else {}
            quiet = row.get("before", {}).get("quiet")
            note = note or row.get("error", "") or ("" if quiet is None else "started quiet" if quiet else "machine busy")
            targets.append(Target("lexical_lr, 100k pairs, 5 folds: wall time", row.get("seconds"), "<=",
                                  MAX_LEXICAL_100K_SECONDS, "s", note))
            targets.append(Target("lexical_lr, 100k pairs, 5 folds: peak RSS", row.get("peak_rss_mb"), "<=",
                                  MAX_LEXICAL_100K_RSS_MB, "MB", note or row.get("error", "")))
        for e in scaling["exponents"]:
            if e["model"].startswith("sbert") and e["encoder"] == "model":
                continue  # MiniLM only at 1k: no slope
            targets.append(Target(f"scaling exponent {e['model']} ({e['encoder']}), {e['sizes'][0]}..{e['sizes'][-1]} pairs",
                                  e["exponent"], "<=", MAX_EXPONENT, "", ""))
    if report.get("import") is not None:
        from bench.perf.importing import targets as import_targets

        targets += import_targets(report["import"])
    return [t.to_dict() for t in targets]


def _na_note(section: dict[str, Any]) -> str:
    """Errors if any, else how many measurements started on a quiet machine."""
    errors = section.get("errors") or []
    if errors:
        return ("; ".join(errors))[:300]
    runs = section.get("runs", {}).get("harness") or section.get("cold_runs") or []
    starts = [r.get("before", {}).get("quiet") for r in runs]
    if not starts or all(q is None for q in starts):
        return ""
    return f"{sum(bool(q) for q in starts)}/{len(starts)} started quiet"


def seed_dataset_problem(root: str) -> str | None:
    """Why the seed-dataset measurements cannot run, or None."""
    from bench.annotations import AnnotationError
    from bench.dataset import DatasetError, load_annotations_dataset

    try:
        data = load_annotations_dataset(REPO / root if not Path(root).is_absolute() else root)
    except (AnnotationError, DatasetError) as exc:
        return f"seed dataset at {root} cannot be loaded: {str(exc).splitlines()[0][:200]}"
    if len(data) < 20:
        return f"seed dataset at {root} has only {len(data)} pairs"
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.perf", description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog="\n".join(__doc__.splitlines()[2:8]))
    parser.add_argument("--quick", action="store_true", help="1k and 10k pairs only, one repeat (a smoke test)")
    parser.add_argument("--out", type=Path, default=REPO / "results" / "perf", help="output folder (default results/perf)")
    parser.add_argument("--only", default=",".join(SECTIONS), help=f"sections to run, comma-separated: {', '.join(SECTIONS)}")
    parser.add_argument("--models", default=",".join(SCALING_MODELS), help="models of the scaling section")
    parser.add_argument("--sizes", help="pair counts of the scaling section (default 1000,10000,100000; --quick 1000,10000)")
    parser.add_argument("--repeats", type=int, help="repeats of each side-by-side measurement (default 5; --quick 1)")
    parser.add_argument("--root", default="annotations/seed", help="annotations root of the seed dataset")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--timeout", type=float, default=3600, help="seconds allowed per measurement process")
    parser.add_argument("--max-wait", type=float, default=30.0,
                        help="before each measurement, wait up to this many seconds for other processes to use "
                        "< 0.3 cores (0: never wait; for smoke tests)")
    args = parser.parse_args(argv)
    os.environ[MAX_WAIT_ENV] = str(args.max_wait)  # read by wait_for_quiet here and in every worker

    sections = parse_list(args.only, SECTIONS, "section")
    models = parse_list(args.models, SCALING_MODELS, "model")
    sizes = parse_sizes(args.sizes) if args.sizes else list(QUICK_SIZES if args.quick else FULL_SIZES)
    repeats = args.repeats or (1 if args.quick else 5)
    if repeats < 1:
        raise SystemExit(f"error: --repeats {repeats} must be >= 1")
    needed = set(models) | ({"sbert_lr"} if {"overhead", "cache"} & set(sections) else set()) \
        | ({"nli_pretrained"} if "cross" in sections else set())
    missing = sorted(k for k in needed if not model_config_exists(k))
    if missing:
        raise SystemExit(f"error: no model config for {', '.join(missing)} in configs/model/; "
                         "drop the section or model (--only / --models)")

    out: Path = args.out
    scratch = out / "scratch"
    scratch.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    report: dict[str, Any] = {
        "schema": SCHEMA,
        "command": "python -m bench.perf " + " ".join(sys.argv[1:] if argv is None else argv),
        "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "git_commit": _git_commit(),
        "settings": {"quick": args.quick, "sections": sections, "models": models, "sizes": sizes,
                     "repeats": repeats, "seed": args.seed, "root": args.root, "max_wait": args.max_wait},
        "machine": machine_info(),
    }
    problem = seed_dataset_problem(args.root) if {"overhead", "cache", "cross"} & set(sections) else None
    if problem:
        print(f"warning: {problem}; skipping the seed-dataset sections", file=sys.stderr)
    from bench.perf import overhead as oh

    if "overhead" in sections:
        report.setdefault("overhead", {})["bi_encoder"] = (
            {"errors": [problem]} if problem else oh.bi_encoder_overhead(args.root, scratch, repeats, args.seed, args.timeout))
    if "cross" in sections:
        report.setdefault("overhead", {})["cross_encoder"] = (
            {"errors": [problem]} if problem else oh.cross_encoder_overhead(args.root, scratch, repeats, args.seed,
                                                                            timeout=args.timeout))
    if "cache" in sections:
        report["cache"] = {"errors": [problem]} if problem else oh.cache_speedup(args.root, scratch, repeats, args.seed,
                                                                                 args.timeout)
    if "scaling" in sections:
        report["scaling"] = run_scaling(models, sizes, scratch, args.seed, args.timeout)
    if "import" in sections:
        from bench.perf import importing

        report["import"] = importing.run_section(scratch, args.timeout)
    report["targets"] = collect_targets(report, sizes)
    report["machine"]["load_average_at_end"] = _load()
    report["total_seconds"] = time.perf_counter() - started
    shutil.rmtree(scratch, ignore_errors=True)

    from bench.fileio import atomic_write_text

    out.mkdir(parents=True, exist_ok=True)
    atomic_write_text(out / "perf.json", json.dumps(report, indent=2, default=float) + "\n")
    plot(report, out / "perf.png")
    print(render(report))
    print(f"\nwrote {out / 'perf.json'} and {out / 'perf.png'} ({report['total_seconds']:.0f} s)")
    return 0


def render(report: dict[str, Any]) -> str:
    m = report["machine"]
    parts = [f"machine: {m.get('cores')} cores, {m.get('cpu_model')}, {m.get('memory_gb')} GB, Python {m.get('python')}, "
             f"torch {m.get('torch')} ({m.get('torch_threads')} threads), load average {m.get('load_average_at_start')}"]
    if report.get("targets"):
        parts += ["", "targets", targets_table(report["targets"])]
    if report.get("overhead") or report.get("cache"):
        parts += ["", "side by side", comparison_table(report)]
    if report.get("scaling"):
        parts += ["", "scaling", scaling_table(report["scaling"]["rows"])]
        parts += [f"exponent {e['model']} ({e['encoder']}): {e['exponent']:.2f} over {e['sizes']}"
                  for e in report["scaling"]["exponents"] if e["exponent"] is not None]
    if report.get("import"):
        from bench.perf.importing import render as render_import

        parts += ["", "import", render_import(report["import"])]
    return "\n".join(parts)


def _git_commit() -> str | None:
    from bench.provenance import git_commit

    return git_commit()


def _load() -> list[float]:
    from bench.perf.common import load_average

    return load_average()


if __name__ == "__main__":
    raise SystemExit(main())
