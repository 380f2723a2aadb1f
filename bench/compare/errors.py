"""What goes wrong when runs are compared: each message says what, where, and the valid options."""

from __future__ import annotations


class CompareError(Exception):
    """Runs that cannot be compared as asked (message says what, where, and the valid options)."""


class MixedDatasetsError(CompareError):
    """Runs on different dataset fingerprints were asked to share one table."""

    def __init__(self, groups: dict[str, list[str]]) -> None:
        self.groups = groups
        parts = [f"{fp[:12]} ({', '.join(names)})" for fp, names in sorted(groups.items())]
        super().__init__(
            f"runs are on {len(groups)} different dataset fingerprints: {'; '.join(parts)}; "
            "compare one dataset (--dataset NAME or narrower PATHS), or pass --allow-mixed "
            "for one table per dataset"
        )


class PairingError(CompareError):
    """Two runs on the same dataset disagree on the items (pair ids or gold labels)."""
