"""bench.lexicon: one word table, so the lexical_lr features came out unchanged when it replaced three copies."""

from __future__ import annotations

import pytest

from bench.lexicon import MONTH_NUMBER, NEGATION_WORDS, NEGATORS, NUMBER_WORDS, WORD_FOR
from bench.models.lexical_features import feature_names, pair_features
from bench.models.text_cues import number_values

TEXTS_A = [
    "Police said three hundred people were not injured on 3 March 2019.",
    "The minister denied on Tuesday that the deal was signed in the 1990s.",
    "Several thousand protesters marched in Paris yesterday.",
    "Apple's revenue rose 2,500 million in June.",
]
TEXTS_B = [
    "Police said 300 people were injured on March 4, 2019.",
    "The minister confirmed the deal was signed in 1995, on Wednesday.",
    "Twenty-five protesters marched in Paris today, despite the ban.",
    "Samsung's revenue fell by half in Jun.",
]
# Computed on main (commit 179eab5) BEFORE the word tables moved to bench.lexicon, with
# `pair_features(TEXTS_A, TEXTS_B)` (no TF-IDF, so tfidf_cosine is 0), rounded to 12 decimals;
# every feature not listed is 0. Do not regenerate these from the current code.
EXPECTED_NONZERO = [
    {"word_jaccard": 0.666666666667, "word_b_in_a": 0.75, "word_a_in_b": 0.857142857143, "bigram_jaccard":
     0.176470588235, "bigram_b_in_a": 0.333333333333, "bigram_a_in_b": 0.272727272727, "char4_jaccard":
     0.453333333333, "char4_b_in_a": 0.708333333333, "char4_a_in_b": 0.55737704918, "neg_a": 1.0,
     "neg_mismatch": 1.0, "polarity_mismatch": 1.0, "num_jaccard": 1.0, "num_b_in_a": 1.0, "num_a_in_b":
     1.0, "num_a": 1.0, "num_b": 1.0, "date_day_mismatch": 1.0, "date_mismatch": 1.0, "date_a": 1.0,
     "date_b": 1.0, "ent_jaccard": 1.0, "ent_b_in_a": 1.0, "ent_a_in_b": 1.0, "ent_a": 1.0, "ent_b": 1.0,
     "len_ratio": 0.833333333333, "log_len_b_over_a": -0.167054084663, "len_a_log": 2.564949357462,
     "len_b_log": 2.397895272798, "overlap_x_polarity_mismatch": 0.75, "overlap_x_date_mismatch": 0.75},
    {"word_jaccard": 0.3, "word_b_in_a": 0.5, "word_a_in_b": 0.428571428571, "bigram_jaccard":
     0.277777777778, "bigram_b_in_a": 0.5, "bigram_a_in_b": 0.384615384615, "char4_jaccard": 0.386363636364,
     "char4_b_in_a": 0.576271186441, "char4_a_in_b": 0.539682539683, "refute_a": 1.0, "refute_mismatch":
     1.0, "polarity_mismatch": 1.0, "date_year_mismatch": 1.0, "date_weekday_mismatch": 1.0,
     "date_mismatch": 1.0, "date_a": 1.0, "date_b": 1.0, "len_ratio": 0.785714285714, "log_len_b_over_a":
     -0.223143551314, "len_a_log": 2.708050201102, "len_b_log": 2.484906649788,
     "overlap_x_polarity_mismatch": 0.5, "overlap_x_date_mismatch": 0.5},
    {"word_jaccard": 0.333333333333, "word_b_in_a": 0.5, "word_a_in_b": 0.5, "bigram_jaccard": 0.25,
     "bigram_b_in_a": 0.333333333333, "bigram_a_in_b": 0.5, "char4_jaccard": 0.320987654321, "char4_b_in_a":
     0.448275862069, "char4_a_in_b": 0.530612244898, "refute_b": 1.0, "refute_mismatch": 1.0,
     "polarity_mismatch": 1.0, "num_b": 1.0, "num_b_new": 1.0, "vague_a": 1.0, "vague_vs_exact": 1.0,
     "date_relative_mismatch": 1.0, "date_mismatch": 1.0, "date_a": 1.0, "date_b": 1.0, "ent_jaccard":
     0.333333333333, "ent_b_in_a": 0.5, "ent_a_in_b": 0.5, "ent_a": 1.0, "ent_b": 1.0, "ent_b_new": 1.0,
     "ent_a_new": 1.0, "ent_mismatch": 1.0, "len_ratio": 0.7, "log_len_b_over_a": 0.318453731119,
     "len_a_log": 2.07944154168, "len_b_log": 2.397895272798, "overlap_x_polarity_mismatch": 0.5,
     "overlap_x_date_mismatch": 0.5, "overlap_x_ent_b_new": 0.5},
    {"word_jaccard": 0.1, "word_b_in_a": 0.2, "word_a_in_b": 0.166666666667, "char4_jaccard":
     0.196721311475, "char4_b_in_a": 0.352941176471, "char4_a_in_b": 0.307692307692, "num_a": 1.0, "num_b":
     1.0, "num_b_new": 1.0, "num_a_new": 1.0, "num_mismatch": 1.0, "num_disjoint": 1.0, "date_a": 1.0,
     "date_b": 1.0, "ent_a": 1.0, "ent_b": 1.0, "ent_b_new": 1.0, "ent_a_new": 1.0, "ent_mismatch": 1.0,
     "ent_disjoint": 1.0, "len_ratio": 1.0, "len_a_log": 2.07944154168, "len_b_log": 2.07944154168,
     "overlap_x_num_mismatch": 0.2, "overlap_x_ent_b_new": 0.2},
]


def test_lexical_features_unchanged_on_fixed_sentences() -> None:
    X, names = pair_features(TEXTS_A, TEXTS_B)
    assert names == feature_names() and len(names) == 54
    for row, expected in zip(X, EXPECTED_NONZERO, strict=True):
        assert set(expected) <= set(names)
        got = dict(zip(names, row.tolist()))
        assert got == pytest.approx({n: expected.get(n, 0.0) for n in names}, abs=1e-9)


def test_every_number_word_a_perturbation_writes_is_a_number_feature() -> None:
    for word, value in NUMBER_WORDS.items():
        assert number_values([word], set()) == ({f"{float(value):g}"}, False), word
    assert set(WORD_FOR.values()) <= set(NUMBER_WORDS)


def test_tables() -> None:
    assert NEGATORS <= NEGATION_WORDS
    assert MONTH_NUMBER["sept"] == MONTH_NUMBER["sep"] == MONTH_NUMBER["september"] == 9
    assert MONTH_NUMBER["may"] == 5 and len(set(MONTH_NUMBER.values())) == 12
