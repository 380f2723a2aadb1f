"""`annotate suggest` (ranking, exclusions, hard negatives) and `annotate perturb` (one test per rule family)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from bench.annotate import suggest as suggest_module
from bench.annotate.perturb import PerturbError, propose, propose_for_claim
from bench.annotate.suggest import HARD_BANDS, suggest
from bench.annotations import load_annotations
from bench.cli.main import main
from bench.corpus import read_jsonl
from bench.validate import validate

from conftest import ARTICLES

# ------------------------------------------------------------------------------------- suggest


def test_suggest_excludes_annotated_and_same_source(mini_root: Path) -> None:
    ann = load_annotations(mini_root)
    found = suggest(ann, 1000)
    annotated = {frozenset((p.claim_a, p.claim_b)) for p in ann.pairs}
    natural = [c for c in ann.claims.values() if not c.derived_from]
    cross = sum(1 for i, a in enumerate(natural) for b in natural[i + 1:] if a.article_id != b.article_id)
    natural_pairs = {frozenset((p.claim_a, p.claim_b)) for p in ann.pairs if p.origin == "natural"}
    assert len(found) == cross - len(natural_pairs)  # mirrors count once
    for s in found:
        assert frozenset((s.claim_a, s.claim_b)) not in annotated
        assert ann.claims[s.claim_a].article_id != ann.claims[s.claim_b].article_id
        assert not ann.claims[s.claim_a].derived_from and not ann.claims[s.claim_b].derived_from
    scores = [s.score for s in found]
    assert scores == sorted(scores, reverse=True)
    assert len(suggest(ann, 3)) == 3
    assert any("gamma-c004" in (s.claim_a, s.claim_b) for s in suggest(ann, 1000, include_perturbed=True))


def test_suggest_unrelated_hard_band(mini_root: Path) -> None:
    ann = load_annotations(mini_root)
    assert HARD_BANDS["tfidf"] == (0.2, 0.5)
    lo, hi = 0.05, 0.3  # the tiny fixture has few pairs in the default band
    everything = {(s.claim_a, s.claim_b): s.score for s in suggest(ann, 1000)}
    hard = suggest(ann, 1000, unrelated_hard=True, band=(lo, hi))
    assert hard and len(hard) < len(everything)
    for s in hard:
        assert s.score > lo
        assert s.score < hi or suggest_module._numbers_differ(
            *(f(t) for f in (suggest_module.entities,) for t in (s.text_a, s.text_b)),
            *(suggest_module.numbers(t) for t in (s.text_a, s.text_b)))
        assert everything[(s.claim_a, s.claim_b)] == pytest.approx(s.score)


def test_suggest_cli_tsv(mini_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["annotate", "suggest", "--root", str(mini_root), "--top", "2"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2
    score, a, b, text_a, text_b = lines[0].split("\t")
    ann = load_annotations(mini_root)
    assert float(score) >= float(lines[1].split("\t")[0])
    assert (text_a, text_b) == (ann.claims[a].text, ann.claims[b].text)


def test_suggest_embedding_path_uses_embedding_vectors(mini_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The wiring of --method embedding, without loading the model (that is the slow test below)."""
    calls = []

    def fake(texts: list[str]) -> np.ndarray:
        calls.append(len(texts))
        vectors = np.ones((len(texts), 2))
        vectors[:, 1] = np.arange(len(texts))
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)

    monkeypatch.setattr("bench.annotate.similarity.embedding_vectors", fake)
    found = suggest(load_annotations(mini_root), 5, method="embedding")
    assert calls == [9] and len(found) == 5


@pytest.mark.slow
def test_suggest_embedding_real_model(mini_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLAIMBENCH_CACHE", str(tmp_path / "cache"))  # the shared Encoder's disk cache
    found = suggest(load_annotations(mini_root), 3, method="embedding")
    assert len(found) == 3 and all(-1.0 <= s.score <= 1.0001 for s in found)


# ------------------------------------------------------------------------------------- perturb

CORPUS = [
    "President Nicolás Maduro spoke in Caracas. President Donald Trump said no. Maduro and Trump met. "
    "The Venezuelan officers flew to Bogota. Later, Trump left.",
]


@pytest.mark.parametrize(("kind", "text", "expected"), [
    ("negation", "The officers asked for radios.", "The officers did not ask for radios."),
    ("negation", "The officers did not ask for radios.", "The officers asked for radios."),
    ("negation", "Officials never met the officers.", "Officials met the officers."),
    ("negation", "The plan was approved by the council.", "The plan was not approved by the council."),
    ("negation", "The officers didn’t get any radios.", "The officers did get some radios."),
    ("negation", "Officials met the officers three times in 2017.", "Officials did not meet the officers three times in 2017."),
    ("number", "Officials met the officers three times in 2017.", "Officials met the officers five times in 2017."),
    ("number", "About 1,000 soldiers and 40 officers joined.", "About 1,500 soldiers and 40 officers joined."),
    ("number", "Three factions wanted a coup.", "Five factions wanted a coup."),
    ("date", "Officials met the officers in 2017.", "Officials met the officers in 2016."),
    ("date", "They met in March.", "They met in April."),
    ("date", "The story ran on Saturday.", "The story ran on Sunday."),
    ("date", "The meetings began last fall.", "The meetings began last spring."),
    ("quantifier", "The officials met the officers at least three times.", "The officials met the officers at most one times."),
    ("quantifier", "Diplomats held several meetings.", "Diplomats held no meetings."),
    ("quantifier", "All officers agreed.", "No officers agreed."),
    ("quantifier", "They met all of the plotters.", "They met none of the plotters."),
    ("quantifier", "Many officers defected.", "Few officers defected."),
    ("antonym", "The request was approved.", "The request was rejected."),
    ("antonym", "Secret meetings took place.", "Public meetings took place."),
    ("antonym", "Washington provided radios.", "Washington refused radios."),
    ("antonym", "Prices will increase.", "Prices will decrease."),
    ("entity", "Maduro took power in 2013.", "Trump took power in 2013."),
    ("entity", "The officers met in Caracas.", "The officers met in Bogota."),
])
def test_first_proposal(kind: str, text: str, expected: str) -> None:
    proposals = propose(text, kind, CORPUS)
    assert proposals, f"no {kind} proposal for {text!r}"
    assert proposals[0].text == expected, [p.text for p in proposals]
    assert all(p.text != text for p in proposals)


@pytest.mark.parametrize(("kind", "text"), [
    ("number", "The officers asked for radios."),
    ("date", "The officers asked for radios."),
    ("antonym", "The officers asked for radios."),
    ("quantifier", "The officers asked for radios."),
    ("entity", "the officers asked for radios."),
])
def test_no_rule_applies(kind: str, text: str) -> None:
    assert propose(text, kind, CORPUS) == []


def test_no_rule_error_names_kind_and_claim(mini_root: Path) -> None:
    with pytest.raises(PerturbError, match=r"no antonym rule applies to claim 'beta-c003' \('Maduro took power"):
        propose_for_claim(load_annotations(mini_root), "beta-c003", "antonym")
    with pytest.raises(PerturbError, match="did you mean beta-c003"):
        propose_for_claim(load_annotations(mini_root), "beta-c03", "antonym")


def test_perturb_cli_proposes_then_applies(mini_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = (mini_root / "claims.jsonl").read_bytes()
    assert main(["annotate", "perturb", "alpha-c001", "--kind", "number", "--root", str(mini_root)]) == 0
    out = capsys.readouterr().out
    assert "Officials met the officers five times in 2017." in out
    assert (mini_root / "claims.jsonl").read_bytes() == before  # a proposal only
    assert main(["annotate", "perturb", "alpha-c001", "--kind", "number", "--apply", "--annotator", "rev",
                 "--root", str(mini_root)]) == 0
    row = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert row == {"claim_id": "alpha-c004", "article_id": "alpha", "text": "Officials met the officers five times in 2017.",
                   "span": None, "derived_from": "alpha-c001", "perturbation": "number", "annotator": "rev"}
    assert validate(mini_root) == []
    assert main(["annotate", "perturb", "alpha-c001", "--kind", "number", "--apply", "--root", str(mini_root)]) == 1
    assert "already has this claim as 'alpha-c004'" in capsys.readouterr().err


def test_perturb_cli_no_rule(mini_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["annotate", "perturb", "beta-c003", "--kind", "antonym", "--root", str(mini_root)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: no antonym rule applies to claim 'beta-c003'")


def test_unicode_claim_survives_perturb(mini_root: Path) -> None:
    text = "No support was given — “we only listened,” an aide said in 2017 at the café."
    from bench.annotate.edit import add_claim

    add_claim(mini_root, text, article_id="alpha")
    proposal = propose(text, "date", ARTICLES.values())[0]
    assert proposal.text == text.replace("2017", "2016")
    claim = add_claim(mini_root, proposal.text, derived_from="alpha-c004", perturbation="date")
    stored = [i.data for i in read_jsonl(mini_root / "claims.jsonl") if i.data][-1]
    assert stored["text"] == claim.text == proposal.text
    assert proposal.text.encode("utf-8") in (mini_root / "claims.jsonl").read_bytes()
