"""`cross_encoder_ft`: both claims read jointly by one transformer, fine-tuned in every fold.

A 3-way classification head on the bundled MiniLM (or `base_model`), trained from scratch on each
fold's training pairs only, by the shared loop in `bench.models.finetune`. A base model that cannot
be found raises `ModelNotFoundError` at construction, so a run fails before its first fold.
"""

from __future__ import annotations

import os
from typing import Any, ClassVar

import numpy as np

from bench.models.base import PairBatch, softmax
from bench.models.device import AUTO, resolve_device
from bench.models.finetune import FineTuneSettings, fine_tune, raw_logits, torch_threads
from bench.models.resolve import ModelNotFoundError, check_model_available, default_encoder_path, local_model_dir

__all__ = ["FineTunedCrossEncoder", "ModelNotFoundError", "base_model_dir"]


def base_model_dir(base_model: str | None, hint: str = "model.base_model") -> str:
    """The folder to start fine-tuning from: the bundled MiniLM when `base_model` is None."""
    return default_encoder_path() if base_model is None else str(local_model_dir(base_model, hint=hint))


class FineTunedCrossEncoder:
    """CrossEncoder (num_labels=3) seeded from the bundled MiniLM, fine-tuned per fold.

    Two fits with the same seed on the same device give the same weights; `save` writes a folder
    that `PretrainedNLIClassifier` reloads (the head carries our label names).
    """

    trainable: ClassVar[bool] = True

    def __init__(self, base_model: str | None = None, epochs: int = 2, lr: float = 1e-4, batch_size: int = 16,
                 max_length: int = 128, warmup_ratio: float = 0.1, weight_decay: float = 0.01,
                 class_weight: str | None = "balanced", freeze_embeddings: bool = True, freeze_layers: int = 0,
                 seed: int = 0, device: str = AUTO, num_threads: int | None = None, predict_batch_size: int = 64,
                 show_progress: bool = True, max_train_pairs: int | None = None) -> None:
        if max_train_pairs is not None and (isinstance(max_train_pairs, bool) or int(max_train_pairs) < 3):
            raise ValueError(f"model.max_train_pairs={max_train_pairs!r}; use a whole number >= 3, or null for all")
        self.settings = FineTuneSettings(epochs=epochs, lr=lr, batch_size=batch_size, max_length=max_length,
                                         warmup_ratio=warmup_ratio, weight_decay=weight_decay,
                                         class_weight=class_weight, freeze_embeddings=freeze_embeddings,
                                         freeze_layers=freeze_layers)
        self.base_model, self.seed, self.device, self.num_threads = base_model, seed, device, num_threads
        self.predict_batch_size, self.show_progress = predict_batch_size, show_progress
        self.max_train_pairs = max_train_pairs
        check_model_available(base_model, hint="model.base_model")
        self.model_: Any = None
        self.device_: str | None = None
        self.losses_: list[float] = []

    def fit(self, train: PairBatch) -> FineTunedCrossEncoder:
        train = self._capped(train)
        base = base_model_dir(self.base_model)
        self.device_ = resolve_device(self.device)
        with torch_threads(self.num_threads):
            self.model_, self.losses_ = fine_tune(train, self.settings, base, self.device_, self.seed,
                                                  show_progress=self.show_progress)
        return self

    def _capped(self, train: PairBatch) -> PairBatch:
        """At most `max_train_pairs` training pairs, a seeded sample stratified by label: fine-tuning
        cost grows with the pairs, and the settings were chosen at that size (on SICK)."""
        cap = self.max_train_pairs
        if cap is None or len(train) <= cap:
            return train
        from sklearn.model_selection import train_test_split

        labels = train.require_labels()
        counts = np.bincount(labels)
        stratify = labels if counts[counts > 0].min() >= 2 else None
        keep, _ = train_test_split(np.arange(len(train)), train_size=int(cap), stratify=stratify, random_state=self.seed)
        return train.subset(np.sort(keep))

    def predict_proba(self, pairs: PairBatch) -> np.ndarray:
        if self.model_ is None:
            raise RuntimeError("FineTunedCrossEncoder.predict_proba called before fit")
        with torch_threads(self.num_threads):
            return softmax(raw_logits(self.model_, pairs, self.predict_batch_size, self.show_progress))

    def save(self, path: str | os.PathLike[str]) -> None:
        """Save the fine-tuned model (sentence-transformers format); reload with PretrainedNLIClassifier."""
        if self.model_ is None:
            raise RuntimeError("FineTunedCrossEncoder.save called before fit")
        self.model_.save(str(path))

    def run_info(self) -> dict[str, Any]:
        """For the run record: the device the model trained on (resolved now if it has not run yet)."""
        return {"device": self.device_ or resolve_device(self.device), "requested_device": self.device}
