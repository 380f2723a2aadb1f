"""The on-disk embedding cache: one shard per (model fingerprint, encode options), and its admin.

Layout under `<cache_dir>/embeddings/`:

    <shard>/meta.json          model name, resolved folder, fingerprint, options, dim
    <shard>/<chunk>.emb.npy    float32 (n, dim) rows, written first
    <shard>/<chunk>.keys.npy   sha256 hex of each row's text (S64), written last: it commits the chunk
    <shard>.lock               filelock held for every read and write of the shard

A shard is one (model fingerprint, encode options) pair: `<fingerprint[:16]>-<sha256(options)[:12]>`.
Chunks are immutable; every file is written to a temp name and `os.replace`d, so a crash leaves either
a whole chunk or none. Readers and writers of a shard take its file lock, so concurrent runs (e.g. a
joblib sweep) never see a chunk being compacted or cleared. Many small chunks are merged once there
are more than `COMPACT_AT`.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from bench.fileio import atomic_write_bytes, atomic_write_text

EMBEDDINGS_DIR = "embeddings"
COMPACT_AT = 32  # merge a shard's chunks once it holds more than this many
LOCK_TIMEOUT_S = 120.0


def default_cache_dir() -> Path:
    """`$CLAIMBENCH_CACHE` or `.cache/claimbench`: the same default as `paths.cache` in configs/run.yaml."""
    return Path(os.environ.get("CLAIMBENCH_CACHE") or ".cache/claimbench")


def text_key(text: str) -> bytes:
    """Cache key of one text: sha256 hex of its exact UTF-8 bytes (no normalisation: the model sees it raw)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest().encode("ascii")


# ---------------------------------------------------------------------------------------------
# The on-disk store


def _options_hash(options: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(options, sort_keys=True).encode()).hexdigest()[:12]


@contextmanager
def _locked(lock_path: Path) -> Iterator[None]:
    from filelock import FileLock

    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(lock_path), timeout=LOCK_TIMEOUT_S):
        yield


def _save_npy(path: Path, array: np.ndarray) -> None:
    import io

    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    atomic_write_bytes(path, buffer.getvalue())


@dataclass
class EmbeddingStore:
    """One shard of the cache: the embeddings of one model under one set of encode options."""

    root: Path  # <cache_dir>/embeddings
    fingerprint: str
    options: dict[str, Any]
    meta: dict[str, Any]

    @property
    def name(self) -> str:
        return f"{self.fingerprint[:16]}-{_options_hash(self.options)}"

    @property
    def dir(self) -> Path:
        return self.root / self.name

    @property
    def lock_path(self) -> Path:
        return self.root / f"{self.name}.lock"

    def _chunks(self) -> list[str]:
        if not self.dir.is_dir():
            return []
        return sorted(p.name[: -len(".keys.npy")] for p in self.dir.glob("*.keys.npy"))

    def lookup(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        """For S64 `keys`: a found mask, and the found rows' embeddings (in key order) or None."""
        found = np.zeros(len(keys), dtype=bool)
        with _locked(self.lock_path):
            chunks = self._chunks()
            if not chunks or len(keys) == 0:
                return found, None
            all_keys, chunk_of, row_of = [], [], []
            for c, chunk in enumerate(chunks):
                k = np.load(self.dir / f"{chunk}.keys.npy", allow_pickle=False)
                all_keys.append(k)
                chunk_of.append(np.full(len(k), c, dtype=np.int64))
                row_of.append(np.arange(len(k), dtype=np.int64))
            cat = np.concatenate(all_keys)
            order = np.argsort(cat, kind="stable")
            sorted_keys = cat[order]
            pos = np.searchsorted(sorted_keys, keys)
            pos_clipped = np.minimum(pos, len(sorted_keys) - 1)
            found = sorted_keys[pos_clipped] == keys
            hit = order[pos_clipped[found]]
            hit_chunk, hit_row = np.concatenate(chunk_of)[hit], np.concatenate(row_of)[hit]
            out: np.ndarray | None = None
            for c in np.unique(hit_chunk):
                emb = np.load(self.dir / f"{chunks[c]}.emb.npy", mmap_mode="r", allow_pickle=False)
                if out is None:
                    out = np.empty((int(found.sum()), emb.shape[1]), dtype=np.float32)
                sel = hit_chunk == c
                out[sel] = emb[hit_row[sel]]
            return found, out

    def add(self, keys: np.ndarray, embeddings: np.ndarray) -> None:
        """Commit one immutable chunk (embeddings first, keys last), then compact if there are many."""
        if len(keys) == 0:
            return
        if len(keys) != len(embeddings):
            raise ValueError(f"{len(keys)} keys but {len(embeddings)} embedding rows")
        with _locked(self.lock_path):
            self.dir.mkdir(parents=True, exist_ok=True)
            meta_path = self.dir / "meta.json"
            if not meta_path.exists():
                meta = {**self.meta, "fingerprint": self.fingerprint, "options": self.options,
                        "dim": int(embeddings.shape[1]), "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
                atomic_write_text(meta_path, json.dumps(meta, indent=2, sort_keys=True) + "\n")
            self._write_chunk(np.asarray(keys, dtype="S64"), np.asarray(embeddings, dtype=np.float32))
            chunks = self._chunks()
            if len(chunks) > COMPACT_AT:
                self._compact(chunks)

    def _write_chunk(self, keys: np.ndarray, embeddings: np.ndarray) -> str:
        chunk = f"{time.time_ns():020d}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        _save_npy(self.dir / f"{chunk}.emb.npy", embeddings)
        _save_npy(self.dir / f"{chunk}.keys.npy", keys)  # its presence commits the chunk
        return chunk

    def _compact(self, chunks: list[str]) -> None:
        """Merge all chunks into one (first occurrence of a key wins). Caller holds the lock."""
        keys = [np.load(self.dir / f"{c}.keys.npy", allow_pickle=False) for c in chunks]
        embs = [np.load(self.dir / f"{c}.emb.npy", allow_pickle=False) for c in chunks]
        cat_keys = np.concatenate(keys)
        _, first = np.unique(cat_keys, return_index=True)
        first.sort()
        self._write_chunk(cat_keys[first], np.concatenate(embs)[first])
        for c in chunks:  # the keys file goes first: a chunk without keys is invisible
            (self.dir / f"{c}.keys.npy").unlink(missing_ok=True)
            (self.dir / f"{c}.emb.npy").unlink(missing_ok=True)


# ---------------------------------------------------------------------------------------------
# Inspection and clearing (used by `bench cache info|clear`)


def _shard_dirs(cache_dir: Path) -> list[Path]:
    root = cache_dir / EMBEDDINGS_DIR
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))


def _read_meta(shard: Path) -> dict[str, Any]:
    try:
        return dict(json.loads((shard / "meta.json").read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return {}


def _dir_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def cache_info(cache_dir: str | os.PathLike[str] | None = None) -> dict[str, Any]:
    """What the embedding cache holds: per shard the model, options, row count, dim and bytes."""
    root = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    shards = []
    for shard in _shard_dirs(root):
        meta = _read_meta(shard)
        n = 0
        for keys in shard.glob("*.keys.npy"):
            try:
                n += int(np.load(keys, mmap_mode="r", allow_pickle=False).shape[0])
            except (OSError, ValueError):
                continue  # removed by a concurrent compaction
        shards.append({
            "shard": shard.name,
            "model": meta.get("model", "?"),
            "model_dir": meta.get("model_dir", "?"),
            "fingerprint": meta.get("fingerprint", "?"),
            "options": meta.get("options", {}),
            "dim": meta.get("dim"),
            "embeddings": n,
            "chunks": len(list(shard.glob("*.keys.npy"))),
            "bytes": _dir_bytes(shard),
        })
    return {
        "dir": str(root),
        "exists": root.is_dir(),
        "shards": shards,
        "embeddings": sum(s["embeddings"] for s in shards),
        "bytes": sum(s["bytes"] for s in shards),
    }


def _matches(model: str, shard: Path, meta: dict[str, Any]) -> bool:
    candidates = {str(meta.get("model", "")), str(meta.get("model_dir", ""))}
    if model in candidates or str(Path(model).expanduser().resolve()) in candidates:
        return True
    fingerprint = str(meta.get("fingerprint", ""))
    return len(model) >= 8 and (fingerprint.startswith(model) or shard.name.startswith(model))


def clear_cache(cache_dir: str | os.PathLike[str] | None = None, model: str | None = None) -> int:
    """Remove cached embeddings (all, or those of `model`: its name, folder, or a fingerprint prefix of
    8+ hex chars); return the number of shards removed. Each shard is removed under its lock."""
    root = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    removed = 0
    for shard in _shard_dirs(root):
        if model is not None and not _matches(model, shard, _read_meta(shard)):
            continue
        with _locked(shard.parent / f"{shard.name}.lock"):
            trash = shard.parent / f".trash-{shard.name}-{uuid.uuid4().hex[:8]}"
            try:
                os.replace(shard, trash)  # one atomic step; the slow delete happens on a hidden name
            except FileNotFoundError:
                continue
        shutil.rmtree(trash, ignore_errors=True)  # the .lock file stays: deleting a lock others may wait on races
        removed += 1
    return removed


def cached_models(cache_dir: str | os.PathLike[str] | None = None) -> list[str]:
    """Model names with at least one shard in the cache (for error messages)."""
    return sorted({s["model"] for s in cache_info(cache_dir)["shards"]})
