"""The Emergent corpus tools: a never-raising reader, stance-proposed candidates, the article layout
and the merge of an annotated headline batch."""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

import pytest

from bench.annotate.emergent import (
    MAX_PER_EVENT,
    EmergentError,
    by_event,
    disputed_events,
    headline_ids,
    load_emergent,
    propose_pairs,
    read_emergent,
    supplement_events,
    write_articles,
    write_events,
)
from bench.annotate.headline_batch import merge_batch
from bench.annotate.store import EditError
from bench.validate import validate

REPO = Path(__file__).resolve().parents[2]
HEADER = "id,claimHeadline,articleHeadline,articleHeadlineStance,articleId,claimId\n"


def emergent_file(tmp_path: Path, rows: list[tuple[str, str, str, str, str, str]]) -> Path:
    path = tmp_path / "emergent.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        f.write(HEADER)
        csv.writer(f, lineterminator="\n").writerows(rows)
    return path


def event(cid: str, first_id: int, stances: str) -> list[tuple[str, str, str, str, str, str]]:
    names = {"f": "for", "a": "against", "o": "observing"}
    return [(str(first_id + i), f"Rumour {cid}", f"Headline {cid} {i}", names[s], f"art-{cid}-{i}", f"{cid}0000000-x")
            for i, s in enumerate(stances)]


def test_bad_rows_are_reported_with_file_line_and_value(tmp_path: Path) -> None:
    path = emergent_file(tmp_path, [
        ("1", "R", "H1", "for", "a1", "c1"), ("2", "R", "H2", "maybe", "a2", "c1"),
        ("3", "R", "H3", "for", "a1", "c1"), ("4", "R", "", "for", "a4", "c1"), ("x", "R", "H5", "for", "a5", "c1"),
    ])
    rows, problems = read_emergent(path)
    assert [r.article_id for r in rows] == ["a1"]
    assert problems == [f"{path}:3: unknown stance 'maybe'; expected one of for, against, observing",
                        f"{path}:4: duplicate articleId 'a1' (also line 2)",
                        f"{path}:5: malformed row (empty articleHeadline)",
                        f"{path}:6: id 'x' is not a whole number"]
    with pytest.raises(EmergentError, match="4 unusable line"):
        load_emergent(path)
    assert read_emergent(tmp_path / "nope.csv")[1][0].startswith(f"{tmp_path / 'nope.csv'}: cannot read")
    bad = tmp_path / "bad.csv"
    bad.write_text("id,claimHeadline\n1,x\n")
    assert "missing column(s) articleHeadline" in read_emergent(bad)[1][0]


def test_candidates_are_seeded_capped_both_directions_and_skip_identical_headlines(tmp_path: Path) -> None:
    rows = event("aaaaaaaa", 1, "fffffffaaaaoo") + event("bbbbbbbb", 100, "ffoa")
    rows.append(("200", "Rumour bbbbbbbb", "Headline bbbbbbbb 0", "against", "art-dup", "bbbbbbbb0000000-x"))
    heads = load_emergent(emergent_file(tmp_path, rows))
    events = disputed_events(heads)
    assert events == ["em-aaaaaaaa", "em-bbbbbbbb"]
    pairs = propose_pairs(heads, events)
    assert pairs == propose_pairs(heads, events)  # same file, events and seed: same candidates
    per_event = Counter(a.event_id for a, _ in pairs)
    assert per_event["em-aaaaaaaa"] == 2 * MAX_PER_EVENT
    ordered = {(a.article_id, b.article_id) for a, b in pairs}
    assert all((b, a) in ordered for a, b in ordered)  # both directions
    assert all(a.event_id == b.event_id and a.text.lower() != b.text.lower() for a, b in pairs)
    assert ("art-bbbbbbbb-0", "art-dup") not in ordered  # a syndicated copy is not paired
    assert supplement_events(heads, 5) == []  # every event here is disputed


def test_articles_are_written_once_and_merge_builds_a_valid_root(tmp_path: Path) -> None:
    heads = load_emergent(emergent_file(tmp_path, event("cccccccc", 1, "ffa")))
    root = tmp_path / "root"
    assert write_articles(heads, root) == 3 and write_articles(heads, root) == 0  # append-only
    assert write_events(heads, root) == 1
    assert validate(root) == []
    ids = headline_ids(heads)
    batch = tmp_path / "batch"
    batch.mkdir()
    (batch / "claims.jsonl").write_text("".join(json.dumps(r) + "\n" for r in [
        {"hid": "h0001", "claim": "The rumour is true.", "skip": None},
        {"hid": "h0002", "claim": "The rumour is true, officials say.", "skip": None},
        {"hid": "h0003", "claim": None, "skip": "question"}]))
    (batch / "candidates.jsonl").write_text("".join(json.dumps(r) + "\n" for r in [
        {"cid": "c1", "a": "h0001", "b": "h0002"}, {"cid": "c2", "a": "h0001", "b": "h0003"}]))
    (batch / "labels.jsonl").write_text(json.dumps({"cid": "c1", "label": "entails", "rationale": "same fact"}) + "\n")
    assert merge_batch(root, batch, ids, "em-t") == (2, 1, 1)
    assert validate(root) == []
    claims = [json.loads(x) for x in (root / "claims.jsonl").read_text().splitlines()]
    assert claims[0]["span"] == [0, len("Headline cccccccc 0")] and claims[0]["annotator"] == "em-t"
    assert (root / "skipped.csv").read_text().splitlines()[1] == "art-cccccccc-2,question"
    (batch / "labels.jsonl").write_text(json.dumps({"cid": "c2", "label": "entails", "rationale": "x"}) + "\n")
    before = (root / "pairs.jsonl").read_text()
    with pytest.raises(EditError, match="c2 pairs a headline without a claim"):
        merge_batch(root, batch, ids, "em-t")
    assert (root / "pairs.jsonl").read_text() == before  # nothing written


def test_the_committed_corpus_is_what_the_tools_propose() -> None:
    """annotations/emergent/ holds exactly the headlines of the proposed candidates (86 events)."""
    heads = load_emergent(REPO / "annotations/external/emergent/emergent.csv")
    proposed = (propose_pairs(heads, disputed_events(heads))
                + propose_pairs(heads, supplement_events(heads, 10), seed=2016))
    used = {h.article_id for pair in proposed for h in pair}
    with (REPO / "annotations/emergent/articles.csv").open(encoding="utf-8") as f:
        committed = {row["article_id"] for row in csv.DictReader(f)}
    assert committed == used and len(by_event(h for h in heads if h.article_id in used)) == 86


def test_cli_layout_refuses_a_root_of_other_events_and_a_bad_file(mini_root: Path, tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    from bench.cli.main import main

    before = (mini_root / "articles.csv").read_text()
    assert main(["annotate", "emergent-layout", "--root", str(mini_root)]) == 1
    assert "holds other events" in capsys.readouterr().err
    assert (mini_root / "articles.csv").read_text() == before
    bad = tmp_path / "bad.csv"
    bad.write_text("id,claimHeadline\n1,x\n")
    assert main(["annotate", "emergent-layout", "--csv", str(bad), "--root", str(tmp_path / "new")]) == 1
    assert f"{bad}:1: missing column(s)" in capsys.readouterr().err and not (tmp_path / "new").exists()
