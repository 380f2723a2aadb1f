"""Concurrent writers, a writer killed mid-write, and no torch import outside `--method embedding`."""

from __future__ import annotations

import json
import multiprocessing
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

from bench.annotate.edit import add_pair
from bench.corpus import read_jsonl
from bench.validate import validate

from conftest import REPO, claim, write_root

N_EACH = 200


def _many_claims() -> list[dict[str, Any]]:
    """20 claims in alpha and 20 in beta: 400 distinct alpha -> beta pairs to add."""
    return [claim(f"{aid}-c{i:03d}", aid, f"Claim {i} of {aid}, “quoted” — café.") for aid in ("alpha", "beta")
            for i in range(1, 21)]


def _writer(root: str, half: int) -> None:
    for i in range(1, 21):
        for j in range(1 + 10 * half, 11 + 10 * half):
            add_pair(root, f"alpha-c{i:03d}", f"beta-c{j:03d}", label="unrelated", annotator=f"w{half}")


def test_two_processes_adding_200_pairs_each(tmp_path: Path) -> None:
    root = write_root(tmp_path / "annotations", claims=_many_claims(), pairs=[])
    ctx = multiprocessing.get_context("fork")
    workers = [ctx.Process(target=_writer, args=(str(root), half)) for half in (0, 1)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=120)
    assert [w.exitcode for w in workers] == [0, 0]
    lines = read_jsonl(root / "pairs.jsonl")
    assert len(lines) == 2 * N_EACH and all(item.data is not None for item in lines)
    ids = [item.data["pair_id"] for item in lines if item.data]
    assert sorted(ids) == [f"p{n:04d}" for n in range(1, 2 * N_EACH + 1)]
    assert {item.data["annotator"] for item in lines if item.data} == {"w0", "w1"}
    assert validate(root) == []


CRASH = textwrap.dedent("""
    import os, sys
    from pathlib import Path
    crash_at = int(sys.argv[2])
    real, calls = os.replace, []
    def replace(src, dst):
        calls.append(dst)
        if len(calls) == crash_at:
            os._exit(3)  # die just before this rename: the temp file is written, the target untouched
        real(src, dst)
    os.replace = replace
    from bench.annotate.edit import add_pair
    from bench.annotate.importer import import_file
    if sys.argv[3] == "pair":
        add_pair(sys.argv[1], "alpha-c003", "gamma-c001", label="unrelated")
    else:
        import_file(sys.argv[1], sys.argv[3])
""")


def _run_crash(root: Path, crash_at: int, what: str) -> int:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-c", CRASH, str(root), str(crash_at), what], env=env, cwd=REPO,
                          timeout=60).returncode


def test_killed_before_rename_leaves_file_identical(mini_root: Path) -> None:
    before = {name: (mini_root / name).read_bytes() for name in ("claims.jsonl", "pairs.jsonl")}
    assert _run_crash(mini_root, 1, "pair") == 3
    assert {name: (mini_root / name).read_bytes() for name in before} == before
    assert validate(mini_root) == []


def test_import_crash_between_claims_and_pairs_stays_valid(mini_root: Path, tmp_path: Path) -> None:
    file = tmp_path / "in.jsonl"
    file.write_text(json.dumps({"text_a": "Brand new claim A.", "source_a": "alpha", "text_b": "Brand new claim B.",
                                "source_b": "beta", "label": "unrelated"}) + "\n", encoding="utf-8")
    pairs_before = (mini_root / "pairs.jsonl").read_bytes()
    claims_before = (mini_root / "claims.jsonl").read_bytes()
    assert _run_crash(mini_root, 2, str(file)) == 3  # claims.jsonl replaced, then death before pairs.jsonl
    assert (mini_root / "pairs.jsonl").read_bytes() == pairs_before
    assert (mini_root / "claims.jsonl").read_bytes() != claims_before  # two orphan claims ...
    assert validate(mini_root) == []  # ... which break no rule
    from bench.annotate.importer import import_file

    plan = import_file(mini_root, file)  # the re-run reuses them instead of duplicating
    assert plan.claims == [] and len(plan.pairs) == 1 and len(plan.reused_claims) == 2
    assert validate(mini_root) == []


NO_TORCH = textwrap.dedent("""
    import json, sys
    from bench.cli.main import main
    root, tmp = sys.argv[1], sys.argv[2]
    commands = [
        ["validate"], ["stats"], ["stats", "--json"], ["suggest", "--top", "3"], ["suggest", "--unrelated-hard"],
        ["perturb", "alpha-c001", "--kind", "number"], ["blind", "--sample", "4", "--seed", "1", "--out", tmp + "/b.jsonl"],
        ["add-claim", "--article", "alpha", "--text", "A new claim."], ["add-pair", "alpha-c004", "beta-c001",
        "--label", "unrelated"], ["perturb", "alpha-c001", "--kind", "date", "--apply"],
    ]
    for command in commands:
        code = main(["annotate", *command, "--root", root])
        assert code == 0, command
    with open(tmp + "/pass.jsonl", "w") as handle:
        handle.write(json.dumps({"pair_id": "p0001", "label": "entails"}) + "\\n")
    assert main(["annotate", "agreement", tmp + "/pass.jsonl", "--root", root]) == 0
    with open(tmp + "/in.jsonl", "w") as handle:
        handle.write(json.dumps({"text_a": "x", "source_a": "alpha", "text_b": "y", "source_b": "beta",
                                 "label": "unrelated"}) + "\\n")
    assert main(["annotate", "import", tmp + "/in.jsonl", "--root", root]) == 0
    heavy = sorted(m for m in ("torch", "sentence_transformers", "transformers") if m in sys.modules)
    print("HEAVY", heavy)
""")


def test_no_command_imports_torch(mini_root: Path, tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, "-c", NO_TORCH, str(mini_root), str(tmp_path)], env=env, cwd=REPO,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "HEAVY []" in done.stdout


def test_unicode_round_trips_byte_for_byte(mini_root: Path, tmp_path: Path) -> None:
    """Curly quotes, accents and em dashes: old bytes are kept as a prefix, new text is written as is."""
    from bench.annotate.blind import blind_sample, write_blind
    from bench.annotate.edit import add_claim
    from bench.annotate.importer import import_file
    from bench.annotations import load_annotations

    texts = ["No support was given — “we only listened,” an aide said.", "Ñandú café — ‘naïve’ résumé…",
             "Prices doubled at the café in Caracas — “twice,” said the owner."]
    claims_path, pairs_path = mini_root / "claims.jsonl", mini_root / "pairs.jsonl"
    before = claims_path.read_bytes()
    assert "café".encode() in before  # the fixture already holds non-ASCII text
    add_claim(mini_root, texts[0], article_id="alpha", quote="No support was given — “we only listened,” an aide said.")
    after = claims_path.read_bytes()
    assert after.startswith(before) and texts[0].encode("utf-8") in after
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"text_a": texts[1], "source_a": "beta", "text_b": texts[2], "source_b": "gamma",
                                  "label": "unrelated", "rationale": "“different” facts — café"}, ensure_ascii=False)
                      + "\n", encoding="utf-8")
    pairs_before, claims_before = pairs_path.read_bytes(), claims_path.read_bytes()
    import_file(mini_root, source)
    assert claims_path.read_bytes().startswith(claims_before) and pairs_path.read_bytes().startswith(pairs_before)
    stored = [item.data["text"] for item in read_jsonl(claims_path) if item.data]
    assert stored[-3:] == texts
    assert "“different” facts — café".encode() in pairs_path.read_bytes()
    ann = load_annotations(mini_root)
    out = tmp_path / "blind.jsonl"
    write_blind(blind_sample(ann, len(ann.pairs), 0), out)
    assert texts[1].encode("utf-8") in out.read_bytes()
    assert validate(mini_root) == []
