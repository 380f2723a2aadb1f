"""A cheap deterministic stand-in for the MiniLM bi-encoder, for scaling runs at 10k-100k pairs.

MiniLM on 2 CPU cores encodes roughly a hundred short texts a second, so 20k unique claims would
measure the transformer, not the harness. The stand-in keeps what matters for the harness (unique
texts in, one dense L2-normalised float32 vector of the same width out, deterministic) at a cost
linear in the number of tokens: word uni+bigrams are hashed into 2^18 buckets (scikit-learn's
HashingVectorizer) and projected to `dim` dimensions by a fixed seeded sparse random projection
(Achlioptas), which approximately preserves cosine similarity between the bag-of-n-gram vectors.
Its embeddings carry lexical overlap, not meaning: scores with it say nothing about MiniLM.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

N_FEATURES = 2**18


class HashingProjectionEncoder:
    """texts -> (n, dim) float32, rows L2-normalised; same texts and seed, same vectors."""

    name = "hashing-projection"

    def __init__(self, dim: int = 384, seed: int = 0) -> None:
        if dim < 1:
            raise ValueError(f"dim={dim} must be >= 1")
        self.dim, self.seed = dim, seed
        self._hasher: Any = None
        self._projection: Any = None

    def _build(self) -> None:
        import scipy.sparse as sp
        from sklearn.feature_extraction.text import HashingVectorizer

        self._hasher = HashingVectorizer(n_features=N_FEATURES, ngram_range=(1, 2), alternate_sign=True,
                                         norm="l2", dtype=np.float32)
        # Sparse Achlioptas projection: each hashed feature maps to +-1 on `nnz` random dimensions.
        rng = np.random.default_rng(self.seed)
        nnz = 8
        rows = np.repeat(np.arange(N_FEATURES), nnz)
        cols = rng.integers(self.dim, size=N_FEATURES * nnz)
        vals = rng.choice(np.array([-1.0, 1.0], dtype=np.float32), size=N_FEATURES * nnz) / np.sqrt(nnz)
        self._projection = sp.csr_matrix((vals.astype(np.float32), (rows, cols)), shape=(N_FEATURES, self.dim))

    def encode(self, texts: Sequence[str], **_: Any) -> np.ndarray:
        """Embeddings of `texts` in order (extra keyword arguments of SentenceTransformer.encode are ignored)."""
        if self._hasher is None:
            self._build()
        if len(texts) == 0:
            return np.zeros((0, self.dim), dtype=np.float32)
        dense = np.asarray((self._hasher.transform(list(texts)) @ self._projection).todense(), dtype=np.float32)
        norms = np.linalg.norm(dense, axis=1, keepdims=True)
        np.divide(dense, norms, out=dense, where=norms > 0)
        return dense
