"""Shared fixtures: a tiny but valid annotations root built in tmp_path, and helpers to break it."""

from __future__ import annotations

import csv
import hashlib
import json
import os
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

REPO = Path(__file__).resolve().parents[1]

ARTICLES = {
    "alpha": "Officials met the officers three times in 2017.\nThe officers asked for encrypted radios. "
             "No support was given — “we only listened,” an aide said.\n",
    "beta": "The officials met the officers at least three times.\nThe officers did not ask for radios. "
            "Maduro took power in 2013.\n",
    "gamma": "Diplomats held several meetings with the officers in 2017.\nThe café owner in Caracas said "
             "prices doubled. The officers asked for radios.\n",
}


def claim(cid: str, aid: str, text: str, quote: str | None = None, *, derived_from: str | None = None,
          perturbation: str | None = None) -> dict[str, Any]:
    span = None
    if quote is not None:
        start = ARTICLES[aid].index(quote)
        span = [start, start + len(quote)]
    return {"claim_id": cid, "article_id": aid, "text": text, "span": span, "derived_from": derived_from,
            "perturbation": perturbation, "annotator": "t"}


CLAIMS = [
    claim("alpha-c001", "alpha", "Officials met the officers three times in 2017.", "Officials met the officers three times in 2017."),
    claim("alpha-c002", "alpha", "The officers asked for encrypted radios.", "The officers asked for encrypted radios."),
    claim("alpha-c003", "alpha", "No support was given to the officers.", "No support was given"),
    claim("beta-c001", "beta", "The officials met the officers at least three times.", "The officials met the officers at least three times."),
    claim("beta-c002", "beta", "The officers did not ask for radios.", "The officers did not ask for radios."),
    claim("beta-c003", "beta", "Maduro took power in 2013.", "Maduro took power in 2013."),
    claim("gamma-c001", "gamma", "Diplomats held several meetings with the officers in 2017.", "Diplomats held several meetings with the officers in 2017."),
    claim("gamma-c002", "gamma", "A café owner in Caracas said prices doubled.", "The café owner in Caracas said prices doubled."),
    claim("gamma-c003", "gamma", "The officers asked for radios.", "The officers asked for radios."),
    claim("gamma-c004", "gamma", "Diplomats held no meetings with the officers in 2017.", derived_from="gamma-c001", perturbation="negation"),
]


def pair(pid: str, a: str, b: str, label: str, origin: str = "natural", rationale: str = "because") -> dict[str, Any]:
    return {"pair_id": pid, "claim_a": a, "claim_b": b, "label": label, "origin": origin, "annotator": "t",
            "rationale": rationale}


PAIRS = [
    pair("p0001", "alpha-c001", "beta-c001", "entails"),
    pair("p0002", "beta-c001", "alpha-c001", "unrelated"),
    pair("p0003", "alpha-c002", "beta-c002", "contradicts"),
    pair("p0004", "beta-c002", "alpha-c002", "contradicts"),
    pair("p0005", "alpha-c002", "gamma-c003", "entails"),
    pair("p0006", "beta-c003", "gamma-c002", "unrelated", rationale=""),
    pair("p0007", "alpha-c001", "gamma-c001", "entails"),
    pair("p0008", "gamma-c003", "beta-c002", "contradicts"),
    pair("p0009", "alpha-c003", "beta-c003", "unrelated"),
    pair("p0010", "alpha-c001", "gamma-c004", "contradicts", origin="perturbed"),
    pair("p0011", "gamma-c002", "alpha-c003", "unrelated"),
    pair("p0012", "beta-c001", "gamma-c001", "unrelated"),
]


def write_root(root: Path, claims: list[dict[str, Any]] | None = None,
               pairs: list[dict[str, Any]] | None = None) -> Path:
    """A valid annotations root (optionally with other claims/pairs), built from the constants above."""
    (root / "articles").mkdir(parents=True, exist_ok=True)
    with open(root / "articles.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["article_id", "outlet", "headline", "byline", "event_id", "file", "sha256"])
        for aid, text in ARTICLES.items():
            data = text.encode("utf-8")
            (root / "articles" / f"{aid}.txt").write_bytes(data)
            writer.writerow([aid, aid.title(), f"{aid} headline", "", "ev-1", f"{aid}.txt", hashlib.sha256(data).hexdigest()])
    write_jsonl(root / "claims.jsonl", CLAIMS if claims is None else claims)
    write_jsonl(root / "pairs.jsonl", PAIRS if pairs is None else pairs)
    return root


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


@pytest.fixture
def mini_root(tmp_path: Path) -> Path:
    return write_root(tmp_path / "annotations")
