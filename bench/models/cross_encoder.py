"""Cross-encoders: both claims read jointly by one transformer.

- `FineTunedCrossEncoder`: a 3-way classification head on the bundled MiniLM (or `base_model`),
  fine-tuned from scratch in every fold on that fold's training pairs only.
- `PretrainedNLIClassifier`: a ready NLI cross-encoder used zero-shot; its output columns are
  mapped to our labels by name (`config.id2label`), never by position.

A model that cannot be found (a missing folder, or a hub name neither cached nor reachable) raises
`ModelNotFoundError` at construction, so a run fails before its first fold. torch and
sentence_transformers are imported inside the methods that need them, after `prepare_torch_import()`
(idle OpenMP threads sleep instead of spinning; see `bench.models.resolve`).
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any, ClassVar

import numpy as np

from bench.labels import LABEL_NAMES, LABELS, NUM_LABELS, LabelError, parse
from bench.models.base import PairBatch, check_labels, softmax
from bench.models.resolve import (
    ModelNotFoundError,
    check_model_available,
    default_encoder_path,
    local_model_dir,
    prepare_torch_import,
)

__all__ = ["FineTunedCrossEncoder", "ModelNotFoundError", "PretrainedNLIClassifier", "map_columns",
           "DEFAULT_LABEL_NAMES"]

#: model label names (lower-cased) understood without a label_map
DEFAULT_LABEL_NAMES: dict[str, str] = {
    "entailment": "entails", "entails": "entails", "entail": "entails",
    "contradiction": "contradicts", "contradicts": "contradicts", "contradict": "contradicts",
    "neutral": "unrelated", "unrelated": "unrelated",
}


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


def _raw_logits(ce: Any, pairs: PairBatch, batch_size: int, show_progress: bool) -> np.ndarray:
    """Logits of a CrossEncoder with no activation (whatever activation the saved config names)."""
    import torch

    if len(pairs) == 0:
        return np.zeros((0, ce.num_labels))
    out = ce.predict(list(zip(pairs.text_a, pairs.text_b)), batch_size=batch_size, activation_fn=torch.nn.Identity(),
                     apply_softmax=False, convert_to_numpy=True, show_progress_bar=show_progress)
    return np.asarray(out, dtype=np.float64).reshape(len(pairs), -1)


def _length_bucketed_batches(lengths: np.ndarray, batch_size: int, rng: np.random.Generator) -> list[np.ndarray]:
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


class FineTunedCrossEncoder:
    """CrossEncoder (num_labels=3) seeded from the bundled MiniLM, fine-tuned per fold.

    A plain AdamW loop (linear warmup then decay, grad-norm clipping at 1, optional class-balanced
    loss) rather than the HF Trainer: nothing is written to disk, and `torch.manual_seed(seed)` before
    the head is created plus a seeded shuffle make two fits with the same seed give the same weights.
    The head's `id2label` holds our label names, so a saved model reloads with `PretrainedNLIClassifier`.
    """

    trainable: ClassVar[bool] = True

    def __init__(self, base_model: str | None = None, epochs: int = 2, lr: float = 1e-4, batch_size: int = 16,
                 max_length: int = 128, warmup_ratio: float = 0.1, weight_decay: float = 0.01,
                 class_weight: str | None = "balanced", freeze_embeddings: bool = True, seed: int = 0,
                 num_threads: int | None = None, predict_batch_size: int = 64, show_progress: bool = True) -> None:
        for name, value, ok in (("epochs", epochs, epochs >= 1), ("lr", lr, lr > 0),
                                ("batch_size", batch_size, batch_size >= 1), ("max_length", max_length, max_length >= 8),
                                ("warmup_ratio", warmup_ratio, 0 <= warmup_ratio < 1)):
            if not ok:
                raise ValueError(f"FineTunedCrossEncoder: {name}={value!r} is out of range")
        if class_weight not in (None, "balanced"):
            raise ValueError(f"FineTunedCrossEncoder: class_weight={class_weight!r}; valid: null, 'balanced'")
        self.base_model, self.epochs, self.lr, self.batch_size = base_model, epochs, lr, batch_size
        self.max_length, self.warmup_ratio, self.weight_decay = max_length, warmup_ratio, weight_decay
        self.class_weight, self.freeze_embeddings = class_weight, freeze_embeddings
        self.seed, self.num_threads = seed, num_threads
        self.predict_batch_size, self.show_progress = predict_batch_size, show_progress
        check_model_available(base_model, hint="model.base_model")
        self.model_: Any = None
        self.losses_: list[float] = []

    def _base_dir(self) -> str:
        if self.base_model is None:
            return default_encoder_path()
        return str(local_model_dir(self.base_model, hint="model.base_model"))

    def fit(self, train: PairBatch) -> FineTunedCrossEncoder:
        prepare_torch_import()
        import torch
        from sentence_transformers import CrossEncoder
        from tqdm.auto import tqdm
        from transformers import get_linear_schedule_with_warmup

        y = check_labels(train.require_labels())
        base = self._base_dir()
        with torch_threads(self.num_threads):
            torch.manual_seed(self.seed)  # the new classification head and dropout draw from this
            rng = np.random.default_rng(self.seed)
            with quiet_new_head():
                ce = CrossEncoder(base, num_labels=NUM_LABELS, max_length=self.max_length, device="cpu",
                                  local_files_only=True,
                                  config_kwargs={"id2label": dict(enumerate(LABEL_NAMES)),
                                                 "label2id": {n: i for i, n in enumerate(LABEL_NAMES)}})
            model, tokenizer = ce.model, ce.tokenizer
            if self.freeze_embeddings:
                # the 30k x 384 token table is half of MiniLM's weights: freezing it cuts ~20% of the step
                # time on CPU and keeps a few hundred pairs from drifting rare-token vectors
                model.get_input_embeddings().weight.requires_grad_(False)
            weight = None
            if self.class_weight == "balanced":
                counts = np.bincount(y, minlength=NUM_LABELS).astype(np.float64)
                w = np.where(counts > 0, len(y) / (NUM_LABELS * np.maximum(counts, 1)), 0.0)
                weight = torch.tensor(w, dtype=torch.float32)
            loss_fn = torch.nn.CrossEntropyLoss(weight=weight)
            no_decay = ("bias", "LayerNorm.weight", "layernorm", "layer_norm")
            trainable = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
            groups = [
                {"params": [p for n, p in trainable if not any(k in n for k in no_decay)],
                 "weight_decay": self.weight_decay},
                {"params": [p for n, p in trainable if any(k in n for k in no_decay)], "weight_decay": 0.0},
            ]
            optimizer = torch.optim.AdamW(groups, lr=self.lr)
            lengths = np.array([len(a) + len(b) for a, b in zip(train.text_a, train.text_b)])
            steps_per_epoch = -(-len(y) // self.batch_size)
            total = steps_per_epoch * self.epochs
            scheduler = get_linear_schedule_with_warmup(optimizer, int(self.warmup_ratio * total), total)
            model.train()
            self.losses_ = []
            with tqdm(total=total, desc="fine-tune cross-encoder", unit="step", disable=not self.show_progress,
                      leave=False) as bar:
                for _ in range(self.epochs):
                    for idx in _length_bucketed_batches(lengths, self.batch_size, rng):
                        enc = tokenizer([train.text_a[i] for i in idx], [train.text_b[i] for i in idx],
                                        padding=True, truncation=True, max_length=self.max_length,
                                        return_tensors="pt")
                        logits = model(**enc).logits
                        loss = loss_fn(logits, torch.as_tensor(y[idx], dtype=torch.long))
                        loss.backward()
                        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
                        optimizer.step()
                        scheduler.step()
                        optimizer.zero_grad(set_to_none=True)
                        self.losses_.append(float(loss.detach()))
                        bar.set_postfix(loss=f"{self.losses_[-1]:.3f}")
                        bar.update(1)
            model.eval()
        self.model_ = ce
        return self

    def predict_proba(self, pairs: PairBatch) -> np.ndarray:
        if self.model_ is None:
            raise RuntimeError("FineTunedCrossEncoder.predict_proba called before fit")
        with torch_threads(self.num_threads):
            return softmax(_raw_logits(self.model_, pairs, self.predict_batch_size, self.show_progress))

    def save(self, path: str | os.PathLike[str]) -> None:
        """Save the fine-tuned model (sentence-transformers format); reload with PretrainedNLIClassifier."""
        if self.model_ is None:
            raise RuntimeError("FineTunedCrossEncoder.save called before fit")
        self.model_.save(str(path))


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
                 batch_size: int = 32, max_length: int | None = None, seed: int = 0,
                 num_threads: int | None = None, show_progress: bool = True) -> None:
        if not model or not str(model).strip():
            raise ValueError("PretrainedNLIClassifier: model is empty; give a local folder or a hub name "
                             "(model.model=/path/to/dir)")
        self.model = str(model)
        self.label_map = None if label_map is None else {str(k): str(v) for k, v in dict(label_map).items()}
        self.batch_size, self.max_length, self.seed = batch_size, max_length, seed  # seed unused: no randomness
        self.num_threads, self.show_progress = num_threads, show_progress
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

            ce = CrossEncoder(str(folder), device="cpu", max_length=self.max_length, local_files_only=True)
            if ce.num_labels < 2:
                raise ValueError(f"model {self.model!r} has {ce.num_labels} output (a relevance score, not NLI "
                                 "labels); use an NLI cross-encoder with entailment/contradiction/neutral outputs")
            self.columns_ = map_columns(ce.model.config.id2label, self.label_map, model=repr(self.model))
            self._ce = ce
        return self._ce

    def predict_proba(self, pairs: PairBatch) -> np.ndarray:
        ce = self._load()
        with torch_threads(self.num_threads):
            proba = softmax(_raw_logits(ce, pairs, self.batch_size, self.show_progress))
        assert self.columns_ is not None
        out = np.zeros((len(pairs), NUM_LABELS))
        for j, column in enumerate(self.columns_):
            out[:, column] += proba[:, j]
        return out
