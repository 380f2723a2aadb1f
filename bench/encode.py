"""Sentence embeddings for every bi-encoder model, each unique text encoded once, cached on disk.

Why a cache: a LOSO run re-encodes the same claims in every fold and every bi-encoder config;
with the cache only the first fold of the first run pays, and a run whose texts are all cached
never even loads the model (it is loaded lazily, on the first miss).

The vectors are stored by `bench.embedding_cache`; the model folder comes from
`bench.models.resolve`. This module imports no torch: sentence_transformers is imported only when
a model must be loaded.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from bench.embedding_cache import EMBEDDINGS_DIR, EmbeddingStore, default_cache_dir, text_key
from bench.models.device import resolve_device
from bench.models.resolve import default_encoder_path, local_model_dir, model_fingerprint

FLUSH_EVERY = 4096  # texts per written chunk while encoding (an interrupted run keeps its progress)


class Encoder:
    """Encode texts with a sentence-transformers bi-encoder: unique texts once, batched, cached on disk.

    `model`: a local folder or a hub name (None: the bundled all-MiniLM-L6-v2). The model is loaded on
    the first cache miss only. `cache_dir=None` uses `default_cache_dir()`; `use_cache=False` skips the
    disk entirely. `normalize` L2-normalises the vectors (cosine = dot product); `max_seq_length` None
    keeps the model's own; both options are part of the cache key. `device`: "auto" (cuda, then mps,
    then cpu) or a torch device name, resolved when the model loads (`device_`).
    """

    def __init__(self, model: str | None = None, *, cache_dir: str | os.PathLike[str] | None = None,
                 batch_size: int = 64, normalize: bool = True, max_seq_length: int | None = None,
                 device: str = "auto", show_progress: bool = True, use_cache: bool = True,
                 hint: str = "model.encoder") -> None:
        if batch_size < 1:
            raise ValueError(f"batch_size={batch_size!r} must be >= 1")
        if max_seq_length is not None and max_seq_length < 1:
            raise ValueError(f"max_seq_length={max_seq_length!r} must be >= 1 or None (the model's own)")
        self.model_name = model
        self.cache_dir = Path(cache_dir) if cache_dir is not None else default_cache_dir()
        self.batch_size, self.normalize, self.max_seq_length = batch_size, normalize, max_seq_length
        self.device, self.show_progress, self.use_cache, self.hint = device, show_progress, use_cache, hint
        self._model: Any = None
        self.device_: str | None = None  # the resolved device, once the model is loaded
        self._model_dir: Path | None = None
        self._store: EmbeddingStore | None = None

    @property
    def model_dir(self) -> Path:
        if self._model_dir is None:
            if self.model_name is None:
                self._model_dir = Path(default_encoder_path())
            else:
                self._model_dir = local_model_dir(self.model_name, hint=self.hint)
        return self._model_dir

    @property
    def options(self) -> dict[str, Any]:
        """Everything besides the model and the text that changes a vector: part of the cache key."""
        return {"normalize": bool(self.normalize), "max_seq_length": self.max_seq_length, "dtype": "float32"}

    @property
    def store(self) -> EmbeddingStore:
        if self._store is None:
            self._store = EmbeddingStore(
                root=self.cache_dir / EMBEDDINGS_DIR,
                fingerprint=model_fingerprint(self.model_dir),
                options=self.options,
                meta={"model": self.model_name or "bundled:all-MiniLM-L6-v2", "model_dir": str(self.model_dir)},
            )
        return self._store

    def _load_model(self) -> Any:
        """Load the SentenceTransformer (the only place torch is imported); tests monkeypatch this."""
        self.device_ = resolve_device(self.device)  # imports torch (after prepare_torch_import)
        from sentence_transformers import SentenceTransformer

        model = SentenceTransformer(str(self.model_dir), device=self.device_)
        if self.max_seq_length is not None:
            model.max_seq_length = self.max_seq_length
        return model

    @property
    def model(self) -> Any:
        if self._model is None:
            self._model = self._load_model()
        return self._model

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """(len(texts), dim) float32 rows in input order; duplicates and cached texts are not re-encoded."""
        texts = list(texts)
        for i, t in enumerate(texts):
            if not isinstance(t, str):
                raise TypeError(f"text {i} is {type(t).__name__} ({t!r}), not str")
        index: dict[str, int] = {}
        inverse = np.fromiter((index.setdefault(t, len(index)) for t in texts), dtype=np.int64, count=len(texts))
        unique = list(index)
        if not unique:
            return np.zeros((0, 0), dtype=np.float32)
        keys = np.array([text_key(t) for t in unique], dtype="S64")
        vectors: np.ndarray | None = None
        found = np.zeros(len(unique), dtype=bool)
        if self.use_cache:
            found, cached = self.store.lookup(keys)
            if cached is not None:
                vectors = np.empty((len(unique), cached.shape[1]), dtype=np.float32)
                vectors[found] = cached
        missing = np.flatnonzero(~found)
        if len(missing):
            fresh = self._encode_missing([unique[i] for i in missing], keys[missing])
            if vectors is None:
                vectors = np.empty((len(unique), fresh.shape[1]), dtype=np.float32)
            vectors[missing] = fresh
        assert vectors is not None
        return vectors[inverse]

    def _encode_missing(self, texts: list[str], keys: np.ndarray) -> np.ndarray:
        from bench.progress import progress_bar

        model = self.model
        order = np.argsort([-len(t) for t in texts], kind="stable")  # similar lengths share a batch: less padding
        out: np.ndarray | None = None
        pending: list[int] = []
        with progress_bar(total=len(texts), desc=f"encode {Path(str(self.model_dir)).name}", unit="text",
                          enabled=self.show_progress, leave=False) as bar:
            for start in range(0, len(texts), self.batch_size):
                idx = order[start:start + self.batch_size]
                emb = np.asarray(model.encode([texts[i] for i in idx], batch_size=self.batch_size,
                                              normalize_embeddings=self.normalize, convert_to_numpy=True,
                                              show_progress_bar=False), dtype=np.float32)
                if out is None:
                    out = np.empty((len(texts), emb.shape[1]), dtype=np.float32)
                out[idx] = emb
                pending.extend(idx.tolist())
                if self.use_cache and len(pending) >= FLUSH_EVERY:
                    self.store.add(keys[pending], out[pending])
                    pending = []
                bar.update(len(idx))
        assert out is not None
        if self.use_cache and pending:
            self.store.add(keys[pending], out[pending])
        return out


