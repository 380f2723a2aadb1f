"""Bi-encoder baselines: threshold search, probabilities, columns, the shared embedding cache."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest

from bench.embedding_cache import cache_info
from bench.encode import Encoder
from bench.labels import Label
from bench.models.base import PairBatch, PairClassifier
from bench.models.embedding import (
    ORDERINGS,
    SbertCosineClassifier,
    SbertLRClassifier,
    fit_thresholds,
    threshold_logits,
)
from bench.models.resolve import default_encoder_path

E, C, U = (label.class_id for label in (Label.ENTAILS, Label.CONTRADICTS, Label.UNRELATED))
DIM = 16


def unit(v: np.ndarray) -> np.ndarray:
    return v / np.linalg.norm(v)


def rand_vec(text: str) -> np.ndarray:
    return unit(np.random.default_rng(int(hashlib.sha256(text.encode()).hexdigest()[:8], 16)).normal(size=DIM))


def tiny() -> tuple[PairBatch, dict[str, np.ndarray]]:
    """Pairs whose fake embeddings put entails at cos ~0.95, contradicts ~0.6, unrelated ~0 (by construction)."""
    vectors: dict[str, np.ndarray] = {}
    a, b, y = [], [], []
    rng = np.random.default_rng(0)
    for i in range(8):
        base = rand_vec(f"premise {i}")
        r = rng.normal(size=DIM)
        other = unit(r - base * (r @ base))  # orthogonal to base
        for label, cos in ((E, 0.95), (C, 0.6), (U, 0.0)):
            pa, hb = f"premise {i}", f"hyp {i} {label}"
            vectors[pa] = base
            vectors[hb] = unit(cos * base + np.sqrt(1 - cos**2) * other + rng.normal(scale=0.01, size=DIM))
            a.append(pa)
            b.append(hb)
            y.append(label)
    return PairBatch(a, b, np.asarray(y)), vectors


class VectorST:
    def __init__(self, vectors: dict[str, np.ndarray], log: list[str]) -> None:
        self.vectors, self.log = vectors, log

    def encode(self, texts: list[str], normalize_embeddings: bool, **_: object) -> np.ndarray:
        self.log.extend(texts)
        return np.stack([self.vectors.get(t, rand_vec(t)) for t in texts]).astype(np.float32)


@pytest.fixture
def fake_encoder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict:
    folder = tmp_path / "fake-encoder"
    folder.mkdir()
    (folder / "config.json").write_text("{}")
    state: dict = {"loads": 0, "seen": [], "vectors": tiny()[1]}

    def load(self: Encoder) -> VectorST:
        state["loads"] += 1
        return VectorST(state["vectors"], state["seen"])

    monkeypatch.setattr(Encoder, "_load_model", load)
    state["kw"] = {"encoder": str(folder), "cache_dir": str(tmp_path / "cache"), "show_progress": False}
    return state


def test_default_encoder_path_is_the_bundled_minilm() -> None:
    folder = Path(default_encoder_path())
    assert (folder / "config.json").is_file() and (folder / "modules.json").is_file()


# --- thresholds --------------------------------------------------------------------------------


def test_fit_thresholds_separable_default_ordering() -> None:
    cos = np.array([0.1, 0.15, 0.2, 0.5, 0.55, 0.6, 0.9, 0.92, 0.95])
    y = np.array([U] * 3 + [C] * 3 + [E] * 3)
    ordering, t_low, t_high, f1 = fit_thresholds(cos, y)
    assert ordering == (U, C, E) == ORDERINGS[0]
    assert 0.2 < t_low < 0.5 < t_high < 0.9 and f1 == pytest.approx(1.0)


def test_fit_thresholds_finds_contradictions_above_entailments() -> None:
    cos = np.array([0.1, 0.2, 0.7, 0.72, 0.75, 0.95, 0.97, 0.99])
    y = np.array([U, U, E, E, E, C, C, C])
    ordering, t_low, t_high, f1 = fit_thresholds(cos, y)
    assert ordering == (U, E, C) and f1 == pytest.approx(1.0)
    pred = threshold_logits(cos, ordering, t_low, t_high, 50.0).argmax(axis=1)
    np.testing.assert_array_equal(pred, y)


def test_fit_thresholds_absent_class_gets_an_empty_segment() -> None:
    cos = np.array([0.1, 0.2, 0.8, 0.9])
    y = np.array([U, U, E, E])
    ordering, t_low, t_high, f1 = fit_thresholds(cos, y)
    assert f1 == pytest.approx(1.0)
    pred = threshold_logits(cos, ordering, t_low, t_high, 50.0).argmax(axis=1)
    np.testing.assert_array_equal(pred, y)


def test_fit_thresholds_scales_with_a_capped_grid() -> None:
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 50_000)
    cos = np.clip(0.3 * (2 - y) + rng.normal(scale=0.15, size=len(y)), -1, 1)
    ordering, t_low, t_high, f1 = fit_thresholds(cos, y, n_grid=100)
    assert ordering == (U, C, E) and f1 > 0.6 and t_low < t_high


# --- the two models ----------------------------------------------------------------------------


@pytest.mark.parametrize("cls", [SbertCosineClassifier, SbertLRClassifier])
def test_shape_rows_columns(cls: type, fake_encoder: dict) -> None:
    data, _ = tiny()
    model = cls(seed=0, **fake_encoder["kw"])
    assert isinstance(model, PairClassifier) and model.trainable
    proba = model.fit(data).predict_proba(data.without_labels())
    assert proba.shape == (len(data), 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert (proba.argmax(axis=1) == data.labels).mean() >= 0.9  # columns in LABELS order


def test_cosine_rule_and_temperature(fake_encoder: dict) -> None:
    data, _ = tiny()
    model = SbertCosineClassifier(**fake_encoder["kw"]).fit(data)
    rule = model.thresholds_
    assert (rule["low"], rule["middle"], rule["high"]) == ("unrelated", "contradicts", "entails")
    assert 0.0 < rule["t_low"] < 0.6 < rule["t_high"] < 0.95 and rule["train_macro_f1"] == pytest.approx(1.0)
    assert model.scale_ > 1


@pytest.mark.parametrize("cls", [SbertCosineClassifier, SbertLRClassifier])
def test_missing_class_still_three_columns(cls: type, fake_encoder: dict) -> None:
    data, _ = tiny()
    proba = cls(**fake_encoder["kw"]).fit(data.subset(np.flatnonzero(data.labels != C))).predict_proba(data)
    assert proba.shape == (len(data), 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert (proba.argmax(axis=1) != C).all()


@pytest.mark.parametrize("cls", [SbertCosineClassifier, SbertLRClassifier])
def test_deterministic(cls: type, fake_encoder: dict) -> None:
    data, _ = tiny()
    first = cls(seed=3, **fake_encoder["kw"]).fit(data).predict_proba(data)
    second = cls(seed=3, **fake_encoder["kw"]).fit(data).predict_proba(data)
    np.testing.assert_array_equal(first, second)


def test_both_models_share_one_cache_shard(fake_encoder: dict) -> None:
    data, _ = tiny()
    SbertLRClassifier(**fake_encoder["kw"]).fit(data)
    assert fake_encoder["loads"] == 1
    SbertCosineClassifier(**fake_encoder["kw"]).fit(data).predict_proba(data)
    assert fake_encoder["loads"] == 1  # everything was cached: the model was never loaded again
    assert len(cache_info(fake_encoder["kw"]["cache_dir"])["shards"]) == 1
    assert len(fake_encoder["seen"]) == len(set(data.text_a) | set(data.text_b))  # each text encoded once


def test_predict_before_fit_raises(fake_encoder: dict) -> None:
    data, _ = tiny()
    for cls in (SbertCosineClassifier, SbertLRClassifier):
        with pytest.raises(RuntimeError, match="before fit"):
            cls(**fake_encoder["kw"]).predict_proba(data)


@pytest.mark.slow
def test_real_minilm_end_to_end(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The bundled MiniLM through both models; the second model runs entirely from the cache."""
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    data = PairBatch(
        ["The mayor resigned on Monday.", "Police arrested 12 protesters.", "The river flooded the valley.",
         "Officials met three times.", "The company reported a profit.", "Prices of bread doubled."],
        ["The mayor stepped down on Monday.", "Police did not arrest anyone.", "A stadium opened in Lima.",
         "Officials met on three occasions.", "The company reported a loss.", "The new bridge is long."],
        np.array([E, C, U, E, C, U]),
    )
    kw = {"cache_dir": str(tmp_path / "cache"), "show_progress": False}
    lr = SbertLRClassifier(**kw).fit(data)
    proba = lr.predict_proba(data)
    assert proba.shape == (6, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    info = cache_info(tmp_path / "cache")
    assert info["embeddings"] == 12 and info["shards"][0]["dim"] == 384

    def boom(self: Encoder) -> None:
        raise AssertionError("model loaded although all texts are cached")

    monkeypatch.setattr(Encoder, "_load_model", boom)
    cos = SbertCosineClassifier(**kw).fit(data)
    assert cos.predict_proba(data).shape == (6, 3)
    assert cos.t_low_ <= cos.t_high_
