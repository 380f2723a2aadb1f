"""Bi-encoder baselines: each claim embedded on its own (sentence-transformers), then compared.

- `SbertCosineClassifier`: only the cosine of the two embeddings, cut by two thresholds.
- `SbertLRClassifier`: logistic regression on [u, v, |u - v|, u * v] (the InferSent/SBERT pair features).

Embeddings come from `bench.encode.Encoder` (unique texts once, disk cache shared by both models:
both use L2-normalised vectors, so they hit the same cache shard). Everything fitted -- thresholds,
temperature, LR weights -- sees only the training side of a fold. torch is imported by the encoder,
and only when a text is not cached.
"""

from __future__ import annotations

import itertools
import os
from typing import Any, ClassVar

import numpy as np

from bench.encode import Encoder
from bench.labels import LABELS, NUM_LABELS, Label
from bench.models.base import LinearHead, PairBatch, check_labels, softmax
from bench.models.device import AUTO
from bench.models.resolve import check_model_available


class _BiEncoderModel:
    """Shared plumbing: a lazily built Encoder and the (u, v) embeddings of a batch."""

    def __init__(self, encoder: str | None, cache_dir: str | os.PathLike[str] | None, batch_size: int,
                 max_seq_length: int | None, show_progress: bool, device: str) -> None:
        self.encoder, self.cache_dir, self.batch_size = encoder, cache_dir, batch_size
        self.max_seq_length, self.show_progress, self.device = max_seq_length, show_progress, device
        self._encoder: Encoder | None = None
        check_model_available(encoder, hint="model.encoder")  # fail before any fold runs, not inside one

    def _get_encoder(self) -> Encoder:
        if self._encoder is None:
            self._encoder = Encoder(self.encoder, cache_dir=self.cache_dir, batch_size=self.batch_size,
                                    normalize=True, max_seq_length=self.max_seq_length,
                                    device=self.device, show_progress=self.show_progress, hint="model.encoder")
        return self._encoder

    def run_info(self) -> dict[str, Any]:
        """For the run record: the device that encoded texts; None when every text came from the cache
        (the model was never loaded)."""
        used = self._encoder.device_ if self._encoder is not None else None
        return {"device": used, "requested_device": self.device}

    def prepare(self, pairs: PairBatch) -> None:
        """Encode every unique text of the dataset once, before the folds (labels are never seen):
        each fold's fit/predict then reads the cache instead of encoding its share in two passes."""
        self._get_encoder().encode(list(dict.fromkeys([*pairs.text_a, *pairs.text_b])))

    def _embed(self, pairs: PairBatch) -> tuple[np.ndarray, np.ndarray]:
        n = len(pairs)
        both = self._get_encoder().encode([*pairs.text_a, *pairs.text_b])  # one call: shared texts once
        return both[:n], both[n:]


# ---------------------------------------------------------------------------------------------
# Cosine thresholds

#: orderings of the labels along the cosine axis, (low, middle, high); the intuitive one first so it
#: wins ties. Negated or number-swapped claims often sit *closer* than paraphrases, hence the search.
ORDERINGS: tuple[tuple[int, int, int], ...] = tuple(
    sorted(((a, b, c) for a, b, c in itertools.permutations(range(NUM_LABELS))),
           key=lambda o: o != (Label.UNRELATED.class_id, Label.CONTRADICTS.class_id, Label.ENTAILS.class_id))
)
_BELOW, _ABOVE = -2.0, 2.0  # thresholds outside [-1, 1]: an empty low or high segment


def fit_thresholds(cos: np.ndarray, y: np.ndarray, n_grid: int = 200) -> tuple[tuple[int, int, int], float, float, float]:
    """Grid search of (ordering, t_low, t_high) maximising macro-F1 on (cos, y).

    Candidate thresholds are midpoints between consecutive distinct cosines at up to `n_grid`
    quantiles, plus the two sentinels (empty segments allowed, e.g. when a class is absent).
    Counting via cumulative class counts makes this O(n log n + n_grid^2), so it scales to 100k pairs.
    Macro-F1 averages over the classes present in `y`. Returns (ordering, t_low, t_high, macro_f1).
    """
    y = check_labels(y, "fit_thresholds")
    values = np.unique(cos)
    mids = (values[1:] + values[:-1]) / 2 if len(values) > 1 else np.zeros(0)
    if len(mids) > n_grid:
        mids = mids[np.unique(np.linspace(0, len(mids) - 1, n_grid).round().astype(int))]
    cuts = np.concatenate([[_BELOW], mids, [_ABOVE]])
    order = np.argsort(cos, kind="stable")
    sorted_cos, sorted_y = cos[order], y[order]
    onehot = np.eye(NUM_LABELS)[sorted_y]
    cum = np.vstack([np.zeros(NUM_LABELS), np.cumsum(onehot, axis=0)])  # cum[k] = counts of the first k
    below = cum[np.searchsorted(sorted_cos, cuts, side="right")]  # (K, 3) counts with cos <= cut
    total = cum[-1]
    present = total > 0
    low = below[:, None, :]  # (K, 1, 3): cos <= t_low
    high = (total - below)[None, :, :]  # (1, K, 3): cos > t_high (ties are measure-zero at midpoints)
    mid = np.maximum(below[None, :, :] - below[:, None, :], 0)  # t_low < cos <= t_high
    valid = np.arange(len(cuts))[:, None] <= np.arange(len(cuts))[None, :]
    best: tuple[float, tuple[int, int, int], int, int] = (-1.0, ORDERINGS[0], 0, len(cuts) - 1)
    for ordering in ORDERINGS:
        f1 = np.zeros((len(cuts), len(cuts)))
        for segment, cls in zip((low, mid, high), ordering):
            if not present[cls]:
                continue
            seg = np.broadcast_to(segment, (len(cuts), len(cuts), NUM_LABELS))
            tp, predicted = seg[..., cls], seg.sum(axis=-1)
            f1 += 2 * tp / (predicted + total[cls])
        f1 = np.where(valid, f1 / present.sum(), -1.0)
        r, c = np.unravel_index(np.argmax(f1), f1.shape)
        if f1[r, c] > best[0] + 1e-12:
            best = (float(f1[r, c]), ordering, int(r), int(c))
    score, ordering, low_cut, high_cut = best
    return ordering, float(cuts[low_cut]), float(cuts[high_cut]), score


def threshold_logits(cos: np.ndarray, ordering: tuple[int, int, int], t_low: float, t_high: float,
                     scale: float) -> np.ndarray:
    """Logits whose argmax is exactly the threshold rule: low class below t_low, high above t_high."""
    z = np.zeros((len(cos), NUM_LABELS))
    low, mid, high = ordering
    z[:, low] = scale * (t_low - cos)
    z[:, high] = scale * (cos - t_high)
    z[:, mid] = 0.0
    return z


class SbertCosineClassifier(_BiEncoderModel):
    """Cosine of bi-encoder embeddings cut by two thresholds fitted on the training side.

    Rule: cosine above `t_high` -> the high class, below `t_low` -> the low class, between -> the middle
    class; by default (unrelated, contradicts, entails) from low to high, but all six orderings are
    searched and the best training macro-F1 wins. Probabilities are a softmax around the thresholds
    (logits `s*(t_low - cos)`, `0`, `s*(cos - t_high)`) with one temperature `s` fitted by training
    log-loss: unlike an LR on the cosine, whose argmax would choose its own cut points, this keeps the
    scored label (argmax) equal to the fitted threshold rule. Hence no `C` / `max_iter` here.
    """

    trainable: ClassVar[bool] = True

    def __init__(self, encoder: str | None = None, cache_dir: str | os.PathLike[str] | None = None,
                 batch_size: int = 64, seed: int = 0, n_thresholds: int = 200,
                 max_seq_length: int | None = None, show_progress: bool = True, device: str = AUTO) -> None:
        super().__init__(encoder, cache_dir, batch_size, max_seq_length, show_progress, device)
        if n_thresholds < 1:
            raise ValueError(f"n_thresholds={n_thresholds!r} must be >= 1")
        self.seed, self.n_thresholds = seed, n_thresholds  # seed unused: the grid search is exhaustive
        self.ordering_: tuple[int, int, int] | None = None
        self.t_low_ = self.t_high_ = self.scale_ = self.train_macro_f1_ = float("nan")

    @staticmethod
    def cosine(u: np.ndarray, v: np.ndarray) -> np.ndarray:
        return np.clip(np.einsum("ij,ij->i", u, v), -1.0, 1.0)  # rows are L2-normalised

    def fit(self, train: PairBatch) -> SbertCosineClassifier:
        y = check_labels(train.require_labels())
        cos = self.cosine(*self._embed(train))
        self.ordering_, self.t_low_, self.t_high_, self.train_macro_f1_ = fit_thresholds(cos, y, self.n_thresholds)
        scales = np.logspace(0, 3.5, 71)  # temperature grid: 1 .. ~3000 per unit of cosine
        nll = [-np.mean(np.log(softmax(threshold_logits(cos, self.ordering_, self.t_low_, self.t_high_, s))
                               [np.arange(len(y)), y] + 1e-12)) for s in scales]
        self.scale_ = float(scales[int(np.argmin(nll))])
        return self

    @property
    def thresholds_(self) -> dict[str, Any]:
        """The fitted rule in words, for logs and the run record."""
        if self.ordering_ is None:
            return {}
        names = [LABELS[c].value for c in self.ordering_]
        return {"low": names[0], "middle": names[1], "high": names[2], "t_low": self.t_low_,
                "t_high": self.t_high_, "scale": self.scale_, "train_macro_f1": self.train_macro_f1_}

    def predict_proba(self, pairs: PairBatch) -> np.ndarray:
        if self.ordering_ is None:
            raise RuntimeError("SbertCosineClassifier.predict_proba called before fit")
        cos = self.cosine(*self._embed(pairs))
        return softmax(threshold_logits(cos, self.ordering_, self.t_low_, self.t_high_, self.scale_))


class SbertLRClassifier(_BiEncoderModel):
    """Logistic regression on [u, v, |u - v|, u * v] of L2-normalised bi-encoder embeddings."""

    trainable: ClassVar[bool] = True

    def __init__(self, encoder: str | None = None, cache_dir: str | os.PathLike[str] | None = None,
                 batch_size: int = 64, seed: int = 0, C: float = 1.0, max_iter: int = 1000,
                 class_weight: str | None = "balanced", max_seq_length: int | None = None,
                 show_progress: bool = True, device: str = AUTO) -> None:
        super().__init__(encoder, cache_dir, batch_size, max_seq_length, show_progress, device)
        self.seed = seed
        self.head = LinearHead(C=C, max_iter=max_iter, class_weight=class_weight, seed=seed)
        self._fitted = False

    @staticmethod
    def pair_features(u: np.ndarray, v: np.ndarray) -> np.ndarray:
        return np.hstack([u, v, np.abs(u - v), u * v])

    def fit(self, train: PairBatch) -> SbertLRClassifier:
        y = check_labels(train.require_labels())
        self.head.fit(self.pair_features(*self._embed(train)), y)
        self._fitted = True
        return self

    def predict_proba(self, pairs: PairBatch) -> np.ndarray:
        if not self._fitted:
            raise RuntimeError("SbertLRClassifier.predict_proba called before fit")
        return self.head.predict_proba(self.pair_features(*self._embed(pairs)))
