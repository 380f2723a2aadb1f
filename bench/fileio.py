"""Safe writes: every file the benchmark writes is replaced atomically, appends happen under a lock.

A reader (or a crashed writer) never sees half a file: content goes to a temp file in the same
folder, is fsynced, then `os.replace`d over the target. Appends to shared annotation files take a
`filelock` so two processes adding rows at once both land.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

LOCK_TIMEOUT_S = 60.0


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    """Replace `path` with `data` in one step; the old content survives any crash before the rename."""
    target = Path(path)
    if target.is_symlink():  # write through a link (a shared pairs.jsonl), do not replace the link
        target = target.resolve()
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


class LockError(OSError):
    """A lock that could not be taken: busy past the timeout, or its folder is not writable."""


@contextmanager
def file_lock(path: str | os.PathLike[str], timeout: float | None = None) -> Iterator[None]:
    """Hold an inter-process lock on `path` (the lock file is `<path>.lock`; `<path>.lock.owner`
    says who holds it, so a writer that times out can name the holder)."""
    from filelock import FileLock, Timeout

    target = Path(path)
    lock_path, owner_path = Path(f"{target}.lock"), Path(f"{target}.lock.owner")
    if not target.parent.is_dir():
        raise LockError(f"cannot lock {target}: folder {target.parent} does not exist")
    started = time.monotonic()
    try:
        lock = FileLock(str(lock_path), timeout=LOCK_TIMEOUT_S if timeout is None else timeout)
        lock.acquire()
    except Timeout:
        holder = _read_owner(owner_path)
        raise LockError(f"{target} is locked by {holder}; gave up after waiting {time.monotonic() - started:.0f} s "
                        f"(try again when it has finished, or remove {lock_path} if that process is gone)") from None
    except PermissionError:
        raise LockError(f"cannot lock {target}: no permission to write {lock_path} "
                        f"(is {target.parent} read-only? check its owner and mode)") from None
    try:
        try:
            owner_path.write_text(f"pid {os.getpid()} ({' '.join(sys.argv) or 'python'}), "
                                  f"holding it since {time.strftime('%H:%M:%S')}", encoding="utf-8")
        except OSError:
            pass  # who holds it is a courtesy for the message above, never a reason to fail
        yield
    finally:
        owner_path.unlink(missing_ok=True)
        lock.release()


def _read_owner(owner_path: Path) -> str:
    try:
        return owner_path.read_text(encoding="utf-8").strip() or "another process"
    except OSError:
        return "another process"


@contextmanager
def deferred_interrupts(done: str) -> Iterator[None]:
    """Let the block finish before Ctrl-C or SIGTERM stops the process, so a multi-file write is
    never cut between two files; the interrupt is raised afterwards with `done` as its message."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []
    previous = {sig: signal.signal(sig, lambda number, _frame: received.append(number))
                for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if received:
        raise KeyboardInterrupt(done)


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
