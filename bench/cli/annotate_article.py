"""`bench annotate add-article FILE --outlet ... --event ...`: one new article, no hand-editing."""

from __future__ import annotations

import argparse

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
