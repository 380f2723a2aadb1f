"""What an annotations root holds on disk, read without trusting it: the input of every rule check.

Reading never raises on content. A path that is a folder instead of a file, an article `file` that
points outside `articles/` (absolute, `..`, or a symlink out) or a symlink loop is recorded as a
problem for the validator to report, and such a file is never read: a typo'd or hostile
articles.csv must not make the benchmark hash or print files from elsewhere on the machine.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from bench.corpus import ARTICLES_CSV, ARTICLES_DIR, CLAIMS_JSONL, PAIRS_JSONL, JsonlLine, read_articles_csv, read_jsonl


@dataclass
class RawAnnotations:
    """The unparsed content of an annotations root: what the rules are checked against."""

    root: Path
    article_header: list[str] = field(default_factory=list)
    article_rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    articles_error: str | None = None
    texts: dict[str, bytes | None] = field(default_factory=dict)  # by article file name
    file_problems: dict[str, str] = field(default_factory=dict)  # article file name -> why it is not read
    claim_lines: list[JsonlLine] = field(default_factory=list)
    pair_lines: list[JsonlLine] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    not_files: list[str] = field(default_factory=list)  # root files that exist but are not regular files

    @classmethod
    def read(cls, root: str | Path) -> RawAnnotations:
        base = Path(root)
        raw = cls(root=base)
        csv_path = base / ARTICLES_CSV
        if raw._present(ARTICLES_CSV):
            raw.article_header, raw.article_rows, raw.articles_error = read_articles_csv(csv_path)
        for _, row in raw.article_rows:
            name = (row.get("file") or "").strip()
            if name and name not in raw.texts and name not in raw.file_problems:
                raw._read_article(name)
        for name, attr in ((CLAIMS_JSONL, "claim_lines"), (PAIRS_JSONL, "pair_lines")):
            if raw._present(name):
                setattr(raw, attr, read_jsonl(base / name))
        return raw

    def _present(self, name: str) -> bool:
        """True for a readable regular file (a symlink to one included); else record why not."""
        path = self.root / name
        if path.is_file():
            return True
        if path.exists() or path.is_symlink():
            self.not_files.append(name)
        else:
            self.missing.append(name)
        return False

    def _read_article(self, name: str) -> None:
        folder = self.root / ARTICLES_DIR
        problem = article_path_problem(folder, name)
        if problem:
            self.file_problems[name] = problem
            return
        path = folder / name
        self.texts[name] = path.read_bytes() if path.is_file() else None


def article_path_problem(folder: Path, name: str) -> str | None:
    """Why `name` (an articles.csv `file`) may not be read from `folder`, or None if it is safe."""
    if os.path.isabs(name):
        return f"{name!r} is an absolute path"
    path = folder / name
    try:
        resolved = path.resolve(strict=False)
        inside = resolved.is_relative_to(folder.resolve(strict=False))
    except (OSError, RuntimeError):  # RuntimeError: a symlink loop (Python < 3.13)
        return f"{name!r} is a symlink loop"
    if not inside:
        return f"{name!r} resolves to {resolved}, outside {ARTICLES_DIR}/"
    if path.is_symlink() or path.exists():
        try:
            path.stat()
        except OSError as exc:
            return f"{name!r} cannot be read ({exc.strerror})"
        if not path.is_file():
            return f"{name!r} is not a regular file"
    return None
