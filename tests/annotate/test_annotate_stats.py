"""`annotate stats`: the counts, the hard-negative rule, and the DATASHEET.md block check / rewrite."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from bench.annotate.stats import HARD_NEGATIVE_MIN_COSINE, compute_stats, render_markdown
from bench.annotations import load_annotations
from bench.cli.main import main


def test_counts(mini_root: Path) -> None:
    stats = compute_stats(load_annotations(mini_root))
    assert stats["totals"] == {"articles": 3, "claims": 10, "natural_claims": 9, "perturbed_claims": 1, "pairs": 12}
    assert stats["label_origin"] == {"entails": {"natural": 3, "perturbed": 0},
                                     "contradicts": {"natural": 3, "perturbed": 1},
                                     "unrelated": {"natural": 5, "perturbed": 0}}
    assert stats["source_pairs"] == [
        {"articles": ["alpha", "beta"], "entails": 1, "contradicts": 2, "unrelated": 2, "total": 5},
        {"articles": ["alpha", "gamma"], "entails": 2, "contradicts": 1, "unrelated": 1, "total": 4},
        {"articles": ["beta", "gamma"], "entails": 0, "contradicts": 1, "unrelated": 2, "total": 3},
    ]
    assert stats["claims_per_article"]["gamma"] == {"natural": 3, "perturbed": 1, "quoted": 3}
    assert stats["perturbations"] == {"negation": {"claims": 1, "pairs": 1}}
    assert stats["annotators"] == {"t": {"claims": 10, "pairs": 12}}
    # p0001 alpha-c001 -> beta-c001 entails; its reverse p0002 is unrelated (one-way entailment)
    assert stats["entailment_directions"] == {"entails_pairs": 3, "reverse_annotated": 1,
                                              "reverse_labels": {"entails": 0, "contradicts": 0, "unrelated": 1}}


def test_hard_negatives_follow_the_stated_rule(mini_root: Path) -> None:
    ann = load_annotations(mini_root)
    ids = sorted(ann.claims)
    vectors = TfidfVectorizer(strip_accents="unicode", stop_words="english").fit_transform(
        [ann.claims[c].text for c in ids]).toarray()
    index = {c: i for i, c in enumerate(ids)}
    unrelated = [p for p in ann.pairs if p.label.value == "unrelated"]
    expected = sum(float(np.dot(vectors[index[p.claim_a]], vectors[index[p.claim_b]])) >= HARD_NEGATIVE_MIN_COSINE
                   for p in unrelated)
    hard = compute_stats(ann)["hard_negatives"]
    assert (hard["count"], hard["unrelated"]) == (expected, 5)
    assert 0 < expected < 5  # the fixture has both kinds, so the rule is actually exercised
    text = render_markdown(compute_stats(ann))
    assert "Rule: a hard negative is an `unrelated` pair whose two claims have TF-IDF cosine" in text
    assert ">= 0.20" in text


def test_markdown_is_deterministic(mini_root: Path) -> None:
    ann = load_annotations(mini_root)
    assert render_markdown(compute_stats(ann)) == render_markdown(compute_stats(load_annotations(mini_root)))


DATASHEET = """# Datasheet

Provenance: written by hand — “keep me”, café.

<!-- stats:begin annotations -->
stale numbers
<!-- stats:end annotations -->

<!-- stats:begin other -->
another corpus's block, never touched by this root
<!-- stats:end other -->

## License
MIT
"""


def test_check_and_write_datasheet(mini_root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sheet = tmp_path / "DATASHEET.md"
    sheet.write_text(DATASHEET, encoding="utf-8")
    root = ["--root", str(mini_root)]
    assert main(["annotate", "stats", *root, "--check-datasheet", str(sheet)]) == 1
    assert "out of date" in capsys.readouterr().err
    assert main(["annotate", "stats", *root, "--write-datasheet", str(sheet)]) == 0
    new = sheet.read_text(encoding="utf-8")
    head, rest = new.split("<!-- stats:begin annotations -->")  # the block named after the root's folder
    block, tail = rest.split("<!-- stats:end annotations -->")
    assert head == DATASHEET.split("<!-- stats:begin annotations -->")[0]
    assert tail == DATASHEET.split("<!-- stats:end annotations -->")[1]  # the other corpus's block included
    assert block.strip() == render_markdown(compute_stats(load_annotations(mini_root))).strip()
    backups = list(tmp_path.glob("DATASHEET.md.bak-*"))
    assert len(backups) == 1 and backups[0].read_text(encoding="utf-8") == DATASHEET
    capsys.readouterr()
    assert main(["annotate", "stats", *root, "--check-datasheet", str(sheet)]) == 0
    assert main(["annotate", "stats", *root, "--write-datasheet", str(sheet)]) == 0
    assert "already current" in capsys.readouterr().out
    assert len(list(tmp_path.glob("DATASHEET.md.bak-*"))) == 1  # nothing rewritten, no new backup


@pytest.mark.parametrize("text", ["# no markers\n", "<!-- stats:end annotations -->\n<!-- stats:begin annotations -->\n",
                                  "<!-- stats:begin annotations -->\n<!-- stats:begin annotations -->\n<!-- stats:end annotations -->\n",
                                  "<!-- stats:begin seed -->\n<!-- stats:end seed -->\n"])
def test_datasheet_marker_errors(mini_root: Path, tmp_path: Path, text: str, capsys: pytest.CaptureFixture[str]) -> None:
    sheet = tmp_path / "DATASHEET.md"
    sheet.write_text(text, encoding="utf-8")
    assert main(["annotate", "stats", "--root", str(mini_root), "--write-datasheet", str(sheet)]) == 1
    assert "stats:begin" in capsys.readouterr().err
    assert sheet.read_text(encoding="utf-8") == text


def test_json_output(mini_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["annotate", "stats", "--root", str(mini_root), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["totals"]["pairs"] == 12


def test_invalid_root(mini_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (mini_root / "articles" / "beta.txt").write_bytes(b"x")
    assert main(["annotate", "stats", "--root", str(mini_root)]) == 1
    assert "article-sha256" in capsys.readouterr().err
