"""`device: auto` resolution: one function for every torch model, named errors for bad devices."""

from __future__ import annotations

import pytest

from bench.models.device import DeviceError, resolve_device


def test_auto_picks_the_best_available_device() -> None:
    import torch

    want = "cuda" if torch.cuda.is_available() else "mps" if torch.backends.mps.is_available() else "cpu"
    assert resolve_device("auto").split(":")[0] == want
    assert resolve_device(None) == resolve_device("AUTO")


def test_explicit_cpu_passes_through() -> None:
    assert resolve_device("cpu") == "cpu"


def test_unknown_device_names_the_value_and_the_options() -> None:
    with pytest.raises(DeviceError, match=r"model.device='gpu0' is not a torch device; valid: auto, cpu, cuda"):
        resolve_device("gpu0")


def test_missing_accelerator_is_refused_with_the_fix() -> None:
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    with pytest.raises(DeviceError, match=r"model.device='cuda' but torch sees no CUDA device here; use model.device=auto"):
        resolve_device("cuda")


def test_models_report_their_device_before_running(tmp_path) -> None:
    from bench.models.cross_encoder import FineTunedCrossEncoder
    from bench.models.embedding import SbertLRClassifier

    assert FineTunedCrossEncoder(device="cpu").run_info() == {"device": "cpu", "requested_device": "cpu"}
    assert SbertLRClassifier(cache_dir=tmp_path).run_info() == {"device": None, "requested_device": "auto"}
