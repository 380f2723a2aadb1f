"""One bad-input test per validator rule (exact `file:line: rule:` prefix), the CLI report, and fuzzing."""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.cli.main import main
from bench.corpus import read_jsonl
from bench.validate import validate

from conftest import CLAIMS, PAIRS, claim, pair, write_jsonl, write_root

C = "annotations/claims.jsonl"
P = "annotations/pairs.jsonl"
A = "annotations/articles.csv"


def _claims(edit: Callable[[list[dict[str, Any]]], None]) -> list[dict[str, Any]]:
    rows = copy.deepcopy(CLAIMS)
    edit(rows)
    return rows


def _pairs(edit: Callable[[list[dict[str, Any]]], None]) -> list[dict[str, Any]]:
    rows = copy.deepcopy(PAIRS)
    edit(rows)
    return rows


def _set(index: int, **changes: Any) -> Callable[[list[dict[str, Any]]], None]:
    return lambda rows: rows[index].update(changes)


def _drop(index: int, key: str) -> Callable[[list[dict[str, Any]]], None]:
    return lambda rows: rows[index].pop(key)


def _append(row: dict[str, Any]) -> Callable[[list[dict[str, Any]]], None]:
    return lambda rows: rows.append(row)


# (rule, claims, pairs, expected prefix). Claims line = index + 1; the fixture has 10 claims, 12 pairs.
ROW_CASES = [
    ("field-missing", _claims(_drop(2, "annotator")), None, f"{C}:3: field-missing:"),
    ("field-type", _claims(_set(4, text=5)), None, f"{C}:5: field-type:"),
    ("field-unknown", _claims(_set(1, note="x")), None, f"{C}:2: field-unknown:"),
    ("id-duplicate", _claims(_append(dict(CLAIMS[0]))), None, f"{C}:11: id-duplicate:"),
    ("text-empty", _claims(_set(2, text="   ")), None, f"{C}:3: text-empty:"),
    ("claim-article", _claims(_append(claim("nope-c001", "alpha", "x") | {"article_id": "nope"})), None,
     f"{C}:11: claim-article:"),
    ("span-range", _claims(_set(0, span=[5, 100000])), None, f"{C}:1: span-range:"),
    ("span-empty", _claims(_set(0, span=[47, 48])), None, f"{C}:1: span-empty:"),  # alpha[47] is "\n"
    ("derived-perturbation", _claims(_set(9, perturbation=None)), None, f"{C}:10: derived-perturbation:"),
    ("derived-from", _claims(_set(9, derived_from="gamma-c999")), None, f"{C}:10: derived-from:"),
    ("derived-from", _claims(_set(9, derived_from="gamma-c004")), None, f"{C}:10: derived-from:"),
    ("label", None, _pairs(_set(3, label="maybe")), f"{P}:4: label:"),
    ("origin", None, _pairs(_set(5, origin="synthetic")), f"{P}:6: origin:"),
    ("rationale", None, _pairs(_set(0, rationale=" ")), f"{P}:1: rationale:"),
    ("pair-claim", None, _pairs(_set(8, claim_b="beta-c404")), f"{P}:9: pair-claim:"),
    ("self-pair", None, _pairs(_set(8, claim_b="alpha-c003")), f"{P}:9: self-pair:"),
    ("pair-duplicate", None, _pairs(_append(pair("p0013", "alpha-c001", "beta-c001", "entails"))),
     f"{P}:13: pair-duplicate:"),
    ("id-duplicate", None, _pairs(_append(pair("p0001", "gamma-c002", "beta-c003", "unrelated"))),
     f"{P}:13: id-duplicate:"),
    ("same-source", None, _pairs(_set(8, claim_b="alpha-c002")), f"{P}:9: same-source:"),
    ("origin-mismatch", None, _pairs(_set(9, origin="natural")), f"{P}:10: origin-mismatch:"),
    ("origin-mismatch", None, _pairs(_set(0, origin="perturbed")), f"{P}:1: origin-mismatch:"),
    # p0007 is alpha-c001 -> gamma-c001 entails; its mirror as contradicts conflicts (reported at the later line).
    ("mirror-conflict", None, _pairs(_append(pair("p0013", "gamma-c001", "alpha-c001", "contradicts"))),
     f"{P}:13: mirror-conflict:"),
    ("field-type", None, _pairs(_set(2, rationale=None)), f"{P}:3: field-type:"),
]


@pytest.mark.parametrize(("rule", "claims", "pairs", "prefix"), ROW_CASES,
                         ids=[f"{case[0]}-{i}" for i, case in enumerate(ROW_CASES)])
def test_row_rule(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rule: str, claims: Any, pairs: Any,
                  prefix: str) -> None:
    monkeypatch.chdir(tmp_path)
    write_root(Path("annotations"), claims, pairs)
    shown = [str(v) for v in validate("annotations")]
    assert shown and shown[0].startswith(prefix), shown  # the cause comes first; consequences may follow
    assert all(" — " in s for s in shown)  # every violation carries its fix


def test_fixture_is_valid(mini_root: Path) -> None:
    assert validate(mini_root) == []


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return write_root(Path("annotations"))


def _rules(root: Path) -> list[str]:
    return [str(v) for v in validate(root)]


def test_json(root: Path) -> None:
    with open(root / "claims.jsonl", "a", encoding="utf-8") as handle:
        handle.write("{not json\n[1, 2]\n\n")
    shown = _rules(root)
    assert shown[0].startswith(f"{C}:11: json: invalid JSON")
    assert shown[1].startswith(f"{C}:12: json: expected a JSON object")
    assert shown[2].startswith(f"{C}:13: json: blank line")


def test_article_sha256(root: Path) -> None:
    (root / "articles" / "beta.txt").write_bytes(b"edited text\n")
    assert _rules(root)[0].startswith(f"{A}:3: article-sha256:")


def test_article_file_missing(root: Path) -> None:
    (root / "articles" / "gamma.txt").unlink()
    assert _rules(root)[0].startswith(f"{A}:4: article-file-missing:")


def test_csv_header(root: Path) -> None:
    lines = (root / "articles.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    lines[0] = lines[0].replace(",sha256", ",checksum")
    (root / "articles.csv").write_text("".join(lines), encoding="utf-8")
    shown = _rules(root)
    assert shown[0].startswith(f"{A}:1: csv-header: missing column(s) sha256")


def test_csv_unreadable(root: Path) -> None:
    (root / "articles.csv").write_bytes(b"article_id,\xff\n")
    assert _rules(root)[0].startswith(f"{A}:1: csv:")


def test_articles_field_missing_and_duplicate(root: Path) -> None:
    lines = (root / "articles.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    lines.append(lines[1])  # alpha again, line 5
    lines[2] = lines[2].replace(",ev-1,", ",,")  # beta without event_id, line 3
    (root / "articles.csv").write_text("".join(lines), encoding="utf-8")
    shown = _rules(root)
    assert any(s.startswith(f"{A}:3: field-missing: event_id is empty") for s in shown), shown
    assert any(s.startswith(f"{A}:5: id-duplicate: article_id 'alpha'") for s in shown), shown


@pytest.mark.parametrize("name", ["claims.jsonl", "pairs.jsonl", "articles.csv"])
def test_file_missing(root: Path, name: str) -> None:
    (root / name).unlink()
    assert f"annotations/{name}: file-missing: {name}" in "\n".join(_rules(root))


def test_encoding(root: Path) -> None:
    data = "Café at 2017.".encode("latin-1")
    (root / "articles" / "alpha.txt").write_bytes(data)
    text = (root / "articles.csv").read_text(encoding="utf-8")
    old = hashlib.sha256(("Officials met the officers three times in 2017.\nThe officers asked for encrypted radios. "
                          "No support was given — “we only listened,” an aide said.\n").encode()).hexdigest()
    (root / "articles.csv").write_text(text.replace(old, hashlib.sha256(data).hexdigest()), encoding="utf-8")
    shown = _rules(root)
    assert shown == [s for s in shown if s.startswith("annotations/articles/alpha.txt: encoding: not UTF-8 at byte 3")]
    assert len(shown) == 1


# ------------------------------------------------------------------------------------ CLI report

def _snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_cli_validate_prints_every_violation(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    claims = _claims(_set(2, text=" "))
    pairs = _pairs(lambda rows: (rows[3].update(label="maybe"), rows[5].update(origin="x")))
    write_jsonl(root / "claims.jsonl", claims)
    write_jsonl(root / "pairs.jsonl", pairs)
    (root / "articles" / "beta.txt").write_bytes(b"changed\n")
    before = _snapshot(root)
    assert main(["annotate", "validate", "--root", str(root)]) == 1
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert [line.split(": ")[1] for line in lines] == ["article-sha256", "text-empty", "label", "origin"]
    assert lines[1].startswith(f"{C}:3: text-empty:")
    assert "4 violation(s)" in err
    assert _snapshot(root) == before


def test_cli_validate_valid(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["annotate", "validate", "--root", str(root)]) == 0
    assert "valid" in capsys.readouterr().out


# --------------------------------------------------------------------------------------- fuzzing

_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=8,
)
_keys = st.sampled_from(["claim_id", "article_id", "text", "span", "derived_from", "perturbation", "annotator",
                         "pair_id", "claim_a", "claim_b", "label", "origin", "rationale", "x"])
_values = st.one_of(_json, st.sampled_from(["alpha", "beta", "alpha-c001", "beta-c001", "entails", "contradicts",
                                            "natural", "perturbed", "negation", ""]),
                    st.lists(st.integers(-3, 200), min_size=0, max_size=3))
_row_line = st.dictionaries(_keys, _values, max_size=9).map(lambda d: json.dumps(d).encode() + b"\n")
_file = st.one_of(st.binary(max_size=300), st.lists(st.one_of(_row_line, st.binary(max_size=40)), max_size=6).map(b"".join))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(claims=_file, pairs=_file)
def test_arbitrary_bytes_never_raise(mini_root: Path, claims: bytes, pairs: bytes) -> None:
    (mini_root / "claims.jsonl").write_bytes(claims)
    (mini_root / "pairs.jsonl").write_bytes(pairs)
    for name in ("claims.jsonl", "pairs.jsonl"):
        for item in read_jsonl(mini_root / name):
            assert (item.data is None) != (item.error is None)
    for violation in validate(mini_root):
        text = str(violation)
        text.encode("utf-8")  # printable even for lone surrogates
        assert "\n" not in text and "\r" not in text


@pytest.mark.parametrize("data", [
    b'{"claim_id": ' + b"1" * 5000 + b"}\n",  # over Python's int-digits limit: a ValueError, not a JSONDecodeError
    b"[" * 50000 + b"\n",
    b'{"claim_id": "\\ud800", "x\\nkey": 1}\n',
    b"\xff\xfe\x00\n\r\n",
])
def test_nasty_lines_are_reported(mini_root: Path, data: bytes) -> None:
    (mini_root / "claims.jsonl").write_bytes(data)
    shown = [str(v) for v in validate(mini_root)]
    assert shown
    for text in shown:
        text.encode("utf-8")
        assert "\n" not in text


def test_cross_event(root: Path) -> None:
    rows = (root / "articles.csv").read_text(encoding="utf-8").splitlines()
    rows[3] = rows[3].replace(",ev-1,", ",ev-2,")  # gamma now reports another event
    (root / "articles.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    shown = _rules(root)
    assert shown and all(" cross-event: " in s for s in shown), shown
    assert shown[0].startswith("annotations/pairs.jsonl:5: cross-event: pair 'p0005'")
