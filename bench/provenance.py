"""Provenance of a run: package versions, the git commit, and the run id."""

from __future__ import annotations

import platform
import re
import subprocess
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

#: Distributions whose versions go into every run record (looked up, never imported).
KEY_PACKAGES = ("claimbench", "numpy", "scipy", "scikit-learn", "pandas", "datasets",
                "sentence-transformers", "transformers", "torch", "hydra-core", "matplotlib")


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
