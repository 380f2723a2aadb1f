"""The LLM judge against a fake OpenAI-compatible server: parsing, cache, concurrency, failures."""

from __future__ import annotations

import time

import numpy as np
import pytest

from bench.labels import LABEL_NAMES
from bench.llm.answers import parse_answer, proba_from_top_logprobs
from bench.llm.prompt import PromptError, PromptTemplate
from bench.models.base import PairBatch
from bench.models.llm_judge import LLMJudge

from fake_endpoint import MODEL, FakeEndpoint

A = ["Officials met the officers.", "The meeting took place.", "Radios were requested."]
B = ["Officials met the officers.", "The meeting did not take place.", "Money was requested."]
GOLD = ["entails", "contradicts", "unrelated"]


def judge(server: FakeEndpoint, tmp_path, **options) -> LLMJudge:
    return LLMJudge(base_url=server.base_url, model=MODEL, cache=str(tmp_path / "cache"), show_progress=False, **options)


def batch() -> PairBatch:
    return PairBatch(list(A), list(B), np.array([LABEL_NAMES.index(g) for g in GOLD]))


@pytest.mark.parametrize("text, expected", [
    ("entails", "entails"), (" Contradicts.", "contradicts"), ('{"label": "unrelated"}', "unrelated"),
    ("**entails** because", "entails"), ("I think it entails", None), ("", None), ('{"label": "maybe"}', None),
    ("entailment", None),
])
def test_parse_answer_is_strict(text, expected):
    got = parse_answer(text)
    assert (None if got is None else LABEL_NAMES[got]) == expected


def test_top_logprobs_renormalise_over_labels():
    proba = proba_from_top_logprobs([{'"': -0.01}, {" contr": np.log(0.6), " ent": np.log(0.2), " the": np.log(0.2)}])
    assert proba is not None and np.allclose(proba, [0.25, 0.75, 0.0])


def test_generate_scores_and_rerun_hits_cache(tmp_path):
    with FakeEndpoint() as server:
        first = judge(server, tmp_path, top_logprobs=5)
        proba = first.predict_proba(batch())
        assert [LABEL_NAMES[i] for i in proba.argmax(1)] == GOLD
        assert 0.5 < proba[1, 1] < 1.0  # renormalised from the label tokens' logprobs, not one-hot
        assert first.run_info()["parse_rate"] == 1.0 and first.run_info()["requests"] == 3
        sent = server.requests
        again = judge(server, tmp_path, top_logprobs=5)
        assert np.array_equal(again.predict_proba(batch()), proba)
        assert server.requests == sent  # zero requests on the rerun
        assert again.run_info()["cache_hits"] == 3 and again.run_info()["requests"] == 0


def test_chat_api_and_unparseable_answers_are_counted(tmp_path):
    with FakeEndpoint(answer="I am not sure") as server:
        model = judge(server, tmp_path, api="chat", fallback="unrelated")
        proba = model.predict_proba(batch())
        assert (proba.argmax(1) == LABEL_NAMES.index("unrelated")).all()
        info = model.run_info()
        assert info["parse_rate"] == 0.0 and info["unparsed_examples"][0] == "I am not sure"


def test_loglikelihood_mode_scores_each_label(tmp_path):
    with FakeEndpoint() as server:
        model = judge(server, tmp_path, scoring="loglikelihood")
        proba = model.predict_proba(batch())
        assert [LABEL_NAMES[i] for i in proba.argmax(1)] == GOLD
        assert server.requests == 3 * len(A) and np.allclose(proba.sum(1), 1.0)


def test_concurrency_overlaps_requests(tmp_path):
    with FakeEndpoint(delay=0.3) as server:
        pairs = PairBatch([f"claim {i}" for i in range(8)], [f"other {i}" for i in range(8)])
        started = time.perf_counter()
        judge(server, tmp_path, concurrency=4).predict_proba(pairs)
        assert server.max_in_flight >= 3
        assert time.perf_counter() - started < 8 * 0.3  # serial would take 2.4 s


def test_k_shot_examples_come_from_the_training_side(tmp_path):
    with FakeEndpoint() as server:
        model = judge(server, tmp_path, k_shot=2)
        assert model.trainable
        train = PairBatch(["train premise 1", "train premise 2", "train premise 3"], ["h1", "h2", "h3"], np.array([0, 1, 2]))
        model.fit(train)
        assert {a for a, _, _ in model.examples} <= set(train.text_a) and len(model.examples) == 2
        prompt = model.prompt.render("x", "y", model.examples)
        assert all(a in prompt for a, _, _ in model.examples)


def test_unreachable_endpoint_fails_fast_with_one_line(tmp_path):
    model = LLMJudge(base_url="http://127.0.0.1:9/v1", model="m", cache=None, show_progress=False, max_retries=0)
    started = time.perf_counter()
    with pytest.raises(ValueError, match="cannot reach http://127.0.0.1:9/v1"):
        model.predict_proba(batch())
    assert time.perf_counter() - started < 15


def test_wrong_model_name_lists_the_served_ones(tmp_path):
    with FakeEndpoint() as server:
        model = LLMJudge(base_url=server.base_url, model="nope", cache=None, show_progress=False)
        with pytest.raises(ValueError, match=f"not served .* it serves: {MODEL}"):
            model.predict_proba(batch())
        assert server.requests == 0


@pytest.mark.parametrize("options, message", [
    ({"concurrency": 0}, "model.concurrency=0"),
    ({"base_url": "localhost:8000"}, "is not an http"),
    ({"base_url": "http://x/v1", "model": "m", "api_key_env": "CLAIMBENCH_TEST_NO_SUCH_KEY"}, "CLAIMBENCH_TEST_NO_SUCH_KEY is not set"),
    ({"scoring": "vibes"}, "model.scoring='vibes'"),
    ({"scoring": "loglikelihood", "api": "chat"}, "needs model.api=completions"),
    ({"fallback": "maybe"}, "model.fallback='maybe'"),
])
def test_bad_settings_are_refused_before_any_request(options, message):
    with pytest.raises(ValueError, match=message):
        LLMJudge(cache=None, **options)


def test_template_without_a_placeholder_is_refused(tmp_path):
    bad = tmp_path / "t.txt"
    bad.write_text("Claim A: {claim_a}\nAnswer:")
    with pytest.raises(PromptError, match=r"missing placeholder\(s\) \{claim_b\}"):
        PromptTemplate.load(bad, "llm_judge_example.txt")
    bad.write_text("{claim_a} {claim_b} {oops}")
    with pytest.raises(PromptError, match=r"unknown placeholder"):
        PromptTemplate.load(bad, "llm_judge_example.txt")


def test_bench_cache_info_and_clear_cover_llm_responses(tmp_path, capsys):
    import argparse
    import json

    from bench.cli.cache import register

    with FakeEndpoint() as server:
        judge(server, tmp_path).predict_proba(batch())
    parser = argparse.ArgumentParser(prog="bench")
    register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["cache", "info", "--dir", str(tmp_path / "cache"), "--json"])
    assert args.func(args) == 0
    assert json.loads(capsys.readouterr().out)["llm"]["models"] == {MODEL: 3}
    args = parser.parse_args(["cache", "clear", "--dir", str(tmp_path / "cache"), "--only", "llm"])
    assert args.func(args) == 0
    assert "removed 3 LLM response(s)" in capsys.readouterr().out
    args = parser.parse_args(["cache", "info", "--dir", str(tmp_path / "cache")])
    assert args.func(args) == 0
    assert "no cached LLM responses" in capsys.readouterr().out


def test_a_failing_request_stops_the_run_in_one_line_without_sending_the_queue(tmp_path):
    with FakeEndpoint(delay=0.05, fail_after=3) as server:
        pairs = PairBatch([f"claim {i}" for i in range(60)], [f"other {i}" for i in range(60)])
        model = judge(server, tmp_path, concurrency=2, max_retries=0)
        with pytest.raises(ValueError, match=r"answered HTTP 400 to a generate request .*model overloaded"):
            model.predict_proba(pairs)
        assert server.requests < 10  # the queued pairs were cancelled, not sent
