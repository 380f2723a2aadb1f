"""Where the perf suite plugs into the models: the stand-in encoder behind the real Encoder.

`StandinEncoder` subclasses `bench.encode.Encoder`, so the harness path stays the real one (unique
texts once, batching, the on-disk cache with its own shard); only the network behind it changes.
Its shard key is the stand-in's name, dim and seed, never MiniLM's fingerprint, so stand-in vectors
can never be served to a MiniLM run from a shared cache.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

from bench.embedding_cache import EMBEDDINGS_DIR, EmbeddingStore
from bench.encode import Encoder


class StandinEncoder(Encoder):
    """The real Encoder (cache included) with a cheap deterministic network; see bench.perf.standin."""

    def __init__(self, standin: Any, *, cache_dir: str | os.PathLike[str] | None = None, batch_size: int = 64,
                 use_cache: bool = True) -> None:
        super().__init__(None, cache_dir=cache_dir, batch_size=batch_size, normalize=True, show_progress=False,
                         use_cache=use_cache)
        self.standin = standin
        self._model_dir = Path(f"standin-{standin.name}")  # names the progress bar; nothing is read from it

    @property
    def store(self) -> EmbeddingStore:
        if self._store is None:
            ident = f"standin:{self.standin.name}:dim={self.standin.dim}:seed={self.standin.seed}"
            self._store = EmbeddingStore(root=self.cache_dir / EMBEDDINGS_DIR,
                                         fingerprint=hashlib.sha256(ident.encode()).hexdigest(),
                                         options=self.options, meta={"model": ident, "model_dir": "(none)"})
        return self._store

    def _load_model(self) -> Any:
        return self.standin


def attach_encoder(model: Any, standin: Any) -> Any:
    """Give a bi-encoder model (`bench.models.embedding`) the stand-in behind a real Encoder."""
    if not hasattr(model, "_get_encoder"):
        raise TypeError(f"{type(model).__name__} is not a bi-encoder model (no _get_encoder); "
                        "the stand-in encoder applies to sbert_lr and sbert_cosine only")
    model._encoder = StandinEncoder(standin, cache_dir=model.cache_dir, batch_size=model.batch_size)
    return model
