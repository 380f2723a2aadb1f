"""Annotations (or any flat pair file) -> a `datasets.Dataset` with a fixed schema and a fingerprint.

The fingerprint is a sha256 over the canonical JSON of the dataset rows (every feature, sorted by
pair_id), so it changes exactly when what a model sees or is scored on changes, and not when
rationales, annotator names or file formatting change. Runs are only compared on equal fingerprints.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench.annotations import load_annotations
from bench.config import CONFIG_DIR, choices
from bench.corpus import normalize_text
from bench.flatfile import FlatFileError, read_flat
from bench.labels import LABEL_NAMES, LabelError, parse

if TYPE_CHECKING:  # pragma: no cover
    import datasets

STRING_FIELDS = (
    "pair_id", "claim_a", "claim_b", "text_a", "text_b", "source_a", "source_b", "event_id", "origin",
    "perturbation",
)
FIELDS = (*STRING_FIELDS, "label")


class DatasetError(ValueError):
    """A dataset that cannot be built: the message names the file, row, column and valid options."""


@dataclass(frozen=True)
class BenchDataset:
    name: str
    hf: datasets.Dataset
    fingerprint: str
    source: str

    def __len__(self) -> int:
        return len(self.hf)

    def subset_fingerprint(self, index: Sequence[int]) -> str:
        """The fingerprint of some of the rows (the scored ones under protocol=split)."""
        return fingerprint(list(self.hf.select([int(i) for i in index])))


def features(extra: tuple[str, ...] = ()) -> datasets.Features:
    """The fixed schema, plus any extra string columns a dataset carries (e.g. a split column)."""
    import datasets

    spec: dict[str, Any] = {name: datasets.Value("string") for name in (*STRING_FIELDS, *extra)}
    spec["label"] = datasets.ClassLabel(names=list(LABEL_NAMES))
    return datasets.Features(spec)


def fingerprint(rows: list[dict[str, Any]]) -> str:
    """sha256 over the rows' canonical JSON, sorted by pair_id; labels by name, not id. Extra
    columns count only when present, so datasets without them keep their fingerprint."""
    digest = hashlib.sha256()
    for row in sorted(rows, key=lambda r: r["pair_id"]):
        canonical = dict(row)
        canonical["label"] = LABEL_NAMES[row["label"]] if isinstance(row["label"], int) else row["label"]
        digest.update(json.dumps(canonical, ensure_ascii=False, sort_keys=True).encode("utf-8"))
        digest.update(b"\n")
    return digest.hexdigest()


def build_dataset(name: str, rows: list[dict[str, Any]], source: str) -> BenchDataset:
    """Rows (FIELDS, plus the same extra string columns in every row) -> a BenchDataset."""
    import datasets

    if not rows:
        raise DatasetError(f"dataset {name!r} from {source} has no pairs; add pairs or point at a non-empty file")
    extra = tuple(k for k in rows[0] if k not in FIELDS)
    columns = {field: [row[field] for row in rows] for field in (*FIELDS, *extra)}
    columns["label"] = [parse(v).class_id for v in columns["label"]]
    hf = datasets.Dataset.from_dict(columns, features=features(extra))
    return BenchDataset(name=name, hf=hf, fingerprint=fingerprint(rows), source=source)


def annotation_rows(root: str | Path) -> list[dict[str, Any]]:
    """One row per gold pair, with both claims' texts and sources resolved."""
    notes = load_annotations(root)
    rows = []
    for pair in notes.pairs:
        a, b = notes.claims[pair.claim_a], notes.claims[pair.claim_b]
        kinds = sorted({c.perturbation for c in (a, b) if c.perturbation})
        rows.append({
            "pair_id": pair.pair_id, "claim_a": a.claim_id, "claim_b": b.claim_id,
            "text_a": a.text, "text_b": b.text, "source_a": a.article_id, "source_b": b.article_id,
            "event_id": notes.articles[a.article_id].event_id, "origin": pair.origin,
            "perturbation": "+".join(kinds), "label": pair.label.value,
        })
    return rows


def load_annotations_dataset(root: str | Path = "annotations/seed", name: str = "seed") -> BenchDataset:
    """The gold pairs of an annotations root (validated first; invalid data raises AnnotationError)."""
    return build_dataset(name, annotation_rows(root), str(root))


def load_pairs_file(
    path: str | Path,
    text_a: str = "text_a",
    text_b: str = "text_b",
    label: str = "label",
    label_map: Mapping[str, str | None] | None = None,
    group: str | None = None,
    pair_id: str | None = None,
    name: str | None = None,
    split: str | None = None,
    format: str | None = None,
) -> BenchDataset:
    """A flat CSV/TSV/JSONL pair file, its columns and labels mapped onto ours.

    `label_map` maps their label names to ours; a value of None drops rows with that label (e.g.
    SNLI's "-"). `group` names a column used as event and source (for grouped cross-validation).
    `split` names a column kept as is (e.g. SICK's SemEval_set, for protocol=split); `format` is
    csv|tsv|jsonl when the suffix does not say it.
    """
    file = Path(path)
    if not file.is_file():
        raise DatasetError(f"pair file {file} does not exist; set dataset.path to a CSV, TSV or JSONL file")
    records = read_flat_rows(file, format)
    wanted = {"text_a": text_a, "text_b": text_b, "label": label}
    for role, value in (("group", group), ("pair_id", pair_id), ("split", split)):
        if value:
            wanted[role] = value
    if not records:
        raise DatasetError(f"{file}: no pair rows (a header only, or nothing); add one row per pair under the header")
    present = set().union(*(r.keys() for _, r in records))
    for role, column in wanted.items():
        if column not in present:
            raise DatasetError(
                f"{file}: no column {column!r} (dataset.{role}); columns in the file: {', '.join(sorted(present)) or '(none)'}"
            )
    mapping = {str(k).strip().lower(): v for k, v in (label_map or {}).items()}
    rows: list[dict[str, Any]] = []
    seen_ids: dict[str, int] = {}
    for line, record in records:
        raw_label = record.get(label)
        key = str(raw_label).strip().lower() if raw_label is not None else ""
        target: Any = raw_label
        if mapping:
            if key not in mapping:
                raise DatasetError(
                    f"{file}:{line}: label {raw_label!r} is not in dataset.label_map; "
                    f"mapped labels: {', '.join(sorted(mapping))} (map it to one of {', '.join(LABEL_NAMES)}, or to null to drop it)"
                )
            target = mapping[key]
            if target is None:
                continue
        if not mapping and not isinstance(raw_label, str):
            raise DatasetError(
                f"{file}:{line}: label {raw_label!r} is a number, and class ids differ between datasets "
                "(in MNLI 1 = neutral); map them, e.g. dataset.label_map='{0: entails, 1: unrelated, 2: contradicts}'"
            )
        try:
            ours = parse(target, where=f"{file}:{line}")
        except LabelError as exc:
            hint = "" if mapping else "; set dataset.label_map to map the file's labels onto ours"
            raise DatasetError(f"{exc}{hint}") from None
        ta, tb = (_text(record, column, f"{file}:{line}") for column in (text_a, text_b))
        gid = str(record.get(group, "")) if group else ""
        pid = str(record[pair_id]) if pair_id else f"row-{line}"
        if pid in seen_ids:
            raise DatasetError(f"{file}:{line}: pair id {pid!r} repeats line {seen_ids[pid]}; dataset.pair_id must be unique")
        seen_ids[pid] = line
        rows.append({
            "pair_id": pid, "claim_a": text_id(ta), "claim_b": text_id(tb), "text_a": ta, "text_b": tb,
            "source_a": gid, "source_b": gid, "event_id": gid, "origin": "natural", "perturbation": "",
            "label": ours.value, **({split: str(record[split])} if split else {}),
        })
    return build_dataset(name or file.stem, rows, str(file))


def _text(record: Mapping[str, Any], column: str, where: str) -> str:
    value = record.get(column)
    if not isinstance(value, str) or not value.strip():
        raise DatasetError(f"{where}: column {column!r} is empty or not text ({value!r}); every row needs both texts")
    return value


def text_id(text: str) -> str:
    """A stable id for a claim text in a flat file: equal (normalised) texts share one id."""
    return "t" + hashlib.sha1(normalize_text(text).encode("utf-8")).hexdigest()[:12]


def read_flat_rows(file: Path, format: str | None = None) -> list[tuple[int, dict[str, Any]]]:
    """(line number, row) for each data row of a CSV, TSV or JSONL file; the first bad row is an error."""
    try:
        _, rows = read_flat(file, format)
    except FlatFileError as exc:
        raise DatasetError(str(exc)) from None
    out = []
    for line, row, error in rows:
        if row is None:
            raise DatasetError(f"{file}:{line}: {error}")
        out.append((line, row))
    return out


def load_from_config(cfg: Mapping[str, Any]) -> BenchDataset:
    """Build the dataset a `configs/dataset/*.yaml` describes: its `_target_` is a class in
    `bench.dataset_kinds` whose `load()` gives the BenchDataset (the config folder is the registry)."""
    from hydra.errors import InstantiationException
    from hydra.utils import instantiate

    if "_target_" not in cfg:
        raise DatasetError(f"dataset config {dict(cfg)!r} has no _target_; start from one of configs/dataset/: "
                           f"{', '.join(choices('dataset'))}")
    try:
        kind = instantiate(dict(cfg), _convert_="all")
    except InstantiationException as exc:
        cause: BaseException = exc
        while cause.__cause__ is not None:
            cause = cause.__cause__
        raise DatasetError(f"dataset {cfg.get('name')!r} could not be built from {cfg.get('_target_')}: {cause}") from None
    data = kind.load()
    assert isinstance(data, BenchDataset), f"{cfg['_target_']}.load() must return a BenchDataset"
    return data


def load_dataset_config(name: str, overrides: Mapping[str, Any] | None = None) -> BenchDataset:
    """The dataset of `configs/dataset/<name>.yaml` (with `overrides` merged in), e.g. a model's or a
    transfer protocol's training data named like `bench-run dataset=<name>`."""
    from omegaconf import OmegaConf

    if name not in choices("dataset"):
        raise DatasetError(f"unknown dataset config {name!r}; valid names: {', '.join(choices('dataset'))}")
    cfg = OmegaConf.merge(OmegaConf.load(CONFIG_DIR / "dataset" / f"{name}.yaml"), dict(overrides or {}))
    resolved = OmegaConf.to_container(cfg, resolve=True)
    assert isinstance(resolved, dict)
    return load_from_config({str(k): v for k, v in resolved.items()})
