"""The entity rule: swap a named entity for another of the same rough type from the corpus."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence

from bench.annotate.mentions import entity_spans
from bench.annotate.perturb.edit import Proposal, edit_span, unique_proposals
from bench.lexicon import MONTHS, WEEKDAYS

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
                p = edit_span(text, start, end, choice, "entity", match_case=False)
                out.append(Proposal("entity", p.text, f"{value!r} -> {choice!r} ({note})"))
            if choices:
                break
    return unique_proposals(same_type or fallback, text)
