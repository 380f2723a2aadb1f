"""The run record (RunResult, versioned JSON schema) and the names of a run directory's files.

A run lives in `<runs_root>/<dataset>/<model>/<run_id>/` with `result.json` (the RunResult),
`predictions.jsonl` (one row per pair) and `config.yaml` (the resolved config). Writing is
`bench.run_writer`, reading `bench.run_reader`, versions and run ids `bench.provenance`; this
module is the contract they share. Field-by-field schema: docs/RESULT_SCHEMA.md.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

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
    #: {unit, clusters, resamples, ...} of the CIs; records before it used the pair unit
    bootstrap: dict[str, Any] = field(default_factory=lambda: {"unit": "pair"})
    timings: dict[str, float] = field(default_factory=dict)
    versions: dict[str, str | None] = field(default_factory=dict)
    git_commit: str | None = None
    created_at: str = field(default_factory=utc_now_iso)
    schema_version: int = SCHEMA_VERSION

    def __post_init__(self) -> None:
        problems = record_problems(self)
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
        return json_clean({
            "schema_version": self.schema_version,
            "run_id": self.run_id,
            "created_at": self.created_at,
            "dataset": self.dataset,
            "model": self.model,
            "protocol": self.protocol,
            "seed": self.seed,
            "metrics": self.metrics,
            "slices": self.slices,
            "bootstrap": self.bootstrap,
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
            raise ValueError(unknown_version(version))
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
                bootstrap=dict(data.get("bootstrap") or {"unit": "pair"}),
                timings=dict(data.get("timings") or {}),
                versions=dict(data.get("versions") or {}),
                git_commit=data.get("git_commit"),
                created_at=data.get("created_at") or "",
                schema_version=version,
            )
        except (TypeError, ValueError) as exc:  # dict() of a non-mapping, validation
            raise ValueError(str(exc)) from exc


def unknown_version(version: object) -> str:
    known = ", ".join(str(v) for v in KNOWN_SCHEMA_VERSIONS)
    if version is None:
        return f"no schema_version field; known schema versions: {known}"
    return f"unknown schema version {version!r}; known schema versions: {known}"


def record_problems(r: RunResult) -> list[str]:
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
        out.append(unknown_version(r.schema_version))
    return out


def json_clean(obj: object) -> Any:
    """Plain JSON types: numpy scalars/arrays -> Python, NaN/inf -> None, tuples -> lists."""
    if isinstance(obj, dict):
        return {str(k): json_clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [json_clean(v) for v in obj]
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, (str, int, bool)) or obj is None:
        return obj
    if isinstance(obj, Path):
        return str(obj)
    if hasattr(obj, "tolist"):  # numpy scalar or array, without importing numpy here
        return json_clean(obj.tolist())
    raise TypeError(f"cannot store {type(obj).__name__} value {obj!r} in a run record")

