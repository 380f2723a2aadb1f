"""Which cross-source claim pairs to annotate next: the most similar ones not yet annotated.

A candidate is an unordered pair of claims from two different articles with neither direction in
pairs.jsonl. Ranking is by cosine similarity (TF-IDF by default, or sentence embeddings).
`unrelated_hard` looks for hard-negative candidates instead: pairs that look alike without being
near-paraphrases (similarity inside a middle band), or that name a shared entity with different
numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bench.annotate.mentions import entities, numbers
from bench.annotate.similarity import METHODS, block_cosine, vectors_for
from bench.corpus import Annotations

# Similarity band of hard-negative candidates, per method: similar enough to be confusable,
# not so similar that the pair is probably a paraphrase (entails).
HARD_BANDS = {"tfidf": (0.2, 0.5), "embedding": (0.5, 0.8)}


@dataclass(frozen=True)
class Suggestion:
    score: float
    claim_a: str
    claim_b: str
    text_a: str
    text_b: str

    def tsv(self) -> str:
        """score, claim_a, claim_b, text_a, text_b (tabs/newlines inside texts become spaces)."""
        clean = [" ".join(t.split()) for t in (self.text_a, self.text_b)]
        return "\t".join([f"{self.score:.4f}", self.claim_a, self.claim_b, *clean])


def suggest(
    ann: Annotations,
    top: int,
    *,
    method: str = "tfidf",
    unrelated_hard: bool = False,
    band: tuple[float, float] | None = None,
    include_perturbed: bool = False,
) -> list[Suggestion]:
    """The `top` best unannotated cross-source pairs, highest score first (ties: by claim ids)."""
    if method not in METHODS:
        raise ValueError(f"unknown --method {method!r}; use one of: {', '.join(METHODS)}")
    ids = sorted(cid for cid, c in ann.claims.items() if include_perturbed or not c.derived_from)
    if len(ids) < 2 or top <= 0:
        return []
    texts = [ann.claims[cid].text for cid in ids]
    vectors = vectors_for(texts, method)
    lo, hi = band or HARD_BANDS[method]
    annotated = {frozenset((p.claim_a, p.claim_b)) for p in ann.pairs}
    by_article: dict[str, list[int]] = {}
    for i, cid in enumerate(ids):
        by_article.setdefault(ann.claims[cid].article_id, []).append(i)
    ents = [entities(t) for t in texts] if unrelated_hard else []
    nums = [numbers(t) for t in texts] if unrelated_hard else []
    found: list[tuple[float, str, str, int, int]] = []
    articles = sorted(by_article)
    for x, art_a in enumerate(articles):
        for art_b in articles[x + 1 :]:
            rows, cols = by_article[art_a], by_article[art_b]
            sims = block_cosine(vectors, rows, cols)
            for r, c in zip(*np.nonzero(sims > (lo if unrelated_hard else -np.inf))):
                i, j = rows[r], cols[c]
                score = float(sims[r, c])
                if unrelated_hard and not (score < hi or _numbers_differ(ents[i], ents[j], nums[i], nums[j])):
                    continue
                if frozenset((ids[i], ids[j])) in annotated:
                    continue
                found.append((-score, ids[i], ids[j], i, j))
    found.sort()
    return [Suggestion(-neg, a, b, texts[i], texts[j]) for neg, a, b, i, j in found[:top]]


def _numbers_differ(ents_a: set[str], ents_b: set[str], nums_a: set[str], nums_b: set[str]) -> bool:
    """Same entity named, different numbers given: looks like the same fact, may not be."""
    return bool(ents_a & ents_b) and bool(nums_a) and bool(nums_b) and nums_a != nums_b
