"""Config identity and the valid choices of each config group (shared by the CLI, runner and perf).

The config folders are the registry: `configs/<group>/<name>.yaml`; their file names are the valid
choices. A run's identity is a hash of its resolved config without the keys that only say where or
how to record it, so `skip_existing` and run ids see two equal configs as one.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from omegaconf import DictConfig

CONFIG_DIR = Path(__file__).resolve().parents[1] / "configs"
GROUPS = ("model", "protocol", "dataset")
# Settings that say where or how to record a run, not what is run: they do not change its identity.
NOT_IN_IDENTITY = ("run_id", "skip_existing", "write_plots", "paths")
MODEL_KEYS_NOT_IN_IDENTITY = ("cache_dir", "show_progress")
# `_target_` names the class that builds a dataset/protocol; it was added after runs were recorded,
# and the `kind`/`name` keys already say what it builds. (The model's `_target_` stays: committed
# model records carry it.)
TARGET_NOT_IN_IDENTITY = ("dataset", "protocol")
# Keys added to existing configs later, left out of the identity while null (their old behaviour).
NEW_KEYS_IF_NULL = {"dataset": ("split", "format")}
# Top-level keys added later, left out of the identity while they hold the value that reproduces the
# old behaviour (the iid pair bootstrap was the only one before `bootstrap_unit`).
NEW_TOP_KEYS_IF = {"bootstrap_unit": "pair"}


def choices(group: str, config_dir: Path = CONFIG_DIR) -> list[str]:
    return sorted(p.stem for p in (config_dir / group).glob("*.yaml"))


def check_group_overrides(argv: list[str], config_dir: Path = CONFIG_DIR) -> str | None:
    """An error line for the first unknown `group=name` in argv (sweeps `a,b` included), else None."""
    for arg in argv:
        key, sep, value = arg.partition("=")
        key = key.lstrip("+~")
        if not sep or key not in GROUPS:
            continue
        valid = choices(key, config_dir)
        for name in value.split(","):
            if name and name not in valid:
                return f"unknown {key} {name!r} (from `{arg}`); valid {key}s: {', '.join(valid)}"
    return None


def identity(cfg: Any) -> str:
    """sha256 of the resolved config without the bookkeeping keys: equal configs, equal identity."""
    from omegaconf import OmegaConf

    data = OmegaConf.to_container(cfg, resolve=True)
    assert isinstance(data, dict)
    for key in NOT_IN_IDENTITY:
        data.pop(key, None)
    for key, old_behaviour in NEW_TOP_KEYS_IF.items():
        if data.get(key) == old_behaviour:
            data.pop(key)
    if isinstance(data.get("model"), dict):
        for key in MODEL_KEYS_NOT_IN_IDENTITY:
            data["model"].pop(key, None)
    for group in TARGET_NOT_IN_IDENTITY:
        if isinstance(data.get(group), dict):
            data[group].pop("_target_", None)
    for group, keys in NEW_KEYS_IF_NULL.items():
        part = data.get(group)
        if isinstance(part, dict):
            for key in keys:
                if key in part and part[key] is None:
                    del part[key]
    text = OmegaConf.to_yaml(OmegaConf.create(data))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def resolved_mapping(node: DictConfig) -> dict[str, Any]:
    """A config node resolved to a plain dict: what the dataset loader, protocols and records take."""
    from omegaconf import OmegaConf

    data = OmegaConf.to_container(node, resolve=True)
    if not isinstance(data, dict):
        raise TypeError(f"expected a config mapping, got {type(data).__name__}: {data!r}")
    return {str(key): value for key, value in data.items()}
