"""Rule-based perturbations of a claim text, proposed for a human to review (never trusted blindly).

Each kind is a handful of transparent rules (a regex and a replacement), so an annotator can see
exactly what changed: negation, number, entity, date, quantifier, antonym. `propose` returns every
applicable proposal, best first; an empty list means no rule of that kind applies.

Rules by kind: `negation`, `entity`, `swaps` (number, date, quantifier, antonym); `edit` holds the
`Proposal` record and the span edit they share.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Sequence

from bench.annotate.perturb.edit import PerturbError, Proposal
from bench.annotate.perturb.entity import entity
from bench.annotate.perturb.negation import negation
from bench.annotate.perturb.swaps import antonym, date, number, quantifier
from bench.corpus import PERTURBATION_KINDS, Annotations

__all__ = ["RULES", "PerturbError", "Proposal", "propose", "propose_for_claim"]

RULES: dict[str, Callable[[str, Sequence[str]], list[Proposal]]] = {
    "negation": negation, "number": number, "entity": entity, "date": date, "quantifier": quantifier,
    "antonym": antonym,
}
assert set(RULES) == set(PERTURBATION_KINDS), "every perturbation kind needs a rule"


def propose(text: str, kind: str, corpus: Sequence[str] = ()) -> list[Proposal]:
    """Every proposal of `kind` for `text`, best first; `corpus` feeds the entity inventory."""
    if kind not in RULES:
        raise PerturbError(f"unknown perturbation kind {kind!r}; use one of: {', '.join(RULES)}")
    return RULES[kind](text, corpus)


def propose_for_claim(ann: Annotations, claim_id: str, kind: str) -> list[Proposal]:
    """Proposals of `kind` for a claim of `ann`; the corpus is every article and claim text."""
    claim = ann.claims.get(claim_id)
    if claim is None:
        close = difflib.get_close_matches(claim_id, list(ann.claims), n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise PerturbError(f"claim {claim_id!r} is not in {ann.root / 'claims.jsonl'}{hint}")
    corpus = [*ann.texts.values(), *(c.text for c in ann.claims.values())]
    proposals = propose(claim.text, kind, corpus)
    if not proposals:
        others = ", ".join(k for k in RULES if k != kind)
        raise PerturbError(f"no {kind} rule applies to claim {claim_id!r} ({claim.text!r}); "
                           f"try another --kind ({others}) or write the perturbed text with add-claim")
    return proposals
