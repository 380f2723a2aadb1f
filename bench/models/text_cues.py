"""Per-text lexical cues: content words, numbers, dates, names, negation and refuting counts.

Computed once per unique text (`TextCues`); `bench.models.lexical_features` turns two texts' cues
into pair features. The words come from `bench.lexicon`, shared with the perturbation rules.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from bench.lexicon import (
    MONTH_ABBREVIATIONS,
    MONTH_NUMBER,
    MONTHS,
    NEGATION_WORDS,
    OTHER_NUMBERS,
    REFUTING_WORDS,
    RELATIVE_DAYS,
    SCALES,
    TENS,
    UNITS,
    VAGUE_QUANTITIES,
    WEEKDAYS,
)

_WEEKDAYS = frozenset(d.lower() for d in WEEKDAYS)

_WORD_RE = re.compile(r"[a-z]+(?:'[a-z]+)?|\d+(?:[.,]\d+)*")
_THOUSANDS_RE = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_CAP_RE = re.compile(r"\b[A-Z][A-Za-z'\-\.]*[A-Za-z]|\b[A-Z]\b")
_MONTH_NAMES = "|".join((*MONTHS, *MONTH_ABBREVIATIONS))
# one pass per text: "3 March" | "March 3" / "March" | a year or decade (not part of "2,017" or "20170")
_DATE_RE = re.compile(
    rf"\b(?P<dd>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<dm>{_MONTH_NAMES})\b"
    rf"|\b(?P<m>{_MONTH_NAMES})\b\.?(?:\s+(?P<md>\d{{1,2}})(?:st|nd|rd|th)?\b(?![,.]\d))?"
    r"|(?<!\d)(?<!\d[,.])(?P<y>(?:1[89]|20)\d\d)(?!\d|[,.]\d)(?P<decade>s\b)?"
)
DATE_KINDS = ("year", "month", "day", "weekday", "relative")
_NUMBERISH = frozenset(UNITS) | frozenset(TENS) | frozenset(SCALES) | frozenset(OTHER_NUMBERS) | VAGUE_QUANTITIES
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


def number_values(words: list[str], exclude: set[str]) -> tuple[set[str], bool]:
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
        elif w in UNITS:
            value = float(UNITS[w])
        elif w in TENS:
            value = float(TENS[w])
            if i + 1 < n and 0 < UNITS.get(words[i + 1], 0) < 10:  # "twenty-five" -> twenty, five
                value += UNITS[words[i + 1]]
                skip_to = i + 1
        elif w in OTHER_NUMBERS:
            value = OTHER_NUMBERS[w]
        elif w in VAGUE_QUANTITIES or (w == "a" and i + 1 < n and words[i + 1] in _VAGUE_GLUE):
            vague = True
            j = i  # "a few hundred", "several thousand": the scale word must not read as an exact number
            while j + 1 < n and (words[j + 1] in SCALES or words[j + 1] in _VAGUE_GLUE):
                j += 1
            skip_to = j
            continue
        elif w in SCALES:  # a bare "hundred" ("a hundred people")
            value = SCALES[w]
        if value is not None:
            j = max(i, skip_to)
            while j + 1 < n and words[j + 1] in SCALES:
                value *= SCALES[words[j + 1]]
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
        month = MONTH_NUMBER[month_name.lower()]
        out["month"].add(str(month))
        if day:
            out["day"].add(f"{month}-{int(day)}")
            used.add(day)
    return out, used


class TextCues:
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
        self.dates: dict[str, list[set[str]]] = {k: [] for k in DATE_KINDS}
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
            dates["relative"].update(wordset.intersection(RELATIVE_DAYS))
            for kind in DATE_KINDS:
                self.dates[kind].append(dates[kind])
            numbers, vague = number_values(words, used_digits)
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
                if token not in stop and token not in MONTH_NUMBER and token not in _WEEKDAYS and token not in NEGATION_WORDS:
                    ents.add(token)
            self.entities.append(ents)
            self.known.append(wordset | {w[:-2] for w in wordset if w.endswith("'s")} | ents)
