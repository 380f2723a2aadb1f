"""Add one article to an annotations root: the text copied byte for byte, its row in articles.csv.

A new event's articles need no hand-editing of articles.csv (and no hand-computed sha256). Same
path as every writer in `bench.annotate.store`: check the root, take the lock, validate the
would-be root with every rule, then write. Write order: the text file first, the csv row second;
a crash between the two leaves a text file no row names, which breaks no rule, and re-running the
same command reuses it (same bytes).
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
import re
from pathlib import Path

from bench.annotate.store import EditError, locked, read_snapshot, require_encodable
from bench.corpus import ARTICLE_COLUMNS, ARTICLES_CSV, ARTICLES_DIR, Article
from bench.fileio import atomic_write_bytes, deferred_interrupts
from bench.raw_annotations import RawAnnotations
from bench.validate import check

ARTICLE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def default_article_id(source: Path) -> str:
    """The file name without extension, with anything outside [A-Za-z0-9._-] made a '-'."""
    return re.sub(r"[^A-Za-z0-9._-]+", "-", source.stem).strip("-._") or "article"


def read_source(source: Path) -> bytes:
    """The article's bytes; EditError (one line) for a missing, non-regular or non-UTF-8 file."""
    if not source.exists():
        raise EditError(f"article file {source} does not exist; give the path of the article's text file")
    if not source.is_file():
        raise EditError(f"article file {source} is not a regular file (a folder?); give the text file itself")
    try:
        data = source.read_bytes()
    except OSError as exc:
        raise EditError(f"article file {source}: cannot read it ({exc.strerror}); nothing written") from None
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise EditError(f"article file {source} is not UTF-8 (byte {exc.start}); re-save it as UTF-8, "
                        "then retry; nothing written") from None
    if data.startswith(b"\xef\xbb\xbf"):
        raise EditError(f"article file {source} starts with a byte-order mark (BOM); re-save it as UTF-8 "
                        "without BOM (claim spans count characters from the first letter); nothing written")
    return data


def add_article(root: str | Path, source: Path, *, outlet: str, event_id: str, article_id: str | None = None,
                headline: str = "", byline: str = "") -> Article:
    """Copy `source` to `root/articles/<id>.txt` and append its row; the new Article, or EditError."""
    aid = article_id if article_id is not None else default_article_id(source)
    require_encodable(id=aid, outlet=outlet, event=event_id, headline=headline, byline=byline)
    if not ARTICLE_ID.fullmatch(aid):
        raise EditError(f"--id {aid!r}: use letters, digits, '.', '_' or '-' (starting with a letter or digit); "
                        "it names the text file too")
    for name, value in (("outlet", outlet), ("event", event_id)):
        if not value.strip():
            raise EditError(f"--{name} is empty; give the article's {name}")
    data = read_source(source)
    with locked(root):
        snap = read_snapshot(root)
        if aid in snap.articles:
            raise EditError(f"--id {aid!r}: article_id already in {snap.root / ARTICLES_CSV} "
                            f"(file {snap.articles[aid].file}); pass --id with a new id; nothing written")
        article = Article(article_id=aid, outlet=outlet.strip(), headline=headline.strip(), byline=byline.strip(),
                          event_id=event_id.strip(), file=f"{aid}.txt", sha256=hashlib.sha256(data).hexdigest())
        target = snap.root / ARTICLES_DIR / article.file
        if target.exists() and (not target.is_file() or target.read_bytes() != data):
            raise EditError(f"{target} already exists with other content and no article row; move it away "
                            "or pass --id with another id; nothing written")
        _check_would_be(snap.raw, article, data)
        _write(snap.root, article, data)
    return article


def _check_would_be(raw: RawAnnotations, article: Article, data: bytes) -> None:
    """EditError listing the first rule the root would break with the new row and text."""
    row = {column: getattr(article, column) for column in ARTICLE_COLUMNS}
    line = (raw.article_rows[-1][0] if raw.article_rows else 1) + 1
    after = dataclasses.replace(raw, article_rows=[*raw.article_rows, (line, row)],
                                texts={**raw.texts, article.file: data})
    violations = check(after)
    if violations:
        raise EditError(f"refused, nothing written: the new article would break {len(violations)} rule(s); "
                        f"first: {violations[0]}", violations)


def _csv_line(article: Article) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow([getattr(article, column) for column in ARTICLE_COLUMNS])
    return out.getvalue().encode("utf-8")


def _write(root: Path, article: Article, data: bytes) -> None:
    """Text file first, then articles.csv replaced in one step (caller holds the lock)."""
    csv_path = root / ARTICLES_CSV
    written = "nothing written"
    with deferred_interrupts(f"stopped after the write finished: article {article.article_id} was added"):
        try:
            atomic_write_bytes(root / ARTICLES_DIR / article.file, data)
            written = f"{ARTICLES_DIR}/{article.file} was written (no row names it yet: harmless; re-run to add the row)"
            old = csv_path.read_bytes()
            if old and not old.endswith(b"\n"):
                old += b"\n"
            atomic_write_bytes(csv_path, old + _csv_line(article))
        except OSError as exc:
            raise EditError(f"cannot write {exc.filename or root}: {exc.strerror or exc}; {written}") from None
