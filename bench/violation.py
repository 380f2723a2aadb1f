"""One rule violation (`file:line: rule: value — fix`) and the field checks every JSONL row shares.

Kept apart from `bench.validate` (which rules exist) and `bench.raw_annotations` (what is on disk)
so both can build violations without importing each other.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: Longest claim text or rationale accepted (characters). The longest seed claim is under 400; a
#: text past this is a pasted article or a broken export, not one self-contained statement.
MAX_TEXT_CHARS = 2000


@dataclass(frozen=True)
class Violation:
    file: str
    line: int | None
    rule: str
    value: str
    fix: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        return one_line(f"{where}: {self.rule}: {self.value} — {self.fix}")


def one_line(text: str) -> str:
    """Escape line breaks, control characters and lone surrogates (from JSON "\\ud800" escapes), so a
    violation always prints as one line and never fails to encode, whatever bytes the file held."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() or ch == "\t" else repr(ch)[1:-1] for ch in text)


def lone_surrogate(value: str) -> str | None:
    """Why `value` cannot be stored as UTF-8 (a lone surrogate such as a JSON "\\ud800"), or None."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        return f"character {exc.start} is a lone surrogate U+{ord(value[exc.start]):04X} (not UTF-8 text)"
    return None


def show_path(path: Path) -> str:
    """A path as the user would type it: relative to the working directory when below it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError, RuntimeError):  # outside the cwd, or a symlink loop
        return str(path)


def check_fields(row: dict[str, Any], names: tuple[str, ...], types: dict[str, tuple[type, ...]],
                 path: str, line: int, out: list[Violation]) -> bool:
    """Required fields present, typed and storable as UTF-8, no unknown ones; False when the row
    can't be checked further."""
    ok = True
    for name in names:
        if name not in row:
            out.append(Violation(path, line, "field-missing", f"no {name!r}",
                                 f"every row needs {', '.join(names)}"))
            ok = False
        elif not isinstance(row[name], types[name]):
            wanted = " or ".join("null" if t is type(None) else t.__name__ for t in types[name])
            out.append(Violation(path, line, "field-type", f"{name}={row[name]!r}", f"{name} must be {wanted}"))
            ok = False
        elif isinstance(row[name], str) and (problem := lone_surrogate(row[name])):
            out.append(Violation(path, line, "encoding", f"{name}: {problem}",
                                 f"replace the \\u escape in {name} with the character meant (or remove it)"))
            ok = False
        elif isinstance(row[name], str) and name.endswith("id") and not row[name].strip():
            out.append(Violation(path, line, "field-missing", f"{name} is empty", f"fill in {name}"))
            ok = False
        elif isinstance(row[name], str) and len(row[name]) > MAX_TEXT_CHARS:
            out.append(Violation(path, line, "text-too-long", f"{name} has {len(row[name]):,} characters",
                                 f"keep it under {MAX_TEXT_CHARS:,}: one self-contained statement"))
            ok = False
    unknown = sorted(set(row) - set(names))
    if unknown:
        out.append(Violation(path, line, "field-unknown", f"{', '.join(unknown)}",
                             f"remove it or rename it to one of: {', '.join(names)}"))
    return ok
