import pytest

from bench.labels import LABEL_NAMES, LABELS, Label, LabelError, parse


def test_fixed_order_is_not_alphabetical():
    assert LABEL_NAMES == ("entails", "contradicts", "unrelated")
    assert [label.class_id for label in LABELS] == [0, 1, 2]
    assert sorted(LABEL_NAMES) != list(LABEL_NAMES)


@pytest.mark.parametrize("value,expected", [("entails", Label.ENTAILS), (" Contradicts ", Label.CONTRADICTS),
                                            (2, Label.UNRELATED), (Label.ENTAILS, Label.ENTAILS)])
def test_parse_accepts_names_ids_and_labels(value, expected):
    assert parse(value) is expected


@pytest.mark.parametrize("value", ["neutral", "", 3, -1, True, None, 1.0])
def test_parse_rejects_with_valid_options(value):
    with pytest.raises(LabelError) as info:
        parse(value, where="pairs.jsonl:7")
    assert "pairs.jsonl:7" in str(info.value)
    assert "entails, contradicts, unrelated" in str(info.value)
