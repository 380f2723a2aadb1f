"""`bench annotate ...`: check and grow the annotation files.

Every writing subcommand validates the would-be files first and writes atomically under a lock,
so a failed command changes nothing. This module only parses arguments and prints; the work is
done in `bench.annotate.*`, imported inside each command so `bench --help` stays fast and nothing
here imports torch (only `suggest --method embedding` does, deep inside).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench.cli.errors import UserError
from bench.corpus import PERTURBATION_KINDS as KINDS

if TYPE_CHECKING:  # pragma: no cover
    from bench.corpus import Annotations

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


# ------------------------------------------------------------------------------------- helpers

def _row_line(row: dict[str, Any]) -> str:
    return json.dumps(row, ensure_ascii=False)


def _load(root: Path) -> Annotations:
    """The validated annotations, or a UserError pointing at `bench annotate validate`."""
    from bench.annotations import AnnotationError, load_annotations

    if not root.is_dir():
        raise UserError(f"annotations folder {root} does not exist; pass --root DIR")
    try:
        return load_annotations(root)
    except AnnotationError as exc:
        first = exc.violations[0] if exc.violations else ""
        raise UserError(f"{root} breaks {len(exc.violations)} rule(s) (first: {first}); "
                        f"run `bench annotate validate --root {root}`") from None


# ------------------------------------------------------------------------------------ commands

def cmd_validate(args: argparse.Namespace) -> int:
    from bench.validate import validate

    root: Path = args.root
    if not root.is_dir():
        print(f"error: annotations folder {root} does not exist; pass --root DIR", file=sys.stderr)
        return 1
    violations = validate(root)
    for violation in violations:
        print(violation)
    if violations:
        print(f"{len(violations)} violation(s) in {root}", file=sys.stderr)
        return 1
    print(f"{root}: valid")
    return 0


def cmd_add_claim(args: argparse.Namespace) -> int:
    from bench.annotate.edit import add_claim
    from bench.annotate.store import EditError
    from bench.corpus import claim_to_row

    try:
        claim = add_claim(args.root, args.text, article_id=args.article, quote=args.quote,
                          derived_from=args.derived_from, perturbation=args.perturbation, annotator=args.annotator)
    except EditError as exc:
        raise UserError(str(exc)) from None
    print(_row_line(claim_to_row(claim)))
    return 0


def cmd_add_pair(args: argparse.Namespace) -> int:
    from bench.annotate.edit import add_pair
    from bench.annotate.store import EditError
    from bench.corpus import pair_to_row

    try:
        pair = add_pair(args.root, args.claim_a, args.claim_b, label=args.label, origin=args.origin,
                        rationale=args.rationale, annotator=args.annotator)
    except EditError as exc:
        raise UserError(str(exc)) from None
    print(_row_line(pair_to_row(pair)))
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from bench.annotate.importer import import_file
    from bench.annotate.store import EditError
    from bench.corpus import claim_to_row, pair_to_row

    try:
        plan = import_file(args.root, args.file, columns=args.columns, labels=args.labels, dry_run=args.dry_run,
                           annotator=args.annotator)
    except EditError as exc:
        raise UserError(str(exc)) from None
    verb = "would add" if args.dry_run else "added"
    print(f"{args.file}: {plan.rows} row(s); {verb} {len(plan.claims)} claim(s) and {len(plan.pairs)} pair(s); "
          f"reused {len(plan.reused_claims)} existing claim(s); skipped {len(plan.skipped)} row(s) already annotated")
    if args.dry_run:
        for line, pair in plan.skipped:
            print(f"skip line {line}: already annotated as {pair.pair_id} ({pair.label})")
        if plan.claims:
            print("new claims:")
            for claim in plan.claims:
                print(_row_line(claim_to_row(claim)))
        if plan.pairs:
            print("new pairs:")
            for pair in plan.pairs:
                print(_row_line(pair_to_row(pair)))
        print("dry run: nothing written")
    elif plan.pairs:
        print(f"pairs {plan.pairs[0].pair_id}..{plan.pairs[-1].pair_id} written to {args.root / 'pairs.jsonl'}")
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    from bench.annotate.datasheet import DatasheetError, diff_block, write_block
    from bench.annotate.stats import compute_stats, render_markdown

    stats = compute_stats(_load(args.root))
    if args.json:
        print(json.dumps(stats, indent=2, ensure_ascii=False))
        return 0
    block = render_markdown(stats)
    try:
        if args.check_datasheet:
            diff = diff_block(args.check_datasheet, block, args.root.name)
            if diff:
                sys.stdout.write(diff)
                print(f"{args.check_datasheet}: the statistics block is out of date; run "
                      f"`bench annotate stats --root {args.root} --write-datasheet {args.check_datasheet}`", file=sys.stderr)
                return 1
            print(f"{args.check_datasheet}: statistics block is current")
            return 0
        if args.write_datasheet:
            copy = write_block(args.write_datasheet, block, args.root.name)
            if copy is None:
                print(f"{args.write_datasheet}: statistics block already current; not rewritten")
            else:
                print(f"{args.write_datasheet}: statistics block updated (previous version: {copy})")
            return 0
    except DatasheetError as exc:
        raise UserError(str(exc)) from None
    sys.stdout.write(block)
    return 0


def cmd_suggest(args: argparse.Namespace) -> int:
    from bench.annotate.suggest import suggest

    if args.top <= 0:
        raise UserError(f"--top {args.top}: give a positive number of suggestions")
    if args.band and not 0 <= args.band[0] < args.band[1] <= 1:
        raise UserError(f"--band {args.band[0]} {args.band[1]}: need 0 <= LO < HI <= 1")
    found = suggest(_load(args.root), args.top, method=args.method, unrelated_hard=args.unrelated_hard,
                    band=tuple(args.band) if args.band else None, include_perturbed=args.include_perturbed)
    for s in found:
        print(s.tsv())
    if not found:
        print("no unannotated cross-source pairs match", file=sys.stderr)
    return 0


def cmd_perturb(args: argparse.Namespace) -> int:
    from bench.annotate.edit import add_claim
    from bench.annotate.perturb import PerturbError, propose_for_claim
    from bench.annotate.store import EditError
    from bench.corpus import claim_to_row

    ann = _load(args.root)
    try:
        proposals = propose_for_claim(ann, args.claim, args.kind)
    except PerturbError as exc:
        raise UserError(str(exc)) from None
    if not 1 <= args.pick <= len(proposals):
        raise UserError(f"--pick {args.pick}: there are {len(proposals)} proposal(s) (1..{len(proposals)})")
    print(f"claim     {args.claim}: {ann.claims[args.claim].text}")
    for k, proposal in enumerate(proposals, start=1):
        marker = "*" if args.apply and k == args.pick else " "
        print(f"{marker}{k:>2}. {args.kind}: {proposal.text}    [{proposal.rule}]")
    if not args.apply:
        print(f"review it, then add it with: bench annotate perturb {args.claim} --kind {args.kind} --apply [--pick N]")
        return 0
    try:
        claim = add_claim(args.root, proposals[args.pick - 1].text, derived_from=args.claim, perturbation=args.kind,
                          annotator=args.annotator)
    except EditError as exc:
        raise UserError(str(exc)) from None
    print(_row_line(claim_to_row(claim)))
    return 0


def cmd_blind(args: argparse.Namespace) -> int:
    from bench.annotate.blind import BlindError, blind_sample, write_blind

    try:
        rows = blind_sample(_load(args.root), args.sample, args.seed, args.stratify)
        copy = write_blind(rows, args.out, force=args.force)
    except BlindError as exc:
        raise UserError(str(exc)) from None
    note = f" (previous file kept as {copy})" if copy else ""
    print(f"{args.out}: {len(rows)} blind pair(s), seed {args.seed}"
          f"{', stratified by ' + args.stratify if args.stratify else ''}{note}")
    return 0


def cmd_agreement(args: argparse.Namespace) -> int:
    from bench.annotate.agreement import AgreementError, agreement_report, read_pass, render

    ann = _load(args.root)
    ids = {p.pair_id for p in ann.pairs}
    try:
        passes = [read_pass(path, ids) for path in args.passes]
    except AgreementError as exc:
        raise UserError(str(exc)) from None
    report = agreement_report(ann, passes)
    if args.json:
        print(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        sys.stdout.write(render(report, markdown=args.markdown))
    return 0
