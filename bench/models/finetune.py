"""The one cross-encoder fine-tuning loop, shared by `cross_encoder_ft` (per fold) and `nli_transfer`
(once, on an NLI corpus), plus the torch helpers both cross-encoder families use.

A plain AdamW loop (linear warm-up then decay, grad-norm clipping at 1, optional class-balanced loss)
rather than the HF Trainer: nothing is written to disk, and `torch.manual_seed(seed)` before the head
is created plus a seeded shuffle make two fits with the same seed give the same weights (on one device).
The head's `id2label` holds our label names, so a saved model reloads with `PretrainedNLIClassifier`.
torch is imported inside the functions, after `prepare_torch_import()`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from bench.labels import LABEL_NAMES, NUM_LABELS
from bench.models.base import PairBatch, check_labels
from bench.models.resolve import prepare_torch_import


@dataclass(frozen=True)
class FineTuneSettings:
    """Every knob of the loop; `asdict` of it is part of nli_transfer's cache key."""

    epochs: int = 2
    lr: float = 1e-4
    batch_size: int = 16
    max_length: int = 128
    warmup_ratio: float = 0.1
    weight_decay: float = 0.01
    class_weight: str | None = "balanced"
    freeze_embeddings: bool = True
    freeze_layers: int = 0

    def __post_init__(self) -> None:
        for name, value, ok in (("epochs", self.epochs, self.epochs >= 1), ("lr", self.lr, self.lr > 0),
                                ("batch_size", self.batch_size, self.batch_size >= 1),
                                ("max_length", self.max_length, self.max_length >= 8),
                                ("warmup_ratio", self.warmup_ratio, 0 <= self.warmup_ratio < 1),
                                ("freeze_layers", self.freeze_layers, self.freeze_layers >= 0)):
            if not ok:
                raise ValueError(f"fine-tuning: {name}={value!r} is out of range")
        if self.class_weight not in (None, "balanced"):
            raise ValueError(f"fine-tuning: class_weight={self.class_weight!r}; valid: null, 'balanced'")

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def default_threads() -> int:
    """OMP_NUM_THREADS when set (joblib workers get 1), else the cores this process may run on
    (respects taskset / cgroup cpusets, unlike os.cpu_count)."""
    env = os.environ.get("OMP_NUM_THREADS", "")
    if env.isdigit() and int(env) > 0:
        return int(env)
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - macOS / Windows
        return max(1, os.cpu_count() or 1)


@contextmanager
def torch_threads(n: int | None) -> Iterator[None]:
    """Run torch on `n` intra-op threads (None: all allowed cores) and restore the old setting after."""
    prepare_torch_import()
    import torch

    previous = torch.get_num_threads()
    torch.set_num_threads(n if n is not None else default_threads())
    try:
        yield
    finally:
        torch.set_num_threads(previous)


@contextmanager
def quiet_new_head() -> Iterator[None]:
    """Silence the expected "classifier weights newly initialized" report and weight-loading bars.

    Used only when a fresh head is created on purpose (fine-tuning); loading a pretrained NLI model
    keeps the warnings, where missing weights would signal a real problem.
    """
    import logging

    from transformers.utils import logging as hf_logging

    level, bars = hf_logging.get_verbosity(), hf_logging.is_progress_bar_enabled()
    st_logger = logging.getLogger("sentence_transformers")
    st_level = st_logger.level
    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    st_logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        hf_logging.set_verbosity(level)
        if bars:
            hf_logging.enable_progress_bar()
        st_logger.setLevel(st_level)


def raw_logits(ce: Any, pairs: PairBatch, batch_size: int, show_progress: bool) -> np.ndarray:
    """Logits of a CrossEncoder with no activation (whatever activation the saved config names)."""
    import torch

    if len(pairs) == 0:
        return np.zeros((0, ce.num_labels))
    out = ce.predict(list(zip(pairs.text_a, pairs.text_b)), batch_size=batch_size, activation_fn=torch.nn.Identity(),
                     apply_softmax=False, convert_to_numpy=True, show_progress_bar=show_progress)
    return np.asarray(out, dtype=np.float64).reshape(len(pairs), -1)


def length_bucketed_batches(lengths: np.ndarray, batch_size: int, rng: np.random.Generator) -> list[np.ndarray]:
    """Shuffled batches of similar-length pairs (less padding): shuffle, sort within windows of 8
    batches by length, cut into batches, shuffle the batch order. Deterministic given `rng`."""
    order = rng.permutation(len(lengths))
    window = batch_size * 8
    batches: list[np.ndarray] = []
    for start in range(0, len(order), window):
        chunk = order[start:start + window]
        chunk = chunk[np.argsort(lengths[chunk], kind="stable")]
        batches.extend(chunk[i:i + batch_size] for i in range(0, len(chunk), batch_size))
    return [batches[i] for i in rng.permutation(len(batches))]


def _freeze(model: Any, settings: FineTuneSettings) -> None:
    """Freeze the token table and/or the lowest `freeze_layers` transformer layers."""
    if settings.freeze_embeddings:
        # the 30k x 384 token table is half of MiniLM's weights: freezing it cuts ~20% of the step
        # time on CPU and keeps a few hundred pairs from drifting rare-token vectors
        model.get_input_embeddings().weight.requires_grad_(False)
    if settings.freeze_layers:
        layers = model.base_model.encoder.layer
        if settings.freeze_layers > len(layers):
            raise ValueError(f"fine-tuning: freeze_layers={settings.freeze_layers} but the model has "
                             f"{len(layers)} transformer layers")
        for layer in layers[:settings.freeze_layers]:
            layer.requires_grad_(False)


def _optimizer(model: Any, settings: FineTuneSettings) -> Any:
    import torch

    no_decay = ("bias", "LayerNorm.weight", "layernorm", "layer_norm")
    trainable = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
    groups = [
        {"params": [p for n, p in trainable if not any(k in n for k in no_decay)], "weight_decay": settings.weight_decay},
        {"params": [p for n, p in trainable if any(k in n for k in no_decay)], "weight_decay": 0.0},
    ]
    return torch.optim.AdamW(groups, lr=settings.lr)


def fine_tune(train: PairBatch, settings: FineTuneSettings, base_dir: str, device: str, seed: int,
              show_progress: bool = True, desc: str = "fine-tune cross-encoder") -> tuple[Any, list[float]]:
    """A CrossEncoder with a fresh 3-way head on `base_dir`, fine-tuned on `train`; (model, step losses).

    Call inside `torch_threads(...)`. The model is left in eval mode on `device`.
    """
    prepare_torch_import()
    import torch
    from sentence_transformers import CrossEncoder
    from transformers import get_linear_schedule_with_warmup

    from bench.progress import progress_bar

    y = check_labels(train.require_labels())
    torch.manual_seed(seed)  # the new classification head and dropout draw from this
    rng = np.random.default_rng(seed)
    with quiet_new_head():
        ce = CrossEncoder(base_dir, num_labels=NUM_LABELS, max_length=settings.max_length, device=device,
                          local_files_only=True,
                          config_kwargs={"id2label": dict(enumerate(LABEL_NAMES)),
                                         "label2id": {n: i for i, n in enumerate(LABEL_NAMES)}})
    model, tokenizer = ce.model, ce.tokenizer
    _freeze(model, settings)
    weight = None
    if settings.class_weight == "balanced":
        counts = np.bincount(y, minlength=NUM_LABELS).astype(np.float64)
        w = np.where(counts > 0, len(y) / (NUM_LABELS * np.maximum(counts, 1)), 0.0)
        weight = torch.tensor(w, dtype=torch.float32, device=ce.device)
    loss_fn = torch.nn.CrossEntropyLoss(weight=weight)
    optimizer = _optimizer(model, settings)
    lengths = np.array([len(a) + len(b) for a, b in zip(train.text_a, train.text_b)])
    total = -(-len(y) // settings.batch_size) * settings.epochs
    scheduler = get_linear_schedule_with_warmup(optimizer, int(settings.warmup_ratio * total), total)
    model.train()
    losses: list[float] = []
    with progress_bar(total, desc=desc, unit="step", enabled=show_progress, leave=False) as bar:
        for _ in range(settings.epochs):
            for idx in length_bucketed_batches(lengths, settings.batch_size, rng):
                enc = tokenizer([train.text_a[i] for i in idx], [train.text_b[i] for i in idx], padding=True,
                                truncation=True, max_length=settings.max_length, return_tensors="pt").to(ce.device)
                loss = loss_fn(model(**enc).logits, torch.as_tensor(y[idx], dtype=torch.long, device=ce.device))
                loss.backward()
                torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
                optimizer.step()
                scheduler.step()
                optimizer.zero_grad(set_to_none=True)
                losses.append(float(loss.detach()))
                bar.set_postfix(loss=f"{losses[-1]:.3f}")
                bar.update(1)
    model.eval()
    return ce, losses
