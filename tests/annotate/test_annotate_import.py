"""`annotate import`: claim reuse, spans, mapping, all-or-nothing with every bad row listed, dry run."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest

from bench.annotate.importer import import_file
from bench.annotate.store import EditError
from bench.cli.main import main
from bench.corpus import read_jsonl
from bench.validate import validate

from conftest import ARTICLES


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and not p.name.endswith(".lock")}


def rows(path: Path) -> list[dict[str, Any]]:
    return [item.data for item in read_jsonl(path) if item.data is not None]


def write_csv(path: Path, header: list[str], body: list[list[str]], delimiter: str = ",") -> Path:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter=delimiter, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(body)
    return path


HEADER = ["premise", "src_a", "hypothesis", "src_b", "gold", "why"]
MAPPING = "text_a=premise,source_a=src_a,text_b=hypothesis,source_b=src_b,label=gold,rationale=why"
LABELS = "ENTAILMENT=entails,CONTRADICTION=contradicts,NEUTRAL=unrelated"


def test_import_reuses_and_creates_claims(mini_root: Path, tmp_path: Path) -> None:
    text = "“We only listened,” said an aide — café talk."
    file = write_csv(tmp_path / "in.csv", HEADER, [
        ["The  officers asked for radios. ", "gamma", "No support was given", "alpha", "NEUTRAL", ""],  # reuse + quote
        [text, "beta", "Maduro took power in 2013.", "gamma", "NEUTRAL", ""],  # two new claims, neither a quote of its article
        ["officers", "alpha", "Diplomats held no meetings with the officers in 2017.", "gamma", "ENTAILMENT", "r"],
    ])
    plan = import_file(mini_root, file, columns=MAPPING, labels=LABELS, annotator="imp")
    claims = {c["claim_id"]: c for c in rows(mini_root / "claims.jsonl")}
    new = [c.claim_id for c in plan.claims]
    assert new == ["alpha-c004", "beta-c004", "gamma-c005", "alpha-c005"]
    quote = "No support was given"
    assert claims["alpha-c004"]["span"] == [ARTICLES["alpha"].index(quote), ARTICLES["alpha"].index(quote) + len(quote)]
    assert claims["beta-c004"]["span"] is None and claims["beta-c004"]["text"] == text
    assert claims["gamma-c005"]["span"] is None  # "Maduro took power in 2013." is in beta, not gamma
    assert claims["alpha-c005"]["span"] is None  # "officers" occurs twice in alpha: ambiguous, so no span
    assert plan.reused_claims == {"gamma-c003", "gamma-c004"}
    pairs = rows(mini_root / "pairs.jsonl")[-3:]
    assert [(p["pair_id"], p["claim_a"], p["claim_b"], p["label"], p["origin"]) for p in pairs] == [
        ("p0013", "gamma-c003", "alpha-c004", "unrelated", "natural"),
        ("p0014", "beta-c004", "gamma-c005", "unrelated", "natural"),
        ("p0015", "alpha-c005", "gamma-c004", "entails", "perturbed"),  # gamma-c004 is derived
    ]
    assert all(p["annotator"] == "imp" for p in pairs)
    assert text.encode("utf-8") in (mini_root / "claims.jsonl").read_bytes()
    assert validate(mini_root) == []


def test_every_bad_row_listed_and_nothing_written(mini_root: Path, tmp_path: Path) -> None:
    file = write_csv(tmp_path / "bad.csv", HEADER, [
        ["A fine new claim.", "alpha", "Another fine claim.", "beta", "NEUTRAL", ""],  # line 2: ok
        ["x", "nowhere", "y", "beta", "NEUTRAL", ""],  # line 3: unknown source
        ["x", "alpha", "y", "beta", "MAYBE", ""],  # line 4: label
        ["x", "alpha", "y", "alpha", "NEUTRAL", ""],  # line 5: same source
        ["", "alpha", "y", "beta", "ENTAILMENT", ""],  # line 6: empty text + no rationale
        ["Officials met the officers three times in 2017.", "alpha", "The officials met the officers at least three "
         "times.", "beta", "CONTRADICTION", "r"],  # line 7: p0001 exists as entails
        ["The officers asked for encrypted radios.", "alpha", "The officers asked for radios.", "gamma",
         "ENTAILMENT", "r"],  # line 8: exact duplicate of p0005: skipped, not an error
        ["The officers asked for radios.", "gamma", "The officers asked for encrypted radios.", "alpha",
         "CONTRADICTION", "r"],  # line 9: mirror of p0005 (entails) as contradicts
    ])
    before = snapshot(mini_root)
    with pytest.raises(EditError) as info:
        import_file(mini_root, file, columns=MAPPING, labels=LABELS)
    message = str(info.value)
    assert message.splitlines()[0] == f"{file}: 6 of 8 row(s) invalid; nothing written:"
    for line, text in [(3, "source_a 'nowhere'"), (4, "label 'MAYBE'"), (5, "cross-source"), (6, "text_a is empty"),
                       (7, "already annotated as entails"), (9, "conflicts with the mirror pair")]:
        assert f"{file}:{line}: " in message and text in message
    assert f"{file}:6: " in message and "needs a rationale" in message
    assert f"{file}:2:" not in message and f"{file}:8:" not in message
    assert snapshot(mini_root) == before


def test_dry_run_writes_nothing(mini_root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    file = write_csv(tmp_path / "in.csv", HEADER, [["New claim A.", "alpha", "New claim B.", "beta", "NEUTRAL", ""]])
    before = snapshot(mini_root)
    code = main(["annotate", "import", str(file), "--root", str(mini_root), "--columns", MAPPING, "--labels", LABELS,
                 "--dry-run"])
    out = capsys.readouterr().out
    assert code == 0 and snapshot(mini_root) == before
    assert "would add 2 claim(s) and 1 pair(s)" in out and "dry run: nothing written" in out
    assert '"claim_id": "alpha-c004"' in out and '"pair_id": "p0013"' in out


def test_reimport_skips_and_idempotent(mini_root: Path, tmp_path: Path) -> None:
    file = write_csv(tmp_path / "in.csv", HEADER, [["New claim A.", "alpha", "New claim B.", "beta", "NEUTRAL", ""]])
    import_file(mini_root, file, columns=MAPPING, labels=LABELS)
    after_first = snapshot(mini_root)
    plan = import_file(mini_root, file, columns=MAPPING, labels=LABELS)
    assert (len(plan.claims), len(plan.pairs), len(plan.skipped)) == (0, 0, 1)
    assert snapshot(mini_root) == after_first


def test_jsonl_and_tsv(mini_root: Path, tmp_path: Path) -> None:
    jsonl = tmp_path / "in.jsonl"
    jsonl.write_text(
        json.dumps({"text_a": "Café prices doubled — the owner said.", "source_a": "gamma", "text_b": "Maduro took power "
                    "in 2013.", "source_b": "beta", "label": "unrelated", "annotator": "ann3"}, ensure_ascii=False)
        + "\n{broken\n" + json.dumps({"text_a": "a", "source_a": "alpha"}) + "\n", encoding="utf-8")
    with pytest.raises(EditError) as info:
        import_file(mini_root, jsonl)
    assert f"{jsonl}:2: invalid JSON" in str(info.value)
    assert f"{jsonl}:3: missing text_b (key 'text_b'), source_b (key 'source_b'), label (key 'label')" in str(info.value)
    jsonl.write_text(jsonl.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    plan = import_file(mini_root, jsonl)
    assert plan.reused_claims == {"beta-c003"} and plan.pairs[0].annotator == "ann3"
    tsv = write_csv(tmp_path / "in.tsv", ["text_a", "source_a", "text_b", "source_b", "label", "origin"],
                    [["A, with commas.", "alpha", "B.", "beta", "unrelated", "natural"]], delimiter="\t")
    plan = import_file(mini_root, tsv)
    assert plan.claims[0].text == "A, with commas."
    assert validate(mini_root) == []


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"columns": "text_z=foo"}, "unknown field(s) 'text_z'"),
    ({"columns": "text_a"}, "is not KEY=VALUE"),
    ({"labels": "YES=maybe"}, "unknown label 'maybe'"),
    ({}, "missing text_a (column 'text_a')"),
])
def test_bad_options(mini_root: Path, tmp_path: Path, kwargs: dict[str, str], message: str) -> None:
    file = write_csv(tmp_path / "in.csv", HEADER, [["a", "alpha", "b", "beta", "NEUTRAL", ""]])
    with pytest.raises(EditError) as info:
        import_file(mini_root, file, **kwargs)
    assert message in str(info.value)


def test_unknown_format(mini_root: Path, tmp_path: Path) -> None:
    (tmp_path / "in.xlsx").write_bytes(b"")
    with pytest.raises(EditError, match=r"unknown format '.xlsx'; use one of: .csv, .tsv, .jsonl"):
        import_file(mini_root, tmp_path / "in.xlsx")


def test_within_file_duplicate_is_skipped(mini_root: Path, tmp_path: Path) -> None:
    row = ["New claim A.", "alpha", "New claim B.", "beta", "NEUTRAL", ""]
    file = write_csv(tmp_path / "in.csv", HEADER, [row, row])
    plan = import_file(mini_root, file, columns=MAPPING, labels=LABELS)
    assert len(plan.pairs) == 1 and [line for line, _ in plan.skipped] == [3]


def test_last_gate_maps_violations_to_import_lines(mini_root: Path, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """If a rule slipped past the row checks, the validator's pairs.jsonl line is shown as the file's line."""
    from bench.annotate import importer
    from bench.validate import Violation

    file = write_csv(tmp_path / "in.csv", HEADER, [["a", "alpha", "b", "beta", "NEUTRAL", ""],
                                                   ["c", "alpha", "d", "beta", "NEUTRAL", ""]])
    fake = [Violation("annotations/pairs.jsonl", 14, "some-rule", "value", "fix")]  # 12 pairs + 2 new: the 2nd
    monkeypatch.setattr(importer, "check_additions", lambda *args: fake)
    before = snapshot(mini_root)
    with pytest.raises(EditError, match=rf"{file}:3: some-rule: value — fix"):
        import_file(mini_root, file, columns=MAPPING, labels=LABELS)
    assert snapshot(mini_root) == before
