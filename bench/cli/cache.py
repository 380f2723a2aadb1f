"""`bench cache info|clear [--dir D]`: inspect or empty the caches: bi-encoder embeddings and LLM responses."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from bench.cli.errors import UserError


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser("cache", help="inspect or clear the embedding and LLM response caches")
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
                       help="only this model: its name as configured, its folder, or a fingerprint prefix (8+ hex); "
                            "for LLM responses, the endpoint's model id")
    clear.add_argument("--only", choices=("embeddings", "llm"), default=None,
                       help="clear only this cache (default: both)")
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


def _print_llm(llm: dict[str, Any]) -> None:
    if not llm["responses"]:
        print(f"{llm['file']}: no cached LLM responses")
        return
    models = ", ".join(f"{name} ({n})" for name, n in sorted(llm["models"].items()))
    print(f"{llm['file']}: {llm['responses']} LLM response(s), {_human(llm['bytes'])}: {models}")


def cmd_info(args: argparse.Namespace) -> int:
    from bench.embedding_cache import cache_info, default_cache_dir
    from bench.llm.cache import cache_info as llm_cache_info

    _check_dir(args.dir)
    info = cache_info(args.dir)
    llm = llm_cache_info(args.dir if args.dir is not None else default_cache_dir())
    if args.json:
        print(json.dumps({**info, "llm": llm}, indent=2, sort_keys=True))
        return 0
    _print_llm(llm)
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
    from bench.llm.cache import cache_clear

    _check_dir(args.dir)
    folder = args.dir if args.dir is not None else default_cache_dir()
    if args.only in (None, "llm"):
        gone = cache_clear(folder, model=args.model)
        print(f"removed {gone} LLM response(s){f' of model {args.model!r}' if args.model else ''} from {folder}")
        if args.only == "llm":
            return 0
    known = cached_models(folder) if args.model is not None else []
    removed = clear_cache(folder, model=args.model)
    if removed == 0 and args.model is not None:
        print(f"nothing cached for model {args.model!r} in {folder}; cached models: {', '.join(known) or 'none'}")
        return 0
    what = f"model {args.model!r}" if args.model is not None else "all models"
    print(f"removed {removed} shard(s) ({what}) from {folder}")
    return 0
