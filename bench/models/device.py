"""Which torch device a model runs on: `device: auto` picks cuda, then mps, then cpu.

One function for every torch model (bi-encoders, cross-encoders), so a config never hard-codes the
CPU and a run record can say where it ran. `auto` uses sentence-transformers' own choice
(`sentence_transformers.util.get_device_name`: cuda, mps, then other accelerators, else cpu); an
explicit name is checked by `torch.device` and, for cuda / mps, against what this machine has.
"""

from __future__ import annotations

from bench.models.resolve import prepare_torch_import

AUTO = "auto"


class DeviceError(ValueError):
    """A device name torch does not know, or an accelerator this machine does not have."""


def resolve_device(device: str | None = AUTO, *, hint: str = "model.device") -> str:
    """The concrete torch device name for `device` ("auto" or None: the best available)."""
    prepare_torch_import()
    import torch

    if device is None or str(device).strip().lower() == AUTO:
        from sentence_transformers.util import get_device_name

        return str(get_device_name())
    name = str(device).strip()
    try:
        kind = torch.device(name).type
    except (RuntimeError, ValueError):
        raise DeviceError(f"{hint}={name!r} is not a torch device; valid: auto, cpu, cuda, cuda:N, mps") from None
    if kind == "cuda" and not torch.cuda.is_available():
        raise DeviceError(f"{hint}={name!r} but torch sees no CUDA device here; use {hint}=auto or cpu")
    if kind == "mps" and not torch.backends.mps.is_available():
        raise DeviceError(f"{hint}={name!r} but torch sees no MPS device here; use {hint}=auto or cpu")
    return name
