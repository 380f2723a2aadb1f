"""What every perturbation rule builds on: a proposal, and one span edit that keeps the capitalisation."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Proposal:
    kind: str
    text: str
    rule: str  # what was changed, e.g. "'met' -> 'never met'"


class PerturbError(ValueError):
    """No rule of the requested kind applies to the claim."""


def case_like(source: str, word: str) -> str:
    """`word` with the capitalisation of `source` (ALL CAPS, Capitalised or as is)."""
    if len(source) > 1 and source.isupper():
        return word.upper()
    if source[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


def edit_span(text: str, start: int, end: int, new: str, kind: str, *, match_case: bool = True) -> Proposal:
    """`text` with [start, end) replaced by `new` (case matched, a doubled full stop or leading gap tidied)."""
    old = text[start:end]
    if match_case and old[:1].isalpha():
        new = case_like(old, new)
    tail = text[end:]
    if new.endswith(".") and tail.startswith("."):
        tail = tail[1:]  # "in Venezuela." -> "in the U.S." not "U.S.."
    result = text[:start] + new + tail
    if start == 0 and old[:1].isupper():
        result = result[:1].upper() + result[1:]
    if start == 0 and new == "" and result:
        result = result.lstrip()
        result = result[:1].upper() + result[1:]
    return Proposal(kind, result, f"{old!r} -> {new!r}")


def unique_proposals(proposals: list[Proposal], original: str) -> list[Proposal]:
    """Proposals with runs of spaces collapsed, minus the unchanged text and repeats (first kept)."""
    seen = {original}
    out = []
    for p in proposals:
        tidy = Proposal(p.kind, re.sub(r"  +", " ", p.text), p.rule)
        if tidy.text not in seen:
            seen.add(tidy.text)
            out.append(tidy)
    return out
