import pytest

from bench.annotations import load_annotations
from bench.corpus import SpanError, find_span, normalize_text, read_jsonl


def test_find_span_matches_across_whitespace_and_returns_original_offsets():
    text = "He said:\n“We only   listened,” an aide said."
    start, end = find_span(text, "“We only listened,”")
    assert text[start:end] == "“We only   listened,”"


def test_find_span_absent_shows_closest_passage():
    text = "The officers asked for encrypted radios. Maduro took power in 2013."
    with pytest.raises(SpanError, match="closest passage: 'The officers asked for encrypted radios.'"):
        find_span(text, "The officers asked for radios")


def test_find_span_ambiguous_names_offsets():
    with pytest.raises(SpanError, match="occurs 2 times"):
        find_span("a b. a b.", "a b")


def test_normalize_text_unifies_unicode_forms_and_spaces():
    assert normalize_text("  Nicola\u0301s   Maduro\n") == normalize_text("Nicolás Maduro")


def test_read_jsonl_reports_each_bad_line(tmp_path):
    path = tmp_path / "x.jsonl"
    path.write_bytes(b'{"a": 1}\n[1]\nnot json\n\xff\xfe\n\n{"b": "\xc3\xa9"}\n')
    lines = read_jsonl(path)
    assert [line.line for line in lines] == [1, 2, 3, 4, 5, 6]
    assert lines[0].data == {"a": 1} and lines[5].data == {"b": "é"}
    assert "expected a JSON object" in lines[1].error
    assert "invalid JSON" in lines[2].error
    assert "not UTF-8" in lines[3].error
    assert lines[4].error == "blank line"


def test_load_annotations_resolves_records(mini_root):
    notes = load_annotations(mini_root)
    assert len(notes.articles) == 3 and len(notes.pairs) == 12
    claim = notes.claims["alpha-c003"]
    assert notes.text("alpha")[claim.span[0]:claim.span[1]] == "No support was given"
