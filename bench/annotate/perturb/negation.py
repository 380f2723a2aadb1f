"""The negation rule: remove a negation the claim has, or insert one (not / never / did not)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from bench.annotate.perturb.edit import Proposal, case_like, edit_span, unique_proposals
from bench.lexicon import NEGATORS

AUXILIARIES = ("is", "was", "were", "are", "has", "have", "had", "will", "would", "could", "should", "must",
               "can", "may", "might", "does", "did", "do")
IRREGULAR_PAST = {
    "met": "meet", "took": "take", "said": "say", "told": "tell", "held": "hold", "began": "begin", "gave": "give",
    "made": "make", "went": "go", "knew": "know", "thought": "think", "sought": "seek", "brought": "bring",
    "left": "leave", "found": "find", "became": "become", "came": "come", "saw": "see", "got": "get",
    "ran": "run", "wrote": "write", "spoke": "speak", "sent": "send", "spent": "spend", "led": "lead",
    "won": "win", "lost": "lose", "paid": "pay", "built": "build", "chose": "choose", "fell": "fall",
    "felt": "feel", "heard": "hear", "kept": "keep", "meant": "mean", "put": "put", "read": "read",
    "rose": "rise", "sat": "sit", "stood": "stand", "taught": "teach", "understood": "understand",
    "bought": "buy", "caught": "catch", "drove": "drive", "fought": "fight", "forgot": "forget",
    "hid": "hide", "let": "let", "set": "set", "struck": "strike", "swore": "swear", "withdrew": "withdraw",
}
PAST_OF = {lemma: past for past, lemma in IRREGULAR_PAST.items()}
PARTICIPLES = frozenset({"been", "done", "given", "taken", "made", "met", "said", "told", "held", "known", "seen",
                         "gone", "become", "brought", "found", "sought", "sent", "spent", "written", "spoken"})
NOT_VERBS = frozenset({"need", "indeed", "hundred", "red", "bed", "speed", "seed", "feed", "shed", "breed", "creed"})
# A past form right after these is an adjective ("the alleged plotters", "on reported talks").
NOT_BEFORE_VERB = frozenset({"the", "a", "an", "his", "her", "their", "its", "this", "these", "those", "our", "my",
                             "your", "some", "many", "several", "no", "any", "of", "for", "with", "and", "or", "on",
                             "in", "at", "to", "by", "from", "about", "against", "over", "under", "into", "than"})

_CONTRACTED = re.compile(r"\b(did|does|do|is|was|were|are|has|have|had|could|would|should|must)n[’']t\b"
                         r"|\b(wo|ca)n[’']t\b", re.IGNORECASE)
_NOT_AFTER_AUX = re.compile(r"\b(" + "|".join(AUXILIARIES) + r")\s+(not|never)\b", re.IGNORECASE)
_CANNOT = re.compile(r"\bcannot\b", re.IGNORECASE)
_DID_NOT_VERB = re.compile(r"\b(did|does|do)\s+not\s+([a-z]+)\b", re.IGNORECASE)
_NEVER = re.compile(r"\bnever\s+", re.IGNORECASE)
_NOT = re.compile(r"\bnot\s+", re.IGNORECASE)
_WORD = re.compile(r"[A-Za-z’'-]+")


def regular_past(lemma: str) -> str:
    """ask -> asked, supply -> supplied, decide -> decided (good enough for a reviewed proposal)."""
    if lemma in PAST_OF:
        return PAST_OF[lemma]
    if lemma.endswith("e"):
        return lemma + "d"
    if re.search(r"[^aeiou]y$", lemma):
        return lemma[:-1] + "ied"
    return lemma + "ed"


def lemma_of_past(word: str) -> str | None:
    """The base form of a past-tense verb, or None if `word` does not look like one."""
    lower = word.lower()
    if lower in IRREGULAR_PAST:
        return IRREGULAR_PAST[lower]
    if len(lower) <= 4 or not lower.endswith("ed") or lower in NOT_VERBS:
        return None
    stem = lower[:-2]
    if lower.endswith("ied"):
        return lower[:-3] + "y"
    if lower.endswith("eed"):
        return lower[:-1]
    if len(stem) > 2 and stem[-1] == stem[-2] and stem[-1] not in "lsz":
        return stem[:-1]  # planned -> plan
    if (re.search(r"[^aeiou][aeiou][b-df-hj-np-tvz]$", stem)
            and not stem.endswith(("en", "er", "it", "on", "el", "et", "om", "ol"))):
        return stem + "e"  # decided -> decide, stated -> state
    return stem


def negation(text: str, corpus: Sequence[str] = ()) -> list[Proposal]:
    """Remove an existing negation, or else insert one (not / never / did not)."""
    out: list[Proposal] = []
    for m in _DID_NOT_VERB.finditer(text):  # "did not ask" -> "asked" / "did ask"
        verb = m.group(2).lower()
        if m.group(1).lower() == "did":
            out.append(Proposal("negation", text[: m.start()] + case_like(m.group(1), regular_past(verb))
                                + text[m.end():], f"{m.group(0)!r} -> {regular_past(verb)!r}"))
        out.append(edit_span(text, m.start(), m.end(), f"{m.group(1)} {m.group(2)}", "negation"))
    for m in _CONTRACTED.finditer(text):
        base = m.group(1) or {"wo": "will", "ca": "can"}[m.group(2).lower()]
        out.append(edit_span(text, m.start(), m.end(), base, "negation"))
    for m in _NOT_AFTER_AUX.finditer(text):
        out.append(edit_span(text, m.start(), m.end(), m.group(1), "negation"))
    for m in _CANNOT.finditer(text):
        out.append(edit_span(text, m.start(), m.end(), "can", "negation"))
    if not out:
        for pattern in (_NEVER, _NOT):
            for m in pattern.finditer(text):
                out.append(edit_span(text, m.start(), m.end(), "", "negation"))
    if out:  # "did not receive any support" -> "received some support"
        out = [Proposal(p.kind, re.sub(r"\bany\b", "some", p.text, count=1), p.rule) for p in out]
        return unique_proposals(out, text)
    words = list(_WORD.finditer(text))
    for k, m in enumerate(words):
        word = m.group(0)
        lower = word.lower()
        following = words[k + 1].group(0).lower() if k + 1 < len(words) else ""
        previous = words[k - 1].group(0).lower() if k else ""
        if "-" in word or following in NEGATORS:
            continue
        if lower in ("has", "have", "had") and not (following.endswith(("ed", "en")) or following in PARTICIPLES):
            does = {"has": "does", "have": "do", "had": "did"}[lower]
            out.append(edit_span(text, m.start(), m.end(), f"{does} not have", "negation"))
            break
        if lower in AUXILIARIES:
            new = "cannot" if lower == "can" else f"{lower} not"
            out.append(edit_span(text, m.start(), m.end(), new, "negation"))
            break
        lemma = lemma_of_past(word)
        if lemma and previous not in NOT_BEFORE_VERB and not word[:1].isupper():
            out.append(edit_span(text, m.start(), m.end(), f"did not {lemma}", "negation"))
            out.append(edit_span(text, m.start(), m.end(), f"never {lower}", "negation"))
            break
    return unique_proposals(out, text)
