"""Cosine similarity between claim texts: TF-IDF (scikit-learn) or a sentence embedding.

TF-IDF is the default everywhere (stats' hard-negative rule, `suggest`): it is fast, needs no
model and does not import torch. The embedding path imports sentence-transformers only inside
`embedding_vectors`, so only `--method embedding` pays for torch.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

TFIDF_DESCRIPTION = "TF-IDF cosine (unigrams, lowercased, accents stripped, English stop words removed, IDF fit on all claim texts)"
METHODS = ("tfidf", "embedding")


def tfidf_vectors(texts: Sequence[str]) -> Any:
    """L2-normalised TF-IDF rows (scipy sparse), one per text; all-zero rows if no word survives."""
    from scipy.sparse import csr_matrix
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(lowercase=True, strip_accents="unicode", stop_words="english")
    try:
        return vectorizer.fit_transform(list(texts))
    except ValueError:  # empty vocabulary: every text is stop words / punctuation
        return csr_matrix((len(texts), 1), dtype=np.float64)


def embedding_vectors(texts: Sequence[str]) -> np.ndarray:
    """L2-normalised embeddings from the bundled all-MiniLM-L6-v2 (imports torch), through the shared
    `bench.encode.Encoder` (unique texts once, on-disk cache)."""
    from bench.encode import Encoder

    vectors = np.asarray(Encoder(show_progress=len(texts) > 256).encode(list(texts)), dtype=np.float64)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms == 0, 1.0, norms)


def vectors_for(texts: Sequence[str], method: str = "tfidf") -> Any:
    if method == "tfidf":
        return tfidf_vectors(texts)
    if method == "embedding":
        return embedding_vectors(texts)
    raise ValueError(f"unknown similarity method {method!r}; use one of: {', '.join(METHODS)}")


def block_cosine(vectors: Any, rows: Sequence[int], cols: Sequence[int]) -> np.ndarray:
    """Dense (len(rows), len(cols)) cosine block of L2-normalised vectors."""
    block = vectors[list(rows)] @ vectors[list(cols)].T
    return np.asarray(block.todense() if hasattr(block, "todense") else block, dtype=np.float64)


def pair_cosine(vectors: Any, a: Sequence[int], b: Sequence[int]) -> np.ndarray:
    """Cosine of row a[i] with row b[i], for each i."""
    if not len(a):
        return np.zeros(0)
    left, right = vectors[list(a)], vectors[list(b)]
    if hasattr(left, "multiply"):
        return np.asarray(left.multiply(right).sum(axis=1)).ravel().astype(np.float64)
    return np.einsum("ij,ij->i", left, right).astype(np.float64)
