"""What a comparison can be asked for, with its defaults: one object for the CLI and the library.

Kept free of numpy so `bench compare --help` stays fast; the metric names are checked against
`bench.metrics.METRICS` when the options are used.
"""

from __future__ import annotations

from dataclasses import dataclass

from bench.compare.errors import CompareError
from bench.slices import SLICES

TESTS: tuple[str, ...] = ("bootstrap", "mcnemar")


@dataclass(frozen=True)
class CompareOptions:
    """How to build the tables; the defaults are those of `bench compare` without flags."""

    metric: str = "macro_f1"  # sort and test metric: a key of bench.metrics.METRICS
    baseline: str | None = None  # reference model (its latest run); None: the best run
    latest: bool = False  # only the newest run per (model, protocol)
    by: str | None = None  # one table per value of this slice (bench.slices.SLICES)
    alpha: float = 0.05  # significance level after Holm correction
    allow_mixed: bool = False  # several dataset fingerprints: one table each instead of an error
    test: str = "bootstrap"  # which test decides "≈ ref": bootstrap or mcnemar
    n_boot: int = 10000  # bootstrap resamples for paired tests and slice CIs
    seed: int = 0  # seed of the paired bootstrap
    dataset: str | None = None  # only runs on this dataset name
    protocol: str | None = None  # only runs made under this protocol
    bootstrap_unit: str = "auto"  # what the paired bootstrap resamples (bench.clusters.UNITS)

    def check(self) -> None:
        """Raise CompareError naming the first bad option and its valid values."""
        from bench.metrics import METRICS

        if self.metric not in METRICS:
            raise CompareError(f"unknown metric {self.metric!r}; valid metrics: {', '.join(METRICS)}")
        if self.test not in TESTS:
            raise CompareError(f"unknown test {self.test!r}; valid tests: {', '.join(TESTS)}")
        if self.by is not None and self.by not in SLICES:
            raise CompareError(f"unknown slice {self.by!r}; valid --by values: {', '.join(SLICES)}")
        from bench.clusters import UNITS

        if self.bootstrap_unit not in UNITS:
            raise CompareError(f"unknown bootstrap unit {self.bootstrap_unit!r}; valid units: {', '.join(UNITS)}")
        if not 0.0 < self.alpha < 1.0:
            raise CompareError(f"alpha must be between 0 and 1 (exclusive), got {self.alpha}")
        if self.n_boot < 0:
            raise CompareError(f"n_boot must be >= 0, got {self.n_boot}")
