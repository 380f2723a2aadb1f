"""From an LLM's answer to a probability row over the three labels.

Strict on purpose: an answer counts only if it is one of our label names (optionally as the JSON
object `{"label": ...}` that the schema asks for, optionally followed by punctuation or an
explanation after the first word). Everything else is unparseable, counted, and mapped to the
fallback row (`unrelated` by default: the label that claims nothing), so that a model that rambles
is scored as what it did, not as what it might have meant.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence

import numpy as np

from bench.labels import LABEL_NAMES, NUM_LABELS

_FIRST_WORD = re.compile(r"\s*[\"'`*(\[]*([A-Za-z]+)")
# What a tokenizer may turn a label's first token into ("ent", "Ent", " contr", ...).
_PREFIX_MIN = 3

JSON_SCHEMA = {
    "type": "object",
    "properties": {"label": {"type": "string", "enum": list(LABEL_NAMES)}},
    "required": ["label"],
    "additionalProperties": False,
}


def parse_answer(text: str | None) -> int | None:
    """Class id of the label the answer gives, or None when it gives none unambiguously."""
    if not text:
        return None
    stripped = text.strip()
    if stripped.startswith("{"):
        try:
            value = json.loads(stripped)
        except json.JSONDecodeError:
            return None
        label = value.get("label") if isinstance(value, dict) else None
        return LABEL_NAMES.index(label) if label in LABEL_NAMES else None
    match = _FIRST_WORD.match(stripped)
    word = match.group(1).lower() if match else ""
    return LABEL_NAMES.index(word) if word in LABEL_NAMES else None


def one_hot(index: int) -> np.ndarray:
    row = np.zeros(NUM_LABELS)
    row[index] = 1.0
    return row


def label_of_token(token: str) -> int | None:
    """The label a single token starts (e.g. " contr" -> contradicts), or None."""
    word = token.strip().strip("\"'{:").lower()
    if len(word) < _PREFIX_MIN:
        return None
    hits = [i for i, name in enumerate(LABEL_NAMES) if name.startswith(word) or word.startswith(name)]
    return hits[0] if len(hits) == 1 else None


def proba_from_top_logprobs(top: Sequence[Mapping[str, float]]) -> np.ndarray | None:
    """Renormalised label probabilities from the first answer token whose alternatives name a label.

    `top` holds, per generated token, {token: logprob} of the most likely alternatives. Tokens
    before the label (a quote, `{"label": "`) are skipped; the first position where any
    alternative starts a label decides. None when no position does (then the caller uses one-hot).
    """
    for alternatives in top:
        mass = np.zeros(NUM_LABELS)
        for token, logprob in alternatives.items():
            label = label_of_token(token)
            if label is not None and logprob is not None and math.isfinite(logprob):
                mass[label] += math.exp(logprob)
        if mass.sum() > 0:
            return mass / mass.sum()
    return None


def proba_from_loglikelihoods(scores: Sequence[float]) -> np.ndarray:
    """Softmax over the three labels' continuation log-likelihoods (lm-evaluation-harness style)."""
    z = np.asarray(scores, dtype=np.float64)
    z = z - z.max()
    e = np.exp(z)
    return e / e.sum()
