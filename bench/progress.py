"""Progress bars that suit both a terminal and a log file.

On a terminal: a normal tqdm bar (rate and ETA). When stderr is not a terminal (`make run > log`,
CI) the bar is redrawn at most every LOG_INTERVAL_S seconds, so a long job writes a handful of
lines instead of thousands. `BENCH_PROGRESS=0` turns every bar off.
"""

from __future__ import annotations

import os
import sys
from typing import Any

LOG_INTERVAL_S = 30.0


def progress_enabled(requested: bool = True) -> bool:
    return requested and os.environ.get("BENCH_PROGRESS", "1") not in ("0", "false", "no")


def progress_bar(total: int | None = None, desc: str = "", unit: str = "it", enabled: bool = True,
                 **options: Any) -> Any:
    """A tqdm bar on stderr (imported lazily: tqdm is not needed by light commands)."""
    from tqdm.auto import tqdm

    interactive = sys.stderr.isatty()
    settings: dict[str, Any] = {"mininterval": 0.1 if interactive else LOG_INTERVAL_S,
                                "disable": not progress_enabled(enabled), "file": sys.stderr,
                                "dynamic_ncols": interactive}
    settings.update(options)
    return tqdm(total=total, desc=desc, unit=unit, **settings)
