"""Check a `bench-run` config before any data is loaded or model built: one line per problem.

Two gates. `check_override_keys(argv)` runs before Hydra composes (Hydra's own message for a
misspelled key lists no valid keys). `check_resolved(cfg, choices)` runs on the composed config:
types and ranges of the top-level settings, writable output, names usable as folder names, the
protocol's k, and every model/protocol/dataset key against its YAML defaults (unknown keys and
values of the wrong type). Only generic rules live here; a model or dataset checks its own meaning.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from bench.config import CONFIG_DIR, GROUPS

#: Top-level settings: name -> (accepted types, what the message asks for).
TOP_LEVEL = {"seed": ((int,), "a whole number"), "bootstrap": ((int,), "a whole number >= 0"),
             "skip_existing": ((bool,), "true or false"), "write_plots": ((bool,), "true or false")}
DEFAULT_CHOICES = {"dataset": "seed", "model": "majority", "protocol": "loso"}


def group_defaults(group: str, name: str, config_dir: Path = CONFIG_DIR) -> dict[str, Any]:
    """The keys and default values of configs/<group>/<name>.yaml (interpolations left as text)."""
    from omegaconf import OmegaConf

    data = OmegaConf.to_container(OmegaConf.load(config_dir / group / f"{name}.yaml"), resolve=False)
    return {str(k): v for k, v in data.items()} if isinstance(data, dict) else {}


def top_level_keys(config_dir: Path = CONFIG_DIR) -> list[str]:
    return sorted(k for k in group_defaults(".", "run", config_dir) if k not in ("defaults", "hydra"))


def check_override_keys(argv: Sequence[str], config_dir: Path = CONFIG_DIR) -> str | None:
    """An error line for the first `group.key=` (or top-level `key=`) that the chosen config lacks."""
    chosen = dict(DEFAULT_CHOICES)
    for arg in argv:
        key, sep, value = arg.partition("=")
        if sep and key in GROUPS:
            chosen[key] = value
    for arg in argv:
        key, sep, _ = arg.partition("=")
        if not sep or key.startswith(("+", "~", "-", "hydra")) or key in GROUPS:
            continue
        group, dot, sub = key.partition(".")
        if not dot:
            valid = top_level_keys(config_dir)
            if group not in valid:
                return f"unknown setting {group!r} (from `{arg}`); settings: {', '.join(valid)}, or a group: " \
                       f"{', '.join(f'{g}.KEY' for g in GROUPS)}"
            continue
        if group not in GROUPS:
            continue
        for name in chosen[group].split(","):
            keys = sorted(group_defaults(group, name, config_dir)) if (config_dir / group / f"{name}.yaml").is_file() else []
            top = sub.split(".")[0]
            if keys and top not in keys:
                shown = ", ".join(k for k in keys if k != "_target_")  # _target_ names the class, not a setting
                return (f"{group} {name!r} has no key {top!r} (from `{arg}`); its keys: {shown} "
                        f"(use +{key}=... to add one on purpose)")
    return None


def check_resolved(cfg: Any, choices: Mapping[str, str], config_dir: Path = CONFIG_DIR) -> list[str]:
    """Every problem of the composed config `cfg` (empty: fine to run)."""
    from omegaconf import OmegaConf

    from bench.run_writer import DIRECTORY_NAME_RULE, is_directory_name

    resolved = OmegaConf.to_container(cfg, resolve=True)
    assert isinstance(resolved, dict)
    problems: list[str] = []
    for key, (types, wanted) in TOP_LEVEL.items():
        value = resolved.get(key)
        if not isinstance(value, types) or (bool not in types and isinstance(value, bool)):
            problems.append(f"{key}={value!r}: must be {wanted}")
    if isinstance(resolved.get("bootstrap"), int) and resolved["bootstrap"] < 0:
        problems.append(f"bootstrap={resolved['bootstrap']}: must be >= 0 (0 skips the confidence intervals)")
    run_id = resolved.get("run_id")
    if run_id is not None and not is_directory_name(str(run_id)):
        problems.append(f"run_id={run_id!r} cannot be a folder name; {DIRECTORY_NAME_RULE}")
    problems += _check_results_folder(Path(str((resolved.get("paths") or {}).get("results", "results/runs"))))
    for group in GROUPS:
        name = choices.get(group, DEFAULT_CHOICES[group])
        if (config_dir / group / f"{name}.yaml").is_file():
            problems += _check_group(group, name, resolved.get(group) or {}, group_defaults(group, name, config_dir))
    problems += _check_protocol(resolved.get("protocol") or {})
    problems += _check_dataset(resolved.get("dataset") or {}, is_directory_name, DIRECTORY_NAME_RULE)
    return problems


def _check_results_folder(folder: Path) -> list[str]:
    if folder.exists() and not folder.is_dir():
        return [f"paths.results={folder} is a file; give a folder (the run records go below it)"]
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not os.access(existing, os.W_OK | os.X_OK):
        return [f"paths.results={folder}: {existing} is not writable; give a folder you can write to"]
    return []


def _check_group(group: str, name: str, given: Mapping[str, Any], defaults: Mapping[str, Any]) -> list[str]:
    problems = []
    unknown = sorted(set(given) - set(defaults))
    if unknown:
        shown = ", ".join(k for k in sorted(defaults) if k != "_target_")  # the class, not a setting
        problems.append(f"{group} {name!r} has no key(s) {', '.join(unknown)}; its keys: {shown}")
    for key, default in defaults.items():
        if key == "_target_" or key not in given or given[key] is None or default is None:
            continue
        if isinstance(default, str) and default.startswith("${"):
            continue  # an interpolation (e.g. ${seed}): its own check covers it
        wanted = _type_problem(given[key], default)
        if wanted:
            problems.append(f"{group}.{key}={given[key]!r}: must be {wanted} (default {default!r})")
    return problems


def _type_problem(value: Any, default: Any) -> str | None:
    """What `value` should be, judging by the type of `default`; None when it fits."""
    if isinstance(default, bool):
        return None if isinstance(value, bool) else "true or false"
    if isinstance(default, int):
        return None if isinstance(value, int) and not isinstance(value, bool) else "a whole number"
    if isinstance(default, float):
        return None if isinstance(value, (int, float)) and not isinstance(value, bool) else "a number"
    if isinstance(default, str):
        return None if isinstance(value, str) else "text"
    if isinstance(default, (list, dict)):
        return None if isinstance(value, type(default)) else ("a list" if isinstance(default, list) else "a mapping")
    return None


def _check_protocol(protocol: Mapping[str, Any]) -> list[str]:
    """k's type is checked against the YAML default; here its range."""
    k = protocol.get("k")
    if isinstance(k, int) and not isinstance(k, bool) and k < 2:
        return [f"protocol.k={k}: must be a whole number >= 2 (the number of folds)"]
    return []


def _check_dataset(dataset: Mapping[str, Any], is_name: Any, rule: str) -> list[str]:
    problems = []
    label_map = dataset.get("label_map")
    if "label_map" in dataset and label_map is not None and not isinstance(label_map, dict):
        problems.append(f"dataset.label_map={label_map!r}: must be a mapping, e.g. "
                        "'dataset.label_map={entailment: entails, contradiction: contradicts, neutral: unrelated}'")
    name = dataset.get("name")
    if "path" in dataset:
        path = dataset.get("path")
        if path in (None, "???", ""):
            return [*problems, "dataset=pairs_file needs the file: add dataset.path=FILE (CSV, TSV or JSONL)"]
        file = Path(str(path))
        if not file.exists():
            problems.append(f"dataset.path={file}: no such file")
        elif not file.is_file():
            what = "a folder" if file.is_dir() else "not a regular file (a device or pipe)"
            problems.append(f"dataset.path={file} is {what}; give a CSV, TSV or JSONL file")
        if name is None and not is_name(file.stem):
            problems.append(f"dataset.path={file}: its name {file.stem!r} cannot name the results folder; "
                            f"add dataset.name=NAME ({rule})")
    if name is not None and not is_name(str(name)):
        problems.append(f"dataset.name={name!r} cannot be a folder name; {rule}")
    return problems
