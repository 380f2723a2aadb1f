"""Fine-tune the cross-encoder loop on SICK and score it on another SICK split (model selection aid).

Used to choose `cross_encoder_ft`'s settings without touching benchmark pairs, and to report how
`nli_transfer`'s fine-tuned model does on SICK TEST:

    python -m bench.models.sick_eval --train-n 1000 --score TRIAL --set epochs=4 --set lr=1e-4
    python -m bench.models.sick_eval --model-dir .cache/claimbench/nli_transfer/<folder> --score TEST

Prints one JSON line: the settings, training size and seconds, accuracy and macro-F1 on the scored split.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from bench.models.finetune import FineTuneSettings

SETTING_TYPES: dict[str, type] = {name: type(value) for name, value in FineTuneSettings().as_dict().items()}


def parse_setting(text: str) -> tuple[str, Any]:
    """`name=value` for a FineTuneSettings field, value cast to the field's type."""
    name, sep, value = text.partition("=")
    if not sep or name not in SETTING_TYPES:
        raise ValueError(f"--set {text!r}: expected NAME=VALUE with NAME one of {', '.join(SETTING_TYPES)}")
    kind = SETTING_TYPES[name]
    if name == "class_weight":
        return name, None if value.lower() in ("null", "none") else value
    if kind is bool:
        return name, value.lower() in ("1", "true", "yes")
    return name, kind(value)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.models.sick_eval", description=__doc__.splitlines()[0])
    parser.add_argument("--train-n", type=int, default=None, help="seeded subset of SICK TRAIN (default: all)")
    parser.add_argument("--score", default="TRIAL", choices=["TRIAL", "TEST", "TRAIN"], help="split to score")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE", help="fine-tuning setting")
    parser.add_argument("--model-dir", default=None, help="score this saved model instead of fine-tuning")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--device", default="auto")
    args = parser.parse_args(argv)
    try:
        overrides = dict(parse_setting(s) for s in args.set)
        settings = FineTuneSettings(**overrides)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(evaluate(settings, args.train_n, args.score, args.model_dir, args.seed, args.device)))
    return 0


def evaluate(settings: FineTuneSettings, train_n: int | None, score: str, model_dir: str | None, seed: int,
             device: str) -> dict[str, Any]:
    from bench.metrics import compute_metrics
    from bench.models.cross_encoder import FineTunedCrossEncoder
    from bench.models.nli_pretrained import PretrainedNLIClassifier
    from bench.models.nli_transfer import training_pairs

    scored = training_pairs("sick", [score], "SemEval_set")
    started = time.perf_counter()
    row: dict[str, Any] = {"score": score, "n_scored": len(scored), "seed": seed}
    if model_dir is not None:
        model: Any = PretrainedNLIClassifier(model=model_dir, device=device, show_progress=False)
        row["model_dir"] = model_dir
    else:
        train = training_pairs("sick", ["TRAIN"], "SemEval_set")
        if train_n is not None and train_n < len(train):
            train = train.subset(np.sort(np.random.default_rng(seed).choice(len(train), train_n, replace=False)))
        model = FineTunedCrossEncoder(**settings.as_dict(), seed=seed, device=device, show_progress=False).fit(train)
        row.update(settings.as_dict(), train_n=len(train), fit_seconds=round(time.perf_counter() - started, 1))
    metrics = compute_metrics(scored.require_labels(), model.predict_proba(scored), seed=seed, n_boot=200)
    row.update(accuracy=round(metrics["accuracy"], 4), macro_f1=round(metrics["macro_f1"], 4),
               device=model.run_info()["device"])
    return row


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
