"""An LLM as judge, behind any OpenAI-compatible endpoint (vLLM, llama.cpp, Ollama, hosted APIs).

Two scoring modes: `generate` asks for the label and parses the answer (probabilities from the
label tokens' logprobs when the server returns them, renormalised over the three labels; else
one-hot), `loglikelihood` scores each label as the continuation of the prompt and takes a softmax
(lm-evaluation-harness's multiple-choice scoring, the right mode for base models). Without
`base_url` a local llama.cpp server is started on the bundled GGUF model for each prediction call
and stopped when it returns. Few-shot examples come only from the training side of a fold.
"""

from __future__ import annotations

import random
import sys
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from bench.labels import LABEL_NAMES, NUM_LABELS
from bench.llm.answers import one_hot, parse_answer, proba_from_loglikelihoods, proba_from_top_logprobs
from bench.llm.cache import ResponseCache
from bench.llm.endpoint import API_KINDS, Endpoint, EndpointError, api_key_from_env, check_base_url
from bench.llm.prompt import PromptTemplate
from bench.llm.server import SERVED_NAME, local_server
from bench.models.base import PairBatch

SCORING = ("generate", "loglikelihood")


@dataclass(frozen=True)
class LocalServerSettings:
    """How to start the local llama.cpp server when no base_url is given."""

    gguf: str | None
    n_ctx: int
    n_threads: int | None
    startup_timeout: float
    log: Path | None


class LLMJudge:
    """PairClassifier over an OpenAI-compatible endpoint; every setting is checked at build time."""

    #: Zero-shot unless k_shot > 0 (then each fold draws its examples from its training side).
    trainable: bool = False

    def __init__(self, seed: int = 0, base_url: str | None = None, model: str | None = None,
                 api_key_env: str | None = None, api: str = "completions", scoring: str = "generate",
                 template: str = "llm_judge.txt", example_template: str = "llm_judge_example.txt",
                 k_shot: int = 0, temperature: float = 0.0, max_tokens: int = 8, top_logprobs: int = 0,
                 json_schema: bool = False, fallback: str = "unrelated", concurrency: int = 2,
                 timeout: float = 60.0, max_retries: int = 4, price_per_1k_tokens: float | None = None,
                 cache: str | None = ".cache/claimbench", gguf: str | None = None, n_ctx: int = 2048,
                 n_threads: int | None = None, startup_timeout: float = 120.0, server_log: str | None = None,
                 show_progress: bool = True) -> None:
        def need(ok: bool, message: str) -> None:
            if not ok:
                raise ValueError(message)

        need(scoring in SCORING, f"model.scoring={scoring!r}; use one of {', '.join(SCORING)}")
        need(api in API_KINDS, f"model.api={api!r}; use one of {', '.join(API_KINDS)}")
        need(scoring == "generate" or api == "completions",
             "model.scoring=loglikelihood needs model.api=completions (chat APIs do not echo prompt logprobs)")
        need(isinstance(concurrency, int) and concurrency >= 1, f"model.concurrency={concurrency!r}; use a whole number >= 1")
        need(isinstance(k_shot, int) and k_shot >= 0, f"model.k_shot={k_shot!r}; use a whole number >= 0")
        need(fallback in LABEL_NAMES, f"model.fallback={fallback!r}; use one of {', '.join(LABEL_NAMES)}")
        need(max_tokens >= 1 and 0 <= top_logprobs <= 20, "model.max_tokens must be >= 1 and model.top_logprobs in 0..20")
        if base_url is not None:
            check_base_url(base_url)
            need(bool(model), "model.model is required with model.base_url (the model id the endpoint serves)")
        self.api_key = api_key_from_env(api_key_env) if base_url is not None else "not-needed"
        self.prompt = PromptTemplate.load(template, example_template)
        need(k_shot == 0 or self.prompt.uses_examples, f"model.k_shot={k_shot} but {self.prompt.source} has no {{examples}}")
        self.seed, self.base_url, self.model_id, self.api, self.scoring = seed, base_url, model, api, scoring
        self.k_shot, self.fallback, self.concurrency = k_shot, fallback, concurrency
        self.fallback_id = LABEL_NAMES.index(fallback)
        self.decoding = {"temperature": float(temperature), "max_tokens": int(max_tokens), "seed": int(seed)}
        self.top_logprobs, self.json_schema = int(top_logprobs), bool(json_schema)
        self.timeout, self.max_retries, self.price = float(timeout), int(max_retries), price_per_1k_tokens
        self.response_cache = ResponseCache(cache) if cache else None
        self.cache = cache
        self.server = LocalServerSettings(gguf, int(n_ctx), n_threads, float(startup_timeout),
                                          Path(server_log) if server_log else None)
        self.show_progress = show_progress
        self.trainable = k_shot > 0  # zero-shot without examples: the runner predicts every pair once
        self.examples: list[tuple[str, str, str]] = []
        self.stats: dict[str, Any] = {"pairs": 0, "parsed": 0, "unparsed_examples": [], "seconds": 0.0}

    def fit(self, train: PairBatch) -> LLMJudge:
        """Draw the k-shot examples (seeded) from this fold's training side only."""
        if self.k_shot:
            labels = train.require_labels()
            chosen = random.Random(self.seed).sample(range(len(train)), min(self.k_shot, len(train)))
            self.examples = [(train.text_a[i], train.text_b[i], LABEL_NAMES[int(labels[i])]) for i in chosen]
        return self

    @contextmanager
    def _endpoint(self) -> Iterator[Endpoint]:
        server = (nullcontext(self.base_url) if self.base_url is not None else
                  local_server(self.server.gguf, self.server.n_ctx, self.server.n_threads,
                               self.server.startup_timeout, self.server.log, self.cache,
                               logits_all=self.scoring == "loglikelihood"))
        with server as base_url:
            endpoint = Endpoint(str(base_url), self.model_id or SERVED_NAME, self.api_key, self.timeout,
                                self.max_retries, self.response_cache)
            endpoint.probe()
            yield endpoint

    def _score(self, endpoint: Endpoint, prompt: str) -> tuple[np.ndarray, str | None]:
        """(probability row, the raw answer when it could not be parsed)."""
        if self.scoring == "loglikelihood":
            scores = [endpoint.loglikelihood(prompt, " " + name)["logprob"] for name in LABEL_NAMES]
            return proba_from_loglikelihoods(scores), None
        answer = endpoint.generate(prompt, self.api, self.decoding, self.top_logprobs, self.json_schema)
        label = parse_answer(answer["text"])
        if label is None:
            return one_hot(self.fallback_id), str(answer["text"])
        soft = proba_from_top_logprobs(answer["top"]) if answer.get("top") else None
        return (soft if soft is not None and int(np.argmax(soft)) == label else one_hot(label)), None

    def predict_proba(self, pairs: PairBatch) -> np.ndarray:
        import logging

        from bench.progress import progress_bar

        for name in ("httpx", "httpx2", "openai"):  # one INFO line per request would bury the progress bar
            logging.getLogger(name).setLevel(logging.WARNING)

        prompts = [self.prompt.render(a, b, self.examples) for a, b in zip(pairs.text_a, pairs.text_b)]
        started = time.perf_counter()
        out = np.zeros((len(prompts), NUM_LABELS))
        try:
            with self._endpoint() as endpoint:
                pool = ThreadPoolExecutor(self.concurrency)
                bar = progress_bar(total=len(prompts), desc="llm_judge", unit="pair", enabled=self.show_progress)
                unparsed: list[str] = []
                try:
                    for i, (row, raw) in enumerate(pool.map(lambda p: self._score(endpoint, p), prompts)):
                        out[i] = row
                        if raw is not None:
                            unparsed.append(raw)
                        bar.update(1)
                finally:  # on Ctrl-C or an error, drop the queued requests: only those in flight finish
                    pool.shutdown(wait=True, cancel_futures=True)
                    bar.close()
                self._record(endpoint, len(prompts), unparsed, time.perf_counter() - started)
        except EndpointError as exc:
            raise ValueError(str(exc)) from None
        return out

    def _record(self, endpoint: Endpoint, n: int, unparsed: Sequence[str], seconds: float) -> None:
        s = self.stats
        s["pairs"] += n
        s["parsed"] += n - len(unparsed)
        s["unparsed_examples"] = (s["unparsed_examples"] + [u[:80] for u in unparsed])[:5]
        s["seconds"] += seconds
        for key in ("requests", "cache_hits", "tokens_in", "tokens_out"):
            s[key] = s.get(key, 0) + getattr(endpoint.usage, key)
        s["max_in_flight"] = max(s.get("max_in_flight", 0), endpoint.usage.max_in_flight)
        if self.scoring == "generate":
            print(f"llm_judge: parsed {n - len(unparsed)}/{n} answers ({(n - len(unparsed)) / max(n, 1):.1%}); "
                  f"unparseable -> {self.fallback}", file=sys.stderr)

    def run_info(self) -> dict[str, Any]:
        """What the run record keeps: parse rate, requests, cache hits, tokens, wall time, cost."""
        s = dict(self.stats)
        s["parse_rate"] = s["parsed"] / s["pairs"] if s["pairs"] else None
        s["endpoint"] = self.base_url or "local llama.cpp server"
        tokens = s.get("tokens_in", 0) + s.get("tokens_out", 0)
        s["cost"] = None if self.price is None else tokens / 1000 * float(self.price)
        return s
