"""Lexical baselines: what surface overlap, negation and number cues alone can do.

- `HypothesisOnlyClassifier` sees claim_b only. If it beats the majority floor, labels leak through
  the hypothesis wording (an annotation artefact, cf. hypothesis-only NLI baselines).
- `TfidfPairClassifier`: TF-IDF of both claims, their elementwise product and cosine, + LR.
- `LexicalFeatureClassifier`: hand features in the spirit of the FNC-1 baseline (overlap, refuting
  words, number/date/entity mismatch, length) + LR. `pair_features` exposes them for inspection.

Vocabularies and IDF weights are fitted on the training side only. Per-text features are computed
once per unique text inside each call; pair features are then sparse row-wise products, so 100k
pairs over 20k unique claims take seconds.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from itertools import chain
from typing import Any, ClassVar

import numpy as np

from bench.models.base import LinearHead, PairBatch, check_labels


def _unique_index(texts_a: Sequence[str], texts_b: Sequence[str]) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Unique texts of both sides and, per pair, the row of its a and b text."""
    index: dict[str, int] = {}
    ia = np.fromiter((index.setdefault(t, len(index)) for t in texts_a), dtype=np.int64, count=len(texts_a))
    ib = np.fromiter((index.setdefault(t, len(index)) for t in texts_b), dtype=np.int64, count=len(texts_b))
    return list(index), ia, ib


def _tfidf(ngram_max: int, min_df: int, max_features: int | None) -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(ngram_range=(1, ngram_max), min_df=min_df, max_features=max_features,
                           sublinear_tf=True, lowercase=True, dtype=np.float32)


def _rowwise_dot(A: Any, B: Any) -> np.ndarray:
    """Per-row inner product of two sparse matrices with the same shape."""
    return np.asarray(A.multiply(B).sum(axis=1)).ravel()


class _TfidfLinearModel:
    """Shared settings of the TF-IDF + logistic-regression models (vectorizer fitted per fold)."""

    trainable: ClassVar[bool] = True

    def __init__(self, seed: int = 0, C: float = 1.0, max_iter: int = 1000, class_weight: str | None = "balanced",
                 ngram_max: int = 2, min_df: int = 1, max_features: int | None = 50000) -> None:
        for name, value in (("ngram_max", ngram_max), ("min_df", min_df), ("max_iter", max_iter)):
            if value < 1:
                raise ValueError(f"model.{name}={value} is invalid; it must be >= 1")
        if max_features is not None and max_features < 1:
            raise ValueError(f"model.max_features={max_features} is invalid; use null (no cap) or a number >= 1")
        self.seed, self.ngram_max, self.min_df, self.max_features = seed, ngram_max, min_df, max_features
        self.head = LinearHead(C=C, max_iter=max_iter, class_weight=class_weight, seed=seed)
        self.vectorizer_: Any = None


class HypothesisOnlyClassifier(_TfidfLinearModel):
    """TF-IDF + LR on claim_b alone: the annotation-artefact probe (a sound benchmark keeps it near the floor)."""

    def fit(self, train: PairBatch) -> HypothesisOnlyClassifier:
        y = check_labels(train.require_labels())
        self.vectorizer_ = _tfidf(self.ngram_max, self.min_df, self.max_features)
        X = self.vectorizer_.fit_transform(train.text_b)
        self.head.fit(X, y)
        return self

    def predict_proba(self, pairs: PairBatch) -> np.ndarray:
        if self.vectorizer_ is None:
            raise RuntimeError("HypothesisOnlyClassifier.predict_proba called before fit")
        return self.head.predict_proba(self.vectorizer_.transform(pairs.text_b))


class TfidfPairClassifier(_TfidfLinearModel):
    """LR on [tfidf_a, tfidf_b, tfidf_a * tfidf_b, cosine]; the vectorizer is fitted on training texts only."""

    def _features(self, pairs: PairBatch) -> Any:
        import scipy.sparse as sp

        texts, ia, ib = _unique_index(pairs.text_a, pairs.text_b)
        T = self.vectorizer_.transform(texts).tocsr()
        Ta, Tb = T[ia], T[ib]
        prod = Ta.multiply(Tb).tocsr()
        cos = np.asarray(prod.sum(axis=1), dtype=np.float32)  # rows are L2-normalised
        return sp.hstack([Ta, Tb, prod, sp.csr_matrix(cos)], format="csr")

    def fit(self, train: PairBatch) -> TfidfPairClassifier:
        y = check_labels(train.require_labels())
        self.vectorizer_ = _tfidf(self.ngram_max, self.min_df, self.max_features)
        self.vectorizer_.fit(list(dict.fromkeys([*train.text_a, *train.text_b])))
        self.head.fit(self._features(train), y)
        return self

    def predict_proba(self, pairs: PairBatch) -> np.ndarray:
        if self.vectorizer_ is None:
            raise RuntimeError("TfidfPairClassifier.predict_proba called before fit")
        return self.head.predict_proba(self._features(pairs))


# ---------------------------------------------------------------------------------------------
# Hand features (FNC-1 baseline style)

NEGATION_WORDS = frozenset({
    "not", "no", "never", "none", "nobody", "nothing", "neither", "nor", "nowhere", "without", "cannot",
    "cant", "dont", "didnt", "doesnt", "isnt", "wasnt", "werent", "arent", "wont", "hasnt", "havent",
    "hadnt", "couldnt", "shouldnt", "wouldnt", "unable", "failed", "fails", "fail", "lack", "lacked",
})
REFUTING_WORDS = frozenset({
    "deny", "denies", "denied", "denying", "denial", "decline", "declined", "declines", "refuse", "refused",
    "refuses", "refusal", "rebuff", "rebuffed", "rebuffs", "reject", "rejected", "rejects", "dismiss",
    "dismissed", "dismisses", "disputed", "disputes", "dispute", "false", "fake", "fraud", "hoax", "bogus",
    "debunk", "debunked", "retract", "retracted", "doubt", "doubts", "despite", "contrary", "untrue",
    "misleading", "wrongly", "falsely",
})
_UNITS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen".split())}
_TENS = {w: 10 * (i + 2) for i, w in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split())}
_SCALES = {"hundred": 100.0, "thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
_OTHER_NUMBERS = {"dozen": 12.0, "half": 0.5, "twice": 2.0, "once": 1.0, "thrice": 3.0, "double": 2.0,
                  "doubled": 2.0, "tripled": 3.0, "triple": 3.0}
VAGUE_QUANTITIES = frozenset({
    "several", "few", "many", "dozens", "hundreds", "thousands", "millions", "billions", "numerous",
    "multiple", "handful", "some", "scores", "most", "majority", "countless", "various",
})
_MONTHS = {m: i + 1 for i, m in enumerate(
    "january february march april may june july august september october november december".split())}
_MONTHS.update({"jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9,
                "oct": 10, "nov": 11, "dec": 12})
_WEEKDAYS = {d: i for i, d in enumerate("monday tuesday wednesday thursday friday saturday sunday".split())}
_RELATIVE_DAYS = frozenset({"today", "yesterday", "tomorrow", "tonight", "overnight"})

_WORD_RE = re.compile(r"[a-z]+(?:'[a-z]+)?|\d+(?:[.,]\d+)*")
_THOUSANDS_RE = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_CAP_RE = re.compile(r"\b[A-Z][A-Za-z'\-\.]*[A-Za-z]|\b[A-Z]\b")
_MONTH_NAMES = (r"January|February|March|April|May|June|July|August|September|October|November|December|"
                r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec")
# one pass per text: "3 March" | "March 3" / "March" | a year or decade (not part of "2,017" or "20170")
_DATE_RE = re.compile(
    rf"\b(?P<dd>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<dm>{_MONTH_NAMES})\b"
    rf"|\b(?P<m>{_MONTH_NAMES})\b\.?(?:\s+(?P<md>\d{{1,2}})(?:st|nd|rd|th)?\b(?![,.]\d))?"
    r"|(?<!\d)(?<!\d[,.])(?P<y>(?:1[89]|20)\d\d)(?!\d|[,.]\d)(?P<decade>s\b)?"
)
_DATE_KINDS = ("year", "month", "day", "weekday", "relative")
_NUMBERISH = frozenset(_UNITS) | frozenset(_TENS) | frozenset(_SCALES) | frozenset(_OTHER_NUMBERS) | VAGUE_QUANTITIES
_VAGUE_GLUE = frozenset({"few", "couple", "number", "of"})

# sklearn's English stop words minus the negations (those are features, not noise)
_STOP: frozenset[str] | None = None


def _stop_words() -> frozenset[str]:
    global _STOP
    if _STOP is None:
        from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

        _STOP = frozenset(ENGLISH_STOP_WORDS) - NEGATION_WORDS - VAGUE_QUANTITIES - {"once", "twice"}
    return _STOP


@lru_cache(maxsize=1 << 18)
def _stem(word: str) -> str:
    """A crude suffix strip so 'protests'/'protested'/'protesting' overlap; good enough for counting."""
    if word.endswith("'s"):
        word = word[:-2]
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def _parse_number(token: str) -> float | None:
    """'1,200' -> 1200, '3.5' -> 3.5, '3,5' -> 3.5 (a comma is a thousands separator only in 3-digit groups)."""
    if "," in token and _THOUSANDS_RE.fullmatch(token):
        token = token.replace(",", "")
    try:
        return float(token.replace(",", "."))
    except ValueError:
        return None


def _numbers(words: list[str], exclude: set[str]) -> tuple[set[str], bool]:
    """Exact numbers (digits and number words, 'three hundred' -> 300) and whether a vague quantity occurs.

    `exclude` holds digit tokens already read as dates (years, day of month).
    """
    values: set[str] = set()
    vague = False
    n = len(words)
    skip_to = -1
    for i, w in enumerate(words):
        if i <= skip_to or not (w[0].isdigit() or w in _NUMBERISH or w == "a"):
            continue
        value: float | None = None
        if w[0].isdigit():
            value = None if w in exclude else _parse_number(w)
        elif w in _UNITS:
            value = float(_UNITS[w])
        elif w in _TENS:
            value = float(_TENS[w])
            if i + 1 < n and 0 < _UNITS.get(words[i + 1], 0) < 10:  # "twenty-five" -> twenty, five
                value += _UNITS[words[i + 1]]
                skip_to = i + 1
        elif w in _OTHER_NUMBERS:
            value = _OTHER_NUMBERS[w]
        elif w in VAGUE_QUANTITIES or (w == "a" and i + 1 < n and words[i + 1] in _VAGUE_GLUE):
            vague = True
            j = i  # "a few hundred", "several thousand": the scale word must not read as an exact number
            while j + 1 < n and (words[j + 1] in _SCALES or words[j + 1] in _VAGUE_GLUE):
                j += 1
            skip_to = j
            continue
        elif w in _SCALES:  # a bare "hundred" ("a hundred people")
            value = _SCALES[w]
        if value is not None:
            j = max(i, skip_to)
            while j + 1 < n and words[j + 1] in _SCALES:
                value *= _SCALES[words[j + 1]]
                j += 1
            skip_to = j
            values.add(f"{value:g}")
    return values, vague


def _dates(text: str) -> tuple[dict[str, set[str]], set[str]]:
    """Date tokens by kind (year, month, day) and the digit tokens they consumed (not numbers then)."""
    out: dict[str, set[str]] = {"year": set(), "month": set(), "day": set(), "weekday": set(), "relative": set()}
    used: set[str] = set()
    for m in _DATE_RE.finditer(text):
        if m.group("y"):
            out["year"].add(m.group(0))  # "1990s" (a decade) stays distinct from "1990"
            used.add(m.group("y"))
            continue
        month_name, day = (m.group("dm"), m.group("dd")) if m.group("dm") else (m.group("m"), m.group("md"))
        month = _MONTHS[month_name.lower()]
        out["month"].add(str(month))
        if day:
            out["day"].add(f"{month}-{int(day)}")
            used.add(day)
    return out, used


class _TextFeatures:
    """Per-unique-text features, computed once per call: sets (for overlap) and scalars."""

    def __init__(self, texts: Sequence[str]) -> None:
        stop = _stop_words()
        n = len(texts)
        self.content: list[set[str]] = []
        self.bigrams: list[set[tuple[str, str]]] = []
        self.squashed: list[str] = []  # lower-cased words joined by one space: the char n-gram source
        self.numbers: list[set[str]] = []
        self.entities: list[set[str]] = []
        self.known: list[set[str]] = []  # every word and entity token of the text, lower-cased
        self.dates: dict[str, list[set[str]]] = {k: [] for k in _DATE_KINDS}
        self.n_words = np.zeros(n)
        self.negations = np.zeros(n)
        self.refuting = np.zeros(n)
        self.vague = np.zeros(n)
        for i, raw in enumerate(texts):
            text = raw.replace("\u2019", "'").replace("\u2018", "'").replace("n't", " not")
            dates, used_digits = _dates(text)
            words = _WORD_RE.findall(text.lower())
            self.n_words[i] = len(words)
            wordset = set(words)
            self.negations[i] = sum(1 for w in words if w in NEGATION_WORDS)
            self.refuting[i] = sum(1 for w in words if w in REFUTING_WORDS)
            dates["weekday"].update(wordset.intersection(_WEEKDAYS))
            dates["relative"].update(wordset.intersection(_RELATIVE_DAYS))
            for kind in _DATE_KINDS:
                self.dates[kind].append(dates[kind])
            numbers, vague = _numbers(words, used_digits)
            self.numbers.append(numbers)
            self.vague[i] = vague
            self.content.append({_stem(w) for w in wordset if w not in stop and w not in NEGATION_WORDS})
            self.bigrams.append(set(zip(words, words[1:])))
            self.squashed.append(" ".join(words))
            ents = set()
            for match in _CAP_RE.finditer(text):
                # a sentence-initial common word ("The", "No") is capitalised by position, not as a name
                token = match.group(0).lower().rstrip(".")
                if token.endswith("'s"):
                    token = token[:-2]
                if token not in stop and token not in _MONTHS and token not in _WEEKDAYS and token not in NEGATION_WORDS:
                    ents.add(token)
            self.entities.append(ents)
            self.known.append(wordset | {w[:-2] for w in wordset if w.endswith("'s")} | ents)


def _csr(rows: np.ndarray, codes: np.ndarray, n_rows: int) -> Any:
    """0/1 CSR matrix from (row, item code) pairs sorted by row, duplicates removed."""
    import scipy.sparse as sp

    _, cols = np.unique(codes, return_inverse=True)
    indptr = np.zeros(n_rows + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=n_rows), out=indptr[1:])
    return sp.csr_matrix((np.ones(len(cols), dtype=np.float32), cols.astype(np.int64), indptr),
                         shape=(n_rows, max(int(cols.max()) + 1 if len(cols) else 1, 1)))


def _binary(sets: Sequence[set[Any]]) -> Any:
    """A CSR 0/1 matrix, one row per text. Items are identified by their 64-bit hash within this process
    (a collision would need two distinct items with equal 64-bit hashes: negligible)."""
    lengths = np.fromiter(map(len, sets), dtype=np.int64, count=len(sets))
    codes = np.fromiter(map(hash, chain.from_iterable(sets)), dtype=np.int64, count=int(lengths.sum()))
    rows = np.repeat(np.arange(len(sets), dtype=np.int64), lengths)
    return _csr(rows, codes, len(sets))


def _char_ngrams(texts: Sequence[str], n: int = 4) -> Any:
    """0/1 CSR of byte 4-grams per text, computed for all texts at once with numpy (no Python loop)."""
    if n != 4:
        raise ValueError(f"char n-gram size {n} unsupported; the packed uint32 code holds exactly 4 bytes")
    data = np.frombuffer(("\x00".join(texts) + "\x00" * n).encode("utf-8"), dtype=np.uint8).astype(np.uint32)
    sep = data == 0
    text_id = np.cumsum(sep) - sep  # the text each byte belongs to
    codes = (data[:-3] << 24) | (data[1:-2] << 16) | (data[2:-1] << 8) | data[3:]
    windows_with_sep = np.convolve(sep.astype(np.int64), np.ones(n, dtype=np.int64), mode="valid")
    keep = windows_with_sep == 0
    key = (text_id[:-3][keep].astype(np.int64) << 32) | codes[keep].astype(np.int64)
    key.sort()
    if len(key):
        key = key[np.concatenate(([True], key[1:] != key[:-1]))]  # sort-based dedup: faster than np.unique here
    # the packed 4-byte code is itself the column: no vocabulary needed, rows come out canonical
    import scipy.sparse as sp

    indptr = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum(np.bincount(key >> 32, minlength=len(texts)), out=indptr[1:])
    M = sp.csr_matrix((np.ones(len(key), dtype=np.float32), key & 0xFFFFFFFF, indptr), shape=(len(texts), 1 << 32))
    M.has_canonical_format = True
    return M


def _overlap_matrix(M: Any, ia: np.ndarray, ib: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per pair: |A & B|, |A|, |B| as row-wise products of a 0/1 matrix."""
    sizes = np.diff(M.indptr).astype(np.float64)
    return _rowwise_dot(M[ia], M[ib]), sizes[ia], sizes[ib]


def _overlap(sets: Sequence[set[Any]], ia: np.ndarray, ib: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return _overlap_matrix(_binary(sets), ia, ib)


def _safe_div(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    return np.divide(num, den, out=np.zeros_like(num, dtype=np.float64), where=den > 0)


def _set_features(prefix: str, inter: np.ndarray, na: np.ndarray, nb: np.ndarray,
                  cols: dict[str, np.ndarray], *, mismatch: bool) -> None:
    union = na + nb - inter
    cols[f"{prefix}_jaccard"] = _safe_div(inter, union)
    cols[f"{prefix}_b_in_a"] = _safe_div(inter, nb)  # hypothesis coverage: high for entailment
    cols[f"{prefix}_a_in_b"] = _safe_div(inter, na)
    if mismatch:
        both = (na > 0) & (nb > 0)
        cols[f"{prefix}_a"] = (na > 0).astype(float)
        cols[f"{prefix}_b"] = (nb > 0).astype(float)
        cols[f"{prefix}_b_new"] = np.minimum(nb - inter, 3)  # items of b not in a
        cols[f"{prefix}_a_new"] = np.minimum(na - inter, 3)
        cols[f"{prefix}_mismatch"] = (both & (inter < np.minimum(na, nb))).astype(float)  # both state it, differently
        cols[f"{prefix}_disjoint"] = (both & (inter == 0)).astype(float)


def pair_features(text_a: Sequence[str], text_b: Sequence[str], tfidf: Any = None) -> tuple[np.ndarray, list[str]]:
    """The hand feature matrix (n_pairs, n_features) and the feature names.

    `tfidf` is a fitted TfidfVectorizer (fitted on training texts by the classifier) for the cosine
    feature; None leaves that column at 0. Every other feature is a fixed function of the two texts.
    """
    texts, ia, ib = _unique_index(text_a, text_b)
    tf = _TextFeatures(texts)
    cols: dict[str, np.ndarray] = {}
    _set_features("word", *_overlap(tf.content, ia, ib), cols, mismatch=False)
    _set_features("bigram", *_overlap(tf.bigrams, ia, ib), cols, mismatch=False)
    _set_features("char4", *_overlap_matrix(_char_ngrams(tf.squashed), ia, ib), cols, mismatch=False)
    if tfidf is not None:
        T = tfidf.transform(texts).tocsr()
        cols["tfidf_cosine"] = _rowwise_dot(T[ia], T[ib])
    else:
        cols["tfidf_cosine"] = np.zeros(len(ia))
    neg_a, neg_b = tf.negations[ia], tf.negations[ib]
    ref_a, ref_b = tf.refuting[ia], tf.refuting[ib]
    cols["neg_a"], cols["neg_b"] = np.minimum(neg_a, 3), np.minimum(neg_b, 3)
    cols["neg_mismatch"] = ((neg_a % 2) != (neg_b % 2)).astype(float)  # odd vs even negation count: polarity flip
    cols["refute_a"], cols["refute_b"] = np.minimum(ref_a, 3), np.minimum(ref_b, 3)
    cols["refute_mismatch"] = ((ref_a > 0) != (ref_b > 0)).astype(float)
    polarity_a, polarity_b = (neg_a + ref_a) % 2, (neg_b + ref_b) % 2
    cols["polarity_mismatch"] = (polarity_a != polarity_b).astype(float)
    _set_features("num", *_overlap(tf.numbers, ia, ib), cols, mismatch=True)
    cols["vague_a"], cols["vague_b"] = tf.vague[ia], tf.vague[ib]
    cols["vague_vs_exact"] = (((tf.vague[ia] > 0) & (cols["num_b"] > 0)) | ((tf.vague[ib] > 0) & (cols["num_a"] > 0))).astype(float)
    date_mismatch = np.zeros(len(ia))
    date_any_a, date_any_b = np.zeros(len(ia)), np.zeros(len(ia))
    for kind in _DATE_KINDS:
        inter, na, nb = _overlap(tf.dates[kind], ia, ib)
        mismatch = ((na > 0) & (nb > 0) & (inter == 0)).astype(float)
        cols[f"date_{kind}_mismatch"] = mismatch
        date_mismatch = np.maximum(date_mismatch, mismatch)
        date_any_a, date_any_b = np.maximum(date_any_a, na > 0), np.maximum(date_any_b, nb > 0)
    cols["date_mismatch"] = date_mismatch
    cols["date_a"], cols["date_b"] = date_any_a, date_any_b
    # capitalised tokens; "new" = a name of one side that the other side never mentions, in any case,
    # so a sentence-initial "Talks" matches "talks" instead of counting as a new entity
    both = _binary(tf.entities + tf.known)
    E, K = both[: len(texts)], both[len(texts):]
    ent_inter, ent_a, ent_b = _overlap_matrix(E, ia, ib)
    _set_features("ent", ent_inter, ent_a, ent_b, cols, mismatch=True)
    cols["ent_b_new"] = np.minimum(ent_b - _rowwise_dot(E[ib], K[ia]), 3)
    cols["ent_a_new"] = np.minimum(ent_a - _rowwise_dot(E[ia], K[ib]), 3)
    cols["ent_mismatch"] = ((ent_a > 0) & (ent_b > 0) & ((cols["ent_b_new"] > 0) | (cols["ent_a_new"] > 0))).astype(float)
    len_a, len_b = tf.n_words[ia], tf.n_words[ib]
    cols["len_ratio"] = _safe_div(np.minimum(len_a, len_b), np.maximum(len_a, len_b))
    cols["log_len_b_over_a"] = np.log1p(len_b) - np.log1p(len_a)
    cols["len_a_log"], cols["len_b_log"] = np.log1p(len_a), np.log1p(len_b)
    # a linear model cannot AND two cues; these products are the decisive contradiction patterns
    overlap = cols["word_b_in_a"]
    cols["overlap_x_polarity_mismatch"] = overlap * cols["polarity_mismatch"]
    cols["overlap_x_num_mismatch"] = overlap * cols["num_mismatch"]
    cols["overlap_x_date_mismatch"] = overlap * cols["date_mismatch"]
    cols["overlap_x_ent_b_new"] = overlap * cols["ent_b_new"]
    names = list(cols)
    X = np.column_stack([np.asarray(cols[k], dtype=np.float64) for k in names])
    return X, names


def feature_names() -> list[str]:
    """Names of the `pair_features` columns, in order."""
    return pair_features(["x"], ["y"])[1]


class LexicalFeatureClassifier:
    """LR on hand lexical features (overlap, negation/refuting, number/date/entity mismatch, length).

    Features are standardised (scaler fitted on training pairs); the TF-IDF behind the cosine
    feature is fitted on training texts only.
    """

    trainable: ClassVar[bool] = True

    def __init__(self, seed: int = 0, C: float = 1.0, max_iter: int = 2000,
                 class_weight: str | None = "balanced") -> None:
        self.seed = seed
        self.head = LinearHead(C=C, max_iter=max_iter, class_weight=class_weight, scale=True, seed=seed)
        self.tfidf_: Any = None
        self.feature_names_: list[str] = []

    def fit(self, train: PairBatch) -> LexicalFeatureClassifier:
        y = check_labels(train.require_labels())
        self.tfidf_ = _tfidf(1, 1, None)
        self.tfidf_.fit(list(dict.fromkeys([*train.text_a, *train.text_b])))
        X, self.feature_names_ = pair_features(train.text_a, train.text_b, self.tfidf_)
        self.head.fit(X, y)
        return self

    def predict_proba(self, pairs: PairBatch) -> np.ndarray:
        if self.tfidf_ is None:
            raise RuntimeError("LexicalFeatureClassifier.predict_proba called before fit")
        X, _ = pair_features(pairs.text_a, pairs.text_b, self.tfidf_)
        return self.head.predict_proba(X)
