"""Dataset statistics of an annotations root, as a dict (`--json`) or Markdown (for DATASHEET.md).

The Markdown is deterministic (sorted keys, no dates), so CI can compare the block embedded in
DATASHEET.md with a fresh one. Hard negatives follow one stated rule (`HARD_NEGATIVE_RULE`).
"""

from __future__ import annotations

import csv
from collections import Counter
from typing import Any

from bench.annotate.headline_batch import SKIPPED_CSV
from bench.annotate.similarity import TFIDF_DESCRIPTION, pair_cosine, tfidf_vectors
from bench.corpus import ORIGINS, Annotations
from bench.labels import LABEL_NAMES, Label

HARD_NEGATIVE_MIN_COSINE = 0.2
HARD_NEGATIVE_RULE = (f"an `unrelated` pair whose two claims have {TFIDF_DESCRIPTION} >= {HARD_NEGATIVE_MIN_COSINE:.2f}: "
                      "same-looking claims that still do not decide each other")


def compute_stats(ann: Annotations) -> dict[str, Any]:
    """Every count the datasheet reports, JSON-serialisable, keys in a stable order."""
    claims, pairs = ann.claims, ann.pairs
    label_origin = {label: {origin: 0 for origin in ORIGINS} for label in LABEL_NAMES}
    for p in pairs:
        label_origin[p.label.value][p.origin] += 1

    source_pairs: dict[tuple[str, str], Counter[str]] = {}
    for p in pairs:
        key = tuple(sorted((claims[p.claim_a].article_id, claims[p.claim_b].article_id)))
        source_pairs.setdefault(key, Counter())[p.label.value] += 1  # type: ignore[arg-type]

    per_article = {aid: {"natural": 0, "perturbed": 0, "quoted": 0} for aid in sorted(ann.articles)}
    for c in claims.values():
        row = per_article.setdefault(c.article_id, {"natural": 0, "perturbed": 0, "quoted": 0})
        row["perturbed" if c.derived_from else "natural"] += 1
        row["quoted"] += c.span is not None

    kinds: dict[str, dict[str, int]] = {}
    for c in claims.values():
        if c.perturbation:
            kinds.setdefault(c.perturbation, {"claims": 0, "pairs": 0})["claims"] += 1
    for p in pairs:
        for kind in sorted({k for x in (p.claim_a, p.claim_b) if (k := claims[x].perturbation)}):
            kinds[kind]["pairs"] += 1

    annotators: dict[str, dict[str, int]] = {}
    for c in claims.values():
        annotators.setdefault(c.annotator or "(none)", {"claims": 0, "pairs": 0})["claims"] += 1
    for p in pairs:
        annotators.setdefault(p.annotator or "(none)", {"claims": 0, "pairs": 0})["pairs"] += 1

    events: dict[str, dict[str, Any]] = {}
    for _, article in sorted(ann.articles.items()):
        events.setdefault(article.event_id, {"articles": 0, "claims": 0, **{label: 0 for label in LABEL_NAMES}})["articles"] += 1
    for c in claims.values():
        events[ann.articles[c.article_id].event_id]["claims"] += 1
    for p in pairs:
        events[ann.articles[claims[p.claim_a].article_id].event_id][p.label.value] += 1

    return {
        "totals": {
            "articles": len(ann.articles),
            "claims": len(claims),
            "natural_claims": sum(1 for c in claims.values() if not c.derived_from),
            "perturbed_claims": sum(1 for c in claims.values() if c.derived_from),
            "pairs": len(pairs),
        },
        "label_origin": label_origin,
        "source_pairs": [
            {"articles": list(key), **{label: counts.get(label, 0) for label in LABEL_NAMES}, "total": sum(counts.values())}
            for key, counts in sorted(source_pairs.items())
        ],
        "claims_per_article": per_article,
        "perturbations": dict(sorted(kinds.items())),
        "hard_negatives": hard_negatives(ann),
        "annotators": dict(sorted(annotators.items())),
        "entailment_directions": entailment_directions(ann),
        "events": events,
        "skipped": skipped_headlines(ann),
    }


def skipped_headlines(ann: Annotations) -> dict[str, int]:
    """Skipped headlines by reason (empty for a corpus without skipped.csv)."""
    path = ann.root / SKIPPED_CSV
    if not path.exists():
        return {}
    with path.open(encoding="utf-8", newline="") as f:
        return dict(sorted(Counter(row["reason"] for row in csv.DictReader(f)).items()))


#: Annotators mark a hard negative (same topic or shared entities, but neither claim decides the
#: other) by starting its rationale with this tag (GUIDELINES.md §4.12); counted beside the lexical rule.
HARD_TAG = "hard:"


def hard_negatives(ann: Annotations) -> dict[str, Any]:
    """How many `unrelated` pairs meet HARD_NEGATIVE_RULE (TF-IDF fit on all claim texts)."""
    ids = sorted(ann.claims)
    unrelated = [p for p in ann.pairs if p.label is Label.UNRELATED]
    count = 0
    if unrelated:
        index = {cid: i for i, cid in enumerate(ids)}
        vectors = tfidf_vectors([ann.claims[cid].text for cid in ids])
        scores = pair_cosine(vectors, [index[p.claim_a] for p in unrelated], [index[p.claim_b] for p in unrelated])
        count = int((scores >= HARD_NEGATIVE_MIN_COSINE - 1e-12).sum())
    tagged = sum(1 for p in unrelated if p.rationale.strip().lower().startswith(HARD_TAG))
    return {
        "rule": HARD_NEGATIVE_RULE,
        "min_cosine": HARD_NEGATIVE_MIN_COSINE,
        "count": count,
        "annotator_tagged": tagged,
        "unrelated": len(unrelated),
        "share_of_unrelated": count / len(unrelated) if unrelated else None,
        "share_of_pairs": count / len(ann.pairs) if ann.pairs else None,
    }


def entailment_directions(ann: Annotations) -> dict[str, Any]:
    """Entails pairs whose reverse is annotated too, by the reverse's label (entails = equivalence)."""
    labels = {(p.claim_a, p.claim_b): p.label for p in ann.pairs}
    entails = [key for key, label in labels.items() if label is Label.ENTAILS]
    reverse = Counter(labels[(b, a)].value for a, b in entails if (b, a) in labels)
    return {
        "entails_pairs": len(entails),
        "reverse_annotated": sum(reverse.values()),
        "reverse_labels": {label: reverse.get(label, 0) for label in LABEL_NAMES},
    }


# ----------------------------------------------------------------------------------- Markdown

def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "n/a"


def _table(header: list[str], rows: list[list[Any]]) -> list[str]:
    align = ["---"] + ["---:"] * (len(header) - 1)
    return ["| " + " | ".join(header) + " |", "| " + " | ".join(align) + " |",
            *("| " + " | ".join(str(c) for c in row) + " |" for row in rows)]


def _source_sections(stats: dict[str, Any]) -> list[str]:
    """One event with a few outlets: pairs per source pair and claims per article."""
    out = ["", "#### Pairs by source pair (unordered)", ""]
    out += _table(["articles", *LABEL_NAMES, "total"],
                  [[" – ".join(sp["articles"]), *(sp[label] for label in LABEL_NAMES), sp["total"]]
                   for sp in stats["source_pairs"]] or [["(none)", *([0] * len(LABEL_NAMES)), 0]])
    out += ["", "#### Claims per article", ""]
    out += _table(["article", "natural", "perturbed", "with span", "total"],
                  [[aid, c["natural"], c["perturbed"], c["quoted"], c["natural"] + c["perturbed"]]
                   for aid, c in stats["claims_per_article"].items()])
    return out


def _event_section(events: dict[str, dict[str, Any]], total: int, skipped: dict[str, int]) -> list[str]:
    """Many events (a headline corpus): pairs per event, the largest event's share, skipped headlines."""
    sizes = {e: sum(v[label] for label in LABEL_NAMES) for e, v in events.items()}
    largest = max(sizes, key=lambda e: (sizes[e], e))
    with_pairs = sum(1 for n in sizes.values() if n)
    out = ["", "#### Pairs by event", "",
           f"{len(events)} events, {with_pairs} with pairs; the largest, `{largest}`, holds {sizes[largest]} pairs "
           f"({_pct(sizes[largest], total)} of all)."
           + (f" Headlines skipped (no claim): {sum(skipped.values())} — "
              + ", ".join(f"{reason} {n}" for reason, n in skipped.items()) + "." if skipped else ""), ""]
    out += _table(["event", "articles", "claims", *LABEL_NAMES, "total"],
                  [[e, v["articles"], v["claims"], *(v[label] for label in LABEL_NAMES), sizes[e]]
                   for e, v in sorted(events.items())])
    return out


def render_markdown(stats: dict[str, Any]) -> str:
    """The block DATASHEET.md embeds between `<!-- stats:begin NAME -->` and `<!-- stats:end NAME -->`."""
    t = stats["totals"]
    out = [
        "<!-- generated by `bench annotate stats --write-datasheet`; do not edit by hand -->",
        f"**{t['pairs']} pairs** over **{t['claims']} claims** ({t['natural_claims']} natural, "
        f"{t['perturbed_claims']} perturbed) from **{t['articles']} articles**.",
        "",
        "#### Pairs by label and origin",
        "",
    ]
    lo = stats["label_origin"]
    rows = [[label, *(lo[label][o] for o in ORIGINS), sum(lo[label].values()), _pct(sum(lo[label].values()), t["pairs"])]
            for label in LABEL_NAMES]
    rows.append(["**total**", *(sum(lo[label][o] for label in LABEL_NAMES) for o in ORIGINS), t["pairs"], _pct(t["pairs"], t["pairs"])])
    out += _table(["label", *ORIGINS, "total", "share"], rows)

    events = stats["events"]
    out += _event_section(events, t["pairs"], stats["skipped"]) if len(events) > 1 else _source_sections(stats)

    out += ["", "#### Perturbation kinds", ""]
    out += _table(["kind", "claims", "pairs"],
                  [[kind, k["claims"], k["pairs"]] for kind, k in stats["perturbations"].items()] or [["(none)", 0, 0]])

    h = stats["hard_negatives"]
    out += ["", "#### Hard negatives", "",
            f"Rule: a hard negative is {h['rule']}.",
            f"{h['count']} of {h['unrelated']} unrelated pairs ({_pct(h['count'], h['unrelated'])}); "
            f"{_pct(h['count'], t['pairs'])} of all pairs.",
            "",
            f"Annotator judgement (same topic or shared entities; rationale starts with `{HARD_TAG}`): "
            f"{h['annotator_tagged']} of {h['unrelated']} unrelated pairs ({_pct(h['annotator_tagged'], h['unrelated'])})."]

    out += ["", "#### Annotators", ""]
    out += _table(["annotator", "claims", "pairs"],
                  [[name, a["claims"], a["pairs"]] for name, a in stats["annotators"].items()] or [["(none)", 0, 0]])

    e = stats["entailment_directions"]
    rev = e["reverse_labels"]
    out += ["", "#### Entailment direction", "",
            f"{e['entails_pairs']} `entails` pairs; {e['reverse_annotated']} of them have the reverse direction "
            f"annotated too (reverse `entails`: {rev['entails']} — equivalent claims; reverse `unrelated`: "
            f"{rev['unrelated']} — one-way entailment)."]
    return "\n".join(out) + "\n"
