"""`bench annotate ...`: check and grow the annotation files.

Every writing subcommand validates the would-be files first and writes atomically under a lock,
so a failed command changes nothing.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

DEFAULT_ROOT = Path("annotations")


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser("annotate", help="validate and add annotation rows")
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    actions.required = True

    p = actions.add_parser("validate", help="check every rule; print each violation as file:line: rule: value — fix")
    p.add_argument("--root", type=Path, default=DEFAULT_ROOT, help="annotations folder (default: annotations)")
    p.set_defaults(func=cmd_validate)


def cmd_validate(args: argparse.Namespace) -> int:
    from bench.validate import validate

    root: Path = args.root
    if not root.is_dir():
        print(f"error: annotations folder {root} does not exist; pass --root DIR", file=sys.stderr)
        return 1
    violations = validate(root)
    for violation in violations:
        print(violation)
    if violations:
        print(f"{len(violations)} violation(s) in {root}", file=sys.stderr)
        return 1
    print(f"{root}: valid")
    return 0
