"""How the CLIs end on bad input or Ctrl-C: one line on stderr, never a traceback."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

INTERRUPTED_EXIT = 130  # 128 + SIGINT, what shells report for a Ctrl-C'd command


class UserError(Exception):
    """Bad input from the user: message names the value, where it came from, and the valid options."""


@contextmanager
def one_line_interrupt() -> Iterator[None]:
    """Ctrl-C anywhere inside: print `interrupted` (+ what was written, if the code said) and exit 130.

    Every write is atomic (bench.fileio), so an interrupt leaves each file either old or new; a
    multi-file write defers the interrupt to its end and says so in the message.
    """
    try:
        yield
    except KeyboardInterrupt as exc:
        detail = str(exc)
        print(f"interrupted{': ' + detail if detail else ' (files are written atomically: none is half-written)'}",
              file=sys.stderr)
        raise SystemExit(INTERRUPTED_EXIT) from None


def require_out_folder(out: Path | None, holds: str) -> None:
    """UserError when `--out` names an existing file (or a path under one): it must be a folder."""
    if out is None:
        return
    for path in (out, *out.parents):
        if path.exists() and not path.is_dir():
            what = f"--out {out} is a file" if path == out else f"--out {out}: {path} is a file"
            raise UserError(f"{what}, not a folder; give a folder (it will hold {holds})")
        if path.exists():
            return
