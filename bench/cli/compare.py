"""`bench compare`: runs -> one leaderboard table with CIs and paired tests.

    bench compare                                  # results/runs, aligned text
    bench compare --latest --write results/leaderboard.md   # + results/leaderboard.csv
    bench compare --latest --check results/leaderboard.md   # CI: exit 1 if stale
    bench compare results/runs/seed --by origin --format md

Imports of numpy/scipy happen in the handler, so `bench --help` stays fast.
"""

from __future__ import annotations

import argparse
import difflib
import sys
from pathlib import Path

from bench.cli.errors import UserError
from bench.compare.options import CompareOptions
from bench.slices import SLICES

DEFAULT_PATHS = (Path("results/runs"),)
DEFAULTS = CompareOptions()


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "compare",
        help="compare runs: one table with 95%% CIs and paired significance tests",
        description="Compare finished runs on the same dataset: one row per run, sorted by the "
        "metric, with bootstrap CIs, a paired bootstrap and McNemar's exact test against the best "
        "run (or --baseline), Holm-corrected.",
    )
    parser.add_argument("paths", nargs="*", type=Path, metavar="PATH",
                        help="run folders or folders holding runs (default: results/runs)")
    parser.add_argument("--dataset", metavar="NAME", help="only runs on this dataset name")
    parser.add_argument("--metric", default=DEFAULTS.metric,
                        help="sort and test metric: macro_f1 (default), accuracy, "
                        "balanced_accuracy, kappa")
    parser.add_argument("--baseline", metavar="MODEL",
                        help="compare every run with this model's (latest) run instead of the best")
    parser.add_argument("--latest", action="store_true", help="only the latest run of each model (per protocol)")
    parser.add_argument("--protocol", metavar="NAME", help="only runs made under this protocol (loso, kfold, zero_shot)")
    parser.add_argument("--by", metavar="SLICE",
                        help=f"one table per slice: {', '.join(SLICES)}")
    parser.add_argument("--alpha", type=float, default=DEFAULTS.alpha,
                        help=f"significance level after Holm correction (default {DEFAULTS.alpha:g})")
    parser.add_argument("--test", default=DEFAULTS.test,
                        help="test that decides '≈ ref': bootstrap (paired, on the metric; "
                        "default) or mcnemar (exact, on correctness)")
    parser.add_argument("--n-boot", type=int, default=DEFAULTS.n_boot,
                        help=f"bootstrap resamples for paired tests and slice CIs (default {DEFAULTS.n_boot}: "
                        "the smallest Holm-adjusted p is about 2 x rows / resamples)")
    parser.add_argument("--seed", type=int, default=DEFAULTS.seed,
                        help=f"seed of the paired bootstrap (default {DEFAULTS.seed})")
    parser.add_argument("--bootstrap-unit", default=DEFAULTS.bootstrap_unit, metavar="UNIT",
                        help="what the paired bootstrap and slice CIs resample: auto (event if several, "
                        "else hypothesis; default), pair (iid), claim_pair, hypothesis, event")
    parser.add_argument("--allow-mixed", action="store_true",
                        help="runs on different dataset fingerprints: one table per dataset")
    parser.add_argument("--format", metavar="FMT",
                        help="terminal, md, csv, json, latex (default: from the --write/--check "
                        "suffix, else terminal)")
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--write", type=Path, metavar="FILE",
                       help="write the table to FILE atomically (an .md also gets a .csv beside it)")
    group.add_argument("--check", type=Path, metavar="FILE",
                       help="exit 1 with a diff if FILE is not exactly what --write FILE would "
                       "write now")
    group.add_argument("--embed", type=Path, metavar="FILE",
                       help=f"put the Markdown table between {EMBED_BEGIN} and {EMBED_END} in FILE (e.g. README.md); "
                            "with --dataset NAME the markers are <!-- results:begin NAME --> and <!-- results:end NAME -->")
    group.add_argument("--check-embed", type=Path, metavar="FILE",
                       help="exit 1 if the table embedded in FILE is not what --embed FILE would put there now")
    parser.set_defaults(func=cmd_compare)


EMBED_BEGIN = "<!-- results:begin -->"
EMBED_END = "<!-- results:end -->"


def embed_markers(dataset: str | None) -> tuple[str, str]:
    """The block's markers: named after `--dataset` when given (one README can hold one table per dataset)."""
    if not dataset:
        return EMBED_BEGIN, EMBED_END
    return f"<!-- results:begin {dataset} -->", f"<!-- results:end {dataset} -->"


def embedded(path: Path, table: str, dataset: str | None = None) -> tuple[str, str]:
    """(current text of FILE, the text with its results block replaced by `table`)."""
    begin, end_marker = embed_markers(dataset)
    try:
        current = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise UserError(f"cannot read {path}: {exc.strerror or exc}") from None
    start, end = current.find(begin), current.find(end_marker)
    if start < 0 or end < start:
        raise UserError(f"{path} has no {begin} ... {end_marker} block to put the table in; add the two lines")
    return current, current[: start + len(begin)] + "\n" + table.rstrip("\n") + "\n" + current[end:]


def _format_for(args: argparse.Namespace, target: Path | None) -> str:
    from bench.compare.render import FORMATS, SUFFIX_FORMATS

    if args.format is not None:
        if args.format not in FORMATS:
            raise UserError(f"unknown --format {args.format!r}; valid formats: {', '.join(FORMATS)}")
        return str(args.format)
    if target is not None:
        fmt = SUFFIX_FORMATS.get(target.suffix.lower())
        if fmt is None:
            raise UserError(
                f"cannot tell the format of {target} from its suffix; pass --format "
                f"({', '.join(FORMATS)}) or use one of {', '.join(SUFFIX_FORMATS)}"
            )
        return fmt
    return "terminal"


def generated_by(args: argparse.Namespace) -> str:
    """Comment line of a written Markdown file: the non-default options that made it."""
    opts: list[str] = []
    if args.dataset:
        opts.append(f"--dataset {args.dataset}")
    for name, flag in (("metric", "--metric"), ("alpha", "--alpha"), ("test", "--test"),
                       ("n_boot", "--n-boot"), ("seed", "--seed"),
                       ("bootstrap_unit", "--bootstrap-unit")):
        value = getattr(args, name)
        if value != getattr(DEFAULTS, name):
            opts.append(f"{flag} {value}")
    if args.baseline:
        opts.append(f"--baseline {args.baseline}")
    if args.protocol:
        opts.append(f"--protocol {args.protocol}")
    if args.latest:
        opts.append("--latest")
    if args.by:
        opts.append(f"--by {args.by}")
    if args.allow_mixed:
        opts.append("--allow-mixed")
    cmd = " ".join(["bench compare", *opts])
    return f"generated by `{cmd} --write FILE`; do not edit by hand, `--check FILE` fails if stale"


def options_from(args: argparse.Namespace) -> CompareOptions:
    """The CompareOptions the flags ask for (every field of it is a flag of the same name)."""
    return CompareOptions(**{name: getattr(args, name) for name in CompareOptions.__dataclass_fields__})


def build_outputs(args: argparse.Namespace) -> dict[Path | None, str]:
    """{file (None = stdout): text} exactly as this invocation would write them."""
    from bench.compare.build import compare_paths
    from bench.compare.errors import CompareError
    from bench.compare.render import render
    from bench.results import RunReadError

    target = args.write or args.check
    fmt = _format_for(args, target)
    paths = list(args.paths) or list(DEFAULT_PATHS)
    try:
        tables = compare_paths(paths, options_from(args), warn=lambda msg: print(msg, file=sys.stderr))
        text = render(tables, fmt, generated_by=generated_by(args) if target else None)
        outputs: dict[Path | None, str] = {target: text}
        if target is not None and fmt == "md":
            outputs[target.with_suffix(".csv")] = render(tables, "csv")
    except (CompareError, RunReadError) as exc:
        raise UserError(str(exc)) from None
    return outputs


def _diff(path: Path, expected: str) -> str | None:
    """A unified diff of FILE vs what would be written, or None when identical."""
    try:
        current = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return f"{path}: missing\n"
    except (OSError, UnicodeDecodeError) as exc:
        return f"{path}: unreadable ({exc})\n"
    if current == expected:
        return None
    lines = difflib.unified_diff(current.splitlines(keepends=True),
                                 expected.splitlines(keepends=True),
                                 fromfile=f"{path} (on disk)", tofile=f"{path} (bench compare now)")
    return "".join(lines)


def cmd_compare(args: argparse.Namespace) -> int:
    embed_target = args.embed or args.check_embed
    if embed_target is not None:
        args.format = "md"
        table = build_outputs(args)[None]
        current, wanted = embedded(embed_target, table, args.dataset)
        if args.check_embed is not None:
            if current != wanted:
                lines = difflib.unified_diff(current.splitlines(keepends=True), wanted.splitlines(keepends=True),
                                             fromfile=f"{embed_target} (on disk)", tofile=f"{embed_target} (bench compare now)")
                sys.stdout.write("".join(lines))
                raise UserError(f"the results table in {embed_target} is out of date; refresh it with "
                                f"`bench compare ... --embed {embed_target}` (same options)")
            print(f"{embed_target}: results table up to date")
            return 0
        from bench.fileio import atomic_write_text

        atomic_write_text(embed_target, wanted)
        print(f"updated the results table in {embed_target}")
        return 0
    outputs = build_outputs(args)
    if args.check is not None:
        stale = []
        for path, text in outputs.items():
            assert path is not None
            diff = _diff(path, text)
            if diff is not None:
                sys.stdout.write(diff if diff.endswith("\n") else diff + "\n")
                stale.append(str(path))
        if stale:
            raise UserError(
                f"{', '.join(stale)} out of date with the runs; regenerate with "
                f"`bench compare ... --write {args.check}` (same options as this --check)"
            )
        print(f"{args.check}: up to date")
        return 0
    if args.write is not None:
        from bench.fileio import atomic_write_text

        for path, text in outputs.items():
            assert path is not None
            try:
                atomic_write_text(path, text)
            except OSError as exc:
                raise UserError(f"cannot write {path}: {exc.strerror or exc}") from None
        print("wrote " + ", ".join(str(p) for p in outputs))
        return 0
    sys.stdout.write(outputs[None])
    return 0
