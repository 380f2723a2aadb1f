"""The run record (versioned JSON schema) and the run-directory layout.

A run lives in `<runs_root>/<dataset>/<model>/<run_id>/` with `result.json` (the RunResult),
`predictions.jsonl` (one row per pair) and `config.yaml` (the resolved config). The directory is
built under a hidden temp name beside its final place and renamed into place in one step, so a
run directory is either complete or absent: a reader never sees half a run, and a crash leaves
only a hidden `.tmp-*` folder that `find_runs` ignores. Field-by-field schema: docs/RESULT_SCHEMA.md.
"""

from __future__ import annotations

import json
import math
import os
import platform
import re
import shutil
import subprocess
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any

from bench.labels import LABEL_NAMES

SCHEMA_VERSION = 1
#: Schema versions this code can read. Add the old number here (and a migration in
#: `RunResult.from_dict`) when SCHEMA_VERSION is bumped.
KNOWN_SCHEMA_VERSIONS: tuple[int, ...] = (1,)

RESULT_FILE = "result.json"
PREDICTIONS_FILE = "predictions.jsonl"
CONFIG_FILE = "config.yaml"
CORE_FILES = (RESULT_FILE, PREDICTIONS_FILE, CONFIG_FILE)
TMP_PREFIX = ".tmp-"

#: Keys every prediction row carries (docs/RESULT_SCHEMA.md#predictionsjsonl).
PREDICTION_KEYS = ("pair_id", "gold", "predicted", "probabilities", "origin", "source_a",
                   "source_b", "perturbation", "folds")

#: Distributions whose versions go into every run record (looked up, never imported).
KEY_PACKAGES = ("claimbench", "numpy", "scipy", "scikit-learn", "pandas", "datasets",
                "sentence-transformers", "transformers", "torch", "hydra-core", "matplotlib")

_SAFE_COMPONENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+=-]*$")


class RunReadError(Exception):
    """A run directory that cannot be read: names the path and the reason."""

    def __init__(self, path: Path | str, reason: str) -> None:
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


class RunWriteError(Exception):
    """A run that cannot be written (bad record, bad name, target exists)."""


def utc_now_iso() -> str:
    """Current UTC time, ISO 8601 with offset, microseconds (sortable as text)."""
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")


@dataclass
class RunResult:
    """Everything needed to put one run in a table and to reproduce it.

    dataset = {name, fingerprint, n}; model = {key, config}; protocol = {name, config};
    metrics = `bench.metrics.compute_metrics(...)`; slices = `bench.metrics.slice_metrics(...)`;
    timings = phase -> seconds (`total` is what tables show); versions = `versions()`.
    """

    run_id: str
    dataset: dict[str, Any]
    model: dict[str, Any]
    protocol: dict[str, Any]
    seed: int
    metrics: dict[str, Any]
    slices: dict[str, Any] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    versions: dict[str, str | None] = field(default_factory=dict)
    git_commit: str | None = None
    created_at: str = field(default_factory=utc_now_iso)
    schema_version: int = SCHEMA_VERSION

    def __post_init__(self) -> None:
        problems = _record_problems(self)
        if problems:
            raise ValueError("invalid RunResult: " + "; ".join(problems))

    # Shorthands used by compare/plots.
    @property
    def model_key(self) -> str:
        return str(self.model["key"])

    @property
    def dataset_name(self) -> str:
        return str(self.dataset["name"])

    @property
    def fingerprint(self) -> str:
        return str(self.dataset["fingerprint"])

    @property
    def total_seconds(self) -> float | None:
        """`timings.total`, else the sum of the numeric phases, else None."""
        total = self.timings.get("total")
        if isinstance(total, (int, float)) and not isinstance(total, bool):
            return float(total)
        parts = [v for v in self.timings.values()
                 if isinstance(v, (int, float)) and not isinstance(v, bool)]
        return float(sum(parts)) if parts else None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict with a fixed key order (schema_version first); NaN/inf become None."""
        return _json_clean({
            "schema_version": self.schema_version,
            "run_id": self.run_id,
            "created_at": self.created_at,
            "dataset": self.dataset,
            "model": self.model,
            "protocol": self.protocol,
            "seed": self.seed,
            "metrics": self.metrics,
            "slices": self.slices,
            "timings": self.timings,
            "versions": self.versions,
            "git_commit": self.git_commit,
        })

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RunResult:
        """Build from a parsed result.json; ValueError names the missing/bad field."""
        if not isinstance(data, Mapping):
            raise ValueError(f"expected a JSON object, got {type(data).__name__}")
        version = data.get("schema_version")
        if version not in KNOWN_SCHEMA_VERSIONS:
            raise ValueError(_unknown_version(version))
        required = ("run_id", "dataset", "model", "protocol", "seed", "metrics")
        missing = [k for k in required if k not in data]
        if missing:
            raise ValueError(f"missing field(s) {', '.join(missing)}")
        try:
            return cls(
                run_id=data["run_id"],
                dataset=dict(data["dataset"]),
                model=dict(data["model"]),
                protocol=dict(data["protocol"]),
                seed=data["seed"],
                metrics=dict(data["metrics"]),
                slices=dict(data.get("slices") or {}),
                timings=dict(data.get("timings") or {}),
                versions=dict(data.get("versions") or {}),
                git_commit=data.get("git_commit"),
                created_at=data.get("created_at") or "",
                schema_version=version,
            )
        except (TypeError, ValueError) as exc:  # dict() of a non-mapping, validation
            raise ValueError(str(exc)) from exc


def _unknown_version(version: Any) -> str:
    known = ", ".join(str(v) for v in KNOWN_SCHEMA_VERSIONS)
    if version is None:
        return f"no schema_version field; known schema versions: {known}"
    return f"unknown schema version {version!r}; known schema versions: {known}"


def _record_problems(r: RunResult) -> list[str]:
    """Every structural problem of a record, as 'field: what is wrong'."""
    out: list[str] = []
    if not isinstance(r.run_id, str) or not r.run_id:
        out.append(f"run_id must be a non-empty string, got {r.run_id!r}")
    for name, keys in (("dataset", ("name", "fingerprint", "n")), ("model", ("key",)),
                       ("protocol", ("name",))):
        value = getattr(r, name)
        if not isinstance(value, dict):
            out.append(f"{name} must be an object, got {type(value).__name__}")
            continue
        missing = [k for k in keys if k not in value]
        if missing:
            out.append(f"{name} lacks {', '.join(missing)}")
    if not isinstance(r.seed, int) or isinstance(r.seed, bool):
        out.append(f"seed must be an integer, got {r.seed!r}")
    if not isinstance(r.metrics, dict):
        out.append(f"metrics must be an object, got {type(r.metrics).__name__}")
    else:
        for k in ("macro_f1", "accuracy", "n"):
            if k not in r.metrics:
                out.append(f"metrics lacks {k}")
    if r.schema_version not in KNOWN_SCHEMA_VERSIONS:
        out.append(_unknown_version(r.schema_version))
    return out


def _json_clean(obj: Any) -> Any:
    """Plain JSON types: numpy scalars/arrays -> Python, NaN/inf -> None, tuples -> lists."""
    if isinstance(obj, dict):
        return {str(k): _json_clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_json_clean(v) for v in obj]
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, (str, int, bool)) or obj is None:
        return obj
    if isinstance(obj, Path):
        return str(obj)
    if hasattr(obj, "tolist"):  # numpy scalar or array, without importing numpy here
        return _json_clean(obj.tolist())
    raise TypeError(f"cannot store {type(obj).__name__} value {obj!r} in a run record")


# --------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------


def is_directory_name(value: object) -> bool:
    """True when `value` can name a run-record folder (dataset, model key, run id) on every OS."""
    return isinstance(value, str) and bool(_SAFE_COMPONENT.match(value)) and value not in (".", "..")


DIRECTORY_NAME_RULE = "use letters, digits and . _ + = - (not starting with . or -)"


def _check_component(value: str, what: str) -> str:
    if not is_directory_name(value):
        raise RunWriteError(f"{what} {value!r} cannot be a directory name; {DIRECTORY_NAME_RULE}")
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
        parts.append(json.dumps(_json_clean(dict(row)), ensure_ascii=False))
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
    problems = _record_problems(result)
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
                            "(use bench.results.new_run_id)")
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


# --------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------


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
        raise RunReadError(file, _unknown_version(data.get("schema_version")))
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


# --------------------------------------------------------------------------------------------
# Provenance
# --------------------------------------------------------------------------------------------


def versions() -> dict[str, str | None]:
    """Python and key package versions from installed metadata (nothing is imported)."""
    out: dict[str, str | None] = {"python": platform.python_version()}
    for dist in KEY_PACKAGES:
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            out[dist] = None
    return out


def git_commit(repo: Path | str | None = None) -> str | None:
    """HEAD commit of the repo holding this package (or `repo`); None outside git / no commits."""
    where = Path(repo) if repo is not None else Path(__file__).resolve().parent.parent
    try:
        proc = subprocess.run(
            ["git", "rev-parse", "--verify", "--quiet", "HEAD"],
            cwd=where, capture_output=True, text=True, timeout=10, check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    commit = proc.stdout.strip()
    return commit if proc.returncode == 0 and re.fullmatch(r"[0-9a-f]{40,64}", commit) else None


def new_run_id(config_hash: str, now: datetime | None = None) -> str:
    """`YYYYMMDDTHHMMSS.ffffffZ-<first 8 chars of config_hash>`: UTC, fixed width, so it sorts."""
    if not isinstance(config_hash, str) or not re.fullmatch(r"[A-Za-z0-9]+", config_hash or ""):
        raise ValueError(f"config_hash must be a non-empty alphanumeric string (e.g. a sha256 hex "
                         f"digest), got {config_hash!r}")
    t = (now or datetime.now(timezone.utc)).astimezone(timezone.utc)
    return f"{t.strftime('%Y%m%dT%H%M%S')}.{t.microsecond:06d}Z-{config_hash[:8]}"
