"""`bench`: the subcommands for annotating, exporting, comparing, plotting and caching.

Each subcommand lives in its own module with `register(subparsers)`; modules import nothing heavy
at top level, so `bench --help` and `bench annotate ...` start fast and never load torch.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from bench.cli.errors import UserError, one_line_interrupt

SUBCOMMAND_MODULES = ("annotate", "export", "compare", "plot", "cache")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bench",
        description="ClaimBench: cross-source claim agreement (entails / contradicts / unrelated). "
        "Run baselines with `bench-run`.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    subparsers.required = True
    for name in SUBCOMMAND_MODULES:
        importlib.import_module(f"bench.cli.{name}").register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    with one_line_interrupt():
        parser = build_parser()
        args = parser.parse_args(argv)
        try:
            code = args.func(args)
        except UserError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        except BrokenPipeError:  # output piped into `head` and closed early: not an error of ours
            sys.stderr.close()
            return 0
    return int(code or 0)


if __name__ == "__main__":
    raise SystemExit(main())
