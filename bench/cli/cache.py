"""`bench cache info|clear [--dir D]`: inspect or empty the embedding cache of the bi-encoder models."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from bench.cli.errors import UserError


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser("cache", help="inspect or clear the embedding cache")
    commands = parser.add_subparsers(dest="cache_command", metavar="{info,clear}")
    commands.required = True
    dir_help = "cache folder (default: $CLAIMBENCH_CACHE or .cache/claimbench, as paths.cache in configs/run.yaml)"

    info = commands.add_parser("info", help="list cached models, options, row counts and sizes")
    info.add_argument("--dir", type=Path, default=None, help=dir_help)
    info.add_argument("--json", action="store_true", help="print the info as JSON")
    info.set_defaults(func=cmd_info)

    clear = commands.add_parser("clear", help="delete cached embeddings (all, or one model's)")
    clear.add_argument("--dir", type=Path, default=None, help=dir_help)
    clear.add_argument("--model", default=None,
                       help="only this model: its name as configured, its folder, or a fingerprint prefix (8+ hex)")
    clear.set_defaults(func=cmd_clear)


def _human(n: int) -> str:
    size = float(n)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} B"  # pragma: no cover


def _check_dir(path: Path | None) -> None:
    if path is not None and path.exists() and not path.is_dir():
        raise UserError(f"--dir {path} is a file, not a folder; pass the cache folder (e.g. .cache/claimbench)")


def cmd_info(args: argparse.Namespace) -> int:
    from bench.embedding_cache import cache_info

    _check_dir(args.dir)
    info = cache_info(args.dir)
    if args.json:
        print(json.dumps(info, indent=2, sort_keys=True))
        return 0
    if not info["shards"]:
        print(f"{info['dir']}: no cached embeddings")
        return 0
    print(f"{info['dir']}: {info['embeddings']} embeddings in {len(info['shards'])} shard(s), {_human(info['bytes'])}")
    for shard in info["shards"]:
        options = ", ".join(f"{k}={v}" for k, v in sorted(shard["options"].items()))
        print(f"  {shard['model']}  [{shard['fingerprint'][:12]}]  {options}  dim={shard['dim']}  "
              f"{shard['embeddings']} rows  {shard['chunks']} chunk(s)  {_human(shard['bytes'])}")
    return 0


def cmd_clear(args: argparse.Namespace) -> int:
    from bench.embedding_cache import cached_models, clear_cache, default_cache_dir

    _check_dir(args.dir)
    folder = args.dir if args.dir is not None else default_cache_dir()
    known = cached_models(folder) if args.model is not None else []
    removed = clear_cache(folder, model=args.model)
    if removed == 0 and args.model is not None:
        print(f"nothing cached for model {args.model!r} in {folder}; cached models: {', '.join(known) or 'none'}")
        return 0
    what = f"model {args.model!r}" if args.model is not None else "all models"
    print(f"removed {removed} shard(s) ({what}) from {folder}")
    return 0
