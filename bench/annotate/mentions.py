"""Regex finders of the numbers and names a text mentions, shared by `perturb` and `suggest` (no NLP model).

The word tables behind them are `bench.lexicon`, shared with the lexical features.
"""

from __future__ import annotations

import re

from bench.lexicon import NUMBER_WORDS

# Words that start a sentence capitalised without being names.
SENTENCE_STARTERS = frozenset("""
a an the this that these those it its he she they we i you his her their our my your there here in on at
of for to from by with as after before during when while if but and or so no not some many most all
several few both each every one two three four five six seven eight nine ten according however also
later earlier then now today yesterday meanwhile still yet although though because since once instead despite
other another such what which who whom whose why how where asked told said more less only even just
""".split())

YEAR = re.compile(r"\b(1[89]\d{2}|20\d{2})\b")
DIGITS = re.compile(r"(?<![\w.,])(\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?![\w])")
NUMBER_WORD = re.compile(r"\b(" + "|".join(NUMBER_WORDS) + r")\b", re.IGNORECASE)
# A run of capitalised words (allowing inner "of"/"de"/"the" and initials like "U.S.").
_NAME = r"(?:[A-Z][\w’'.]*(?:-[A-Z][\w’'.]*)*)"
ENTITY = re.compile(r"(?<![\w-])" + _NAME + r"(?:\s+(?:(?:of|de|del|la|the)\s+)?" + _NAME + r")*(?![\w-])")


def numbers(text: str) -> set[str]:
    """Numbers mentioned in `text`, as strings of their values ("3" for "three", "2017", "1,000" -> "1000")."""
    found = {m.group(0).replace(",", "") for m in DIGITS.finditer(text)}
    found |= {str(NUMBER_WORDS[m.group(1).lower()]) for m in NUMBER_WORD.finditer(text)}
    return found


ABBREVIATIONS = frozenset({"mr.", "mrs.", "ms.", "dr.", "gen.", "sen.", "rep.", "st.", "lt.", "col.", "jr.", "sr.", "gov.",
                           "adm.", "sgt.", "capt.", "prof."})
_INITIALS = re.compile(r"(?:[A-Z]\.)+")


def _segments(start: int, value: str) -> list[tuple[int, str]]:
    """Split a capitalised run where a sentence ends: "Bogota. Later" -> [Bogota, Later]; "U.S." stays whole."""
    out: list[tuple[int, str]] = []
    first: int | None = None
    last_end = 0
    for word in re.finditer(r"\S+", value):
        if first is None:
            first = word.start()
        token = word.group(0)
        if token.endswith(".") and token.lower() not in ABBREVIATIONS and not _INITIALS.fullmatch(token):
            out.append((start + first, value[first : word.end() - 1]))
            first = None
        last_end = word.end()
    if first is not None:
        out.append((start + first, value[first:last_end]))
    return [(s, v) for s, v in out if v]


def entity_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, entity) for each capitalised name in `text`, minus a sentence-initial common word."""
    out = []
    for m in ENTITY.finditer(text):
        for start, value in _segments(m.start(), m.group(0)):
            value = re.sub(r"[’'][a-z]+$", "", value)  # "Trump’s" -> "Trump", "I’m" -> "I"
            words = value.split()
            sentence_initial = start == 0 or re.search(r"[.!?:\"“]\s*$", text[:start]) is not None
            if sentence_initial and words[0].lower() in SENTENCE_STARTERS:
                if len(words) == 1:
                    continue
                skip = re.match(r"\S+\s+", value)
                assert skip is not None
                start, value = start + skip.end(), value[skip.end():]
            if value.lower() in SENTENCE_STARTERS or not any(ch.isalpha() for ch in value):
                continue
            out.append((start, start + len(value), value))
    return out


def entities(text: str) -> set[str]:
    return {value for _, _, value in entity_spans(text)}
