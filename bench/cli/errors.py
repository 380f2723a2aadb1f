"""How the CLIs end on bad input or Ctrl-C: one line on stderr, never a traceback."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

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
