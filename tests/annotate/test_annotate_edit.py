"""add-claim / add-pair: ids, spans, refusals (that change nothing), Unicode kept byte for byte."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bench.annotate.edit import add_claim, add_pair
from bench.annotate.store import EditError, next_claim_id, next_pair_id
from bench.cli.main import main
from bench.corpus import read_jsonl
from bench.validate import validate

from conftest import ARTICLES, CLAIMS, PAIRS, write_root


def snapshot(root: Path) -> dict[str, bytes]:
    """Every data file under root (lock files are bookkeeping, not data)."""
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and not p.name.endswith(".lock")}


def rows(path: Path) -> list[dict[str, Any]]:
    return [item.data for item in read_jsonl(path) if item.data is not None]


# ------------------------------------------------------------------------------------ add-claim

def test_add_claim_with_quote(mini_root: Path) -> None:
    quote = "No support was given — “we only listened,” an aide said."
    text = "No support was given — “we only listened,” an aide of the café said."
    before = (mini_root / "claims.jsonl").read_bytes()
    claim = add_claim(mini_root, text, article_id="alpha", quote=quote, annotator="zoë")
    assert claim.claim_id == "alpha-c004"
    start, end = claim.span  # type: ignore[misc]
    assert ARTICLES["alpha"][start:end] == quote
    after = (mini_root / "claims.jsonl").read_bytes()
    assert after.startswith(before)
    new_line = after[len(before):]
    assert text.encode("utf-8") in new_line and "zoë".encode() in new_line  # no \u escapes
    assert rows(mini_root / "claims.jsonl")[-1]["text"] == text
    assert validate(mini_root) == []


def test_quote_matches_across_whitespace(mini_root: Path) -> None:
    claim = add_claim(mini_root, "They met three times.", article_id="alpha", quote="Officials  met\nthe officers three times")
    assert claim.span == (0, len("Officials met the officers three times"))


def test_next_ids() -> None:
    assert next_claim_id(["alpha-c001", "alpha-c010", "alphabet-c099", "beta-c050"], "alpha") == "alpha-c011"
    assert next_claim_id([], "new") == "new-c001"
    assert next_pair_id(["p0001", "p0042", "x9"]) == "p0043"
    assert next_pair_id(["p9999"]) == "p10000"


def test_perturbed_claim_takes_source_article(mini_root: Path) -> None:
    claim = add_claim(mini_root, "Diplomats held several meetings with the officers in 2016.",
                      derived_from="gamma-c001", perturbation="date")
    assert (claim.claim_id, claim.article_id, claim.span) == ("gamma-c005", "gamma", None)
    assert (claim.derived_from, claim.perturbation) == ("gamma-c001", "date")
    assert validate(mini_root) == []


def test_missing_files_are_created(tmp_path: Path) -> None:
    root = write_root(tmp_path / "annotations")
    (root / "claims.jsonl").unlink()
    (root / "pairs.jsonl").unlink()
    add_claim(root, "Maduro took power in 2013.", article_id="beta", quote="Maduro took power in 2013.")
    assert len(rows(root / "claims.jsonl")) == 1


REFUSALS: list[tuple[str, Callable[[Path], Any], str]] = [
    ("quote absent", lambda r: add_claim(r, "x", article_id="alpha", quote="Officials met the soldiers"),
     "closest passage: 'Officials met the officers three times in 2017.'"),
    ("quote ambiguous", lambda r: add_claim(r, "x", article_id="alpha", quote="officers"), "occurs 2 times"),
    ("unknown article", lambda r: add_claim(r, "x", article_id="delta"), "known articles: alpha, beta, gamma"),
    ("empty text", lambda r: add_claim(r, "  ", article_id="alpha"), "--text is empty"),
    ("same text", lambda r: add_claim(r, "The officers  asked for encrypted radios.", article_id="alpha"), "alpha-c002"),
    ("derived without kind", lambda r: add_claim(r, "x", derived_from="gamma-c001"), "go together"),
    ("kind without source", lambda r: add_claim(r, "x", article_id="alpha", perturbation="number"), "go together"),
    ("unknown kind", lambda r: add_claim(r, "x", derived_from="gamma-c001", perturbation="sarcasm"), "negation, number"),
    ("derived with quote", lambda r: add_claim(r, "x", derived_from="gamma-c001", perturbation="date", quote="in 2017"),
     "drop --quote"),
    ("derived other article", lambda r: add_claim(r, "x", article_id="alpha", derived_from="gamma-c001",
                                                  perturbation="date"), "'gamma'"),
    ("unknown source", lambda r: add_claim(r, "x", derived_from="gamma-c01", perturbation="date"), "did you mean"),
    ("no article", lambda r: add_claim(r, "x"), "--article is required"),
    ("lone surrogate", lambda r: add_claim(r, "bad \udcff byte", article_id="alpha"), "surrogate"),
    ("duplicate pair", lambda r: add_pair(r, "alpha-c001", "beta-c001", label="unrelated"),
     '{"pair_id": "p0001", "claim_a": "alpha-c001", "claim_b": "beta-c001", "label": "entails"'),
    ("mirror conflict", lambda r: add_pair(r, "gamma-c003", "alpha-c002", label="contradicts", rationale="r"),
     '"pair_id": "p0005"'),
    ("mirror conflict 2", lambda r: add_pair(r, "beta-c002", "gamma-c003", label="unrelated"), '"pair_id": "p0008"'),
    ("same source", lambda r: add_pair(r, "alpha-c001", "alpha-c002", label="unrelated"), "cross-source"),
    ("self pair", lambda r: add_pair(r, "alpha-c001", "alpha-c001", label="unrelated"), "itself"),
    ("unknown claim", lambda r: add_pair(r, "alpha-c001", "beta-c009", label="unrelated"), "'beta-c009' is not in"),
    ("bad label", lambda r: add_pair(r, "alpha-c003", "gamma-c001", label="neutral"),
     "valid labels: entails, contradicts, unrelated"),
    ("bad origin", lambda r: add_pair(r, "alpha-c003", "gamma-c001", label="unrelated", origin="synthetic"),
     "natural, perturbed"),
    ("no rationale", lambda r: add_pair(r, "alpha-c003", "gamma-c001", label="entails"), "--rationale is required"),
    ("wrong origin", lambda r: add_pair(r, "beta-c003", "gamma-c004", label="unrelated", origin="natural"),
     "origin-mismatch"),
]


@pytest.mark.parametrize(("name", "call", "message"), REFUSALS, ids=[r[0] for r in REFUSALS])
def test_refusal_changes_nothing(mini_root: Path, name: str, call: Callable[[Path], Any], message: str) -> None:
    before = snapshot(mini_root)
    with pytest.raises(EditError) as info:
        call(mini_root)
    assert message in str(info.value)
    assert snapshot(mini_root) == before


def test_invalid_root_is_refused(mini_root: Path) -> None:
    (mini_root / "articles" / "beta.txt").write_bytes(b"tampered\n")
    before = snapshot(mini_root)
    with pytest.raises(EditError, match="already breaks 1 rule"):
        add_claim(mini_root, "x", article_id="alpha")
    assert snapshot(mini_root) == before


# ------------------------------------------------------------------------------------- add-pair

def test_add_pair_ids_and_origin(mini_root: Path) -> None:
    first = add_pair(mini_root, "alpha-c003", "gamma-c001", label="unrelated", annotator="ann2")
    second = add_pair(mini_root, "beta-c003", "gamma-c004", label="Unrelated", rationale="different facts")
    assert (first.pair_id, first.origin, first.annotator) == ("p0013", "natural", "ann2")
    assert (second.pair_id, second.origin, second.label.value) == ("p0014", "perturbed", "unrelated")
    mirror = add_pair(mini_root, "beta-c002", "gamma-c003", label="contradicts", rationale="same as its mirror")
    assert mirror.pair_id == "p0015"
    assert [r["pair_id"] for r in rows(mini_root / "pairs.jsonl")] == [p["pair_id"] for p in PAIRS] + [
        "p0013", "p0014", "p0015"]
    assert validate(mini_root) == []


def test_default_annotator_from_env(mini_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BENCH_ANNOTATOR", "José")
    assert add_pair(mini_root, "alpha-c003", "gamma-c001", label="unrelated").annotator == "José"


# ------------------------------------------------------------------------------------------ CLI

def test_cli_add_claim_and_pair(mini_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["annotate", "add-claim", "--root", str(mini_root), "--article", "gamma", "--text",
                 "Prices doubled in Caracas, a café owner said.", "--quote", "prices doubled", "--annotator", "a"])
    assert code == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["claim_id"] == "gamma-c005" and printed["span"] is not None
    code = main(["annotate", "add-pair", "--root", str(mini_root), "gamma-c005", "beta-c003", "--label", "unrelated"])
    assert code == 0
    assert json.loads(capsys.readouterr().out)["pair_id"] == "p0013"


def test_cli_error_is_one_line(mini_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = snapshot(mini_root)
    code = main(["annotate", "add-pair", "--root", str(mini_root), "alpha-c001", "beta-c001", "--label", "unrelated"])
    out, err = capsys.readouterr()
    assert code == 1 and out == ""
    assert err.startswith("error: pair (alpha-c001, beta-c001) is already annotated") and err.count("\n") == 1
    assert snapshot(mini_root) == before


def test_claims_constant_untouched() -> None:
    assert CLAIMS[0]["claim_id"] == "alpha-c001"  # the shared fixture lists are never mutated by these tests
