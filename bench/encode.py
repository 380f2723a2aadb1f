"""Sentence embeddings for every bi-encoder model, each unique text encoded once, cached on disk.

Why a cache: a LOSO run re-encodes the same claims in every fold and every bi-encoder config;
with the cache only the first fold of the first run pays, and a run whose texts are all cached
never even loads the model (it is loaded lazily, on the first miss).

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

The model fingerprint is a sha256 over the model folder: each file's relative path and size, the
full content of files up to 16 MiB (configs, tokenizer, vocab), and for larger (weight) files the
first and last MiB only -- hashing 90+ MB on every run would cost more than the cache saves. An
in-place weight edit that keeps the size and both ends would therefore go unnoticed: clear the cache
(`bench cache clear --model NAME`) after such surgery. Hidden files and README/model-card files are
skipped (they do not change the vectors). The sentence-transformers version is not part of the key.

This module imports no torch: sentence_transformers is imported only when a model must be loaded.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import socket
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from bench.fileio import atomic_write_bytes, atomic_write_text

EMBEDDINGS_DIR = "embeddings"
COMPACT_AT = 32  # merge a shard's chunks once it holds more than this many
FULL_HASH_LIMIT = 16 * 1024 * 1024  # files up to this size are hashed whole
EDGE_BYTES = 1024 * 1024  # bigger files: first and last MiB
FLUSH_EVERY = 4096  # texts per written chunk while encoding (an interrupted run keeps its progress)
LOCK_TIMEOUT_S = 120.0


class ModelNotFoundError(ValueError):
    """A model name or path that resolves to no local model folder (and the hub cannot supply it)."""


# ---------------------------------------------------------------------------------------------
# Importing torch


def prepare_torch_import() -> None:
    """Call right before the first `import torch` / `sentence_transformers`.

    Sets OMP_WAIT_POLICY=PASSIVE (unless the user set it) so idle OpenMP threads sleep instead of
    spinning. On a 2-core machine shared with one other busy process, spinning threads made a
    cross-encoder fine-tune 5x slower (83 s vs 16 s for 13 steps); passive waiting removed the loss.
    OpenMP reads the variable when torch loads, so it has no effect once torch is imported.
    """
    import sys

    if "torch" not in sys.modules:
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


# ---------------------------------------------------------------------------------------------
# Model resolution and fingerprint


def default_cache_dir() -> Path:
    """`$CLAIMBENCH_CACHE` or `.cache/claimbench`: the same default as `paths.cache` in configs/run.yaml."""
    return Path(os.environ.get("CLAIMBENCH_CACHE") or ".cache/claimbench")


def _looks_like_path(name: str) -> bool:
    return name.startswith(("/", "./", "../", "~", ".\\")) or os.path.isabs(name) or name in (".", "..")


def _offline() -> bool:
    return any(os.environ.get(v, "").strip().lower() in ("1", "true", "yes", "on")
               for v in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"))


def _hub_reachable(timeout: float = 3.0) -> bool:
    """A quick TCP probe, so an unreachable hub fails in seconds instead of after minutes of retries."""
    if _offline():
        return False
    if any(os.environ.get(v) for v in ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy")):
        return True  # cannot probe through a proxy; let the download try
    endpoint = os.environ.get("HF_ENDPOINT", "https://huggingface.co")
    host = endpoint.split("://", 1)[-1].split("/", 1)[0]
    hostname, _, port = host.partition(":")
    try:
        with socket.create_connection((hostname, int(port or 443)), timeout=timeout):
            return True
    except OSError:
        return False


def _missing(name: str, looked_for: str, hint: str) -> ModelNotFoundError:
    return ModelNotFoundError(
        f"model {name!r} not found ({looked_for}); the Hugging Face hub is unreachable offline, so "
        f"copy the model folder to this machine and point at it with {hint}=/path/to/dir"
    )


def check_model_available(name: str | None, *, hint: str = "model.model") -> None:
    """Fail fast (at construction, before any fold runs) when model `name` cannot be had.

    Cheap: a stat for a folder, a local Hugging Face cache lookup and a TCP probe for a hub name; no
    download and no torch. Raises `ModelNotFoundError`, else returns (the model loads lazily later).
    """
    if name is not None:
        resolve_model_dir(name, hint=hint, download=False)


def resolve_model_dir(name: str, *, hint: str = "model.model", download: bool = True) -> Path | None:
    """The local folder holding model `name`: a directory path as is, else a Hugging Face cache snapshot.

    A hub name missing from the local HF cache is downloaded only when the hub answers (with
    `download=False`: None is returned instead); otherwise, and for a path that does not exist,
    `ModelNotFoundError` names what was looked for and `hint` (the config key to override).
    """
    name = str(name)
    path = Path(name).expanduser()
    if path.is_dir():
        if not any((path / f).is_file() for f in ("config.json", "modules.json")):
            raise ModelNotFoundError(
                f"model folder {str(path)!r} holds no config.json or modules.json, so it is not a "
                f"transformers / sentence-transformers model; point {hint}=/path/to/dir at the folder "
                "that contains config.json"
            )
        return path.resolve()
    if _looks_like_path(name) or path.exists():
        raise _missing(name, f"no directory at {str(path.resolve())!r}", hint)
    try:
        from huggingface_hub import snapshot_download
    except ImportError:  # pragma: no cover - a dependency of sentence-transformers
        raise _missing(name, "huggingface_hub is not installed", hint) from None
    try:
        return Path(snapshot_download(name, local_files_only=True))
    except Exception:  # noqa: BLE001 - any failure means "not in the local cache"
        pass
    if not _hub_reachable():
        raise _missing(name, "not a local directory and not in the Hugging Face cache", hint)
    if not download:
        return None
    try:
        return Path(snapshot_download(name))
    except Exception as exc:  # noqa: BLE001 - repository missing, gated, network drop, ...
        raise ModelNotFoundError(
            f"model {name!r} could not be downloaded from the Hugging Face hub ({type(exc).__name__}: "
            f"{str(exc).splitlines()[0] if str(exc) else 'no detail'}); check the name, or point at a local "
            f"copy with {hint}=/path/to/dir"
        ) from None


def local_model_dir(name: str, *, hint: str = "model.model") -> Path:
    """`resolve_model_dir` with download allowed: always a folder, or ModelNotFoundError."""
    folder = resolve_model_dir(name, hint=hint, download=True)
    assert folder is not None
    return folder


_FINGERPRINTS: dict[tuple[Any, ...], str] = {}


def _fingerprinted_files(model_dir: Path) -> list[Path]:
    files = []
    for path in sorted(model_dir.rglob("*")):
        rel = path.relative_to(model_dir)
        if not path.is_file() or any(part.startswith(".") for part in rel.parts):
            continue
        if rel.name.lower().startswith("readme") or rel.suffix.lower() == ".md":
            continue
        files.append(path)
    return files


def model_fingerprint(model_dir: str | os.PathLike[str]) -> str:
    """sha256 hex over the model folder (see the module docstring for what is hashed and why)."""
    root = Path(model_dir).resolve()
    files = _fingerprinted_files(root)
    stats = tuple((str(p.relative_to(root)), p.stat().st_size, p.stat().st_mtime_ns) for p in files)
    memo_key = (str(root), stats)
    if memo_key in _FINGERPRINTS:
        return _FINGERPRINTS[memo_key]
    digest = hashlib.sha256()
    for path, (rel, size, _) in zip(files, stats):
        digest.update(f"{rel}\0{size}\0".encode())
        with open(path, "rb") as handle:
            if size <= FULL_HASH_LIMIT:
                digest.update(hashlib.sha256(handle.read()).digest())
            else:
                digest.update(handle.read(EDGE_BYTES))
                handle.seek(size - EDGE_BYTES)
                digest.update(handle.read(EDGE_BYTES))
    _FINGERPRINTS[memo_key] = digest.hexdigest()
    return _FINGERPRINTS[memo_key]


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
# The encoder


class Encoder:
    """Encode texts with a sentence-transformers bi-encoder: unique texts once, batched, cached on disk.

    `model`: a local folder or a hub name (None: the bundled all-MiniLM-L6-v2). The model is loaded on
    the first cache miss only. `cache_dir=None` uses `default_cache_dir()`; `use_cache=False` skips the
    disk entirely. `normalize` L2-normalises the vectors (cosine = dot product); `max_seq_length` None
    keeps the model's own. Both options are part of the cache key.
    """

    def __init__(self, model: str | None = None, *, cache_dir: str | os.PathLike[str] | None = None,
                 batch_size: int = 64, normalize: bool = True, max_seq_length: int | None = None,
                 device: str = "cpu", show_progress: bool = True, use_cache: bool = True,
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
        self._model_dir: Path | None = None
        self._store: EmbeddingStore | None = None

    @property
    def model_dir(self) -> Path:
        if self._model_dir is None:
            if self.model_name is None:
                from bench.models.embedding import default_encoder_path

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
        prepare_torch_import()
        from sentence_transformers import SentenceTransformer

        model = SentenceTransformer(str(self.model_dir), device=self.device)
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
        from tqdm.auto import tqdm

        model = self.model
        order = np.argsort([-len(t) for t in texts], kind="stable")  # similar lengths share a batch: less padding
        out: np.ndarray | None = None
        pending: list[int] = []
        with tqdm(total=len(texts), desc=f"encode {Path(str(self.model_dir)).name}", unit="text",
                  disable=not self.show_progress, leave=False) as bar:
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
