"""Safe writes: every file the benchmark writes is replaced atomically, appends happen under a lock.

A reader (or a crashed writer) never sees half a file: content goes to a temp file in the same
folder, is fsynced, then `os.replace`d over the target. Appends to shared annotation files take a
`filelock` so two processes adding rows at once both land.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

LOCK_TIMEOUT_S = 60.0


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    """Replace `path` with `data` in one step; the old content survives any crash before the rename."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if target.exists():
            shutil.copymode(target, tmp)
        else:  # mkstemp makes 0600 files; a new file gets the usual mode a plain open() would give
            os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def atomic_write_text(path: str | os.PathLike[str], text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


@contextmanager
def file_lock(path: str | os.PathLike[str], timeout: float = LOCK_TIMEOUT_S) -> Iterator[None]:
    """Hold an inter-process lock on `path` (the lock file is `<path>.lock`)."""
    from filelock import FileLock

    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(target) + ".lock", timeout=timeout):
        yield


def jsonl_line(row: Mapping[str, Any]) -> str:
    """One JSONL line: UTF-8 as is (no \\u escapes), so accents and quotes stay readable."""
    return json.dumps(row, ensure_ascii=False) + "\n"


def append_jsonl_locked(target: Path, rows: Iterable[Mapping[str, Any]]) -> None:
    """Append while the caller holds `file_lock(target)`: re-read, add, replace in one step."""
    old = target.read_bytes() if target.exists() else b""
    if old and not old.endswith(b"\n"):
        old += b"\n"
    new = "".join(jsonl_line(row) for row in rows).encode("utf-8")
    atomic_write_bytes(target, old + new)


def backup(path: str | os.PathLike[str]) -> Path | None:
    """Copy a user file to `<name>.bak-<UTC time>` before it is rewritten; None if it does not exist."""
    source = Path(path)
    if not source.exists():
        return None
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    copy = source.with_name(f"{source.name}.bak-{stamp}")
    shutil.copy2(source, copy)
    return copy
