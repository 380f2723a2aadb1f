"""A ready NLI cross-encoder used zero-shot, and the by-name mapping of its output columns to our labels.

Output columns are mapped through `config.id2label` (never by position), so a model whose head says
CONTRADICTION / ENTAILMENT / NEUTRAL in any order scores correctly. Also reused by `nli_transfer`,
whose saved fine-tuned model carries our own label names. torch and sentence_transformers are
imported inside the methods, after `prepare_torch_import()` (see `bench.models.resolve`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np

from bench.labels import LABEL_NAMES, LABELS, NUM_LABELS, LabelError, parse
from bench.models.base import PairBatch, softmax
from bench.models.device import AUTO, resolve_device
from bench.models.finetune import raw_logits, torch_threads
from bench.models.resolve import check_model_available, local_model_dir, prepare_torch_import

__all__ = ["DEFAULT_LABEL_NAMES", "PretrainedNLIClassifier", "map_columns", "mapped_proba"]

#: model label names (lower-cased) understood without a label_map
DEFAULT_LABEL_NAMES: dict[str, str] = {
    "entailment": "entails", "entails": "entails", "entail": "entails",
    "contradiction": "contradicts", "contradicts": "contradicts", "contradict": "contradicts",
    "neutral": "unrelated", "unrelated": "unrelated",
}


def map_columns(id2label: Mapping[Any, str], label_map: Mapping[str, str] | None = None,
                model: str = "the model") -> list[int]:
    """For each model output column (in id order), the index of our label it feeds.

    Names are matched case-insensitively: first against `label_map` (model label -> our label), then
    against `DEFAULT_LABEL_NAMES`. Several columns may feed one label (their probabilities add up);
    a label we never receive gets probability 0.
    """
    names = {int(k): str(v) for k, v in id2label.items()}
    if sorted(names) != list(range(len(names))):
        raise ValueError(f"{model}: config.id2label keys {sorted(names)} are not 0..{len(names) - 1}")
    user: dict[str, int] = {}
    for key, target in (label_map or {}).items():
        try:
            user[str(key).strip().lower()] = parse(str(target), where=f"label_map[{key!r}]").class_id
        except LabelError as exc:
            raise ValueError(f"{model}: {exc}") from None
    model_labels = [names[i] for i in range(len(names))]
    unknown = sorted(set(user) - {n.strip().lower() for n in model_labels})
    if unknown:
        raise ValueError(f"{model}: label_map keys {unknown} are not labels of this model; its labels "
                         f"(config.id2label): {', '.join(model_labels)}")
    columns = []
    for j, label in enumerate(model_labels):
        key = label.strip().lower()
        if key in user:
            columns.append(user[key])
        elif key in DEFAULT_LABEL_NAMES:
            columns.append(LABELS.index(parse(DEFAULT_LABEL_NAMES[key])))
        else:
            raise ValueError(
                f"{model}: output column {j} is labelled {label!r} (config.id2label), which maps to none of "
                f"our labels; pass model.label_map='{{{label}: <target>}}' with <target> one of "
                f"{', '.join(LABEL_NAMES)} (all labels of this model: {', '.join(model_labels)})"
            )
    return columns


class PretrainedNLIClassifier:
    """A pretrained NLI cross-encoder, zero-shot (`trainable = False`: fit is a no-op).

    `model` is a local folder or a hub name; offline, only a folder (or the local HF cache) works and
    a miss raises `ModelNotFoundError` saying where to point `model.model`. Output columns are mapped
    to our labels through `config.id2label` (entailment -> entails, contradiction -> contradicts,
    neutral -> unrelated, case-insensitive), overridable with `label_map`. Probabilities: softmax
    over the logits, then columns moved (and summed, if several map to one label) into LABELS order.
    """

    trainable: ClassVar[bool] = False

    def __init__(self, model: str = "cross-encoder/nli-deberta-v3-xsmall", label_map: Mapping[str, str] | None = None,
                 batch_size: int = 32, max_length: int | None = None, seed: int = 0, device: str = AUTO,
                 num_threads: int | None = None, show_progress: bool = True) -> None:
        if not model or not str(model).strip():
            raise ValueError("PretrainedNLIClassifier: model is empty; give a local folder or a hub name "
                             "(model.model=/path/to/dir)")
        self.model = str(model)
        self.label_map = None if label_map is None else {str(k): str(v) for k, v in dict(label_map).items()}
        self.batch_size, self.max_length, self.seed = batch_size, max_length, seed  # seed unused: no randomness
        self.device, self.num_threads, self.show_progress = device, num_threads, show_progress
        self.device_: str | None = None
        check_model_available(self.model, hint="model.model")  # a missing model fails before any fold runs
        self._ce: Any = None
        self.columns_: list[int] | None = None

    def fit(self, train: PairBatch) -> PretrainedNLIClassifier:
        return self

    def _load(self) -> Any:
        if self._ce is None:
            folder = local_model_dir(self.model, hint="model.model")  # fails fast, before importing torch
            prepare_torch_import()
            from sentence_transformers import CrossEncoder

            self.device_ = resolve_device(self.device)
            ce = CrossEncoder(str(folder), device=self.device_, max_length=self.max_length, local_files_only=True)
            if ce.num_labels < 2:
                raise ValueError(f"model {self.model!r} has {ce.num_labels} output (a relevance score, not NLI "
                                 "labels); use an NLI cross-encoder with entailment/contradiction/neutral outputs")
            self.columns_ = map_columns(ce.model.config.id2label, self.label_map, model=repr(self.model))
            self._ce = ce
        return self._ce

    def predict_proba(self, pairs: PairBatch) -> np.ndarray:
        ce = self._load()
        assert self.columns_ is not None
        with torch_threads(self.num_threads):
            return mapped_proba(raw_logits(ce, pairs, self.batch_size, self.show_progress), self.columns_)

    def run_info(self) -> dict[str, Any]:
        """For the run record: the device the model ran on (resolved now if it has not run yet)."""
        return {"device": self.device_ or resolve_device(self.device), "requested_device": self.device}


def mapped_proba(logits: np.ndarray, columns: list[int]) -> np.ndarray:
    """Softmax over the model's columns, then each column added into the label it maps to."""
    proba = softmax(logits)
    out = np.zeros((len(logits), NUM_LABELS))
    for j, column in enumerate(columns):
        out[:, column] += proba[:, j]
    return out
