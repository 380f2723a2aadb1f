"""Every configs/model/*.yaml composes with Hydra and instantiates a PairClassifier (nothing loaded yet)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from bench.models.base import PairClassifier

CONFIGS = Path(__file__).resolve().parents[2] / "configs"
MODEL_KEYS = sorted(p.stem for p in (CONFIGS / "model").glob("*.yaml"))
EXPECTED = {"majority", "stratified", "hypothesis_only", "tfidf_lr", "lexical_lr", "sbert_cosine", "sbert_lr",
            "cross_encoder_ft", "nli_pretrained", "nli_transfer"}


def test_all_expected_configs_exist() -> None:
    assert EXPECTED <= set(MODEL_KEYS), f"missing: {sorted(EXPECTED - set(MODEL_KEYS))}"


@pytest.mark.parametrize("key", MODEL_KEYS)
def test_config_composes_and_instantiates(key: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from hydra import compose, initialize_config_dir
    from hydra.utils import instantiate

    monkeypatch.setenv("CLAIMBENCH_CACHE", str(tmp_path / "cache"))
    overrides = [f"model={key}", "seed=7"]
    if key == "nli_pretrained":  # offline, the default hub name fails at construction (tested below)
        (tmp_path / "nli").mkdir()
        (tmp_path / "nli" / "config.json").write_text("{}")
        overrides.append(f"model.model={tmp_path / 'nli'}")
    with initialize_config_dir(config_dir=str(CONFIGS), version_base=None):
        cfg = compose(config_name="run", overrides=overrides)
    assert cfg.model._target_.startswith("bench.models.")
    assert cfg.model.seed == 7
    heavy_before = "torch" in sys.modules
    model = instantiate(cfg.model)
    assert isinstance(model, PairClassifier)
    assert model.seed == 7
    assert isinstance(type(model).trainable, bool)
    if not heavy_before:
        assert "torch" not in sys.modules, f"instantiating {key} imported torch (must be lazy)"
    if "cache_dir" in cfg.model:
        assert str(model.cache_dir) == str(tmp_path / "cache")
    for name, value in cfg.model.items():  # listed hyper-parameters reach the object with their YAML type
        holder = model.settings if hasattr(getattr(model, "settings", None), name) else model  # fine-tuning knobs
        if name in ("_target_", "cache_dir") or not hasattr(holder, name):
            continue
        assert getattr(holder, name) == value, f"{key}.{name}: {getattr(holder, name)!r} != {value!r}"
        if isinstance(value, float):
            assert isinstance(getattr(holder, name), float), f"{key}.{name}={value!r} is not parsed as a float"


def test_default_nli_model_offline_fails_at_build_with_the_fix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from hydra import compose, initialize_config_dir
    from hydra.errors import InstantiationException
    from hydra.utils import instantiate

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    with initialize_config_dir(config_dir=str(CONFIGS), version_base=None):
        cfg = compose(config_name="run", overrides=["model=nli_pretrained"])
    with pytest.raises(InstantiationException) as info:
        instantiate(cfg.model)
    cause = info.value.__cause__
    assert cause is not None and type(cause).__name__ == "ModelNotFoundError"
    assert "cross-encoder/nli-deberta-v3-xsmall" in str(cause) and "model.model=/path/to/dir" in str(cause)
