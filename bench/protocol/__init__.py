"""Evaluation protocols: how a model gets exactly one probability row per scored pair.

- zero_shot: the model predicts every pair once (fit is never called).
- loso: leave-one-source-out. Fold k trains on pairs that touch neither claim of source k and
  predicts the pairs that touch it; a pair touches two sources, so it is predicted by two folds and
  its row is the mean of the two. With several events the group is the event (leave-one-event-out):
  an event never sits on both sides of a fold, also in the grouped 5-fold fallback.
- kfold: stratified k-fold with groups (a group never sits on both sides of a fold).
- split: a fixed train/dev/test column (e.g. SICK's SemEval_set); only the test rows are scored.
- transfer: fit on another dataset config, predict every pair of this one.

`folds` builds the folds, `kinds` holds one class per `configs/protocol/*.yaml` (`_target_`), `run`
executes a plan. When leave-one-out cannot run (no group column, fewer than 3 sources) or would need
more than MAX_LOSO_FOLDS fits, `loso` falls back to a grouped 5-fold split and says so; the result
records the protocol that actually ran.
"""

from bench.protocol.folds import MAX_LOSO_FOLDS, Fold, ProtocolError, kfold_folds, kfold_groups, loso_folds, loso_plan
from bench.protocol.run import FoldReport, Predictions, protocol_from_config, run_protocol

__all__ = ["MAX_LOSO_FOLDS", "Fold", "FoldReport", "Predictions", "ProtocolError", "kfold_folds", "kfold_groups",
           "loso_folds", "loso_plan", "protocol_from_config", "run_protocol"]
