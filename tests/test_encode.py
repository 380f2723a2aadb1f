"""The embedding cache: unique texts once, lazy model load, keys, atomic commits, concurrency, CLI."""

from __future__ import annotations

import argparse
import hashlib
import json
import multiprocessing
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import bench.embedding_cache as cache_mod
import bench.models.resolve as resolve
from bench.embedding_cache import cache_info, clear_cache, default_cache_dir, text_key
from bench.encode import Encoder
from bench.models.resolve import ModelNotFoundError, model_fingerprint, resolve_model_dir

DIM = 8


class FakeST:
    """Stands in for a SentenceTransformer: a deterministic vector per text, and a log of what it saw."""

    def __init__(self, scale: float = 1.0) -> None:
        self.seen: list[str] = []
        self.scale = scale

    def encode(self, texts: list[str], batch_size: int, normalize_embeddings: bool, **_: object) -> np.ndarray:
        self.seen.extend(texts)
        out = np.stack([np.random.default_rng(int(hashlib.sha256(t.encode()).hexdigest()[:8], 16)).normal(size=DIM)
                        for t in texts]) * self.scale
        if normalize_embeddings:
            out /= np.linalg.norm(out, axis=1, keepdims=True)
        return out.astype(np.float32)


def expected(texts: list[str], normalize: bool = True) -> np.ndarray:
    return FakeST().encode(texts, 1, normalize)


@pytest.fixture
def model_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "fake-model"
    folder.mkdir()
    (folder / "config.json").write_text('{"hidden_size": 8}')
    (folder / "model.safetensors").write_bytes(b"\x01" * 1000)
    return folder


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[FakeST]]:
    """Patch the loader: every load is recorded, and returns a FakeST."""
    loads: dict[str, list[FakeST]] = {"models": []}

    def load(self: Encoder) -> FakeST:
        loads["models"].append(FakeST())
        return loads["models"][-1]

    monkeypatch.setattr(Encoder, "_load_model", load)
    return loads


def make(model_dir: Path, cache: Path, **kw: object) -> Encoder:
    return Encoder(str(model_dir), cache_dir=cache, show_progress=False, **kw)  # type: ignore[arg-type]


def test_unique_texts_encoded_once_in_input_order(model_dir: Path, tmp_path: Path, fake: dict) -> None:
    texts = ["b", "a", "b", "c", "a"]
    out = make(model_dir, tmp_path / "c").encode(texts)
    np.testing.assert_allclose(out, expected(texts), rtol=1e-6)
    assert sorted(fake["models"][0].seen) == ["a", "b", "c"]


def test_second_call_loads_no_model(model_dir: Path, tmp_path: Path, fake: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    first = make(model_dir, tmp_path / "c").encode(["x", "y", "z"])
    assert len(fake["models"]) == 1

    def boom(self: Encoder) -> None:
        raise AssertionError("the model was loaded although every text is cached")

    monkeypatch.setattr(Encoder, "_load_model", boom)
    second = make(model_dir, tmp_path / "c").encode(["z", "x", "y", "x"])  # a fresh encoder, same cache
    np.testing.assert_array_equal(second, first[[2, 0, 1, 0]])


def test_partial_hit_encodes_only_missing(model_dir: Path, tmp_path: Path, fake: dict) -> None:
    make(model_dir, tmp_path / "c").encode(["x", "y"])
    out = make(model_dir, tmp_path / "c").encode(["y", "new", "x"])
    assert fake["models"][1].seen == ["new"]
    np.testing.assert_allclose(out, expected(["y", "new", "x"]), rtol=1e-6)


def test_use_cache_false_touches_no_disk(model_dir: Path, tmp_path: Path, fake: dict) -> None:
    make(model_dir, tmp_path / "c", use_cache=False).encode(["x"])
    assert not (tmp_path / "c").exists()


def test_cache_key_changes_with_options_and_model(model_dir: Path, tmp_path: Path, fake: dict) -> None:
    cache = tmp_path / "c"
    base = make(model_dir, cache)
    variants = [make(model_dir, cache, normalize=False), make(model_dir, cache, max_seq_length=32)]
    names = {base.store.name, *(v.store.name for v in variants)}
    assert len(names) == 3
    assert base.store.name == make(model_dir, cache, batch_size=3).store.name  # batch size: not a key
    for encoder in [base, *variants]:
        encoder.encode(["same text"])
    assert len(fake["models"]) == 3  # no variant reused another's vectors
    assert len(cache_info(cache)["shards"]) == 3
    np.testing.assert_allclose(np.linalg.norm(variants[0].encode(["same text"])), np.linalg.norm(expected(["same text"], False)), rtol=1e-6)

    (model_dir / "config.json").write_text('{"hidden_size": 8, "changed": true}')
    assert make(model_dir, cache).store.name != base.store.name


def test_fingerprint_hashes_configs_fully_and_big_files_by_edges(model_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(resolve, "FULL_HASH_LIMIT", 100)
    monkeypatch.setattr(resolve, "EDGE_BYTES", 10)
    weights = model_dir / "model.safetensors"  # 1000 bytes > limit: hashed by its first/last 10 bytes
    fp = model_fingerprint(model_dir)
    (model_dir / "README.md").write_text("docs do not change vectors")
    (model_dir / ".gitattributes").write_text("hidden files neither")
    assert model_fingerprint(model_dir) == fp
    data = bytearray(weights.read_bytes())
    data[500] = 7  # middle byte, same size: documented blind spot
    weights.write_bytes(bytes(data))
    assert model_fingerprint(model_dir) == fp
    data[-1] = 7
    weights.write_bytes(bytes(data))
    assert model_fingerprint(model_dir) != fp
    fp2 = model_fingerprint(model_dir)
    weights.write_bytes(bytes(data) + b"\x00")  # size change
    assert model_fingerprint(model_dir) != fp2


def test_write_is_atomic_a_failed_commit_leaves_no_visible_chunk(model_dir: Path, tmp_path: Path, fake: dict,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path / "c"
    make(model_dir, cache).encode(["kept"])
    replaced: list[str] = []
    real_replace = os.replace

    def spy(src: str, dst: str) -> None:
        replaced.append(Path(dst).name)
        if Path(dst).name.endswith(".keys.npy"):
            raise OSError("disk full (simulated) while committing keys")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", spy)
    with pytest.raises(OSError, match="simulated"):
        make(model_dir, cache).encode(["lost"])
    assert any(n.endswith(".emb.npy") for n in replaced)  # went through temp file + os.replace
    monkeypatch.setattr(os, "replace", real_replace)
    shard = next(p for p in (cache / "embeddings").iterdir() if p.is_dir())
    assert not [p for p in shard.iterdir() if p.name.endswith(".tmp")]  # temp files cleaned up
    info = cache_info(cache)
    assert info["embeddings"] == 1  # the half-written chunk (no keys file) is invisible
    again = make(model_dir, cache)
    np.testing.assert_allclose(again.encode(["kept", "lost"]), expected(["kept", "lost"]), rtol=1e-6)
    assert fake["models"][-1].seen == ["lost"]


def test_compaction_merges_chunks_without_losing_rows(model_dir: Path, tmp_path: Path, fake: dict,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache_mod, "COMPACT_AT", 3)
    cache = tmp_path / "c"
    texts = [f"t{i}" for i in range(10)]
    for t in texts:
        make(model_dir, cache).encode([t])
    assert cache_info(cache)["shards"][0]["chunks"] <= 3
    assert cache_info(cache)["embeddings"] == 10
    out = make(model_dir, cache).encode(texts[::-1])
    np.testing.assert_allclose(out, expected(texts[::-1]), rtol=1e-6)


def _worker(args: tuple[str, str, int]) -> int:
    model_dir, cache, seed = args
    Encoder._load_model = lambda self: FakeST()  # type: ignore[method-assign]  # the child's own loader
    cache_mod.COMPACT_AT = 4
    rng = np.random.default_rng(seed)
    for _ in range(15):
        texts = [f"shared {i}" for i in rng.integers(0, 40, 6)] + [f"own {seed} {i}" for i in rng.integers(0, 5, 2)]
        out = Encoder(model_dir, cache_dir=cache, show_progress=False).encode(texts)
        if not np.allclose(out, expected(texts), rtol=1e-5):
            return 1
    return 0


def test_concurrent_processes_do_not_corrupt_the_cache(model_dir: Path, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """Three processes encode overlapping texts into one shard (with compactions) at the same time."""
    cache = tmp_path / "c"
    with multiprocessing.get_context("fork").Pool(3) as pool:
        assert pool.map(_worker, [(str(model_dir), str(cache), s) for s in range(3)]) == [0, 0, 0]

    def boom(self: Encoder) -> None:
        raise AssertionError("loaded")

    monkeypatch.setattr(Encoder, "_load_model", boom)
    texts = [f"shared {i}" for i in range(40)]
    encoder = Encoder(str(model_dir), cache_dir=cache, show_progress=False)
    found, _ = encoder.store.lookup(np.array([text_key(t) for t in texts], dtype="S64"))
    cached = [t for t, f in zip(texts, found) if f]
    assert len(cached) > 20
    np.testing.assert_allclose(encoder.encode(cached), expected(cached), rtol=1e-5)


def test_cache_info_and_clear(model_dir: Path, tmp_path: Path, fake: dict) -> None:
    cache = tmp_path / "c"
    assert cache_info(cache) == {"dir": str(cache), "exists": False, "shards": [], "embeddings": 0, "bytes": 0}
    make(model_dir, cache).encode(["a", "b"])
    make(model_dir, cache, normalize=False).encode(["a"])
    other = model_dir.parent / "other-model"
    other.mkdir()
    (other / "config.json").write_text("{}")
    make(other, cache).encode(["a"])
    info = cache_info(cache)
    assert info["embeddings"] == 4 and len(info["shards"]) == 3 and info["bytes"] > 0
    shard = next(s for s in info["shards"] if s["model"] == str(other))
    assert shard["dim"] == DIM and shard["options"]["normalize"] is True
    assert clear_cache(cache, model="no-such-model") == 0
    assert clear_cache(cache, model=str(other)) == 1
    fingerprint = next(s["fingerprint"] for s in info["shards"] if s["model"] == str(model_dir))
    assert clear_cache(cache, model=fingerprint[:10]) == 2  # both option shards of the fake model
    assert cache_info(cache)["shards"] == []
    make(model_dir, cache).encode(["a"])
    assert clear_cache(cache) == 1


def test_cli_cache_info_and_clear(model_dir: Path, tmp_path: Path, fake: dict, capsys: pytest.CaptureFixture[str]) -> None:
    from bench.cli.cache import register

    parser = argparse.ArgumentParser(prog="bench")
    register(parser.add_subparsers(dest="command"))
    cache = tmp_path / "c"
    make(model_dir, cache).encode(["a", "b"])

    args = parser.parse_args(["cache", "info", "--dir", str(cache)])
    assert args.func(args) == 0
    out = capsys.readouterr().out
    assert "2 embeddings in 1 shard" in out and str(model_dir) in out
    args = parser.parse_args(["cache", "info", "--dir", str(cache), "--json"])
    assert args.func(args) == 0
    assert json.loads(capsys.readouterr().out)["embeddings"] == 2
    args = parser.parse_args(["cache", "clear", "--dir", str(cache), "--model", "nope"])
    assert args.func(args) == 0
    assert "nothing cached for model 'nope'" in capsys.readouterr().out
    args = parser.parse_args(["cache", "clear", "--dir", str(cache)])
    assert args.func(args) == 0
    assert "removed 1 shard" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        parser.parse_args(["cache"])  # a sub-command is required


def test_cli_rejects_a_file_as_dir(tmp_path: Path) -> None:
    from bench.cli.main import main

    bad = tmp_path / "file.txt"
    bad.write_text("x")
    assert main(["cache", "info", "--dir", str(bad)]) == 1


def test_resolve_model_dir_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    missing = tmp_path / "nowhere"
    with pytest.raises(ModelNotFoundError) as info:
        resolve_model_dir(str(missing), hint="model.encoder")
    message = str(info.value)
    assert str(missing) in message and "model.encoder=/path/to/dir" in message and "offline" in message
    assert "\n" not in message
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ModelNotFoundError, match="no config.json"):
        resolve_model_dir(str(empty))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    with pytest.raises(ModelNotFoundError, match=r"'someone/not-cached-model' not found.*unreachable offline"):
        resolve_model_dir("someone/not-cached-model")
    assert isinstance(ModelNotFoundError("x"), ValueError)


def test_default_cache_dir_follows_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CLAIMBENCH_CACHE", str(tmp_path / "x"))
    assert default_cache_dir() == tmp_path / "x"
    assert Encoder().cache_dir == tmp_path / "x"
    monkeypatch.delenv("CLAIMBENCH_CACHE")
    assert default_cache_dir() == Path(".cache/claimbench")


def test_light_modules_import_no_torch() -> None:
    code = ("import sys, bench.encode, bench.models.trivial, bench.models.lexical, bench.models.embedding, "
            "bench.models.cross_encoder, bench.cli.cache; "
            "heavy = sorted(m for m in ('torch', 'transformers', 'sentence_transformers') if m in sys.modules); "
            "print(heavy); sys.exit(1 if heavy else 0)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"heavy modules imported at module level: {result.stdout} {result.stderr[-500:]}"
