"""Rule-based perturbations of a claim text, proposed for a human to review (never trusted blindly).

Each kind is a handful of transparent rules (a regex and a replacement), so an annotator can see
exactly what changed: negation, number, entity, date, quantifier, antonym. `propose` returns every
applicable proposal, best first; an empty list means no rule of that kind applies.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from bench.annotate.lexicon import MONTHS, NUMBER_WORDS, WEEKDAYS, WORD_FOR, YEAR, entity_spans
from bench.corpus import PERTURBATION_KINDS, Annotations


@dataclass(frozen=True)
class Proposal:
    kind: str
    text: str
    rule: str  # what was changed, e.g. "'met' -> 'never met'"


class PerturbError(ValueError):
    """No rule of the requested kind applies to the claim."""


def _case_like(source: str, word: str) -> str:
    """`word` with the capitalisation of `source` (ALL CAPS, Capitalised or as is)."""
    if len(source) > 1 and source.isupper():
        return word.upper()
    if source[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


def _replace(text: str, start: int, end: int, new: str, kind: str, *, match_case: bool = True) -> Proposal:
    old = text[start:end]
    if match_case and old[:1].isalpha():
        new = _case_like(old, new)
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


# -------------------------------------------------------------------------------------- negation

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
NEGATORS = frozenset({"no", "not", "never", "none", "nothing", "nobody", "neither", "nor"})

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
            out.append(Proposal("negation", text[: m.start()] + _case_like(m.group(1), regular_past(verb))
                                + text[m.end():], f"{m.group(0)!r} -> {regular_past(verb)!r}"))
        out.append(_replace(text, m.start(), m.end(), f"{m.group(1)} {m.group(2)}", "negation"))
    for m in _CONTRACTED.finditer(text):
        base = m.group(1) or {"wo": "will", "ca": "can"}[m.group(2).lower()]
        out.append(_replace(text, m.start(), m.end(), base, "negation"))
    for m in _NOT_AFTER_AUX.finditer(text):
        out.append(_replace(text, m.start(), m.end(), m.group(1), "negation"))
    for m in _CANNOT.finditer(text):
        out.append(_replace(text, m.start(), m.end(), "can", "negation"))
    if not out:
        for pattern in (_NEVER, _NOT):
            for m in pattern.finditer(text):
                out.append(_replace(text, m.start(), m.end(), "", "negation"))
    if out:  # "did not receive any support" -> "received some support"
        out = [Proposal(p.kind, re.sub(r"\bany\b", "some", p.text, count=1), p.rule) for p in out]
        return _unique(out, text)
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
            out.append(_replace(text, m.start(), m.end(), f"{does} not have", "negation"))
            break
        if lower in AUXILIARIES:
            new = "cannot" if lower == "can" else f"{lower} not"
            out.append(_replace(text, m.start(), m.end(), new, "negation"))
            break
        lemma = lemma_of_past(word)
        if lemma and previous not in NOT_BEFORE_VERB and not word[:1].isupper():
            out.append(_replace(text, m.start(), m.end(), f"did not {lemma}", "negation"))
            out.append(_replace(text, m.start(), m.end(), f"never {lower}", "negation"))
            break
    return _unique(out, text)


# ---------------------------------------------------------------------------------------- number

_DIGITS = re.compile(r"(?<![\w.,])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?![\w])")
_NUMBER_WORD = re.compile(r"\b(" + "|".join(w for w in NUMBER_WORDS if w not in ("hundred", "dozen")) + r")\b",
                          re.IGNORECASE)


def _other(value: float) -> float:
    """A clearly different number: small ones + 2, larger ones x 1.5."""
    return value + 2 if value < 10 else value * 1.5


def number(text: str, corpus: Sequence[str] = ()) -> list[Proposal]:
    """Change one number (digits or a number word); four-digit years are left to `date`."""
    out: list[Proposal] = []
    hits: list[tuple[int, int, str]] = []
    for m in _DIGITS.finditer(text):
        whole, frac = m.group(1), m.group(2)
        if YEAR.fullmatch(whole) and not frac:
            continue
        changed = _other(float(whole.replace(",", "") + (frac or "")))
        if frac:
            shown = f"{changed:.{len(frac) - 1}f}"
        else:
            shown = f"{round(changed):,}" if "," in whole else str(round(changed))
        hits.append((m.start(), m.end(), shown))
    for m in _NUMBER_WORD.finditer(text):
        new_value = round(_other(NUMBER_WORDS[m.group(1).lower()]))
        hits.append((m.start(), m.end(), WORD_FOR.get(new_value, str(new_value))))
    for start, end, new in sorted(hits):
        out.append(_replace(text, start, end, new, "number"))
    return _unique(out, text)


# ------------------------------------------------------------------------------------------ date

SEASONS = {"spring": "fall", "summer": "winter", "fall": "spring", "autumn": "spring", "winter": "summer"}
_MONTH = re.compile(r"\b(" + "|".join(MONTHS) + r")\b")
_WEEKDAY = re.compile(r"\b(" + "|".join(WEEKDAYS) + r")\b")
_SEASON = re.compile(r"\b(last|this|next|the|in|early|late)\s+(" + "|".join(SEASONS) + r")\b", re.IGNORECASE)


def date(text: str, corpus: Sequence[str] = ()) -> list[Proposal]:
    """Shift a year (-1, +1), a month or weekday (to the next), or a season (to the opposite)."""
    hits: list[tuple[int, int, str]] = []
    for m in YEAR.finditer(text):
        hits.append((m.start(), m.end(), str(int(m.group(1)) - 1)))
        hits.append((m.start(), m.end(), str(int(m.group(1)) + 1)))
    for m in _MONTH.finditer(text):
        if m.group(1) == "May" and not re.search(r"\b(in|on|of|since|until|by|last|next|early|late)\s+$|^\d", text[: m.start()][-12:]):
            continue  # "May" is also a modal verb
        hits.append((m.start(), m.end(), MONTHS[(MONTHS.index(m.group(1)) + 1) % 12]))
    for m in _WEEKDAY.finditer(text):
        hits.append((m.start(), m.end(), WEEKDAYS[(WEEKDAYS.index(m.group(1)) + 1) % 7]))
    for m in _SEASON.finditer(text):
        hits.append((m.start(2), m.end(2), SEASONS[m.group(2).lower()]))
    return _unique([_replace(text, s, e, new, "date") for s, e, new in sorted(hits, key=lambda h: h[0])], text)


# ------------------------------------------------------------------------------------ quantifier

def _at_least(m: re.Match[str]) -> str:
    value = NUMBER_WORDS.get(m.group(1).lower()) if not m.group(1).isdigit() else int(m.group(1))
    return "at most one" if (value or 0) > 1 else "no"


def _at_most(m: re.Match[str]) -> str:
    value = NUMBER_WORDS.get(m.group(1).lower()) if not m.group(1).isdigit() else int(m.group(1))
    new = (value or 0) + 3
    return f"at least {WORD_FOR.get(new, str(new))}"


_N = r"(\d+|" + "|".join(NUMBER_WORDS) + r")"
QUANTIFIERS: list[tuple[str, str | Callable[[re.Match[str]], str]]] = [
    (r"at least " + _N, _at_least),
    (r"at most " + _N, _at_most),
    (r"more than", "fewer than"),
    (r"fewer than", "more than"),
    (r"less than", "more than"),
    (r"a handful of", "dozens of"),
    (r"(?:dozens|hundreds|thousands) of", "a handful of"),
    (r"a few", "many"),
    (r"several", "no"),
    (r"many", "few"),
    (r"(?<!a )few", "many"),
    (r"most", "few"),
    (r"all of", "none of"),
    (r"all(?=\s*[.,;]|$)", "none"),
    (r"all(?= the)", "none of"),
    (r"all", "no"),
    (r"every", "no"),
    (r"everyone|everybody", "no one"),
    (r"nobody|no one", "everyone"),
    (r"none", "all"),
    (r"some", "no"),
    (r"no(?=\s+[a-z])", "some"),
    (r"always", "never"),
    (r"both", "neither"),
]
_QUANTIFIER_RES = [(re.compile(r"\b" + p + r"\b", re.IGNORECASE), r) for p, r in QUANTIFIERS]


def quantifier(text: str, corpus: Sequence[str] = ()) -> list[Proposal]:
    """Swap a quantifier for one that contradicts it ("at least three" -> "at most one", "several" -> "no")."""
    taken: list[tuple[int, int]] = []
    out: list[tuple[int, Proposal]] = []
    for pattern, repl in _QUANTIFIER_RES:
        for m in pattern.finditer(text):
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue  # covered by a longer phrase ("at least three" before "three")
            taken.append((m.start(), m.end()))
            new = repl(m) if callable(repl) else repl
            proposal = _replace(text, m.start(), m.end(), new, "quantifier")
            if new == "neither":
                tail = proposal.text[m.start():]
                proposal = Proposal("quantifier", proposal.text[: m.start()] + re.sub(r"\band\b", "nor", tail, count=1),
                                    f"{m.group(0)!r} ... 'and' -> 'neither' ... 'nor'")
            out.append((m.start(), proposal))
    return _unique([p for _, p in sorted(out, key=lambda x: x[0])], text)


# --------------------------------------------------------------------------------------- antonym

ANTONYM_PAIRS = [
    ("approved", "rejected"), ("approve", "reject"), ("provided", "refused"), ("accepted", "rejected"),
    ("increase", "decrease"), ("increased", "decreased"), ("increases", "decreases"), ("increasing", "decreasing"),
    ("secret", "public"), ("secretly", "publicly"), ("private", "public"), ("privately", "publicly"),
    ("covert", "overt"), ("supported", "opposed"),
    ("confirmed", "denied"), ("admitted", "denied"), ("succeeded", "failed"), ("success", "failure"),
    ("won", "lost"), ("win", "lose"), ("rose", "fell"), ("raised", "lowered"), ("higher", "lower"),
    ("more", "less"), ("allowed", "prohibited"), ("legal", "illegal"), ("true", "false"),
    ("friendly", "hostile"), ("strong", "weak"), ("included", "excluded"), ("ally", "enemy"),
    ("allies", "enemies"), ("began", "ended"), ("started", "ended"), ("first", "last"), ("before", "after"),
    ("earlier", "later"), ("early", "late"), ("majority", "minority"), ("encouraged", "discouraged"),
    ("praised", "criticized"), ("agreed", "disagreed"), ("helped", "hindered"), ("willing", "unwilling"),
    ("likely", "unlikely"), ("possible", "impossible"), ("formal", "informal"),
    ("expanded", "reduced"), ("strengthened", "weakened"), ("accept", "reject"), ("agree", "refuse"),
    ("offered", "withheld"), ("continued", "stopped"), ("inside", "outside"),
    ("above", "below"), ("guilty", "innocent"), ("legitimate", "illegitimate"),
]
ANTONYMS: dict[str, str] = {}
for _left, _right in ANTONYM_PAIRS:
    ANTONYMS.setdefault(_left, _right)
    ANTONYMS.setdefault(_right, _left)
_ANTONYM = re.compile(r"\b(" + "|".join(sorted(ANTONYMS, key=len, reverse=True)) + r")\b", re.IGNORECASE)


def antonym(text: str, corpus: Sequence[str] = ()) -> list[Proposal]:
    """Swap a word for its antonym from a small table (approved/rejected, secret/public, ...)."""
    return _unique([_replace(text, m.start(), m.end(), ANTONYMS[m.group(1).lower()], "antonym")
                    for m in _ANTONYM.finditer(text)], text)


# ---------------------------------------------------------------------------------------- entity

TITLES = frozenset({"mr", "mrs", "ms", "dr", "president", "gen", "general", "sen", "senator", "secretary", "minister",
                    "rep", "adm", "admiral", "col", "colonel", "ambassador", "director", "adviser", "advisor", "lt"})
ORG_WORDS = frozenset({"department", "administration", "times", "post", "house", "council", "ministry", "army",
                       "forces", "force", "party", "government", "agency", "congress", "senate", "court", "bank",
                       "union", "company", "inc", "committee", "office", "guard", "service", "journal", "news",
                       "press", "reuters", "cia", "fbi", "nsa", "un", "nato", "pentagon", "university", "institute"})
PLACES = frozenset({"venezuela", "united states", "u.s.", "us", "america", "caracas", "washington", "colombia",
                    "cuba", "russia", "china", "brazil", "mexico", "bogota", "havana", "moscow", "beijing", "iran",
                    "latin america", "south america", "europe", "spain", "miami", "new york"})
_DEMONYM = re.compile(r"^[A-Z][a-z]+(?:an|ian|ese|ish)s?$")


def entity_type(entity: str, before: str = "", surnames: frozenset[str] = frozenset()) -> str:
    """A rough type (person / org / place / group(s) / date / other) from word lists and the preceding word.

    `surnames` (last words of multi-word person names in the corpus) types "Maduro" as a person.
    """
    words = entity.lower().replace(".", " ").split()
    lowered = entity.lower()
    prev = before.rstrip().split()[-1].lower().strip(".") if before.strip() else ""
    if entity in MONTHS or entity in WEEKDAYS:
        return "date"
    if any(w in ORG_WORDS for w in words):
        return "org"
    if lowered in PLACES or lowered.rstrip(".") in PLACES:
        return "place"
    if words and (words[0] in TITLES or prev in TITLES):
        return "person"
    if len(words) == 1 and _DEMONYM.match(entity):
        return "groups" if entity.endswith("s") else "group"
    if len(words) == 1 and entity in surnames:
        return "person"
    if prev in ("in", "from", "to", "at") and len(words) <= 2:
        return "place"
    if 2 <= len(words) <= 3:
        return "person"
    return "other"


def corpus_entities(corpus: Iterable[str]) -> tuple[dict[str, Counter[str]], frozenset[str]]:
    """(type -> Counter of entity strings seen in the corpus, surnames of the people among them)."""
    mentions = [(value, doc[max(0, start - 20):start]) for doc in corpus for start, _, value in entity_spans(doc)]
    surnames = frozenset(v.split()[-1] for v, before in mentions
                         if len(v.split()) > 1 and entity_type(v, before) == "person")
    seen: dict[str, Counter[str]] = {}
    for value, before in mentions:
        seen.setdefault(entity_type(value, before, surnames), Counter())[value] += 1
    return seen, surnames


ALIASES = {"u.s.": "united states", "us": "united states", "u.s.a.": "united states", "usa": "united states",
           "america": "united states", "the united states": "united states"}


def _key(entity: str) -> str:
    """Entities that name the same thing share a key, so "U.S." is never swapped for "United States"."""
    lowered = entity.lower()
    return ALIASES.get(lowered, lowered)


def entity(text: str, corpus: Sequence[str] = ()) -> list[Proposal]:
    """Swap a named entity for the most frequent other entity of the same rough type in the corpus.

    Same-type swaps for every entity come first; a swap with another type only when none exists.
    """
    inventory, surnames = corpus_entities(corpus)
    spans = entity_spans(text)
    present = {_key(value) for _, _, value in spans}
    anything = Counter({k: v for t, c in inventory.items() if t != "date" for k, v in c.items()})
    same_type: list[Proposal] = []
    fallback: list[Proposal] = []
    for start, end, value in spans:
        kind = entity_type(value, text[max(0, start - 20):start], surnames)
        if kind == "date":
            continue  # months and weekdays are the `date` kind's job
        for pool, out, note in ((inventory.get(kind, Counter()), same_type, kind),
                                (anything, fallback, f"no other {kind} in the corpus")):
            choices = [e for e, _ in sorted(pool.items(), key=lambda kv: (-kv[1], kv[0]))
                       if _key(e) not in present and e.lower() not in value.lower() and value.lower() not in e.lower()]
            for choice in choices[:2]:
                p = _replace(text, start, end, choice, "entity", match_case=False)
                out.append(Proposal("entity", p.text, f"{value!r} -> {choice!r} ({note})"))
            if choices:
                break
    return _unique(same_type or fallback, text)


# ------------------------------------------------------------------------------------------ API

RULES: dict[str, Callable[[str, Sequence[str]], list[Proposal]]] = {
    "negation": negation, "number": number, "entity": entity, "date": date, "quantifier": quantifier,
    "antonym": antonym,
}
assert set(RULES) == set(PERTURBATION_KINDS), "every perturbation kind needs a rule"


def propose(text: str, kind: str, corpus: Sequence[str] = ()) -> list[Proposal]:
    """Every proposal of `kind` for `text`, best first; `corpus` feeds the entity inventory."""
    if kind not in RULES:
        raise PerturbError(f"unknown perturbation kind {kind!r}; use one of: {', '.join(RULES)}")
    return RULES[kind](text, corpus)


def _unique(proposals: list[Proposal], original: str) -> list[Proposal]:
    seen = {original}
    out = []
    for p in proposals:
        tidy = Proposal(p.kind, re.sub(r"  +", " ", p.text), p.rule)
        if tidy.text not in seen:
            seen.add(tidy.text)
            out.append(tidy)
    return out


def propose_for_claim(ann: Annotations, claim_id: str, kind: str) -> list[Proposal]:
    """Proposals of `kind` for a claim of `ann`; the corpus is every article and claim text."""
    claim = ann.claims.get(claim_id)
    if claim is None:
        close = difflib.get_close_matches(claim_id, list(ann.claims), n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise PerturbError(f"claim {claim_id!r} is not in {ann.root / 'claims.jsonl'}{hint}")
    corpus = [*ann.texts.values(), *(c.text for c in ann.claims.values())]
    proposals = propose(claim.text, kind, corpus)
    if not proposals:
        others = ", ".join(k for k in RULES if k != kind)
        raise PerturbError(f"no {kind} rule applies to claim {claim_id!r} ({claim.text!r}); "
                           f"try another --kind ({others}) or write the perturbed text with add-claim")
    return proposals
