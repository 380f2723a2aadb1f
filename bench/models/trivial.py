"""Floor baselines that look only at the training label distribution, never at the text.

Every real model must beat both: `MajorityClassifier` (always the most frequent training label) and
`StratifiedClassifier` (a random label drawn in training proportions).
"""

from __future__ import annotations

import hashlib
from typing import ClassVar

import numpy as np

from bench.labels import NUM_LABELS
from bench.models.base import PairBatch, check_labels


def _prior(labels: np.ndarray) -> np.ndarray:
    counts = np.bincount(check_labels(labels), minlength=NUM_LABELS).astype(np.float64)
    return counts / counts.sum()


class MajorityClassifier:
    """Always the most frequent training label (ties: the lowest class id, as argmax does).

    `predict_proba` returns the training class distribution on every row: its argmax is the
    majority label (same tie rule), and unlike a one-hot row it is the best-calibrated constant
    prediction, so probability-based metrics see an honest floor rather than an overconfident one.
    A class absent from training gets probability 0.
    """

    trainable: ClassVar[bool] = True

    def __init__(self, seed: int = 0) -> None:
        self.seed = seed  # unused: nothing is random; kept so every model takes `seed`
        self.prior_: np.ndarray | None = None

    def fit(self, train: PairBatch) -> MajorityClassifier:
        self.prior_ = _prior(train.require_labels())
        return self

    @property
    def majority_(self) -> int:
        if self.prior_ is None:
            raise RuntimeError("MajorityClassifier.predict_proba called before fit")
        return int(np.argmax(self.prior_))

    def predict_proba(self, pairs: PairBatch) -> np.ndarray:
        if self.prior_ is None:
            raise RuntimeError("MajorityClassifier.predict_proba called before fit")
        return np.tile(self.prior_, (len(pairs), 1))


class StratifiedClassifier:
    """A random label per pair, drawn with the training class proportions.

    `predict_proba` is the drawn label as a one-hot row. Returning the class distribution instead
    would make every row's argmax the majority label, i.e. silently turn this into
    `MajorityClassifier`; the one-hot row is what a random guesser actually predicts.

    The draw for a pair is a hash of (seed, text_a, text_b), not a position in a random stream, so a
    pair gets the same uniform number whatever the batch order or fold it appears in, and the same
    seed gives the same predictions.
    """

    trainable: ClassVar[bool] = True

    def __init__(self, seed: int = 0) -> None:
        self.seed = seed
        self.prior_: np.ndarray | None = None

    def fit(self, train: PairBatch) -> StratifiedClassifier:
        self.prior_ = _prior(train.require_labels())
        return self

    def _uniforms(self, pairs: PairBatch) -> np.ndarray:
        salt = str(self.seed).encode()
        out = np.empty(len(pairs), dtype=np.float64)
        for i, (a, b) in enumerate(zip(pairs.text_a, pairs.text_b)):
            digest = hashlib.blake2b(a.encode() + b"\x00" + b.encode(), digest_size=8, key=salt[:64]).digest()
            out[i] = int.from_bytes(digest, "little") / 2.0**64
        return out

    def predict_proba(self, pairs: PairBatch) -> np.ndarray:
        if self.prior_ is None:
            raise RuntimeError("StratifiedClassifier.predict_proba called before fit")
        cdf = np.cumsum(self.prior_)
        cdf[-1] = 1.0  # guard against rounding: every uniform in [0, 1) lands in a class
        drawn = np.searchsorted(cdf, self._uniforms(pairs), side="right")
        # side="right" never picks a zero-probability class: its cdf step is empty
        out = np.zeros((len(pairs), NUM_LABELS))
        out[np.arange(len(pairs)), np.minimum(drawn, NUM_LABELS - 1)] = 1.0
        return out
