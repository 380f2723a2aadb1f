"""Write a dataset as parquet plus a Hugging Face dataset card, loadable with `load_dataset`.

Layout: `<out>/data/test-00000-of-00001.parquet` and `<out>/README.md` (YAML metadata + statistics).
The whole benchmark is one `test` split: models are trained only inside the cross-validation
protocol, never on an official train split.
"""

from __future__ import annotations

import shutil
import tempfile
from collections import Counter
from pathlib import Path

from bench.dataset import STRING_FIELDS, BenchDataset
from bench.fileio import atomic_write_text
from bench.labels import LABEL_NAMES

PARQUET_NAME = "data/test-00000-of-00001.parquet"
EXPORT_NAMES = {"README.md", "data"}


def size_category(n: int) -> str:
    for bound, name in ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"), (1_000_000, "100K<n<1M")):
        if n < bound:
            return name
    return "n>1M"


def dataset_card(data: BenchDataset) -> str:
    """The card's YAML header (features, split, configs) and generated statistics."""
    n = len(data)
    labels = Counter(LABEL_NAMES[i] for i in data.hf["label"])
    origins = Counter(data.hf["origin"])
    sources = Counter(" | ".join(sorted((a, b))) for a, b in zip(data.hf["source_a"], data.hf["source_b"]))
    claims = len(set(data.hf["claim_a"]) | set(data.hf["claim_b"]))
    feature_yaml = "\n".join(f"  - name: {name}\n    dtype: string" for name in STRING_FIELDS)
    class_yaml = "\n".join(f"          '{i}': {name}" for i, name in enumerate(LABEL_NAMES))
    label_rows = "\n".join(f"| {name} | {labels.get(name, 0)} |" for name in LABEL_NAMES)
    origin_rows = "\n".join(f"| {name} | {count} |" for name, count in sorted(origins.items()))
    source_rows = "\n".join(f"| {name} | {count} |" for name, count in sorted(sources.items()))
    return f"""---
license: cc-by-4.0
language:
- en
pretty_name: ClaimBench ({data.name})
task_categories:
- text-classification
task_ids:
- natural-language-inference
size_categories:
- {size_category(n)}
dataset_info:
  features:
{feature_yaml}
  - name: label
    dtype:
      class_label:
        names:
{class_yaml}
  splits:
  - name: test
    num_examples: {n}
configs:
- config_name: default
  data_files:
  - split: test
    path: {PARQUET_NAME}
---

# ClaimBench: {data.name}

Pairs of claims taken from different news sources reporting one event, labelled from `claim_a`
(premise) to `claim_b` (hypothesis): `entails` (if a is true, b must be true), `contradicts` (a and
b cannot both be true of this event), `unrelated` (neither). Label ids are fixed: 0 entails,
1 contradicts, 2 unrelated.

- Source: `{data.source}`
- Fingerprint (sha256 of the canonical rows): `{data.fingerprint}`
- Pairs: {n}; distinct claims: {claims}

Load it with `datasets.load_dataset("parquet", data_dir=<this folder>)["test"]`.

## Labels

| label | pairs |
|---|---|
{label_rows}

## Origin

| origin | pairs |
|---|---|
{origin_rows}

## Source pairs

| sources | pairs |
|---|---|
{source_rows}

## License

The annotations (claims, pairs, rationales) are released under CC BY 4.0. Claim texts paraphrase or
briefly quote news articles whose copyright stays with their publishers; they are included for
research on claim verification.
"""


def export(data: BenchDataset, out: str | Path, force: bool = False) -> Path:
    """Write parquet + card into `out` (built in a temp folder, then moved into place)."""
    target = Path(out).resolve()
    if target == Path.cwd().resolve() or target in Path.cwd().resolve().parents:
        raise FileExistsError(f"refusing to export into {target}: it holds the working directory")
    if target.exists() and any(target.iterdir()):
        if not force:
            raise FileExistsError(f"{target} exists and is not empty; pass --force to replace a previous export")
        if not {p.name for p in target.iterdir()} <= EXPORT_NAMES:
            raise FileExistsError(f"{target} is not a previous export (only README.md and data/); refusing to replace it")
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        (staging / "data").mkdir()
        data.hf.to_parquet(str(staging / PARQUET_NAME))
        atomic_write_text(staging / "README.md", dataset_card(data))
        if target.exists():  # swap by renames; the old export is deleted only once the new one is in place
            old = target.with_name(f".{target.name}.old-{staging.name[-8:]}")
            target.rename(old)
            staging.rename(target)
            shutil.rmtree(old)
        else:
            staging.rename(target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target
