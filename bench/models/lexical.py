"""Lexical baselines: what surface overlap, negation and number cues alone can do.

- `HypothesisOnlyClassifier` sees claim_b only. If it beats the majority floor, labels leak through
  the hypothesis wording (an annotation artefact, cf. hypothesis-only NLI baselines).
- `TfidfPairClassifier`: TF-IDF of both claims, their elementwise product and cosine, + LR.
- `LexicalFeatureClassifier`: hand features in the spirit of the FNC-1 baseline (overlap, refuting
  words, number/date/entity mismatch, length) + LR. `pair_features` exposes them for inspection.

Vocabularies and IDF weights are fitted on the training side only. The hand features are
`bench.models.lexical_features` (over the per-text cues of `bench.models.text_cues`).
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from bench.models.base import LinearHead, PairBatch, check_labels
from bench.models.lexical_features import pair_features, unique_index


def _tfidf(ngram_max: int, min_df: int, max_features: int | None) -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(ngram_range=(1, ngram_max), min_df=min_df, max_features=max_features,
                           sublinear_tf=True, lowercase=True, dtype=np.float32)


class _TfidfLinearModel:
    """Shared settings of the TF-IDF + logistic-regression models (vectorizer fitted per fold)."""

    trainable: ClassVar[bool] = True

    def __init__(self, seed: int = 0, C: float = 1.0, max_iter: int = 1000, class_weight: str | None = "balanced",
                 ngram_max: int = 2, min_df: int = 1, max_features: int | None = 50000) -> None:
        for name, value in (("ngram_max", ngram_max), ("min_df", min_df), ("max_iter", max_iter)):
            if value < 1:
                raise ValueError(f"model.{name}={value} is invalid; it must be >= 1")
        if max_features is not None and max_features < 1:
            raise ValueError(f"model.max_features={max_features} is invalid; use null (no cap) or a number >= 1")
        self.seed, self.ngram_max, self.min_df, self.max_features = seed, ngram_max, min_df, max_features
        self.head = LinearHead(C=C, max_iter=max_iter, class_weight=class_weight, seed=seed)
        self.vectorizer_: Any = None


class HypothesisOnlyClassifier(_TfidfLinearModel):
    """TF-IDF + LR on claim_b alone: the annotation-artefact probe (a sound benchmark keeps it near the floor)."""

    def fit(self, train: PairBatch) -> HypothesisOnlyClassifier:
        y = check_labels(train.require_labels())
        self.vectorizer_ = _tfidf(self.ngram_max, self.min_df, self.max_features)
        X = self.vectorizer_.fit_transform(train.text_b)
        self.head.fit(X, y)
        return self

    def predict_proba(self, pairs: PairBatch) -> np.ndarray:
        if self.vectorizer_ is None:
            raise RuntimeError("HypothesisOnlyClassifier.predict_proba called before fit")
        return self.head.predict_proba(self.vectorizer_.transform(pairs.text_b))


class TfidfPairClassifier(_TfidfLinearModel):
    """LR on [tfidf_a, tfidf_b, tfidf_a * tfidf_b, cosine]; the vectorizer is fitted on training texts only."""

    def _features(self, pairs: PairBatch) -> Any:
        import scipy.sparse as sp

        texts, ia, ib = unique_index(pairs.text_a, pairs.text_b)
        T = self.vectorizer_.transform(texts).tocsr()
        Ta, Tb = T[ia], T[ib]
        prod = Ta.multiply(Tb).tocsr()
        cos = np.asarray(prod.sum(axis=1), dtype=np.float32)  # rows are L2-normalised
        return sp.hstack([Ta, Tb, prod, sp.csr_matrix(cos)], format="csr")

    def fit(self, train: PairBatch) -> TfidfPairClassifier:
        y = check_labels(train.require_labels())
        self.vectorizer_ = _tfidf(self.ngram_max, self.min_df, self.max_features)
        self.vectorizer_.fit(list(dict.fromkeys([*train.text_a, *train.text_b])))
        self.head.fit(self._features(train), y)
        return self

    def predict_proba(self, pairs: PairBatch) -> np.ndarray:
        if self.vectorizer_ is None:
            raise RuntimeError("TfidfPairClassifier.predict_proba called before fit")
        return self.head.predict_proba(self._features(pairs))


class LexicalFeatureClassifier:
    """LR on hand lexical features (overlap, negation/refuting, number/date/entity mismatch, length).

    Features are standardised (scaler fitted on training pairs); the TF-IDF behind the cosine
    feature is fitted on training texts only.
    """

    trainable: ClassVar[bool] = True

    def __init__(self, seed: int = 0, C: float = 1.0, max_iter: int = 2000,
                 class_weight: str | None = "balanced") -> None:
        self.seed = seed
        self.head = LinearHead(C=C, max_iter=max_iter, class_weight=class_weight, scale=True, seed=seed)
        self.tfidf_: Any = None
        self.feature_names_: list[str] = []

    def fit(self, train: PairBatch) -> LexicalFeatureClassifier:
        y = check_labels(train.require_labels())
        self.tfidf_ = _tfidf(1, 1, None)
        self.tfidf_.fit(list(dict.fromkeys([*train.text_a, *train.text_b])))
        X, self.feature_names_ = pair_features(train.text_a, train.text_b, self.tfidf_)
        self.head.fit(X, y)
        return self

    def predict_proba(self, pairs: PairBatch) -> np.ndarray:
        if self.tfidf_ is None:
            raise RuntimeError("LexicalFeatureClassifier.predict_proba called before fit")
        X, _ = pair_features(pairs.text_a, pairs.text_b, self.tfidf_)
        return self.head.predict_proba(X)
