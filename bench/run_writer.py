"""Writing a run directory in one atomic step (a run directory is either complete or absent).

The directory is built under a hidden temp name beside its final place and renamed into place, so
a reader never sees half a run, and a crash leaves only a hidden `.tmp-*` folder that
`bench.run_reader.find_runs` ignores.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import uuid
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from bench.labels import LABEL_NAMES
from bench.results import (
    CONFIG_FILE,
    CORE_FILES,
    PREDICTION_KEYS,
    PREDICTIONS_FILE,
    RESULT_FILE,
    TMP_PREFIX,
    RunResult,
    RunWriteError,
    json_clean,
    record_problems,
)

_SAFE_COMPONENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+=-]*$")


def is_directory_name(value: object) -> bool:
    """True when `value` can name a run-record folder (dataset, model key, run id) on every OS."""
    return isinstance(value, str) and bool(_SAFE_COMPONENT.match(value)) and value not in (".", "..")


DIRECTORY_NAME_RULE = "use letters, digits and . _ + = - (not starting with . or -)"


def _check_component(value: str, what: str) -> str:
    if not is_directory_name(value):
        raise RunWriteError(
            f"{what} {value!r} cannot be a directory name; use letters, digits and . _ + = - "
            "(not starting with . or -)"
        )
    return value


def _check_prediction_row(row: Mapping[str, Any], i: int) -> None:
    missing = [k for k in PREDICTION_KEYS if k not in row]
    if missing:
        raise RunWriteError(f"prediction row {i} (pair_id {row.get('pair_id')!r}) lacks "
                            f"{', '.join(missing)}; every row needs {', '.join(PREDICTION_KEYS)}")
    for key in ("gold", "predicted"):
        if row[key] not in LABEL_NAMES:
            raise RunWriteError(f"prediction row {i} (pair_id {row['pair_id']!r}): {key} = "
                                f"{row[key]!r}; valid labels: {', '.join(LABEL_NAMES)}")
    probs = row["probabilities"]
    if not isinstance(probs, Mapping) or set(probs) != set(LABEL_NAMES):
        raise RunWriteError(f"prediction row {i} (pair_id {row['pair_id']!r}): probabilities "
                            f"must map exactly {', '.join(LABEL_NAMES)} to floats, got {probs!r}")


def _write_file(path: Path, data: bytes) -> None:
    with open(path, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory fds
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


def predictions_jsonl(rows: Iterable[Mapping[str, Any]]) -> bytes:
    """predictions.jsonl content: one JSON object per line, keys in the order given."""
    parts = []
    for i, row in enumerate(rows):
        _check_prediction_row(row, i)
        parts.append(json.dumps(json_clean(dict(row)), ensure_ascii=False))
    return ("\n".join(parts) + "\n" if parts else "").encode("utf-8")


def result_json(result: RunResult) -> bytes:
    return (json.dumps(result.to_dict(), indent=2, ensure_ascii=False, allow_nan=False)
            + "\n").encode("utf-8")


def write_run(
    runs_root: Path | str,
    result: RunResult,
    predictions_rows: Sequence[Mapping[str, Any]],
    config_yaml: str,
    extra_files: dict[str, bytes] | None = None,
) -> Path:
    """Write a complete run directory atomically and return its path.

    Files are written into `<runs_root>/<dataset>/<model>/.tmp-<run_id>-<random>/`, fsynced, and
    the folder is renamed to `<run_id>` in one step. On any failure the temp folder is removed and
    nothing is left behind. An existing run directory is never overwritten. `extra_files` (e.g.
    plots rendered before the write) go in the same atomic step; names must be plain file names.
    """
    problems = record_problems(result)
    if problems:
        raise RunWriteError("invalid RunResult: " + "; ".join(problems))
    dataset = _check_component(result.dataset_name, "dataset name")
    model = _check_component(result.model_key, "model key")
    run_id = _check_component(result.run_id, "run_id")
    extras = dict(extra_files or {})
    for name, data in extras.items():
        if name in CORE_FILES or not _SAFE_COMPONENT.match(name) or "/" in name:
            raise RunWriteError(
                f"extra file name {name!r} is not allowed; use a plain file name other than "
                f"{', '.join(CORE_FILES)}"
            )
        if not isinstance(data, (bytes, bytearray)):
            raise RunWriteError(f"extra file {name!r} must be bytes, got {type(data).__name__}")
    n_rows = len(predictions_rows)
    n_items = result.dataset.get("n")
    if isinstance(n_items, int) and n_rows != n_items:
        raise RunWriteError(f"{n_rows} prediction rows but dataset.n = {n_items}; "
                            "a run predicts every pair exactly once")

    # Serialise everything before touching the disk, so bad content fails fast.
    payload = {
        PREDICTIONS_FILE: predictions_jsonl(predictions_rows),
        CONFIG_FILE: (config_yaml if config_yaml.endswith("\n") else config_yaml + "\n").encode(),
        **{name: bytes(data) for name, data in extras.items()},
        RESULT_FILE: result_json(result),  # written last: its presence marks completeness
    }

    parent = Path(runs_root) / dataset / model
    target = parent / run_id
    if target.exists():
        raise RunWriteError(f"run directory {target} already exists; run ids must be unique "
                            "(use bench.provenance.new_run_id)")
    parent.mkdir(parents=True, exist_ok=True)
    tmp = parent / f"{TMP_PREFIX}{run_id}-{uuid.uuid4().hex[:8]}"
    tmp.mkdir()
    try:
        for name, data in payload.items():
            _write_file(tmp / name, data)
        _fsync_dir(tmp)
        if target.exists():  # lost a race with a concurrent writer of the same run_id
            raise RunWriteError(f"run directory {target} already exists")
        os.rename(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    _fsync_dir(parent)
    return target
