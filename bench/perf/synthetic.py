"""Seeded synthetic claim pairs for scaling measurements (never used for scores on real data).

Shape mirrors the seed benchmark: short news-like claims from 5 sources of one event, ordered
cross-source pairs, about one unique claim per five pairs. Claims come in families of five:
a base claim, two paraphrases (dropped words, a swapped word), a negated copy and a copy with a
changed number. `entails` pairs two of {base, paraphrases}; `contradicts` pairs one of them with
the negated or number-changed copy; `unrelated` pairs claims of two different families (some
sharing the actor). So word overlap, negation and number mismatch carry signal, as in real data,
and 5% of labels are flipped so that no model is perfect.
"""

from __future__ import annotations

import numpy as np

from bench.models.base import PairBatch

N_SOURCES = 5
FAMILY = ("base", "para1", "para2", "negated", "number")
_SYLLABLES = [c + v for c in "bcdfghjklmnprstvwz" for v in "aeiou"] + ["an", "en", "in", "on", "ar", "or", "el"]
_FUNCTION = ("the", "a", "of", "in", "to", "with", "for", "on", "at", "by", "from", "and", "after", "over")
_NEGATORS = ("did not", "never", "has not", "refused to")
LABEL_P = (0.35, 0.30, 0.35)  # entails, contradicts, unrelated
NOISE = 0.05


def _words(rng: np.random.Generator, n: int, capital: bool = False) -> list[str]:
    """n distinct pronounceable pseudo-words (2-3 syllables)."""
    out: dict[str, None] = {}
    while len(out) < n:
        k = int(rng.integers(2, 4))
        word = "".join(_SYLLABLES[int(i)] for i in rng.integers(len(_SYLLABLES), size=k))
        out[word.capitalize() if capital else word] = None
    return list(out)


def _family(rng: np.random.Generator, vocab: list[str], zipf: np.ndarray, actors: list[str]) -> list[str]:
    """Five claims about one fact: base, 2 paraphrases, negated, changed number."""
    actor = actors[int(rng.integers(len(actors)))]
    verb = vocab[int(rng.choice(len(vocab), p=zipf))]
    body = [vocab[int(i)] for i in rng.choice(len(vocab), size=int(rng.integers(5, 10)), p=zipf)]
    for _ in range(3):
        body.insert(int(rng.integers(len(body) + 1)), _FUNCTION[int(rng.integers(len(_FUNCTION)))])
    number = int(rng.integers(2, 500))
    year = int(rng.integers(1990, 2024))

    def sentence(neg: str | None, num: int, words: list[str]) -> str:
        head = f"{actor} {neg} {verb}" if neg else f"{actor} {verb}"
        return f"{head} {num} {' '.join(words)} in {year}."

    def paraphrase() -> list[str]:
        words = list(body)
        for _ in range(int(rng.integers(1, 3))):
            if len(words) > 4:
                words.pop(int(rng.integers(len(words))))
        words[int(rng.integers(len(words)))] = vocab[int(rng.choice(len(vocab), p=zipf))]
        return words

    changed = number + int(rng.integers(1, 50)) * (1 if rng.random() < 0.5 else -1)
    return [
        sentence(None, number, body),
        sentence(None, number, paraphrase()),
        sentence(None, number, paraphrase()),
        sentence(_NEGATORS[int(rng.integers(len(_NEGATORS)))], number, body),
        sentence(None, max(changed, 0) if changed != number else number + 1, body),
    ]


def make_pairs(n_pairs: int, seed: int = 0, claims_per_pair: float = 0.2) -> PairBatch:
    """`n_pairs` labelled cross-source pairs over about `claims_per_pair * n_pairs` unique claims."""
    if n_pairs < 50:
        raise ValueError(f"n_pairs={n_pairs} is too small for 5 grouped folds; use >= 50")
    if not 0 < claims_per_pair <= 1:
        raise ValueError(f"claims_per_pair={claims_per_pair} must be in (0, 1]")
    rng = np.random.default_rng(seed)
    n_families = max(4, round(n_pairs * claims_per_pair / len(FAMILY)))
    vocab = _words(rng, max(500, min(20000, n_families * 4)))
    zipf = 1.0 / np.arange(1, len(vocab) + 1) ** 0.9
    zipf /= zipf.sum()
    actors = _words(rng, max(20, n_families // 3), capital=True)
    texts: list[str] = []
    for _ in range(n_families):
        texts.extend(_family(rng, vocab, zipf, actors))
    source = rng.integers(N_SOURCES, size=len(texts))
    fam_size = len(FAMILY)

    chosen_a: list[np.ndarray] = []
    chosen_b: list[np.ndarray] = []
    chosen_y: list[np.ndarray] = []
    seen: set[int] = set()
    have = 0
    while have < n_pairs:
        m = 2 * (n_pairs - have) + 64
        label = rng.choice(3, size=m, p=LABEL_P)
        fam = rng.integers(n_families, size=m)
        other = (fam + rng.integers(1, n_families, size=m)) % n_families
        agree_a = rng.integers(3, size=m)  # base / paraphrases
        agree_b = (agree_a + rng.integers(1, 3, size=m)) % 3
        clash = rng.integers(3, 5, size=m)  # negated / number
        flip = rng.random(m) < 0.5
        a = np.where(label == 0, fam * fam_size + agree_a,
                     np.where(label == 1, np.where(flip, fam * fam_size + clash, fam * fam_size + agree_a),
                              fam * fam_size + rng.integers(fam_size, size=m)))
        b = np.where(label == 0, fam * fam_size + agree_b,
                     np.where(label == 1, np.where(flip, fam * fam_size + agree_a, fam * fam_size + clash),
                              other * fam_size + rng.integers(fam_size, size=m)))
        keep = source[a] != source[b]
        for ai, bi, yi in zip(a[keep], b[keep], label[keep]):
            key = int(ai) * len(texts) + int(bi)
            if key in seen:
                continue
            seen.add(key)
            chosen_a.append(ai)
            chosen_b.append(bi)
            chosen_y.append(yi)
            have += 1
            if have == n_pairs:
                break
    ia = np.asarray(chosen_a, dtype=np.int64)
    ib = np.asarray(chosen_b, dtype=np.int64)
    y = np.asarray(chosen_y, dtype=np.int64)
    noisy = rng.random(n_pairs) < NOISE
    y[noisy] = (y[noisy] + rng.integers(1, 3, size=int(noisy.sum()))) % 3
    role = [FAMILY[int(i) % fam_size] for i in ib]
    src_names = [f"s{int(s)}" for s in range(N_SOURCES)]
    return PairBatch(
        text_a=[texts[i] for i in ia],
        text_b=[texts[i] for i in ib],
        labels=y,
        meta={
            "pair_id": [f"p{i:07d}" for i in range(n_pairs)],
            "claim_a": [f"c{i:07d}" for i in ia],
            "claim_b": [f"c{i:07d}" for i in ib],
            "source_a": [src_names[source[i]] for i in ia],
            "source_b": [src_names[source[i]] for i in ib],
            "event_id": ["ev-synthetic"] * n_pairs,
            "origin": ["perturbed" if r in ("negated", "number") else "natural" for r in role],
            "perturbation": ["negation" if r == "negated" else "number" if r == "number" else "" for r in role],
        },
    )


def unique_texts(batch: PairBatch) -> int:
    return len(set(batch.text_a) | set(batch.text_b))
