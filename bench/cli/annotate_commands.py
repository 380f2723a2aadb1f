"""The `bench annotate` commands that check, report on and grow the annotation files.

Only argument handling and printing; the work is in `bench.annotate.*`, imported inside each
command so `bench --help` stays fast and nothing here imports torch. The parser is in
`bench.cli.annotate`; `add-article` is in `bench.cli.annotate_article`.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench.cli.errors import UserError

if TYPE_CHECKING:  # pragma: no cover
    from bench.corpus import Annotations

# ------------------------------------------------------------------------------------- helpers

def row_line(row: dict[str, Any]) -> str:
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
    print(row_line(claim_to_row(claim)))
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
    print(row_line(pair_to_row(pair)))
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
                print(row_line(claim_to_row(claim)))
        if plan.pairs:
            print("new pairs:")
            for pair in plan.pairs:
                print(row_line(pair_to_row(pair)))
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
    print(row_line(claim_to_row(claim)))
    return 0


def cmd_blind(args: argparse.Namespace) -> int:
    from bench.annotate.blind import BlindError, blind_sample, write_blind

    try:
        rows = blind_sample(_load(args.root), args.sample, args.seed, args.stratify)
        copy = write_blind(rows, args.out, force=args.force, root=args.root)
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
