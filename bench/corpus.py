"""Articles, claims and pairs: the records of annotations/ and how they are read and located.

Reading never raises on bad input: `read_jsonl` and `read_articles_csv` return every line with
either its data or a description of what is wrong with it, so the validator can report them all.
`load_annotations` is the strict entry point: it validates first and refuses invalid data.
"""

from __future__ import annotations

import csv
import difflib
import hashlib
import io
import json
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.labels import Label, parse

ARTICLES_CSV = "articles.csv"
ARTICLES_DIR = "articles"
CLAIMS_JSONL = "claims.jsonl"
PAIRS_JSONL = "pairs.jsonl"
PASSES_DIR = "passes"

ARTICLE_COLUMNS = ("article_id", "outlet", "headline", "byline", "event_id", "file", "sha256")
CLAIM_FIELDS = ("claim_id", "article_id", "text", "span", "derived_from", "perturbation", "annotator")
PAIR_FIELDS = ("pair_id", "claim_a", "claim_b", "label", "origin", "annotator", "rationale")
ORIGINS = ("natural", "perturbed")
PERTURBATION_KINDS = ("negation", "number", "entity", "date", "quantifier", "antonym")


@dataclass(frozen=True)
class Article:
    article_id: str
    outlet: str
    headline: str
    byline: str
    event_id: str
    file: str
    sha256: str


@dataclass(frozen=True)
class Claim:
    claim_id: str
    article_id: str
    text: str
    span: tuple[int, int] | None
    derived_from: str | None
    perturbation: str | None
    annotator: str


@dataclass(frozen=True)
class Pair:
    pair_id: str
    claim_a: str
    claim_b: str
    label: Label
    origin: str
    annotator: str
    rationale: str


@dataclass
class Annotations:
    """Everything under one annotations root, already validated."""

    root: Path
    articles: dict[str, Article]
    claims: dict[str, Claim]
    pairs: list[Pair]
    texts: dict[str, str] = field(default_factory=dict)

    def text(self, article_id: str) -> str:
        return self.texts[article_id]


@dataclass(frozen=True)
class JsonlLine:
    """One physical line of a JSONL file: its 1-based number and either an object or an error."""

    line: int
    data: dict[str, Any] | None
    error: str | None = None


def read_jsonl(path: str | Path) -> list[JsonlLine]:
    """Parse a JSONL file line by line, turning every kind of bad line into a JsonlLine error."""
    raw = Path(path).read_bytes()
    out: list[JsonlLine] = []
    lines = raw.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    for number, chunk in enumerate(lines, start=1):
        if chunk.endswith(b"\r"):
            chunk = chunk[:-1]
        try:
            text = chunk.decode("utf-8")
        except UnicodeDecodeError as exc:
            out.append(JsonlLine(number, None, f"not UTF-8 (byte {exc.start}: {chunk[exc.start:exc.start + 1]!r})"))
            continue
        if not text.strip():
            out.append(JsonlLine(number, None, "blank line"))
            continue
        try:
            value = json.loads(text)
        except (ValueError, RecursionError) as exc:  # ValueError: JSONDecodeError, or an int over 4300 digits
            message = getattr(exc, "msg", None) or (
                "too deeply nested" if isinstance(exc, RecursionError) else "a number too long to read")
            out.append(JsonlLine(number, None, f"invalid JSON ({message}): {_clip(text)}"))
            continue
        if not isinstance(value, dict):
            out.append(JsonlLine(number, None, f"expected a JSON object, got {type(value).__name__}: {_clip(text)}"))
            continue
        out.append(JsonlLine(number, value))
    return out


def read_articles_csv(path: str | Path) -> tuple[list[str], list[tuple[int, dict[str, str]]], str | None]:
    """Return (header, [(line, row)], error). Never raises on content; `error` says why it is unreadable."""
    data = Path(path).read_bytes()
    if data.startswith(b"\xef\xbb\xbf"):
        return [], [], "starts with a UTF-8 byte-order mark (BOM), which hides the first column name; " \
                       "re-save it as UTF-8 without BOM"
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return [], [], f"not UTF-8 at byte {exc.start}"
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        rows = list(reader)
    except csv.Error as exc:
        return [], [], f"unreadable CSV: {exc}"
    if not rows:
        return [], [], "empty file (needs a header row)"
    header = [h.strip() for h in rows[0]]
    body = [
        (number, dict(zip(header, (cell for cell in row), strict=False)))
        for number, row in enumerate(rows[1:], start=2)
        if any(cell.strip() for cell in row)
    ]
    return header, body, None


def sha256_file(path: str | Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def claim_from_row(row: Mapping[str, Any]) -> Claim:
    span = row.get("span")
    return Claim(
        claim_id=row["claim_id"],
        article_id=row["article_id"],
        text=row["text"],
        span=None if span is None else (int(span[0]), int(span[1])),
        derived_from=row.get("derived_from"),
        perturbation=row.get("perturbation"),
        annotator=row.get("annotator", ""),
    )


def pair_from_row(row: Mapping[str, Any]) -> Pair:
    return Pair(
        pair_id=row["pair_id"],
        claim_a=row["claim_a"],
        claim_b=row["claim_b"],
        label=parse(row["label"]),
        origin=row["origin"],
        annotator=row.get("annotator", ""),
        rationale=row.get("rationale", ""),
    )


def claim_to_row(claim: Claim) -> dict[str, Any]:
    return {
        "claim_id": claim.claim_id,
        "article_id": claim.article_id,
        "text": claim.text,
        "span": None if claim.span is None else [claim.span[0], claim.span[1]],
        "derived_from": claim.derived_from,
        "perturbation": claim.perturbation,
        "annotator": claim.annotator,
    }


def pair_to_row(pair: Pair) -> dict[str, Any]:
    return {
        "pair_id": pair.pair_id,
        "claim_a": pair.claim_a,
        "claim_b": pair.claim_b,
        "label": pair.label.value,
        "origin": pair.origin,
        "annotator": pair.annotator,
        "rationale": pair.rationale,
    }


def article_from_row(row: Mapping[str, str]) -> Article:
    return Article(**{name: (row.get(name) or "").strip() for name in ARTICLE_COLUMNS})


# ---------------------------------------------------------------- text normalisation and spans

_WS = re.compile(r"\s+")


def collapse_whitespace(text: str) -> str:
    """Every whitespace run as one space (how a quote is matched against its article)."""
    return _WS.sub(" ", text)


def normalize_text(text: str) -> str:
    """The key under which two claim texts count as the same: NFC, whitespace collapsed, stripped."""
    return _WS.sub(" ", unicodedata.normalize("NFC", text)).strip()


class SpanError(ValueError):
    """A quote that is absent from, or ambiguous in, its article."""


def _normalized_with_map(text: str) -> tuple[str, list[int]]:
    """Collapse whitespace runs to one space; return the new string and each char's original index."""
    chars: list[str] = []
    index: list[int] = []
    in_space = False
    for i, ch in enumerate(text):
        if ch.isspace():
            if not in_space:
                chars.append(" ")
                index.append(i)
            in_space = True
        else:
            chars.append(ch)
            index.append(i)
            in_space = False
    return "".join(chars), index


def find_span(text: str, quote: str) -> tuple[int, int]:
    """Character offsets [start, end) of `quote` in `text`, matching after whitespace normalisation.

    Raises SpanError when the quote is absent (showing the closest passage) or occurs more than once.
    """
    needle = collapse_whitespace(quote).strip()
    if not needle:
        raise SpanError("the quote is empty")
    hay, index = _normalized_with_map(text)
    starts = [m.start() for m in re.finditer(re.escape(needle), hay)]
    if not starts:
        raise SpanError(f"quote not found: {_clip(needle)!r}; closest passage: {_clip(closest_passage(text, needle))!r}")
    if len(starts) > 1:
        where = ", ".join(str(index[s]) for s in starts)
        raise SpanError(f"quote occurs {len(starts)} times (at offsets {where}): quote a longer passage to pick one")
    start = starts[0]
    end = start + len(needle) - 1
    return index[start], index[end] + 1


def closest_passage(text: str, quote: str) -> str:
    """The sentence-sized window of `text` most similar to `quote` (to help fix a bad quote)."""
    pieces = [p.strip() for p in re.split(r"(?<=[.!?])\s+|\n+", text) if p.strip()]
    if not pieces:
        return ""
    return max(pieces, key=lambda p: difflib.SequenceMatcher(None, p.lower(), quote.lower()).ratio())


def _clip(text: str, width: int = 80) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
