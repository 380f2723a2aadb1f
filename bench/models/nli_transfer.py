"""`nli_transfer`: a MiniLM cross-encoder fine-tuned once on an NLI corpus, then applied zero-shot.

How well does a model trained on a standard NLI dataset (SICK TRAIN by default) do on ClaimBench?
It is not trained per fold (`trainable = False`: the runner predicts every pair once). At first use
it fine-tunes itself on its training pairs with the shared loop (`bench.models.finetune`) and saves
the result under `<cache>/nli_transfer/<data fingerprint>-<config hash>/`; every later build with the
same training pairs and settings loads that folder instead (one training per machine). The folder is
written under a lock, into a temporary name renamed into place, so a crash never leaves half a model.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from bench.embedding_cache import default_cache_dir
from bench.fileio import atomic_write_text, file_lock
from bench.labels import LABELS
from bench.models.base import PairBatch
from bench.models.cross_encoder import base_model_dir
from bench.models.device import AUTO, resolve_device
from bench.models.finetune import FineTuneSettings, fine_tune, torch_threads
from bench.models.nli_pretrained import PretrainedNLIClassifier
from bench.models.resolve import check_model_available, model_fingerprint

CACHE_SUBDIR = "nli_transfer"
INFO_FILE = "train_info.json"



def training_pairs(dataset: str, splits: Sequence[str], column: str) -> PairBatch:
    """The rows of dataset config `dataset` whose `column` is in `splits` (e.g. SICK's TRAIN)."""
    from bench.dataset import load_dataset_config

    batch = PairBatch.from_dataset(load_dataset_config(dataset).hf)
    if column not in batch.meta:
        raise ValueError(f"nli_transfer: train_split_column={column!r} is not a column of dataset {dataset!r}; "
                         f"columns: {', '.join(batch.meta)}")
    values = [str(v).strip() for v in batch.meta[column]]
    keep = [i for i, v in enumerate(values) if v in splits]
    if not keep:
        raise ValueError(f"nli_transfer: no rows of {dataset!r} have {column} in {list(splits)}; "
                         f"values found: {', '.join(sorted(set(values)))}")
    return batch.subset(keep)


def pairs_fingerprint(batch: PairBatch) -> str:
    """sha256 over the (text_a, text_b, label) rows in order: what the fine-tune sees."""
    digest = hashlib.sha256()
    for a, b, y in zip(batch.text_a, batch.text_b, batch.require_labels()):
        digest.update(json.dumps([a, b, LABELS[int(y)].value], ensure_ascii=False).encode("utf-8") + b"\n")
    return digest.hexdigest()


class NLITransferClassifier:
    """Fine-tuned once on `train_dataset` rows in `train_split`, then zero-shot on any benchmark data.

    `train_limit` keeps a seeded random subset of that many training pairs (tests use a few dozen);
    null keeps all. The cache key is the fingerprint of the pairs actually used plus a hash of the
    fine-tuning settings, seed and base-model fingerprint (not the device).
    """

    trainable: ClassVar[bool] = False

    def __init__(self, train_dataset: str = "sick", train_split: Sequence[str] = ("TRAIN",),
                 train_split_column: str = "SemEval_set", train_limit: int | None = None,
                 base_model: str | None = None, epochs: int = 2, lr: float = 1e-4, batch_size: int = 16,
                 max_length: int = 128, warmup_ratio: float = 0.1, weight_decay: float = 0.01,
                 class_weight: str | None = "balanced", freeze_embeddings: bool = True, freeze_layers: int = 0,
                 cache_dir: str | os.PathLike[str] | None = None, seed: int = 0, device: str = AUTO,
                 num_threads: int | None = None, predict_batch_size: int = 64, show_progress: bool = True) -> None:
        if isinstance(train_split, str):
            train_split = [train_split]
        if not train_split:
            raise ValueError("nli_transfer: train_split is empty; give the split values to train on, e.g. [TRAIN]")
        if train_limit is not None and train_limit < 3:
            raise ValueError(f"nli_transfer: train_limit={train_limit!r} must be >= 3 or null (all pairs)")
        self.settings = FineTuneSettings(epochs=epochs, lr=lr, batch_size=batch_size, max_length=max_length,
                                         warmup_ratio=warmup_ratio, weight_decay=weight_decay,
                                         class_weight=class_weight, freeze_embeddings=freeze_embeddings,
                                         freeze_layers=freeze_layers)
        self.train_dataset, self.train_split = str(train_dataset), [str(s) for s in train_split]
        self.train_split_column, self.train_limit = str(train_split_column), train_limit
        self.base_model, self.seed, self.device, self.num_threads = base_model, seed, device, num_threads
        self.cache_dir = Path(cache_dir) if cache_dir is not None else default_cache_dir()
        self.predict_batch_size, self.show_progress = predict_batch_size, show_progress
        check_model_available(base_model, hint="model.base_model")
        self._nli: PretrainedNLIClassifier | None = None
        self.info_: dict[str, Any] = {}
        self.trained_now_ = False

    def fit(self, train: PairBatch) -> NLITransferClassifier:
        """No-op: this model never sees benchmark labels (its training data is `train_dataset`)."""
        return self

    def training_pairs(self) -> PairBatch:
        batch = training_pairs(self.train_dataset, self.train_split, self.train_split_column)
        if self.train_limit is not None and self.train_limit < len(batch):
            keep = np.sort(np.random.default_rng(self.seed).choice(len(batch), self.train_limit, replace=False))
            batch = batch.subset(keep)
        return batch

    def config_hash(self, base_dir: str) -> str:
        key = {"settings": self.settings.as_dict(), "seed": self.seed, "base_model": model_fingerprint(base_dir)}
        return hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()

    def model_dir(self, train: PairBatch, base_dir: str) -> Path:
        """Cache folder of the fine-tuned model for these training pairs and settings."""
        return self.cache_dir / CACHE_SUBDIR / f"{pairs_fingerprint(train)[:16]}-{self.config_hash(base_dir)[:16]}"

    def _ensure_trained(self) -> Path:
        train, base = self.training_pairs(), base_model_dir(self.base_model)
        folder = self.model_dir(train, base)
        folder.parent.mkdir(parents=True, exist_ok=True)
        with file_lock(folder):
            if not (folder / INFO_FILE).is_file():
                self._train_into(folder, train, base)
        self.info_ = json.loads((folder / INFO_FILE).read_text(encoding="utf-8"))
        return folder

    def _train_into(self, folder: Path, train: PairBatch, base: str) -> None:
        device = resolve_device(self.device)
        started = time.perf_counter()
        with torch_threads(self.num_threads):
            ce, losses = fine_tune(train, self.settings, base, device, self.seed, show_progress=self.show_progress,
                                   desc=f"nli_transfer: fine-tune on {self.train_dataset}")
        tmp = folder.with_name(folder.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        ce.save(str(tmp))
        info = {"train_dataset": self.train_dataset, "train_split": self.train_split,
                "train_split_column": self.train_split_column, "train_limit": self.train_limit,
                "train_n": len(train), "train_fingerprint": pairs_fingerprint(train),
                "settings": self.settings.as_dict(), "seed": self.seed, "base_model": self.base_model,
                "trained_on_device": device, "train_seconds": round(time.perf_counter() - started, 1),
                "final_loss": losses[-1] if losses else None}
        atomic_write_text(tmp / INFO_FILE, json.dumps(info, indent=2) + "\n")
        os.replace(tmp, folder)
        self.trained_now_ = True

    def _model(self) -> PretrainedNLIClassifier:
        if self._nli is None:
            folder = self._ensure_trained()
            self._nli = PretrainedNLIClassifier(model=str(folder), batch_size=self.predict_batch_size,
                                                max_length=self.settings.max_length, device=self.device,
                                                num_threads=self.num_threads, show_progress=self.show_progress)
        return self._nli

    def predict_proba(self, pairs: PairBatch) -> np.ndarray:
        return self._model().predict_proba(pairs)

    def run_info(self) -> dict[str, Any]:
        """For the run record: device, cache folder, whether this build trained, and the training summary."""
        nli = self._nli
        info: dict[str, Any] = {"device": nli.run_info()["device"] if nli else resolve_device(self.device),
                                "requested_device": self.device, "trained_now": self.trained_now_}
        if nli is not None:
            info["model_dir"] = nli.model
        return {**info, "training": self.info_}
