"""`bench annotate ...`: the argument parser of every annotate subcommand.

Every writing subcommand validates the would-be files first and writes atomically under a lock,
so a failed command changes nothing. The commands are in `bench.cli.annotate_commands` (and
`bench.cli.annotate_article`); they import `bench.annotate.*` inside, so `bench --help` stays fast
and nothing here imports torch (only `suggest --method embedding` does, deep inside).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from bench.cli.annotate_article import cmd_add_article, cmd_emergent_layout
from bench.cli.annotate_commands import (
    cmd_add_claim,
    cmd_add_pair,
    cmd_agreement,
    cmd_blind,
    cmd_import,
    cmd_perturb,
    cmd_stats,
    cmd_suggest,
    cmd_validate,
)
from bench.corpus import PERTURBATION_KINDS as KINDS

DEFAULT_ROOT = Path("annotations/seed")


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser("annotate", help="validate and add annotation rows")
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    actions.required = True

    def add(name: str, help_text: str, func: Any) -> argparse.ArgumentParser:
        p = actions.add_parser(name, help=help_text, description=help_text)
        p.add_argument("--root", type=Path, default=DEFAULT_ROOT, help="annotations folder (default: annotations)")
        p.set_defaults(func=func)
        return p

    add("validate", "check every rule; print each violation as file:line: rule: value — fix", cmd_validate)

    p = add("add-claim", "add one claim (natural, with an optional quote; or perturbed from another claim)", cmd_add_claim)
    p.add_argument("--article", help="article_id (for a perturbed claim: defaults to the source claim's article)")
    p.add_argument("--text", required=True, help="the claim: one self-contained statement")
    p.add_argument("--quote", help="the exact supporting passage of the article (whitespace may differ); sets span")
    p.add_argument("--derived-from", metavar="CLAIM", help="claim_id this claim was perturbed from (with --perturbation)")
    p.add_argument("--perturbation", metavar="KIND", help=f"perturbation kind: {', '.join(KINDS)}")
    p.add_argument("--annotator", help="who wrote it (default: $BENCH_ANNOTATOR or the login name)")

    p = add("add-article", "add one article: copy its text into articles/ and append its articles.csv row",
            cmd_add_article)
    p.add_argument("file", metavar="FILE", type=Path, help="the article text (UTF-8), copied byte for byte")
    p.add_argument("--outlet", required=True, help="the outlet that published it")
    p.add_argument("--event", required=True, help="event_id (a new one starts a new event)")
    p.add_argument("--id", help="article_id (default: the file name without extension); names the copy <id>.txt")
    p.add_argument("--headline", default="", help="headline (may be empty)")
    p.add_argument("--byline", default="", help="byline (may be empty)")

    p = add("emergent-layout", "lay out an annotation root from the Emergent CSV (headlines of the stance-proposed pairs)",
            cmd_emergent_layout)
    p.add_argument("--csv", type=Path, default=Path("annotations/external/emergent/emergent.csv"), help="the Emergent file")
    p.add_argument("--supplement", type=int, default=10, help="undisputed events added for entailments (default 10)")
    p.add_argument("--seed", type=int, default=2015, help="candidate seed (supplement: seed + 1; default 2015)")

    p = add("add-pair", "add one gold pair CLAIM_A -> CLAIM_B", cmd_add_pair)
    p.add_argument("claim_a", metavar="CLAIM_A", help="premise claim_id")
    p.add_argument("claim_b", metavar="CLAIM_B", help="hypothesis claim_id")
    p.add_argument("--label", required=True, help="entails, contradicts or unrelated")
    p.add_argument("--origin", help="natural or perturbed (default: perturbed exactly when a claim has derived_from)")
    p.add_argument("--rationale", default="", help="one sentence: why this label (required for entails/contradicts)")
    p.add_argument("--annotator", help="who labelled it (default: $BENCH_ANNOTATOR or the login name)")

    p = add("import", "import a flat pair file (CSV, TSV, JSONL), all or nothing", cmd_import)
    p.add_argument("file", metavar="FILE", type=Path, help="rows with text_a, source_a, text_b, source_b, label "
                   "(+ optional origin, rationale, annotator)")
    p.add_argument("--columns", metavar="FIELD=COL,...", help="map our fields to the file's column names")
    p.add_argument("--labels", metavar="THEIRS=ours,...", help="map the file's label values to ours")
    p.add_argument("--dry-run", action="store_true", help="show what would be added; write nothing")
    p.add_argument("--annotator", help="annotator for rows without one (default: $BENCH_ANNOTATOR or the login name)")

    p = add("stats", "dataset statistics (Markdown by default; the DATASHEET.md block)", cmd_stats)
    form = p.add_mutually_exclusive_group()
    form.add_argument("--markdown", action="store_true", help="Markdown (the default)")
    form.add_argument("--json", action="store_true", help="JSON")
    form.add_argument("--check-datasheet", metavar="FILE", type=Path,
                      help="exit 1 if the block between <!-- stats:begin NAME --> and <!-- stats:end NAME --> "
                           "(NAME: the root folder's name, e.g. seed) is not current")
    form.add_argument("--write-datasheet", metavar="FILE", type=Path,
                      help="replace that block with the current stats (atomic, backup first)")

    p = add("suggest", "unannotated cross-source claim pairs worth annotating, most similar first", cmd_suggest)
    p.add_argument("--top", type=int, default=20, help="how many (default: 20)")
    p.add_argument("--method", choices=("tfidf", "embedding"), default="tfidf",
                   help="similarity: TF-IDF cosine (default) or the bundled MiniLM sentence embedding (loads torch)")
    p.add_argument("--unrelated-hard", action="store_true",
                   help="hard-negative candidates: similarity in a middle band, or a shared entity with other numbers")
    p.add_argument("--band", nargs=2, type=float, metavar=("LO", "HI"),
                   help="similarity band for --unrelated-hard (default: 0.2 0.5 tfidf, 0.5 0.8 embedding)")
    p.add_argument("--include-perturbed", action="store_true", help="also pair perturbed (derived) claims")

    p = add("perturb", "propose a rule-based perturbation of a claim (for review); --apply adds it", cmd_perturb)
    p.add_argument("claim", metavar="CLAIM", help="claim_id to perturb")
    p.add_argument("--kind", required=True, choices=KINDS, help="which rule family")
    p.add_argument("--apply", action="store_true", help="add the proposal as a derived claim")
    p.add_argument("--pick", type=int, default=1, metavar="N", help="which proposal --apply adds (default: 1)")
    p.add_argument("--annotator", help="who reviewed it (default: $BENCH_ANNOTATOR or the login name)")

    p = add("blind", "write a label-free, shuffled sample of pairs for a second annotation pass", cmd_blind)
    p.add_argument("--sample", type=int, required=True, metavar="N", help="number of pairs")
    p.add_argument("--seed", type=int, required=True, metavar="S", help="random seed (same seed, same sample)")
    p.add_argument("--stratify", choices=("label", "origin"), help="proportional sample per label (or origin)")
    p.add_argument("--out", type=Path, required=True, metavar="FILE", help="output JSONL")
    p.add_argument("--force", action="store_true", help="replace an existing --out (after a backup)")

    p = add("agreement", "kappa of annotation passes vs gold and between passes; disagreements", cmd_agreement)
    p.add_argument("passes", metavar="PASS_FILE", nargs="+", type=Path,
                   help="JSONL rows {pair_id, label, annotator?, note?} (e.g. a filled-in blind file)")
    form = p.add_mutually_exclusive_group()
    form.add_argument("--markdown", action="store_true", help="Markdown (for the datasheet)")
    form.add_argument("--json", action="store_true", help="JSON")
