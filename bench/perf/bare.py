"""The bare-library baselines the harness is measured against: what a user would write by hand.

No bench code runs inside the timed parts here (the data is handed in as plain lists): only
sentence-transformers, scikit-learn and numpy, doing the same work as the harness -- encode each
unique text once, one LogisticRegression per leave-one-source-out fold, a pair's row the mean of
its two folds; or one `CrossEncoder.predict` over all pairs. Thread settings follow the harness
(one BLAS thread for the LR, torch's default threads for the transformer), so that a ratio measures
harness overhead and not a thread setting.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np


def loso_masks(source_a: Sequence[str], source_b: Sequence[str], event: Sequence[str]) -> list[np.ndarray]:
    """Test masks of leave-one-source-out (leave-one-event-out when there are several events)."""
    events = np.asarray(event)
    if len({e for e in event if e}) > 1:
        return [events == e for e in sorted(set(event))]
    sa, sb = np.asarray(source_a), np.asarray(source_b)
    return [(sa == s) | (sb == s) for s in sorted(set(source_a) | set(source_b))]


def sbert_lr_loso(text_a: list[str], text_b: list[str], labels: np.ndarray, masks: list[np.ndarray],
                  model_dir: str, *, batch_size: int, max_seq_length: int | None, C: float, max_iter: int,
                  class_weight: str | None, seed: int) -> np.ndarray:
    """Out-of-fold probabilities of LR on [u, v, |u-v|, u*v] of normalised MiniLM embeddings."""
    from sentence_transformers import SentenceTransformer
    from sklearn.linear_model import LogisticRegression
    from threadpoolctl import threadpool_limits

    model = SentenceTransformer(model_dir, device="cpu")
    if max_seq_length is not None:
        model.max_seq_length = max_seq_length
    unique = list(dict.fromkeys([*text_a, *text_b]))
    row = {t: i for i, t in enumerate(unique)}
    emb = model.encode(unique, batch_size=batch_size, normalize_embeddings=True, convert_to_numpy=True,
                       show_progress_bar=False).astype(np.float32)
    u = emb[[row[t] for t in text_a]]
    v = emb[[row[t] for t in text_b]]
    X = np.hstack([u, v, np.abs(u - v), u * v])
    y = np.asarray(labels)
    total = np.zeros((len(y), 3))
    count = np.zeros(len(y))
    for test in masks:
        train = ~test
        classes = np.unique(y[train])
        if len(classes) == 1:  # LogisticRegression refuses one class: predict it
            proba = np.zeros((int(test.sum()), 3))
            proba[:, classes[0]] = 1.0
        else:
            # one BLAS thread, as the harness's LinearHead does: the comparison is about harness
            # overhead, not about a thread setting (2 BLAS threads on a busy 2-core box run ~2-10x slower)
            with threadpool_limits(1):
                lr = LogisticRegression(C=C, max_iter=max_iter, class_weight=class_weight, random_state=seed)
                lr.fit(X[train], y[train])
                proba = np.zeros((int(test.sum()), 3))
                proba[:, lr.classes_] = lr.predict_proba(X[test])
        total[test] += proba
        count[test] += 1
    return total / count[:, None]


def cross_encoder_predict(model: Any, text_a: list[str], text_b: list[str], batch_size: int) -> np.ndarray:
    """Softmax probabilities of a loaded `CrossEncoder` over (a, b) pairs, in its own label order."""
    return np.asarray(model.predict(list(zip(text_a, text_b)), batch_size=batch_size, apply_softmax=True,
                                    convert_to_numpy=True, show_progress_bar=False))
