"""`python -m bench.perf.llm`: the LLM judge against a bare concurrent `openai` script, same server.

Both send the same rendered prompts (the seed data's first N pairs) with the same decoding and the
same concurrency to one local llama.cpp server. Targets (issue #14, fixed before measuring):
the judge's throughput is >= 0.90 of the bare script's, and a rerun on a warm response cache is
>= 20x faster than the cold run. Rounds alternate bare / judge so server-side warm-up favours
neither; the best round of each counts. Writes `results/perf/llm.json`.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from bench.perf.common import REPO

MIN_THROUGHPUT_RATIO = 0.90
MIN_WARM_SPEEDUP = 20.0


def seed_pairs(root: str, n: int) -> tuple[list[str], list[str]]:
    from bench.dataset import load_annotations_dataset

    data = load_annotations_dataset(root).hf.select(range(n))
    return list(data["text_a"]), list(data["text_b"])


def bare_run(base_url: str, model: str, prompts: list[str], concurrency: int, decoding: dict[str, Any]) -> float:
    """What a user would write: one OpenAI client, a thread pool, the completions API."""
    from openai import OpenAI

    client = OpenAI(base_url=base_url, api_key="not-needed", max_retries=0, timeout=120)
    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(lambda p: client.completions.create(model=model, prompt=p, **decoding).choices[0].text, prompts))
    return time.perf_counter() - started


def judge_run(base_url: str, model: str, a: list[str], b: list[str], concurrency: int, cache: Path) -> float:
    from bench.models.base import PairBatch
    from bench.models.llm_judge import LLMJudge

    judge = LLMJudge(base_url=base_url, model=model, concurrency=concurrency, cache=str(cache), show_progress=False)
    started = time.perf_counter()
    judge.predict_proba(PairBatch(a, b))
    return time.perf_counter() - started


def measure(root: str, n: int, concurrency: int, rounds: int) -> dict[str, Any]:
    from bench.llm.prompt import PromptTemplate
    from bench.llm.server import SERVED_NAME, local_server
    from bench.models.llm_judge import LLMJudge

    a, b = seed_pairs(root, n)
    defaults = LLMJudge(cache=None)
    template = PromptTemplate.load("llm_judge.txt", "llm_judge_example.txt")
    prompts = [template.render(x, y) for x, y in zip(a, b)]
    scratch = Path(tempfile.mkdtemp(prefix="claimbench-perf-llm-"))
    bare: list[float] = []
    cold: list[float] = []
    warm: list[float] = []
    try:
        with local_server(None, 2048, None, 180.0, cache_root=REPO / ".cache" / "claimbench") as url:
            for r in range(rounds):
                bare.append(bare_run(url, SERVED_NAME, prompts, concurrency, defaults.decoding))
                cache = scratch / f"cache{r}"
                cold.append(judge_run(url, SERVED_NAME, a, b, concurrency, cache))
                warm.append(judge_run(url, SERVED_NAME, a, b, concurrency, cache))
                print(f"round {r + 1}: bare {bare[-1]:.1f} s, judge cold {cold[-1]:.1f} s, warm {warm[-1]:.2f} s",
                      file=sys.stderr)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    ratio = min(bare) / min(cold)
    speedup = min(cold) / min(warm)
    return {"pairs": n, "concurrency": concurrency, "rounds": rounds, "bare_s": bare, "judge_cold_s": cold,
            "judge_warm_s": warm, "throughput_ratio": ratio, "warm_speedup": speedup,
            "targets": {"throughput_ratio": [MIN_THROUGHPUT_RATIO, ratio >= MIN_THROUGHPUT_RATIO],
                        "warm_speedup": [MIN_WARM_SPEEDUP, speedup >= MIN_WARM_SPEEDUP]}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.perf.llm", description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairs", type=int, default=60, help="seed pairs per run (default 60)")
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--root", default="annotations/seed")
    parser.add_argument("--out", type=Path, default=REPO / "results" / "perf" / "llm.json")
    args = parser.parse_args(argv)
    report = measure(args.root, args.pairs, args.concurrency, args.rounds)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    for name, (target, ok) in report["targets"].items():
        print(f"{name}: {report[name]:.2f} (target >= {target}): {'pass' if ok else 'MISS'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
