"""The SICK selection aid: settings parsing and one-line errors (the real runs are measurements)."""

from __future__ import annotations

import pytest

from bench.models.sick_eval import main, parse_setting


def test_settings_are_cast_to_their_field_types() -> None:
    assert parse_setting("epochs=4") == ("epochs", 4)
    assert parse_setting("lr=1e-4") == ("lr", 1e-4)
    assert parse_setting("freeze_embeddings=false") == ("freeze_embeddings", False)
    assert parse_setting("class_weight=null") == ("class_weight", None)


def test_bad_setting_is_one_line_naming_the_options(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--set", "epoch=4"]) == 1
    err = capsys.readouterr().err
    assert "--set 'epoch=4'" in err and "epochs" in err and "freeze_layers" in err
    assert main(["--set", "epochs=0"]) == 1
    assert "epochs=0 is out of range" in capsys.readouterr().err
