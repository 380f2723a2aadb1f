"""Baseline model families. Each module holds small classes implementing `PairClassifier`.

There is no registry in code: `configs/model/<key>.yaml` names a class via `_target_`.
Heavy libraries (torch, sentence_transformers) are imported inside the methods that need them.
"""
