"""The one interface every model implements, and the batch of pairs it sees.

A model is anything with `fit(train)` and `predict_proba(pairs)`: a Protocol, not a base class.
`predict_proba` returns an (n, 3) float array whose columns follow `bench.labels.LABELS`
(entails, contradicts, unrelated) and whose rows sum to 1, even when the training side of a fold
lacked a class (that column is then 0 or a small smoothed value, never missing).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, runtime_checkable

import numpy as np

from bench.labels import NUM_LABELS

if TYPE_CHECKING:  # pragma: no cover
    import datasets


@dataclass(frozen=True)
class PairBatch:
    """Texts of the premise (a) and hypothesis (b) claims, with integer labels when known.

    Kept as plain lists/arrays (not a `datasets.Dataset`) so models stay fast on 100k pairs and
    need no Arrow. `labels` holds class ids in `LABELS` order, or is None at prediction time.
    """

    text_a: list[str]
    text_b: list[str]
    labels: np.ndarray | None = None
    meta: dict[str, list[Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if len(self.text_a) != len(self.text_b):
            raise ValueError(
                f"text_a has {len(self.text_a)} rows but text_b has {len(self.text_b)}"
            )
        if self.labels is not None and len(self.labels) != len(self.text_a):
            raise ValueError(f"labels has {len(self.labels)} rows but texts have {len(self.text_a)}")

    def __len__(self) -> int:
        return len(self.text_a)

    def subset(self, index: np.ndarray | list[int]) -> PairBatch:
        idx = np.asarray(index, dtype=np.int64)
        return PairBatch(
            text_a=[self.text_a[i] for i in idx],
            text_b=[self.text_b[i] for i in idx],
            labels=None if self.labels is None else np.asarray(self.labels)[idx],
            meta={k: [v[i] for i in idx] for k, v in self.meta.items()},
        )

    def without_labels(self) -> PairBatch:
        return PairBatch(self.text_a, self.text_b, None, self.meta)

    def require_labels(self) -> np.ndarray:
        if self.labels is None:
            raise ValueError("this PairBatch has no labels; fit() needs labelled pairs")
        return np.asarray(self.labels, dtype=np.int64)

    @classmethod
    def from_dataset(cls, ds: datasets.Dataset) -> PairBatch:
        meta_cols = [c for c in ds.column_names if c not in ("text_a", "text_b", "label")]  # ids, sources, extras
        return cls(
            text_a=list(ds["text_a"]),
            text_b=list(ds["text_b"]),
            labels=np.asarray(ds["label"], dtype=np.int64) if "label" in ds.column_names else None,
            meta={c: list(ds[c]) for c in meta_cols},
        )


@runtime_checkable
class PairClassifier(Protocol):
    """fit on labelled pairs, then give a probability row over the three labels per pair."""

    #: False for zero-shot models (fit is a no-op); the runner then predicts every pair once.
    trainable: ClassVar[bool]

    def fit(self, train: PairBatch) -> PairClassifier: ...

    def predict_proba(self, pairs: PairBatch) -> np.ndarray: ...

    # Optional, not part of the runtime check: `prepare(pairs)` is called once, on the whole
    # dataset WITHOUT labels, before the first fold. Label-free work that every fold would repeat
    # (encoding each unique text into the embedding cache) goes there; nothing learnt may.


def softmax(logits: np.ndarray) -> np.ndarray:
    """Row-wise softmax in float64, shifted by the row maximum so large logits cannot overflow."""
    z = np.asarray(logits, dtype=np.float64)
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def full_proba(partial: np.ndarray, classes_seen: np.ndarray) -> np.ndarray:
    """Spread an (n, k) probability matrix over classes `classes_seen` into (n, 3).

    scikit-learn estimators only emit columns for classes present in training; a LOSO fold can lack
    one. Missing classes get probability 0.
    """
    out = np.zeros((partial.shape[0], NUM_LABELS), dtype=np.float64)
    out[:, np.asarray(classes_seen, dtype=np.int64)] = partial
    return out


def check_labels(labels: np.ndarray, where: str = "fit") -> np.ndarray:
    """Class ids as int64, refusing anything outside 0..2 (a label map bug would otherwise train silently)."""
    y = np.asarray(labels, dtype=np.int64)
    bad = sorted({int(v) for v in np.unique(y) if not 0 <= v < NUM_LABELS})
    if bad:
        raise ValueError(f"{where}: label ids {bad} are outside 0..{NUM_LABELS - 1} (LABELS order)")
    if y.size == 0:
        raise ValueError(f"{where}: the training side is empty; a model needs at least one labelled pair")
    return y


class LinearHead:
    """LogisticRegression over a feature matrix that always answers with three columns.

    Shared by the lexical and embedding models. A fold whose training side holds a single class
    cannot fit an LR (scikit-learn refuses); the head then predicts that class with probability 1.
    scikit-learn is imported here, not at module level, so `bench.models.base` stays light.
    """

    def __init__(self, *, C: float = 1.0, max_iter: int = 1000, class_weight: str | None = "balanced",
                 scale: bool = False, seed: int = 0) -> None:
        if C <= 0:
            raise ValueError(f"C={C!r} must be > 0 (inverse regularisation strength)")
        if class_weight not in (None, "balanced"):
            raise ValueError(f"class_weight={class_weight!r}; valid: null, 'balanced'")
        self.C, self.max_iter, self.class_weight, self.scale, self.seed = C, max_iter, class_weight, scale, seed
        self._lr: Any = None
        self._scaler: Any = None
        self._constant: int | None = None

    def fit(self, X: Any, y: np.ndarray) -> LinearHead:
        y = check_labels(y)
        classes = np.unique(y)
        if classes.size == 1:
            self._constant, self._lr, self._scaler = int(classes[0]), None, None
            return self
        from sklearn.linear_model import LogisticRegression
        from sklearn.preprocessing import StandardScaler
        from threadpoolctl import threadpool_limits

        self._constant = None
        # one BLAS/OpenMP thread: these problems are small, and multi-threaded BLAS on a busy 2-core
        # machine was measured 10x slower (spin-waiting), besides being less reproducible
        with threadpool_limits(1):
            if self.scale:
                self._scaler = StandardScaler(with_mean=not _is_sparse(X))
                X = self._scaler.fit_transform(X)
            self._lr = LogisticRegression(C=self.C, max_iter=self.max_iter, class_weight=self.class_weight,
                                          random_state=self.seed)
            self._lr.fit(X, y)
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        n = X.shape[0]
        if self._constant is not None:
            out = np.zeros((n, NUM_LABELS))
            out[:, self._constant] = 1.0
            return out
        if self._lr is None:
            raise RuntimeError("predict_proba called before fit")
        from threadpoolctl import threadpool_limits

        with threadpool_limits(1):
            if self._scaler is not None:
                X = self._scaler.transform(X)
            return full_proba(self._lr.predict_proba(X), self._lr.classes_)


def _is_sparse(X: Any) -> bool:
    return hasattr(X, "tocsr")
