"""The dataset kinds: one class per kind of `configs/dataset/*.yaml` (its `_target_`).

Each takes the YAML's keys as keyword arguments and gives a BenchDataset from `load()`. The `kind`
key stays in the YAMLs because it is part of committed run identities; a class only checks it. A
new dataset kind is one class here and one YAML.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bench.dataset import (
    BenchDataset,
    DatasetError,
    annotation_rows,
    build_dataset,
    load_annotations_dataset,
    load_pairs_file,
)


class AnnotationsDataset:
    """The gold pairs of one annotations root (`annotations/seed`, `annotations/emergent`, ...)."""

    def __init__(self, name: str = "seed", root: str = "annotations/seed", kind: str = "annotations") -> None:
        self.name, self.root = name or "seed", str(root)

    def load(self) -> BenchDataset:
        return load_annotations_dataset(self.root, name=self.name)


class PairsFileDataset:
    """A flat CSV/TSV/JSONL pair file with its columns and labels mapped onto ours."""

    def __init__(self, path: str, name: str | None = None, text_a: str = "text_a", text_b: str = "text_b",
                 label: str = "label", label_map: Mapping[str, str | None] | None = None, group: str | None = None,
                 pair_id: str | None = None, split: str | None = None, format: str | None = None,
                 kind: str = "pairs_file") -> None:
        self.path, self.name = str(path), name
        self.columns = {"text_a": text_a, "text_b": text_b, "label": label, "group": group, "pair_id": pair_id,
                        "split": split}
        self.label_map = dict(label_map) if label_map else None
        self.format = format

    def load(self) -> BenchDataset:
        return load_pairs_file(self.path, label_map=self.label_map, name=self.name, format=self.format,
                               **self.columns)  # type: ignore[arg-type]


class UnionDataset:
    """Several annotation roots as one dataset: pair ids become `<root name>:<pair id>` (unique),
    each pair keeps its own event, and one fingerprint covers the union. Roots must not share
    article ids (a source would otherwise merge across corpora)."""

    def __init__(self, roots: Mapping[str, str], name: str = "all", kind: str = "union") -> None:
        if not roots:
            raise DatasetError(f"dataset {name!r}: roots is empty; give {{name: annotations root}} pairs")
        self.name, self.roots = name, {str(k): str(v) for k, v in roots.items()}

    def load(self) -> BenchDataset:
        rows: list[dict[str, Any]] = []
        owner: dict[str, str] = {}
        for part, root in self.roots.items():
            part_rows = annotation_rows(root)
            for source in sorted({r[k] for r in part_rows for k in ("source_a", "source_b")}):
                if owner.setdefault(source, part) != part:
                    raise DatasetError(f"dataset {self.name!r}: article {source!r} is in both {owner[source]} and "
                                       f"{part} ({root}); article ids must be unique across roots")
            rows += [{**row, "pair_id": f"{part}:{row['pair_id']}"} for row in part_rows]
        return build_dataset(self.name, rows, " + ".join(self.roots.values()))
