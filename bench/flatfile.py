"""Flat pair files (CSV, TSV, JSONL): one reader for `bench-run dataset=pairs_file` and `annotate import`.

Bad rows are returned with a reason instead of raised, so callers can list every one; only a file
that cannot be read at all raises FlatFileError.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from bench.corpus import read_jsonl

#: suffix -> CSV delimiter (None: JSON lines)
FORMATS: dict[str, str | None] = {".csv": ",", ".tsv": "\t", ".jsonl": None, ".ndjson": None, ".json": None}
#: `format=` names (for a file whose suffix says nothing, e.g. SICK.txt) -> delimiter
FORMAT_NAMES: dict[str, str | None] = {"csv": ",", "tsv": "\t", "jsonl": None}

FlatRow = tuple[int, "dict[str, Any] | None", "str | None"]


class FlatFileError(ValueError):
    """A pair file that cannot be read at all (missing, unknown format, not UTF-8, no header)."""


def read_flat(path: Path, format: str | None = None) -> tuple[list[str] | None, list[tuple[int, dict[str, Any] | None, str | None]]]:
    """(CSV/TSV header, or None for JSONL; [(line, row or None, error or None)]).

    `format` (csv|tsv|jsonl) overrides what the suffix says; without it the suffix decides.
    """
    if path.is_dir():
        raise FlatFileError(f"{path} is a folder; give the pair file itself (a .csv, .tsv or .jsonl file in it)")
    if not path.is_file():
        raise FlatFileError(f"{path}: no such file; give the path of a CSV, TSV or JSONL pair file")
    delimiter = _delimiter(path, format)
    if delimiter is None:
        return None, [(x.line, x.data, x.error) for x in read_jsonl(path)]
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FlatFileError(f"{path}: not UTF-8 (byte {exc.start}); re-save it as UTF-8") from None
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[tuple[int, dict[str, Any] | None, str | None]] = []
    try:
        header = [h.strip() for h in next(reader, [])]
        start = reader.line_num + 1
        for cells in reader:
            if any(c.strip() for c in cells):
                if len(cells) != len(header):
                    rows.append((start, None, f"{len(cells)} cells but the header has {len(header)}"))
                else:
                    rows.append((start, dict(zip(header, cells)), None))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise FlatFileError(f"{path}:{reader.line_num}: unreadable {'TSV' if delimiter == chr(9) else 'CSV'}: {exc}") from None
    if not header:
        raise FlatFileError(f"{path}: empty file; the first row must name the columns")
    return header, rows


def _delimiter(path: Path, format: str | None) -> str | None:
    if format is not None:
        if format.lower() not in FORMAT_NAMES:
            raise FlatFileError(f"{path}: unknown format {format!r} (dataset.format); valid formats: {', '.join(FORMAT_NAMES)}")
        return FORMAT_NAMES[format.lower()]
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise FlatFileError(f"{path}: unknown format {suffix or '(no suffix)'!r}; use one of: {', '.join(FORMATS)}, "
                            f"or name the format (dataset.format) as one of: {', '.join(FORMAT_NAMES)}")
    return FORMATS[suffix]
