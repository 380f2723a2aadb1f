"""add-article: the text copied byte for byte with its sha256; refusals are one line and write nothing."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from bench.annotate.add_article import add_article
from bench.annotate.store import EditError
from bench.cli.main import main
from bench.corpus import read_articles_csv
from bench.validate import validate


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and not p.name.endswith(".lock")}


def test_add_article_cli_copies_bytes_and_appends_row(mini_root: Path, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    data = "Über «Kyiv»: officials met\r\nthree times.\n".encode()
    source = tmp_path / "Le Monde 01.txt"
    source.write_bytes(data)
    code = main(["annotate", "add-article", str(source), "--outlet", "Le Monde", "--event", "ev-new",
                 "--headline", "A, \"quoted\" headline", "--root", str(mini_root)])
    assert code == 0, capsys.readouterr().err
    assert (mini_root / "articles" / "Le-Monde-01.txt").read_bytes() == data
    _, rows, error = read_articles_csv(mini_root / "articles.csv")
    assert error is None
    row = rows[-1][1]
    assert row["article_id"] == "Le-Monde-01" and row["event_id"] == "ev-new"
    assert row["headline"] == "A, \"quoted\" headline" and row["sha256"] == hashlib.sha256(data).hexdigest()
    assert validate(mini_root) == []


@pytest.mark.parametrize("case", ["duplicate", "missing", "not-utf8", "folder", "bad-id", "no-root"])
def test_add_article_refusals_one_line_nothing_written(case: str, mini_root: Path, tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "new.txt"
    source.write_bytes(b"Some text.\n")
    root, extra = mini_root, []
    if case == "duplicate":
        extra = ["--id", "alpha"]
    elif case == "missing":
        source = tmp_path / "absent.txt"
    elif case == "not-utf8":
        source.write_bytes(b"caf\xe9\n")
    elif case == "folder":
        source = tmp_path
    elif case == "bad-id":
        extra = ["--id", "../x"]
    elif case == "no-root":
        root = tmp_path / "nowhere"
    before = snapshot(mini_root)
    code = main(["annotate", "add-article", str(source), "--outlet", "X", "--event", "ev-1",
                 "--root", str(root), *extra])
    err = capsys.readouterr().err.strip()
    assert code == 1 and len(err.splitlines()) == 1, err
    expected = {"duplicate": "already in", "missing": "does not exist", "not-utf8": "not UTF-8",
                "folder": "not a regular file", "bad-id": "--id", "no-root": "does not exist"}[case]
    assert expected in err
    assert snapshot(mini_root) == before


def test_add_article_reuses_identical_orphan_text(mini_root: Path, tmp_path: Path) -> None:
    """A crash after the text was copied (no row yet) does not block the re-run."""
    source = tmp_path / "delta.txt"
    source.write_bytes(b"Delta text.\n")
    (mini_root / "articles" / "delta.txt").write_bytes(b"Delta text.\n")
    assert add_article(mini_root, source, outlet="D", event_id="ev-2").article_id == "delta"
    (mini_root / "articles" / "eps.txt").write_bytes(b"other\n")
    with pytest.raises(EditError, match="other content"):
        add_article(mini_root, source, outlet="E", event_id="ev-2", article_id="eps")
