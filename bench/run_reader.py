"""Reading run directories: the record, the prediction rows, and where the runs are."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from bench.results import (
    KNOWN_SCHEMA_VERSIONS,
    PREDICTIONS_FILE,
    RESULT_FILE,
    RunReadError,
    RunResult,
    unknown_version,
)


def _read_text(file: Path, missing: str) -> str:
    """A run file's text; RunReadError with `missing` or the OS/decoding reason."""
    try:
        return file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RunReadError(file, missing) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise RunReadError(file, f"unreadable: {exc}") from None


def read_run(run_dir: Path | str) -> RunResult:
    """Parse `<run_dir>/result.json`; RunReadError (path + reason) if missing, corrupt or unknown."""
    path = Path(run_dir)
    if path.is_file() and path.name == RESULT_FILE:
        path = path.parent
    file = path / RESULT_FILE
    if not path.is_dir():
        raise RunReadError(path, "no such run directory")
    text = _read_text(file, f"missing {RESULT_FILE} (not a finished run)")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RunReadError(file, f"corrupt JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
                           ) from None
    if not isinstance(data, dict):
        raise RunReadError(file, f"corrupt record: expected a JSON object, got "
                                 f"{type(data).__name__}")
    if data.get("schema_version") not in KNOWN_SCHEMA_VERSIONS:
        raise RunReadError(file, unknown_version(data.get("schema_version")))
    try:
        return RunResult.from_dict(data)
    except ValueError as exc:
        raise RunReadError(file, f"invalid record: {exc}") from None


def read_predictions(run_dir: Path | str) -> list[dict[str, Any]]:
    """Rows of `<run_dir>/predictions.jsonl`; RunReadError names the file and bad line."""
    file = Path(run_dir) / PREDICTIONS_FILE
    text = _read_text(file, f"missing {PREDICTIONS_FILE}")
    lines = text.splitlines()
    body = [line for line in lines if line.strip()]
    # Fast path: one decoder call over the whole file (~2x faster than a call per line on 100k
    # rows); any doubt falls back to the line-by-line pass, which names the bad line.
    try:
        rows = json.loads("[" + ",".join(body) + "]")
        if len(rows) == len(body) and all(isinstance(r, dict) and "pair_id" in r for r in rows):
            return rows
    except json.JSONDecodeError:
        pass
    rows = []
    for lineno, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise RunReadError(file, f"line {lineno}: corrupt JSON: {exc.msg}") from None
        if not isinstance(row, dict) or "pair_id" not in row:
            raise RunReadError(file, f"line {lineno}: expected an object with a pair_id")
        rows.append(row)
    return rows


def find_runs(paths: Iterable[Path | str]) -> list[Path]:
    """Run directories (folders holding result.json) at or below `paths`, sorted, deduplicated.

    Hidden folders (temp folders of unfinished writes, .git, ...) are skipped; a path naming a
    result.json file counts as its folder; paths that do not exist contribute nothing.
    """
    found: set[Path] = set()
    for p in paths:
        path = Path(p)
        if path.is_file():
            if path.name == RESULT_FILE:
                found.add(path.parent)
            continue
        if not path.is_dir():
            continue
        if (path / RESULT_FILE).is_file():
            found.add(path)
            continue
        for root, dirs, files in os.walk(path):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            if RESULT_FILE in files:
                found.add(Path(root))
                dirs[:] = []  # a run directory holds no nested runs
    return sorted(found)
