"""Hostile but realistic input to the annotation commands (issue #13): one line, exit 1, nothing touched."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from bench.cli.main import main
from bench.validate import validate

from conftest import REPO


def snapshot(root: Path) -> dict[str, bytes | None]:
    """Every entry under root with its bytes (None for folders): to prove a refusal touched nothing."""
    return {str(p.relative_to(root)): (p.read_bytes() if p.is_file() else None) for p in sorted(root.rglob("*"))
            if p.suffix != ".lock"}


def run_cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        code = main(argv)
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def set_article_file(root: Path, article: str, value: str) -> None:
    csv_path = root / "articles.csv"
    lines = csv_path.read_text(encoding="utf-8").splitlines()
    lines = [line.replace(f",{article}.txt,", f",{value},") for line in lines]
    csv_path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_lone_surrogate_in_claim_text_is_a_violation(mini_root: Path) -> None:
    claims = mini_root / "claims.jsonl"
    lines = claims.read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].replace("encrypted radios", "encrypted \\ud800 radios")
    claims.write_text("\n".join(lines) + "\n", encoding="utf-8")
    found = [v for v in validate(mini_root) if v.rule == "encoding"]
    assert len(found) == 1 and found[0].line == 2 and "U+D800" in str(found[0])


@pytest.mark.parametrize("kind", ["absolute", "dotdot", "symlink"])
def test_article_file_outside_the_articles_folder_is_refused_unread(mini_root: Path, tmp_path: Path, kind: str,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_bytes(b"not an article\n")
    value = {"absolute": str(secret), "dotdot": "../../secret.txt", "symlink": "link.txt"}[kind]
    if kind == "symlink":
        (mini_root / "articles" / "link.txt").symlink_to(secret)
    set_article_file(mini_root, "alpha", value)
    code, out, _ = run_cli(["annotate", "validate", "--root", str(mini_root)], capsys)
    assert code == 1
    assert "article-file-outside" in out and "'alpha'" in out
    assert hashlib.sha256(secret.read_bytes()).hexdigest()[:12] not in out


def test_symlink_loop_as_article_file_is_a_violation(mini_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (mini_root / "articles" / "loop-a.txt").symlink_to("loop-b.txt")
    (mini_root / "articles" / "loop-b.txt").symlink_to("loop-a.txt")
    set_article_file(mini_root, "alpha", "loop-a.txt")
    code, out, err = run_cli(["annotate", "validate", "--root", str(mini_root)], capsys)
    assert code == 1 and "symlink loop" in out and "Traceback" not in err


def test_pairs_jsonl_that_is_a_folder(mini_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (mini_root / "pairs.jsonl").unlink()
    (mini_root / "pairs.jsonl").mkdir()
    before = snapshot(mini_root)
    code, _, err = run_cli(["annotate", "add-pair", "alpha-c003", "gamma-c001", "--label", "unrelated",
                            "--root", str(mini_root)], capsys)
    assert code == 1 and len(err.strip().splitlines()) == 1 and "not a regular file" in err
    assert snapshot(mini_root) == before
    assert any(v.rule == "not-a-file" for v in validate(mini_root))


@pytest.mark.parametrize("command", [["add-claim", "--article", "alpha", "--text", "A claim."],
                                     ["add-pair", "alpha-c003", "gamma-c001", "--label", "unrelated"],
                                     ["import", "x.csv"]])
def test_missing_root_is_named_and_not_created(tmp_path: Path, command: list[str],
                                               capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "nowhere"
    code, _, err = run_cli(["annotate", *command, "--root", str(root)], capsys)
    assert code == 1 and "does not exist" in err and "already breaks" not in err
    assert len(err.strip().splitlines()) == 1
    assert not root.exists()


def test_unwritable_lock_is_one_line(mini_root: Path, monkeypatch: pytest.MonkeyPatch,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    import filelock

    def refuse(self: object, *args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(filelock.BaseFileLock, "acquire", refuse)  # as a read-only folder does (tests run as root)
    before = snapshot(mini_root)
    code, _, err = run_cli(["annotate", "add-pair", "alpha-c003", "gamma-c001", "--label", "unrelated",
                            "--root", str(mini_root)], capsys)
    assert code == 1 and "no permission to write" in err and "read-only" in err
    assert len(err.strip().splitlines()) == 1 and snapshot(mini_root) == before


def test_busy_lock_names_its_holder_and_the_wait(mini_root: Path, monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import sys, time
        from bench.fileio import file_lock
        with file_lock({str(mini_root / 'claims.jsonl')!r}):
            print("held", flush=True)
            time.sleep(30)
    """), "long-import"], cwd=REPO, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        monkeypatch.setattr("bench.fileio.LOCK_TIMEOUT_S", 0.5)
        code, _, err = run_cli(["annotate", "add-pair", "alpha-c003", "gamma-c001", "--label", "unrelated",
                                "--root", str(mini_root)], capsys)
    finally:
        holder.kill()
        holder.wait()
    assert code == 1 and len(err.strip().splitlines()) == 1
    assert f"pid {holder.pid}" in err and "long-import" in err and ("waiting 0 s" in err or "waiting 1 s" in err)


def test_ctrl_c_between_the_two_files_finishes_the_write_and_says_so(mini_root: Path, tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    import bench.annotate.store as store

    flat = tmp_path / "new.csv"
    flat.write_text("text_a,source_a,text_b,source_b,label\nA new alpha claim.,alpha,A new beta claim.,beta,unrelated\n",
                    encoding="utf-8")
    real = store.append_jsonl_locked

    def append_then_ctrl_c(target: Path, rows: object) -> None:
        real(target, rows)  # type: ignore[arg-type]
        if target.name == "claims.jsonl":
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(0.1)

    monkeypatch.setattr(store, "append_jsonl_locked", append_then_ctrl_c)
    code, _, err = run_cli(["annotate", "import", str(flat), "--root", str(mini_root)], capsys)
    assert code == 130 and len(err.strip().splitlines()) == 1
    assert "2 claim(s) and 1 pair(s) were added" in err
    assert "A new beta claim." in (mini_root / "claims.jsonl").read_text(encoding="utf-8")
    assert "p0013" in (mini_root / "pairs.jsonl").read_text(encoding="utf-8")
    assert validate(mini_root) == []


def test_symlinked_pairs_file_stays_a_symlink(mini_root: Path, tmp_path: Path) -> None:
    from bench.annotate.edit import add_pair

    shared = tmp_path / "shared-pairs.jsonl"
    (mini_root / "pairs.jsonl").rename(shared)
    (mini_root / "pairs.jsonl").symlink_to(shared)
    add_pair(mini_root, "alpha-c003", "gamma-c001", label="unrelated", annotator="t")
    assert (mini_root / "pairs.jsonl").is_symlink() and "p0013" in shared.read_text(encoding="utf-8")


def test_bom_in_articles_csv_is_named(mini_root: Path) -> None:
    csv_path = mini_root / "articles.csv"
    csv_path.write_bytes(b"\xef\xbb\xbf" + csv_path.read_bytes())
    found = [str(v) for v in validate(mini_root)]
    assert "byte-order mark" in found[0] and not any("missing column" in v for v in found)


def test_overlong_claim_text_is_refused(mini_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = snapshot(mini_root)
    code, _, err = run_cli(["annotate", "add-claim", "--article", "alpha", "--text", "word " * 23_000,
                            "--root", str(mini_root)], capsys)
    assert code == 1 and "text-too-long" in err and snapshot(mini_root) == before


def test_import_of_3000_rows_is_linear_and_ids_stay_dense(mini_root: Path, tmp_path: Path) -> None:
    """3,000 rows / 4,500 new claims took 37 s before ids were allocated in O(1); now ~2 s."""
    from bench.annotate.importer import import_file

    flat = tmp_path / "big.csv"
    rows = [f"Alpha claim number {i // 2}.,alpha,Beta claim number {i}.,beta,unrelated" for i in range(3000)]
    flat.write_text("text_a,source_a,text_b,source_b,label\n" + "\n".join(rows) + "\n", encoding="utf-8")
    started = time.perf_counter()
    plan = import_file(mini_root, flat, annotator="t")
    assert time.perf_counter() - started < 20  # generous for a loaded 2-core machine; was 37 s
    assert [p.pair_id for p in plan.pairs[:2]] == ["p0013", "p0014"] and plan.pairs[-1].pair_id == "p3012"
    assert plan.claims[0].claim_id == "alpha-c004" and plan.claims[-1].claim_id == "beta-c3003"
    assert validate(mini_root) == []
