"""Hand pair features in the spirit of the FNC-1 baseline: overlap, polarity, number/date/entity mismatch, length.

Pair features are sparse row-wise products over the unique texts' cues (`bench.models.text_cues`),
so 100k pairs over 20k unique claims take seconds.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import chain
from typing import Any

import numpy as np

from bench.models.text_cues import DATE_KINDS, TextCues


def unique_index(texts_a: Sequence[str], texts_b: Sequence[str]) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Unique texts of both sides and, per pair, the row of its a and b text."""
    index: dict[str, int] = {}
    ia = np.fromiter((index.setdefault(t, len(index)) for t in texts_a), dtype=np.int64, count=len(texts_a))
    ib = np.fromiter((index.setdefault(t, len(index)) for t in texts_b), dtype=np.int64, count=len(texts_b))
    return list(index), ia, ib


def rowwise_dot(A: Any, B: Any) -> np.ndarray:
    """Per-row inner product of two sparse matrices with the same shape."""
    return np.asarray(A.multiply(B).sum(axis=1)).ravel()


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
    return rowwise_dot(M[ia], M[ib]), sizes[ia], sizes[ib]


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
    texts, ia, ib = unique_index(text_a, text_b)
    tf = TextCues(texts)
    cols: dict[str, np.ndarray] = {}
    _set_features("word", *_overlap(tf.content, ia, ib), cols, mismatch=False)
    _set_features("bigram", *_overlap(tf.bigrams, ia, ib), cols, mismatch=False)
    _set_features("char4", *_overlap_matrix(_char_ngrams(tf.squashed), ia, ib), cols, mismatch=False)
    if tfidf is not None:
        T = tfidf.transform(texts).tocsr()
        cols["tfidf_cosine"] = rowwise_dot(T[ia], T[ib])
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
    for kind in DATE_KINDS:
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
    cols["ent_b_new"] = np.minimum(ent_b - rowwise_dot(E[ib], K[ia]), 3)
    cols["ent_a_new"] = np.minimum(ent_a - rowwise_dot(E[ia], K[ib]), 3)
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
