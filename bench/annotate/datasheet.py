"""The generated blocks of a Markdown file between `<!-- stats:begin NAME -->` and `<!-- stats:end NAME -->`.

DATASHEET.md is written by people except for those blocks, one per corpus (NAME is the corpus
folder's name: `seed`, `emergent`); `diff_block` tells CI whether one is current, `write_block`
replaces only it (atomically, after a backup of the whole file).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

from bench.fileio import atomic_write_bytes, backup, file_lock


def markers(name: str) -> tuple[str, str]:
    return f"<!-- stats:begin {name} -->", f"<!-- stats:end {name} -->"


class DatasheetError(ValueError):
    """A datasheet without exactly one well-ordered begin/end marker pair."""


@dataclass(frozen=True)
class Block:
    text: str  # whole file
    start: int  # index just after BEGIN
    end: int  # index of END

    @property
    def inner(self) -> str:
        return self.text[self.start : self.end]


def find_block(path: Path, name: str) -> Block:
    BEGIN, END = markers(name)  # noqa: N806 (constants of this block)
    if not path.is_file():
        raise DatasheetError(f"{path}: no such file (it should hold the markers {BEGIN} and {END})")
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DatasheetError(f"{path}: not UTF-8 at byte {exc.start}") from None
    begins, ends = text.count(BEGIN), text.count(END)
    if begins != 1 or ends != 1:
        raise DatasheetError(f"{path}: found {begins} {BEGIN!r} and {ends} {END!r} markers; "
                             "need exactly one of each, begin first, around the statistics block")
    start, end = text.index(BEGIN) + len(BEGIN), text.index(END)
    if end < start:
        raise DatasheetError(f"{path}: {END!r} comes before {BEGIN!r}; put begin first")
    return Block(text, start, end)


def diff_block(path: Path, block: str, name: str) -> str:
    """A unified diff from the embedded block to `block`; empty when they agree (outer blank lines ignored)."""
    current = find_block(path, name).inner.strip("\n")
    wanted = block.strip("\n")
    if current == wanted:
        return ""
    return "".join(difflib.unified_diff([line + "\n" for line in current.splitlines()], [line + "\n" for line in wanted.splitlines()],
                                        f"{path} (embedded)", "current stats"))


def write_block(path: Path, block: str, name: str) -> Path | None:
    """Replace the embedded block with `block`; return the backup path (None if already current)."""
    with file_lock(path):
        found = find_block(path, name)
        if found.inner.strip("\n") == block.strip("\n"):
            return None
        new = found.text[: found.start] + "\n" + block.strip("\n") + "\n" + found.text[found.end :]
        copy = backup(path)
        atomic_write_bytes(path, new.encode("utf-8"))
    return copy
