"""`bench export --out DIR`: the dataset as parquet plus a Hugging Face dataset card."""

from __future__ import annotations

import argparse
from pathlib import Path

from bench.cli.errors import UserError, require_out_folder


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser("export", help="write the dataset as parquet + dataset card README.md")
    parser.add_argument("--out", type=Path, required=True, help="output folder")
    parser.add_argument("--root", type=Path, default=Path("annotations/seed"), help="annotations folder")
    parser.add_argument("--name", default="seed", help="dataset name in the card (default: seed)")
    parser.add_argument("--force", action="store_true", help="replace a non-empty output folder")
    parser.set_defaults(func=cmd_export)


def cmd_export(args: argparse.Namespace) -> int:
    from bench.annotations import AnnotationError
    from bench.dataset import DatasetError, load_annotations_dataset
    from bench.export import export

    require_out_folder(args.out, "the parquet files and README.md")
    try:
        data = load_annotations_dataset(args.root, name=args.name)
        path = export(data, args.out, force=args.force)
    except AnnotationError as exc:
        raise UserError(f"{args.root} is not valid, nothing exported (run `bench annotate validate`):\n{exc}") from None
    except (DatasetError, OSError) as exc:
        raise UserError(str(exc)) from None
    print(f"wrote {len(data)} pairs to {path} (fingerprint {data.fingerprint[:12]})")
    return 0
