"""Add one claim or one pair: resolve ids and spans, refuse what would break a rule, write safely.

Both functions take the locks, read the root, build the row (its id is assigned under the lock),
validate the would-be files with every rule, and append atomically (see `bench.annotate.store`).
A refusal raises `EditError` and leaves every file byte-identical.
"""

from __future__ import annotations

import difflib
import json
from pathlib import Path

from bench.annotate.store import (
    EditError,
    Snapshot,
    commit,
    default_annotator,
    locked,
    next_claim_id,
    next_pair_id,
    read_snapshot,
    require_encodable,
    row_text,
)
from bench.corpus import (
    ORIGINS,
    PERTURBATION_KINDS,
    Claim,
    Pair,
    SpanError,
    claim_to_row,
    find_span,
    normalize_text,
)
from bench.labels import Label, LabelError, parse
from bench.validate import RATIONALE_REQUIRED


def add_claim(
    root: str | Path,
    text: str,
    *,
    article_id: str | None = None,
    quote: str | None = None,
    derived_from: str | None = None,
    perturbation: str | None = None,
    annotator: str | None = None,
) -> Claim:
    """Append a claim to `root`/claims.jsonl and return it.

    Natural claim: `article_id` (+ optional `quote`, whose span must be found exactly once).
    Perturbed claim: `derived_from` + `perturbation`, no quote (span null), article = the source's.
    """
    text = text.strip()
    if not text:
        raise EditError("--text is empty; write the claim as one self-contained statement")
    require_encodable(text=text, quote=quote, article=article_id, derived_from=derived_from, annotator=annotator)
    if (derived_from is None) != (perturbation is None):
        raise EditError("--derived-from and --perturbation go together: give both (a perturbed claim) or neither "
                        f"(got derived_from={derived_from!r}, perturbation={perturbation!r})")
    if perturbation is not None and perturbation not in PERTURBATION_KINDS:
        raise EditError(f"--perturbation {perturbation!r} is not a known kind; use one of: {', '.join(PERTURBATION_KINDS)}")
    if derived_from is not None and quote is not None:
        raise EditError(f"a perturbed claim (derived from {derived_from!r}) is not a quotation: drop --quote")
    if derived_from is None and article_id is None:
        raise EditError("--article is required for a natural claim (or give --derived-from and --perturbation)")
    with locked(root):
        snap = read_snapshot(root)
        span: tuple[int, int] | None = None
        if derived_from is not None:
            source = claim_or_error(snap, derived_from, "--derived-from")
            if article_id is not None and article_id != source.article_id:
                raise EditError(f"--article {article_id!r} differs from the article of source claim {derived_from!r} "
                                f"({source.article_id!r}); a perturbed claim belongs to its source's article: drop --article")
            article_id = source.article_id
        assert article_id is not None
        if article_id not in snap.articles:
            raise EditError(f"--article {article_id!r} is not in articles.csv; known articles: {', '.join(sorted(snap.articles))}")
        if quote is not None:
            try:
                span = find_span(snap.texts[article_id], quote)
            except SpanError as exc:
                raise EditError(f"--quote in article {article_id!r}: {exc}") from None
        key = normalize_text(text)
        for other in snap.claims.values():
            if other.article_id == article_id and normalize_text(other.text) == key:
                raise EditError(f"article {article_id!r} already has this claim as {other.claim_id!r}: "
                                f"{json.dumps(claim_to_row(other), ensure_ascii=False)}; reuse that id")
        claim = Claim(
            claim_id=next_claim_id(list(snap.claims), article_id),
            article_id=article_id,
            text=text,
            span=span,
            derived_from=derived_from,
            perturbation=perturbation,
            annotator=annotator or default_annotator(),
        )
        commit(snap, [claim], [])
    return claim


def add_pair(
    root: str | Path,
    claim_a: str,
    claim_b: str,
    *,
    label: str | Label,
    origin: str | None = None,
    rationale: str = "",
    annotator: str | None = None,
) -> Pair:
    """Append the pair (claim_a -> claim_b) with its gold label and return it.

    `origin` defaults to what the claims imply: `perturbed` when either has derived_from.
    Refuses a pair already annotated in this direction, and a mirror that disagrees on contradiction.
    """
    try:
        gold = parse(label, where="--label")
    except LabelError as exc:
        raise EditError(str(exc)) from None
    if origin is not None and origin not in ORIGINS:
        raise EditError(f"--origin {origin!r}; use one of: {', '.join(ORIGINS)} (or leave it out to infer it)")
    rationale = rationale.strip()
    require_encodable(rationale=rationale, annotator=annotator)
    if gold in RATIONALE_REQUIRED and not rationale:
        raise EditError(f"--rationale is required for a {gold} pair: one sentence saying why the label holds")
    if claim_a == claim_b:
        raise EditError(f"claim {claim_a!r} paired with itself; pair claims from two different articles")
    with locked(root):
        snap = read_snapshot(root)
        a = claim_or_error(snap, claim_a, "CLAIM_A")
        b = claim_or_error(snap, claim_b, "CLAIM_B")
        if a.article_id == b.article_id:
            raise EditError(f"{claim_a!r} and {claim_b!r} both come from article {a.article_id!r}; "
                            "pairs are cross-source: pick claims from two different articles")
        pair_conflict(snap.pairs, claim_a, claim_b, gold)
        implied = "perturbed" if (a.derived_from or b.derived_from) else "natural"
        pair = Pair(
            pair_id=next_pair_id([p.pair_id for p in snap.pairs]),
            claim_a=claim_a,
            claim_b=claim_b,
            label=gold,
            origin=origin or implied,
            annotator=annotator or default_annotator(),
            rationale=rationale,
        )
        commit(snap, [], [pair])
    return pair


def pair_conflict(pairs: list[Pair], claim_a: str, claim_b: str, label: Label) -> None:
    """Raise EditError if (a, b) is already annotated, or its mirror (b, a) disagrees on contradiction."""
    for other in pairs:
        if (other.claim_a, other.claim_b) == (claim_a, claim_b):
            raise EditError(f"pair ({claim_a}, {claim_b}) is already annotated: {row_text(other)}")
        if (other.claim_a, other.claim_b) == (claim_b, claim_a) and (
            (other.label is Label.CONTRADICTS) != (label is Label.CONTRADICTS)
        ):
            raise EditError(f"({claim_a}, {claim_b}) as {label} conflicts with its mirror {row_text(other)}: "
                            "contradiction is symmetric — label both directions contradicts, or neither")


def claim_or_error(snap: Snapshot, claim_id: str, what: str) -> Claim:
    """The claim named `claim_id`, or an EditError that suggests the closest existing ids."""
    claim = snap.claims.get(claim_id)
    if claim is None:
        close = difflib.get_close_matches(claim_id, list(snap.claims), n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise EditError(f"{what} {claim_id!r} is not in {snap.root / 'claims.jsonl'} "
                        f"({len(snap.claims)} claims){hint}")
    return claim
