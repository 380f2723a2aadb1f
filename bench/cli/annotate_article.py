"""`bench annotate add-article FILE --outlet ... --event ...`: one new article, no hand-editing."""

from __future__ import annotations

import argparse
from pathlib import Path

from bench.cli.errors import UserError


def cmd_add_article(args: argparse.Namespace) -> int:
    from bench.annotate.add_article import add_article
    from bench.annotate.store import EditError
    from bench.corpus import ARTICLES_CSV, ARTICLES_DIR

    try:
        article = add_article(args.root, args.file, outlet=args.outlet, event_id=args.event, article_id=args.id,
                              headline=args.headline, byline=args.byline)
    except EditError as exc:
        raise UserError(str(exc)) from None
    print(f"{article.article_id}: {args.file} copied to {args.root / ARTICLES_DIR / article.file} "
          f"(sha256 {article.sha256[:12]}…), row added to {args.root / ARTICLES_CSV}")
    return 0


def cmd_emergent_layout(args: argparse.Namespace) -> int:
    """Lay out (or extend) an annotation root from the Emergent CSV: the headlines of the proposed pairs."""
    import csv

    from bench.annotate.emergent import (
        EmergentError,
        disputed_events,
        load_emergent,
        propose_pairs,
        supplement_events,
        write_articles,
        write_events,
    )

    existing = Path(args.root) / "articles.csv"
    if existing.is_file():
        with existing.open(encoding="utf-8", newline="") as f:
            other = sorted({r.get("event_id") or "" for r in csv.DictReader(f)} - {""})
        foreign = [e for e in other if not e.startswith("em-")]
        if foreign:
            raise UserError(f"--root {args.root} holds other events ({', '.join(foreign[:3])}); give the Emergent "
                            "corpus its own root, e.g. --root annotations/emergent")
    try:
        rows = load_emergent(args.csv)
    except EmergentError as exc:
        raise UserError(f"{args.csv}: {exc}") from None
    proposed = propose_pairs(rows, disputed_events(rows), seed=args.seed)
    if args.supplement:
        proposed += propose_pairs(rows, supplement_events(rows, args.supplement), seed=args.seed + 1)
    used = {h.article_id for pair in proposed for h in pair}
    keep = [h for h in rows if h.article_id in used]
    try:
        added = write_articles(keep, args.root)
    except EmergentError as exc:
        raise UserError(str(exc)) from None
    events = write_events(keep, args.root)
    print(f"{args.root}: {added} headline(s) added ({len(keep)} in {events} events, {len(proposed)} candidate pairs)")
    return 0
