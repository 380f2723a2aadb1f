"""`bench plot`: PNG views of one run, or of several runs side by side.

    bench plot results/runs/seed/tfidf_lr/<run_id>            # into the run folder
    bench plot RUN_DIR --out figures/
    bench plot --compare results/runs/seed --out figures/     # every run below a folder

matplotlib is imported in the handler (via bench.plots), never at module level.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bench.cli.errors import UserError, require_out_folder


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "plot",
        help="confusion matrix, per-class F1 bars and source-by-source heatmap (PNG)",
        description="One run: confusion.png, per_class.png, consistency.png (into the run folder "
        "or --out). With --compare: per_class.png and consistency.png across runs into --out.",
    )
    parser.add_argument("run_dir", nargs="?", type=Path, metavar="RUN_DIR",
                        help="a run folder (holding result.json)")
    parser.add_argument("--compare", nargs="+", type=Path, metavar="RUN_DIR",
                        help="several run folders (or folders holding runs) to plot side by side")
    parser.add_argument("--out", type=Path, metavar="DIR",
                        help="output folder (default: the run folder; required with --compare)")
    parser.set_defaults(func=cmd_plot)


def cmd_plot(args: argparse.Namespace) -> int:
    from bench.compare.errors import MixedDatasetsError
    from bench.results import RunReadError

    if (args.run_dir is None) == (args.compare is None):
        raise UserError("give one RUN_DIR, or --compare RUN_DIR... --out DIR for several runs")
    if args.compare is not None and args.out is None:
        raise UserError("--compare needs --out DIR (where to write per_class.png, consistency.png)")
    require_out_folder(args.out, "the PNG files")
    try:
        from bench.plots import plot_compare, plot_run

        if args.compare is not None:
            written = plot_compare(args.compare, args.out)
        else:
            if not (args.run_dir / "result.json").is_file() and args.run_dir.is_dir():
                raise UserError(f"{args.run_dir} is not a run folder (no result.json); for the "
                                "runs below a folder use --compare FOLDER --out DIR")
            written = plot_run(args.run_dir, args.out,
                               warn=lambda msg: print(msg, file=sys.stderr))
    except (RunReadError, MixedDatasetsError, ValueError, OSError) as exc:
        raise UserError(str(exc)) from None
    for path in written:
        print(f"wrote {path}")
    return 0
